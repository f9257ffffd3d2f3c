"""What a chart shows, pulled out of `Tables` for one figure: rows, series, order and labels.

Pure data, no drawing: the renderers only place what this module hands them. Every number is
a table cell (its unrounded share for the bar length, its whole percent for the printed label);
this module only chooses, orders and names cells.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Literal

from ..errors import ChartError, did_you_mean
from ..study import layout
from ..study.model import Figure, Study
from ..tabulate.differences import Differences
from ..tabulate.tables import TableRow, Tables, shown_percent, shown_whole_percent
from . import references, style
from .references import Mark, ReferenceKey

ChartKind = Literal["stacked", "grouped", "bars"]
RowsAre = Literal["items", "groups", "categories"]
TOTAL = layout.TOTAL


@dataclass(frozen=True)
class Value:
    """One bar or segment: a table cell of one series."""

    series: str
    percent: float  # unrounded, for the bar length
    label: int  # whole percent, as printed
    base: int


@dataclass(frozen=True)
class Row:
    """One line of the chart: a stacked bar, a cluster of bars or a single bar."""

    label: str  # printed left of the bars, "(N=…)" included where N belongs to the row
    item: str
    group: str | None  # the breakdown group when rows are groups, else None
    values: tuple[Value, ...]
    category: str | None = None  # the one category its bars show (None: a stacked distribution)
    marks: tuple[Mark, ...] = ()  # published reference values drawn on the row

    @property
    def base(self) -> int:
        """The row's N (stacked rows: all segments share it)."""
        return self.values[0].base


@dataclass(frozen=True)
class Panel:
    """A block of rows under an optional title (one per item or breakdown where needed)."""

    title: str | None
    rows: tuple[Row, ...]  # top to bottom


@dataclass(frozen=True)
class Series:
    """A colour of the chart: a category (stacked) or a group/option (grouped, bars)."""

    name: str
    legend: str  # legend text, "(N=…)" included where N belongs to the series


@dataclass(frozen=True)
class ChartData:
    """Everything a renderer needs for one figure."""

    figure_id: str
    kind: ChartKind
    series: tuple[Series, ...]
    panels: tuple[Panel, ...]
    ordinal: bool  # series are the ordered options of a scale
    axis_label: str
    note: str | None
    rows_are: RowsAre
    breakdown: str  # label of the breakdown the groups belong to ('' when none)
    references: tuple[ReferenceKey, ...] = ()  # sources of the rows' marks, in legend order


# ----------------------------------------------------------------------------- kind


def chart_kind(study: Study, figure: Figure) -> ChartKind | None:
    """The chart a figure gets: declared in `chart.kind`, else chosen from statistic and breakdown."""
    declared = figure.chart.kind
    if figure.is_table or declared == "table" or declared == "none":
        return None
    if declared != "auto":
        return declared
    several_items = len(figure.items) > 1
    if figure.statistic in ("top2", "bottom2"):
        return "grouped" if figure.by != "none" else "bars"
    if figure.statistic == "selected_share":
        if figure.by == "none" or len(_categories(study, figure, figure.items[0])) == 1:
            return "bars"
        return "grouped"
    if figure.statistic == "distribution":
        if study.comparison(figure.by) is not None:
            return "grouped"
        if figure.by == "none":
            return "stacked" if several_items else "bars"
        if not several_items:
            return "stacked"
        raise ChartError(
            f"Figure {figure.id}: a distribution of several items by '{figure.by}' has no default "
            "chart; declare chart.kind ('grouped' with chart.show, or 'stacked')"
        )
    raise ChartError(
        f"Figure {figure.id}: statistic '{figure.statistic}' has no chart; "
        "declare chart.kind: none (or make it a table)"
    )


def chart_data(study: Study, figure: Figure, tables: Tables) -> ChartData | None:
    """The rows and series to draw for `figure`, or None when it gets no chart."""
    kind = chart_kind(study, figure)
    if kind is None:
        return None
    _check_declaration(study, figure)
    cells = _Cells(tables, figure)
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
    builder = {"stacked": _stacked, "grouped": _grouped, "bars": _bars}[kind]
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
    known = {item: layout.variable_categories(study, figure, item) for item in _drawn_items(figure)}
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
                                 f"'{item}' to draw")


# ----------------------------------------------------------------------------- helpers


