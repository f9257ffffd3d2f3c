"""What a chart shows, pulled out of `Tables` for one figure: rows, series, order and labels.

Pure data, no drawing: the renderers only place what this module hands them. Every number is
a table cell (its unrounded share for the bar length, its whole percent for the printed label);
this module only chooses, orders and names cells.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from ..errors import ChartError
from ..numbers import number, points
from ..study import layout
from ..study.model import Figure, Study
from ..study.statistics import STATISTICS, decimals_for, is_numeric_statistic
from ..tabulate.tables import TableRow, Tables, shown_percent, shown_whole_percent
from . import style
from .references import Mark, ReferenceKey

ChartKind = str  # a name of chart.kinds.KINDS (study/charts.py lists them for validation)
RowsAre = Literal["items", "groups", "categories"]
TOTAL = layout.TOTAL


@dataclass(frozen=True)
class Value:
    """One bar, segment or dot: a table cell of one series."""

    series: str
    percent: float  # unrounded position on the axis: the share (bar length), or the number
    label: int | str  # as printed: a whole percent, or a number ('9,2', '+12')
    base: int
    # A number's 95 % confidence interval (or quartiles), drawn as a whisker; None for shares
    # and where R gives no bound.
    low: float | None = None
    high: float | None = None


@dataclass(frozen=True)
class Axis:
    """The value axis: its ends and labelled ticks (the percent scale unless numbers)."""

    low: float
    high: float
    ticks: tuple[float, ...]
    labels: tuple[str, ...]

    def fraction(self, value: float) -> float:
        """Where `value` lies between the ends (0 at low, 1 at high)."""
        return (value - self.low) / (self.high - self.low)


PERCENT_AXIS = Axis(0.0, 100.0, tuple(float(t) for t in style.TICKS),
                    tuple(str(t) for t in style.TICKS))


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
    axis: Axis = PERCENT_AXIS
    # What a dot or bar of numbers shows ('gjennomsnittet'), for the alt text; '' for shares.
    measure: str = ""


# ----------------------------------------------------------------------------- helpers


class Cells:
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


def item_categories(study: Study, figure: Figure, item: str) -> tuple[str, ...]:
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


def shown_category(study: Study, figure: Figure, item: str) -> str | None:
    """The one category drawn for an item when rows are items (None: item not drawn)."""
    show = figure.chart.show
    if show is not None:
        return show.get(item)
    statistic = figure.statistic_for(item)
    if statistic in ("top2", "bottom2"):
        return statistic
    if STATISTICS[statistic].value != "share":
        return None
    shown = item_categories(study, figure, item)
    if len(shown) != 1:
        raise ChartError(
            f"Figure {figure.id}: item '{item}' has {len(shown)} categories to show as one bar; "
            "declare chart.show or chart.show_categories with one category"
        )
    return shown[0]


def item_label(study: Study, item: str) -> str:
    return study.question(item).label




def with_n(label: str, bases: Sequence[int]) -> str:
    return f"{label} ({style.n_text(bases)})"


def sorted_rows(rows: list[Row], figure: Figure, cells: Cells, by: str, sort_group: str) -> list[Row]:
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


def breakdown_parts(figure: Figure) -> tuple[str, ...]:
    """The breakdowns drawn one under the other: `chart.parts`, else the figure's `by`."""
    parts = figure.chart.parts or (figure.by,)
    for part in parts:
        if part not in figure.breakdowns:
            raise ChartError(
                f"Figure {figure.id}: chart.parts names '{part}', which is not the figure's by "
                f"or also_by; expected one of {list(figure.breakdowns)}"
            )
    return parts


def drawn_items(figure: Figure) -> tuple[str, ...]:
    """Items with a percent to draw (a mean beside shares, like Figur 3.3's stillingsprosent,
    is printed in the table only)."""
    return tuple(i for i in figure.items if STATISTICS[figure.statistic_for(i)].value == "share")


def axis_label_for(rows_are: RowsAre, panels: Sequence[Panel]) -> str:
    """'Prosent', with the common N when the rows are categories of one item (no row carries it)."""
    if rows_are != "categories":
        return style.AXIS_LABEL
    bases = [v.base for p in panels for r in p.rows for v in r.values]
    return f"{style.AXIS_LABEL} ({style.n_text(bases)})"


# ----------------------------------------------------------------------------- numbers

# What a dot shows, by the category drawn (and the axis label's first word).
MEASURES = {"mean": ("gjennomsnittet", "Gjennomsnitt"), "median": ("medianen", "Median"),
            "sum": ("summen", "Sum"), "net": ("netto-scoren", "Netto-score")}
CI_NOTE = "Strekene viser 95 prosent konfidensintervall."
QUARTILE_NOTE = "Punktet er medianen; streken går fra nedre til øvre kvartil."


def _drawn_number(figure: Figure, item: str) -> str:
    """The category a chart of numbers draws for an item (quantiles: the median)."""
    categories = layout.STATISTIC_CATEGORIES.get(figure.statistic_for(item), ())
    return "median" if "median" in categories else categories[0]


