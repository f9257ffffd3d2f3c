"""Horizontal 100 % stacked bars: one bar per item or group, categories low -> high left to right."""

from __future__ import annotations

from matplotlib.figure import Figure

from . import canvas, style
from .data import ChartData, Row, Value


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


def draw(data: ChartData) -> Figure:
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
