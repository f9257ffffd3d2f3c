"""Horizontal 100 % stacked bars: one bar per item or group, categories low -> high left to right."""

from __future__ import annotations

from matplotlib.figure import Figure as Drawing

from ..errors import ChartError
from ..study import layout
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
    Value,
    breakdown_parts,
    drawn_items,
    item_categories,
    item_label,
    sorted_rows,
    with_n,
)


def build(study: Study, figure: Figure, cells: Cells) -> ChartData:
    """100 % stacked bars: one bar per item (by none) or per group, categories left to right."""
    rows_are: RowsAre
    items = drawn_items(figure)
    categories = item_categories(study, figure, items[0])
    for item in items[1:]:
        if item_categories(study, figure, item) != categories:
            raise ChartError(f"Figure {figure.id}: items of a stacked chart must share their categories; "
                             f"'{item}' differs from '{items[0]}': put items with other options in "
                             "a figure of their own, or draw one category of each with chart.kind: "
                             "grouped and chart.show")

    def values(item: str, by: str, group: str) -> tuple[Value, ...]:
        return tuple(cells.value(c, item, by, group, c) for c in categories)

    panels = []
    if figure.by == "none":
        rows = []
        for item in items:
            vals = values(item, "none", TOTAL)
            rows.append(Row(with_n(item_label(study, item), [vals[0].base]), item, None, vals))
        panels.append(Panel(None, tuple(sorted_rows(rows, figure, cells, "none", TOTAL))))
        rows_are = "items"
    else:
        parts = breakdown_parts(figure)
        for by in parts:
            for item in items:
                rows = []
                for group in cells.groups(study, by):
                    vals = values(item, by, group)
                    rows.append(Row(with_n(group, [vals[0].base]), item, group, vals))
                title = " – ".join(t for t in (
                    item_label(study, item) if len(items) > 1 else "",
                    study.breakdown_label(by) if len(parts) > 1 else "",
                ) if t)
                panels.append(Panel(title or None, tuple(sorted_rows(rows, figure, cells, by, TOTAL))))
        rows_are = "groups"
    return ChartData(
        figure_id=figure.id, kind="stacked", series=tuple(Series(c, c) for c in categories),
        panels=tuple(panels), ordinal=study.is_ordinal(layout.counted_column(figure, items[0])),
        axis_label=style.AXIS_LABEL, note=figure.chart.note, rows_are=rows_are,
        breakdown=study.breakdown_label(figure.by),
    )


def segment_text(value: Value) -> str:
    """The label printed inside a segment: its whole percent, or nothing below the threshold."""
    shown = isinstance(value.label, int) and value.label >= style.MIN_SEGMENT_LABEL
    return str(value.label) if shown else ""


def colours(data: ChartData) -> list[str]:
    """One colour per category: a light-to-dark ramp for ordered scales, Okabe–Ito otherwise."""
    names = [s.name for s in data.series]
    return style.sequential(len(names)) if data.ordinal else style.nominal(names)


def _row_height(row: Row, lines: int) -> float:
    height = max(style.STACKED_ROW, canvas.text_height(lines, style.LABEL_SIZE) + 0.1)
    return height + style.MARK_ROOM if row.marks else height


def draw(data: ChartData) -> Drawing:
    """The stacked bar chart of `data`."""
    fills = colours(data)
    legend = [(style.wrap(s.legend, style.LEGEND_WRAP), fill)
              for s, fill in zip(data.series, fills, strict=True)]
    sheet = canvas.layout(data, _row_height, value_room=False, legend=legend)
    thickness = style.STACKED_BAR
    for box in sheet.boxes:
        for column, fill in enumerate(fills):
            bars = []
            for row, centre in zip(box.panel.rows, box.centres, strict=True):
                value = row.values[column]
                start = sum(v.percent for v in row.values[:column])  # bar geometry, not a statistic
                bars.append((start, value.percent, centre - thickness / 2, thickness))
                text = segment_text(value)
                if text:
                    box.text(start + value.percent / 2, centre, text, ha="center", va="center",
                             fontsize=style.VALUE_SIZE, color=style.text_colour(fill))
            # White edges keep neighbouring segments apart where two shades are close.
            box.bars(bars, fill, edge="white")
        # Reference marks stand on the bar's upper edge, clear of the numbers in the segments.
        for row, centre in zip(box.panel.rows, box.centres, strict=True):
            sheet.marks(box, row, centre - thickness / 2, standing=True)
    return sheet.figure