def number_text(value: float, category: str, whole_numbers: bool = False) -> str:
    """A number as a chart prints it: '9,2', a net score as signed points ('+12', '−8')."""
    if category == "net":
        return points(value)
    return number(value, decimals_for(whole_numbers, category))


def _number_value(study: Study, figure: Figure, cells: Cells, series: str, item: str, by: str,
                  group: str) -> Value | None:
    """One dot: the item's number in the group with its interval (quartiles for quantiles);
    None when the group has no number (no answers), so no dot is drawn at 0."""
    category = _drawn_number(figure, item)
    quartiles = figure.statistic_for(item) == "quantiles"
    cell = cells.get(item, by, group, category)
    if cell.estimate is None or cell.count == 0:
        return None
    value = cell.estimate
    if quartiles:
        low_cell, high_cell = (cells.get(item, by, group, c) for c in ("q1", "q3"))
        low, high = low_cell.estimate, high_cell.estimate
    else:
        low, high = cell.ci_low, cell.ci_high
    whole = study.question(item).whole_numbers
    return Value(series, value, number_text(value, category, whole), cell.base, low, high)


def number_axis(study: Study, figure: Figure, values: Sequence[Value]) -> Axis:
    """A scale's own range, -100 to 100 for net scores, else round ticks from 0 (or below)
    to past every dot and whisker."""
    item = figure.items[0]
    question = study.question(item)
    if figure.statistic_for(item) == "net":
        ticks = (-100.0, -50.0, 0.0, 50.0, 100.0)
        return Axis(-100.0, 100.0, ticks, tuple(number(t, 0) for t in ticks))
    if question.type == "scale" and question.range is not None:
        low, high = question.range
        step = 1.0 if high - low <= 10 else 2.0
    else:
        ends = [x for v in values for x in (v.percent, v.low, v.high) if x is not None]
        low = min(0.0, min(ends, default=0.0))
        high = max(ends, default=1.0)
        if high <= low:
            high = low + 1.0
        step = _nice_step((high - low) / 5)
        low, high = step * math.floor(low / step), step * math.ceil(high / step)
    marks: tuple[float, ...] = tuple(low + step * i
                                     for i in range(round((high - low) / step) + 1))
    digits = 0 if all(float(x).is_integer() for x in marks) else 1
    return Axis(low, high, marks, tuple(number(t, digits) for t in marks))


def _nice_step(raw: float) -> float:
    """1, 2 or 5 times a power of ten, the smallest at least `raw`."""
    power = 10 ** math.floor(math.log10(raw)) if raw > 0 else 1.0
    return next(m * power for m in (1, 2, 5, 10) if m * power >= raw)


def numbers_data(study: Study, figure: Figure, cells: Cells, kind: ChartKind) -> ChartData:
    """Dots (or bars) with whiskers: one per group for one item, one per item without a
    breakdown, a cluster per item with a dot per group otherwise."""
    items = tuple(i for i in figure.items if is_numeric_statistic(figure.statistic_for(i)))
    category = _drawn_number(figure, items[0])
    quartiles = figure.statistic_for(items[0]) == "quantiles"
    by = figure.by
    panels = []
    series: list[Series]
    rows: list[Row] = []
    if by == "none":
        for item in items:
            value = _number_value(study, figure, cells, item, item, "none", TOTAL)
            if value is not None:
                rows.append(Row(with_n(item_label(study, item), [value.base]), item, None, (value,),
                                _drawn_number(figure, item)))
        rows_are: RowsAre = "items"
        series = [Series(items[0], items[0])]
    elif len(items) == 1:
        item = items[0]
        for group in cells.groups(study, by):
            value = _number_value(study, figure, cells, group, item, by, group)
            if value is not None:
                rows.append(Row(with_n(group, [value.base]), item, group, (value,), category))
        rows_are = "groups"
        series = [Series(item, item)]
    else:
        groups = [g for g in cells.groups(study, by)
                  if all(_number_value(study, figure, cells, g, i, by, g) is not None
                         for i in items)]
        for item in items:
            found = [_number_value(study, figure, cells, g, item, by, g) for g in groups]
            rows.append(Row(item_label(study, item), item, None,
                            tuple(v for v in found if v is not None), _drawn_number(figure, item)))
        rows_are = "items"
        series = [Series(g, with_n(g, [v.base for r in rows for v in r.values if v.series == g]))
                  for g in groups]
    panels.append(Panel(None, tuple(rows)))
    values = [v for panel in panels for row in panel.rows for v in row.values]
    question = study.question(items[0])
    measure, word = MEASURES.get(category, ("verdien", category))
    unit = f", {question.unit}" if question.unit and category != "net" else ""
    note = QUARTILE_NOTE if quartiles else CI_NOTE
    if figure.chart.note:
        note = f"{figure.chart.note} {note}"
    return ChartData(
        figure_id=figure.id, kind=kind, series=tuple(series), panels=tuple(panels),
        ordinal=False, axis_label=f"{word}{unit}", note=note, rows_are=rows_are,
        breakdown=study.breakdown_label(by), axis=number_axis(study, figure, values),
        measure=measure,
    )