class _Cells:
    """Table cells of one figure, failing loudly when the layout promises a missing cell."""

    def __init__(self, tables: Tables, figure: Figure) -> None:
        self.tables = tables
        self.figure = figure
        rows = tables.for_figure(figure.id)
        self._present = {(row.by, row.group) for row in rows}
        # Disclosure control: a group whose cells publication hides is left out of the chart.
        self._hidden = {(row.by, row.group) for row in rows if tables.is_hidden(row)}

    def groups(self, study: Study, by: str) -> tuple[str, ...]:
        """The breakdown's groups in report order, without groups the run could not count.

        Without the member register the population side of Figur 2.1–2.3 has no rows at all
        (tabulate leaves a note); the chart then shows the sample alone.
        """
        return tuple(g for g in layout.groups(study, by)
                     if (by, g) in self._present and (by, g) not in self._hidden)

    @property
    def left_out(self) -> bool:
        """True when some group was left out for disclosure control."""
        return bool(self._hidden)

    def get(self, item: str, by: str, group: str, category: str) -> TableRow:
        row = self.tables.get(self.figure.id, item, by, group, category)
        if row is None:
            raise ChartError(
                f"Figure {self.figure.id}: no table cell for item '{item}', by '{by}', "
                f"group '{group}', category '{category}'"
            )
        return row

    def value(self, series: str, item: str, by: str, group: str, category: str) -> Value:
        cell = self.get(item, by, group, category)
        return Value(series, shown_percent(cell), shown_whole_percent(cell), cell.base)


def _categories(study: Study, figure: Figure, item: str) -> tuple[str, ...]:
    """The item's drawable categories (options or groups; never top2/bottom2), filtered by
    `chart.show_categories`."""
    if figure.statistic_for(item) == "selected_share":
        shown = layout.categories(study, figure, item)
    else:
        shown = layout.variable_categories(study, figure, item)
    wanted = figure.chart.show_categories
    if wanted is not None:
        shown = tuple(c for c in shown if c in wanted)
    return shown


def _shown_category(study: Study, figure: Figure, item: str) -> str | None:
    """The one category drawn for an item when rows are items (None: item not drawn)."""
    show = figure.chart.show
    if show is not None:
        return show.get(item)
    statistic = figure.statistic_for(item)
    if statistic in ("top2", "bottom2"):
        return statistic
    if statistic in ("mean", "count"):
        return None
    shown = _categories(study, figure, item)
    if len(shown) != 1:
        raise ChartError(
            f"Figure {figure.id}: item '{item}' has {len(shown)} categories to show as one bar; "
            "declare chart.show or chart.show_categories with one category"
        )
    return shown[0]


def _label(study: Study, item: str) -> str:
    return study.question(item).label




def _with_n(label: str, bases: Sequence[int]) -> str:
    return f"{label} ({style.n_text(bases)})"


def _sorted(rows: list[Row], figure: Figure, cells: _Cells, by: str, sort_group: str) -> list[Row]:
    """Rows in report order, or by the share of `sort.category` when the figure declares `sort`.

    Rows that are groups are ordered by their own share and 'Totalt' stays last; rows that are
    items are ordered by their share in `sort_group` (Totalt, or the first group).
    """
    rule = figure.sort
    if rule is None:
        return rows
    last = [r for r in rows if r.group == TOTAL]
    movable = [r for r in rows if r.group != TOTAL]

    def key(row: Row) -> float:
        return shown_percent(cells.get(row.item, by, row.group or sort_group, rule.category))

    # sorted() is stable: ties keep the report's order.
    return [*sorted(movable, key=key, reverse=rule.descending), *last]


def _parts(figure: Figure) -> tuple[str, ...]:
    """The breakdowns drawn one under the other: `chart.parts`, else the figure's `by`."""
    parts = figure.chart.parts or (figure.by,)
    for part in parts:
        if part not in figure.breakdowns:
            raise ChartError(
                f"Figure {figure.id}: chart.parts names '{part}', which is not the figure's by "
                f"or also_by; expected one of {list(figure.breakdowns)}"
            )
    return parts


def _drawn_items(figure: Figure) -> tuple[str, ...]:
    """Items with a percent to draw (a mean, like Figur 3.3's stillingsprosent, is text only)."""
    return tuple(i for i in figure.items if figure.statistic_for(i) not in ("mean", "count"))


def _axis_label(rows_are: RowsAre, panels: Sequence[Panel]) -> str:
    """'Prosent', with the common N when the rows are categories of one item (no row carries it)."""
    if rows_are != "categories":
        return style.AXIS_LABEL
    bases = [v.base for p in panels for r in p.rows for v in r.values]
    return f"{style.AXIS_LABEL} ({style.n_text(bases)})"


# ----------------------------------------------------------------------------- builders


