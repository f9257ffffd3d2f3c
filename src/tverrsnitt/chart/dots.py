"""Dots with whiskers: a mean, median or net score per row, with its confidence interval.

`kind: dots` puts each number on its own axis (a scale's range, -100 to 100 for a net score,
round ticks from 0 for other numbers), the value printed right of the whisker. Several groups
per row are drawn one under the other in their colours, named in the legend.
"""

from __future__ import annotations

import math

from matplotlib.collections import PolyCollection
from matplotlib.figure import Figure

from . import canvas, style
from .data import ChartData
from .grouped import cluster_height, colours, legend


def draw(data: ChartData) -> Figure:
    """The dot chart of `data`."""
    fills = colours(data)
    sheet = canvas.layout(data, cluster_height(data), value_room=True, legend=legend(data, fills))
    single = len(data.series) == 1
    slot = style.SINGLE_ROW if single else style.GROUPED_BAR
    for box in sheet.boxes:
        whiskers: dict[str, list[tuple[float, float, float]]] = {}
        dots: dict[str, list[tuple[float, float]]] = {}
        for row, centre in zip(box.panel.rows, box.centres, strict=True):
            first = centre - slot * len(row.values) / 2
            for index, value in enumerate(row.values):
                middle = first + slot * (index + 0.5)
                fill = style.TOTAL_COLOUR if single and row.group == style.TOTAL else fills[index]
                end = value.percent
                if value.low is not None and value.high is not None:
                    whiskers.setdefault(fill, []).append((value.low, value.high, middle))
                    end = max(end, value.high)
                dots.setdefault(fill, []).append((box.x(value.percent), box.y(middle)))
                text = str(value.label)
                box.text(box.label_start(end, text, ()), middle, text, ha="left", va="center",
                         fontsize=style.VALUE_SIZE)
        for fill, spans in whiskers.items():
            box.whiskers(spans, fill)
        for fill, centres in dots.items():
            _dots(sheet.figure, centres, fill)
    return sheet.figure


_CIRCLE = tuple((math.cos(math.tau * k / 24), math.sin(math.tau * k / 24)) for k in range(24))


def _dots(figure: Figure, centres: list[tuple[float, float]], fill: str) -> None:
    """Filled circles with a white edge at page positions in inches (one collection)."""
    size = style.DOT_SIZE
    verts = [[(x + dx * size, y + dy * size) for dx, dy in _CIRCLE] for x, y in centres]
    figure.add_artist(PolyCollection(verts, facecolors=fill, edgecolors=style.REFERENCE_EDGE,
                                     linewidths=0.8, transform=figure.dpi_scale_trans,
                                     zorder=canvas.Z_MARKS))
