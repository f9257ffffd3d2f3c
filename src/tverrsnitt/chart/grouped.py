"""Horizontal bars with the value at the bar end: clusters of one bar per group, or one series.

`kind: grouped` draws a cluster per row with one bar (and colour) per group, named in the
legend with its N; `kind: bars` is the one-series case, drawn without a legend.
"""

from __future__ import annotations

from matplotlib.figure import Figure as Drawing

from ..errors import ChartError
from ..study.model import Figure, Study
from . import canvas, style
from .data import (
    TOTAL,
    Cells,
    ChartData,
    Panel,
    Row,
    RowsAre,
    Series,
    drawn_items,
    item_categories,
    item_label,
    shown_category,
    sorted_rows,
    with_n,
)


def build(study: Study, figure: Figure, cells: Cells) -> ChartData:
    """Clustered bars, one bar per group: clusters are items (one share each) or categories."""
    rows_are: RowsAre
    by = figure.by
    if by == "none" or figure.chart.parts:
        raise ChartError(f"Figure {figure.id}: a grouped chart needs one breakdown in 'by' "
                         "(and no chart.parts); without a breakdown use chart.kind: bars or "
                         "stacked")
    groups = cells.groups(study, by)
    items = drawn_items(figure)
    panels = []
    if figure.statistic in ("top2", "bottom2") or figure.chart.show is not None:
        rows = []
        for item in items:
            category = shown_category(study, figure, item)
            if category is None:
                continue
            vals = tuple(cells.value(g, item, by, g, category) for g in groups)
            rows.append(Row(item_label(study, item), item, None, vals, category))
        sort_group = TOTAL if TOTAL in groups else groups[0]
        panels.append(Panel(None, tuple(sorted_rows(rows, figure, cells, by, sort_group))))
        rows_are = "items"
    else:
        for item in items:
            rows = [Row(c, item, None, tuple(cells.value(g, item, by, g, c) for g in groups), c)
                    for c in item_categories(study, figure, item)]
            panels.append(Panel(item_label(study, item) if len(items) > 1 else None, tuple(rows)))
        rows_are = "categories"
    series = []
    for group in groups:
        bases = [v.base for p in panels for r in p.rows for v in r.values if v.series == group]
        series.append(Series(group, with_n(group, bases)))
    return ChartData(
        figure_id=figure.id, kind="grouped", series=tuple(series), panels=tuple(panels),
        ordinal=False, axis_label=style.AXIS_LABEL, note=figure.chart.note, rows_are=rows_are,
        breakdown=study.breakdown_label(by),
    )


def colours(data: ChartData) -> list[str]:
    """One colour per series: Okabe–Ito per group with Totalt in grey; one blue for a single series."""
    if len(data.series) == 1:
        return [style.SINGLE_COLOUR]
    return style.nominal([s.name for s in data.series])


def value_text(label: int | str) -> str:
    """The label at a bar end: a whole percent, or a number as the chart data prints it."""
    return str(label)


def legend(data: ChartData, fills: list[str]) -> list[tuple[str, str]]:
    """One legend entry per series (with its N) when there are several; none for one."""
    if len(data.series) == 1:
        return []
    return [(style.wrap(s.legend, style.LEGEND_WRAP), fill)
            for s, fill in zip(data.series, fills, strict=True)]


def cluster_height(data: ChartData) -> canvas.RowHeight:
    """A row's height: one slot per series (bar or dot), or a single row, and its label."""
    bars = len(data.series)

    def height(row: Row, lines: int) -> float:
        label = canvas.text_height(lines, style.LABEL_SIZE) + 0.06
        if bars == 1:
            return max(style.SINGLE_ROW, label)
        return max(bars * style.GROUPED_BAR, label) + style.CLUSTER_GAP

    return height


def draw(data: ChartData) -> Drawing:
    """The grouped (or single-series) bar chart of `data`."""
    fills = colours(data)
    sheet = canvas.layout(data, cluster_height(data), value_room=True,
                          legend=legend(data, fills))
    single = len(data.series) == 1
    slot = style.SINGLE_ROW if single else style.GROUPED_BAR
    thickness = slot * (style.SINGLE_BAR if single else style.GROUPED_FILL)
    # Bars grow from 0 (from the axis' end when 0 is off the axis): a net score's bar points
    # left when it is negative.
    origin = min(max(0.0, data.axis.low), data.axis.high)
    for box in sheet.boxes:
        bars: dict[str, list[canvas.Bar]] = {}
        whiskers: list[tuple[float, float, float]] = []
        for row, centre in zip(box.panel.rows, box.centres, strict=True):
            # Bars of a cluster are centred on the row's label, first series at the top.
            first = centre - slot * len(row.values) / 2
            middles: dict[str, float] = {}
            for index, value in enumerate(row.values):
                middle = first + slot * (index + 0.5)
                middles[value.series] = middle
                # A one-series chart by group sets its Totalt bar apart in the Totalt grey.
                fill = style.TOTAL_COLOUR if single and row.group == style.TOTAL else fills[index]
                start = min(origin, value.percent)
                bars.setdefault(fill, []).append((start, abs(value.percent - origin),
                                                  middle - thickness / 2, thickness))
                end = value.percent
                if value.low is not None and value.high is not None:
                    whiskers.append((value.low, value.high, middle))
                    end = max(end, value.high)
                # A reference mark on this bar pushes the value label past it.
                on_bar = [m for m in row.marks if m.series in (None, value.series)]
                text = value_text(value.label)
                box.text(box.label_start(end, text, on_bar), middle, text, ha="left",
                         va="center", fontsize=style.VALUE_SIZE)
            # Marks sit across the middle of their bar (the Totalt bar of a cluster).
            sheet.marks(box, row, centre, middles)
        for fill, fill_bars in bars.items():
            box.bars(fill_bars, fill)
        if whiskers:
            box.whiskers(whiskers)
    return sheet.figure