def _stacked(study: Study, figure: Figure, cells: _Cells) -> ChartData:
    """100 % stacked bars: one bar per item (by none) or per group, categories left to right."""
    rows_are: RowsAre
    items = _drawn_items(figure)
    categories = _categories(study, figure, items[0])
    for item in items[1:]:
        if _categories(study, figure, item) != categories:
            raise ChartError(f"Figure {figure.id}: items of a stacked chart must share their categories; "
                             f"'{item}' differs from '{items[0]}'")

    def values(item: str, by: str, group: str) -> tuple[Value, ...]:
        return tuple(cells.value(c, item, by, group, c) for c in categories)

    panels = []
    if figure.by == "none":
        rows = []
        for item in items:
            vals = values(item, "none", TOTAL)
            rows.append(Row(_with_n(_label(study, item), [vals[0].base]), item, None, vals))
        panels.append(Panel(None, tuple(_sorted(rows, figure, cells, "none", TOTAL))))
        rows_are = "items"
    else:
        parts = _parts(figure)
        for by in parts:
            for item in items:
                rows = []
                for group in cells.groups(study, by):
                    vals = values(item, by, group)
                    rows.append(Row(_with_n(group, [vals[0].base]), item, group, vals))
                title = " – ".join(t for t in (
                    _label(study, item) if len(items) > 1 else "",
                    study.breakdown_label(by) if len(parts) > 1 else "",
                ) if t)
                panels.append(Panel(title or None, tuple(_sorted(rows, figure, cells, by, TOTAL))))
        rows_are = "groups"
    question = study.question(items[0])
    return ChartData(
        figure_id=figure.id, kind="stacked", series=tuple(Series(c, c) for c in categories),
        panels=tuple(panels), ordinal=question.ordinal and items[0] not in figure.variables,
        axis_label=style.AXIS_LABEL, note=figure.chart.note, rows_are=rows_are,
        breakdown=study.breakdown_label(figure.by),
    )


def _grouped(study: Study, figure: Figure, cells: _Cells) -> ChartData:
    """Clustered bars, one bar per group: clusters are items (one share each) or categories."""
    rows_are: RowsAre
    by = figure.by
    if by == "none" or figure.chart.parts:
        raise ChartError(f"Figure {figure.id}: a grouped chart needs one breakdown in 'by' "
                         "(and no chart.parts)")
    groups = cells.groups(study, by)
    items = _drawn_items(figure)
    panels = []
    if figure.statistic in ("top2", "bottom2") or figure.chart.show is not None:
        rows = []
        for item in items:
            category = _shown_category(study, figure, item)
            if category is None:
                continue
            vals = tuple(cells.value(g, item, by, g, category) for g in groups)
            rows.append(Row(_label(study, item), item, None, vals, category))
        sort_group = TOTAL if TOTAL in groups else groups[0]
        panels.append(Panel(None, tuple(_sorted(rows, figure, cells, by, sort_group))))
        rows_are = "items"
    else:
        for item in items:
            rows = [Row(c, item, None, tuple(cells.value(g, item, by, g, c) for g in groups), c)
                    for c in _categories(study, figure, item)]
            panels.append(Panel(_label(study, item) if len(items) > 1 else None, tuple(rows)))
        rows_are = "categories"
    series = []
    for group in groups:
        bases = [v.base for p in panels for r in p.rows for v in r.values if v.series == group]
        series.append(Series(group, _with_n(group, bases)))
    return ChartData(
        figure_id=figure.id, kind="grouped", series=tuple(series), panels=tuple(panels),
        ordinal=False, axis_label=style.AXIS_LABEL, note=figure.chart.note, rows_are=rows_are,
        breakdown=study.breakdown_label(by),
    )


def _bars(study: Study, figure: Figure, cells: _Cells) -> ChartData:
    """One bar per row in one colour: per item, per category of one item, or per group."""
    rows_are: RowsAre
    items = _drawn_items(figure)
    panels = []
    if figure.by == "none" and (len(items) > 1 or figure.statistic in ("top2", "bottom2")):
        rows = []
        for item in items:
            category = _shown_category(study, figure, item)
            if category is None:
                continue
            value = cells.value(category, item, "none", TOTAL, category)
            rows.append(Row(_with_n(_label(study, item), [value.base]), item, None, (value,),
                            category))
        panels.append(Panel(None, tuple(_sorted(rows, figure, cells, "none", TOTAL))))
        rows_are = "items"
        name = rows[0].values[0].series
    elif figure.by == "none":
        item = items[0]
        name = _label(study, item)
        rows = [Row(c, item, None, (cells.value(name, item, "none", TOTAL, c),), c)
                for c in _categories(study, figure, item)]
        panels.append(Panel(None, tuple(rows)))
        rows_are = "categories"
    else:
        item = items[0]
        category = _shown_category(study, figure, item)
        if len(items) > 1 or category is None:
            raise ChartError(f"Figure {figure.id}: a bar chart by '{figure.by}' draws one item and one "
                             "category; use chart.kind: grouped for more")
        parts = _parts(figure)
        for by in parts:
            rows = []
            for group in cells.groups(study, by):
                value = cells.value(category, item, by, group, category)
                rows.append(Row(_with_n(group, [value.base]), item, group, (value,), category))
            title = study.breakdown_label(by) if len(parts) > 1 else None
            panels.append(Panel(title, tuple(_sorted(rows, figure, cells, by, TOTAL))))
        rows_are = "groups"
        name = category
    return ChartData(
        figure_id=figure.id, kind="bars", series=(Series(name, name),), panels=tuple(panels),
        ordinal=False, axis_label=_axis_label(rows_are, panels), note=figure.chart.note,
        rows_are=rows_are, breakdown=study.breakdown_label(figure.by),
    )
