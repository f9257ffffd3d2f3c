"""The chart kinds the chart stage draws: one registry, and the one entry point that builds a
figure's chart data through it.

A kind is what it builds from the tables (for shares; every kind can draw numbers through
`data.numbers_data`), how it is drawn, and the words its alt text opens with. A new kind is a
module with its `build` and `draw` (as stacked.py), one line in `KINDS`, and its entry in
study/charts.py (which validation reads; tests/test_chart.py fails while the two differ).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from matplotlib.figure import Figure as Drawing

from ..errors import ChartError, did_you_mean
from ..study import layout
from ..study.charts import auto_kind, drawn_value, kind_problem
from ..study.model import Figure, Study
from ..tabulate.differences import Differences
from ..tabulate.tables import Tables
from . import bars, dots, grouped, references, stacked, style
from .data import Cells, ChartData, ChartKind, drawn_items, numbers_data

Builder = Callable[[Study, Figure, Cells], ChartData]


@dataclass(frozen=True)
class Kind:
    """One chart kind: its builder of shares (None: it draws numbers only), its drawing, and
    the opening words of its alt text for shares and for numbers."""

    shares: Builder | None
    draw: Callable[[ChartData], Drawing]
    shares_words: str | None
    numbers_words: str | None


KINDS: dict[ChartKind, Kind] = {
    "stacked": Kind(stacked.build, stacked.draw, "Liggende stablet stolpediagram i prosent", None),
    "grouped": Kind(grouped.build, grouped.draw, "Liggende gruppert stolpediagram i prosent", None),
    "bars": Kind(bars.build, grouped.draw, "Liggende stolpediagram i prosent",
                 "Liggende stolpediagram"),
    "dots": Kind(None, dots.draw, None, "Punktdiagram"),
}


def chart_kind(study: Study, figure: Figure) -> ChartKind | None:
    """The chart a figure gets: declared in `chart.kind`, else chosen from statistic and
    breakdown (study.charts, which validation reads too)."""
    problem = kind_problem(study, figure)
    if problem is not None:
        raise ChartError(f"Figure {figure.id}: {problem}")
    kind = auto_kind(study, figure)
    return kind


def chart_data(study: Study, figure: Figure, tables: Tables) -> ChartData | None:
    """The rows and series to draw for `figure`, or None when it gets no chart."""
    kind = chart_kind(study, figure)
    if kind is None:
        return None
    _check_declaration(study, figure)
    cells = Cells(tables, figure)
    if not cells.groups(study, figure.by):
        return None
    differences = tables.differences
    # `select:` needs the group tests; a run without them (tables built by hand) draws every
    # statement rather than guessing.
    if differences is not None and figure.select is not None:
        kept = differences.selected_items(figure)
        if not kept:
            return None
        figure = figure.model_copy(update={"items": kept})
    if drawn_value(figure) in ("number", "points"):
        data = numbers_data(study, figure, cells, kind)
        if not any(row.values for panel in data.panels for row in panel.rows):
            return None  # no group has a number to draw (nobody answered yet)
        if cells.left_out:
            left_out = style.LEFT_OUT_NOTE.format(k=tables.min_cell)
            data = replace(data, note=f"{data.note} {left_out}" if data.note else left_out)
        return data
    builder = KINDS[kind].shares
    # chart_kind refused a numbers-only kind for shares (study.charts.kind_problem).
    assert builder is not None, kind
    data = builder(study, figure, cells)
    if differences is not None:
        data = _mark_significant(figure, data, differences)
    if cells.left_out:
        left_out = style.LEFT_OUT_NOTE.format(k=tables.min_cell)
        data = replace(data, note=f"{data.note} {left_out}" if data.note else left_out)
    return references.place(study, figure, data)


def _mark_significant(figure: Figure, data: ChartData, differences: Differences) -> ChartData:
    """Put the marker after the label of each row whose groups differ significantly (Rao–Scott,
    5 %), with a note saying what it means.

    Only rows that are items (one share each) or options of a multi-select carry a test of
    their own; rows that are groups or the categories of one distribution do not.
    """
    marked = False
    panels = []
    for panel in data.panels:
        rows = []
        for row in panel.rows:
            tests = differences.find(figure.id, row.item, figure.by)
            if data.rows_are == "categories":
                tests = [t for t in tests if t.share == row.label
                         and figure.statistic_for(row.item) == "selected_share"]
            elif data.rows_are != "items":
                tests = []
            if any(t.significant for t in tests):
                row = replace(row, label=f"{row.label} {style.SIGNIFICANT_MARK}")
                marked = True
            rows.append(row)
        panels.append(replace(panel, rows=tuple(rows)))
    if not marked:
        return data
    note = f"{data.note} {style.SIGNIFICANT_NOTE}" if data.note else style.SIGNIFICANT_NOTE
    return replace(data, panels=tuple(panels), note=note)


def _check_declaration(study: Study, figure: Figure) -> None:
    """Names in `chart.show` and `chart.show_categories` must be the figure's items and categories.

    A misspelt category would otherwise silently drop bars from the chart.
    """
    spec = figure.chart
    known = {item: layout.variable_categories(study, figure, item) for item in drawn_items(figure)}
    every = [c for categories in known.values() for c in categories]
    for item, category in (spec.show or {}).items():
        if item not in known:
            raise ChartError(f"Figure {figure.id}: chart.show names item '{item}', which the figure "
                             f"does not draw; expected one of {list(known)}{did_you_mean(item, known)}")
        if category not in known[item]:
            raise ChartError(f"Figure {figure.id}: chart.show gives '{category}' for '{item}'; expected "
                             f"one of {list(known[item])}{did_you_mean(category, known[item])}")
    for category in spec.show_categories or ():
        if category not in every:
            raise ChartError(f"Figure {figure.id}: chart.show_categories names '{category}', which no "
                             f"item of the figure has{did_you_mean(category, every)}")
    if spec.show_categories is not None:
        for item, categories in known.items():
            if not set(categories) & set(spec.show_categories):
                raise ChartError(f"Figure {figure.id}: chart.show_categories leaves nothing of "
                                 f"'{item}' to draw; add one of its categories "
                                 f"{list(categories)} or move '{item}' to a figure of its own")
