"""The page a chart is drawn on: measured layout, percent scale, legend, note and files.

The layout is computed in inches from measured text, not found by trial: row labels decide
the left margin, the number of rows decides the height, and the legend gets as many columns
as fit. Every chart is then the same width (one font scale across the report).

Everything is drawn straight onto the figure in inches (`Figure.dpi_scale_trans`) rather than
through matplotlib Axes, ticks and Legend boxes: those build several artists per tick or entry
and were most of the drawing time, while a bar chart on a fixed 0–100 scale needs none of
their automatic layout.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from matplotlib.backends.backend_agg import RendererAgg
from matplotlib.collections import LineCollection, PolyCollection
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties

from . import style
from .data import PERCENT_AXIS, Axis, ChartData, Mark, Panel, ReferenceKey, Row

POINTS = 72.0  # points per inch
Bar = tuple[float, float, float, float]  # start %, length %, offset from the panel top, thickness
RowHeight = Callable[[Row, int], float]  # (row, label lines in its panel) -> inches

# Drawing order: gridlines behind bars, reference marks on the bars, text on top.
Z_GRID, Z_BARS, Z_MARKS, Z_TEXT = 1, 2, 2.5, 3
LegendKey = str | ReferenceKey  # a colour, or how a reference source's marks look

# Reference markers as polygons around their centre, in units of style.MARK_SIZE.
MARK_SHAPES: dict[str, tuple[tuple[float, float], ...]] = {
    "diamond": ((0.0, 1.0), (0.72, 0.0), (0.0, -1.0), (-0.72, 0.0)),
    "triangle": ((0.0, 1.0), (0.9, -0.7), (-0.9, -0.7)),
    "square": ((-0.72, -0.72), (0.72, -0.72), (0.72, 0.72), (-0.72, 0.72)),
    "circle": tuple((0.8 * math.cos(math.tau * k / 24), 0.8 * math.sin(math.tau * k / 24))
                    for k in range(24)),
}


@lru_cache(maxsize=1)
def _renderer() -> RendererAgg:
    # At 72 dpi one pixel is one point, so measurements come out in points.
    return RendererAgg(1, 1, POINTS)


@lru_cache(maxsize=4096)
def text_width(text: str, size: float) -> float:
    """Width in inches of (possibly multi-line) text in the chart font."""
    prop = FontProperties(family=style.FONT_FAMILY, size=size)
    widest = max(
        (_renderer().get_text_width_height_descent(line, prop, ismath=False)[0]
         for line in text.split("\n")),
        default=0.0,
    )
    return widest / POINTS


def text_height(lines: int, size: float) -> float:
    """Height in inches of `lines` lines of text."""
    return lines * size * style.LINE_SPACING / POINTS


def line_count(text: str) -> int:
    """Number of printed lines of a label."""
    return text.count("\n") + 1


# ----------------------------------------------------------------------------- panels


@dataclass
class PanelBox:
    """Where one panel sits on the page, in inches from the figure's bottom-left corner.

    Renderers place bars by percent (x) and by offset from the panel top (y); row centres and
    heights are such offsets.
    """

    figure: Figure
    panel: Panel
    left: float
    width: float
    top: float
    centres: list[float]
    heights: list[float]
    axis: Axis = PERCENT_AXIS

    @property
    def bottom(self) -> float:
        return self.top - sum(self.heights)

    def x(self, percent: float) -> float:
        """Page position of a value on the axis (a percent on the 0–100 scale for shares)."""
        return self.left + self.width * (percent - self.axis.low) / self.span

    @property
    def span(self) -> float:
        """The axis' length in its own units (100 for percent)."""
        return self.axis.high - self.axis.low

    def y(self, offset: float) -> float:
        """Page position of an offset below the panel top."""
        return self.top - offset

    def bars(self, bars: Sequence[Bar], colour: str, edge: str = "none") -> None:
        """Draw bars as one collection (far faster than one patch each)."""
        verts = []
        for start, length, offset, thickness in bars:
            x0, x1 = self.x(start), self.x(start + length)
            y0, y1 = self.y(offset + thickness), self.y(offset)
            verts.append(((x0, y0), (x1, y0), (x1, y1), (x0, y1)))
        self.figure.add_artist(PolyCollection(
            verts, facecolors=colour, edgecolors=edge, linewidths=0.5,
            transform=self.figure.dpi_scale_trans, zorder=Z_BARS))

    def whiskers(self, spans: Sequence[tuple[float, float, float]],
                 colour: str = style.TEXT) -> None:
        """Confidence intervals as lines with end caps: (low, high, offset below the top)."""
        cap = style.WHISKER_CAP
        segments = []
        for low, high, offset in spans:
            x0, x1, y = self.x(low), self.x(high), self.y(offset)
            segments += [((x0, y), (x1, y)), ((x0, y - cap), (x0, y + cap)),
                         ((x1, y - cap), (x1, y + cap))]
        self.figure.add_artist(LineCollection(segments, colors=colour, linewidths=style.WHISKER,
                                              transform=self.figure.dpi_scale_trans,
                                              zorder=Z_MARKS))

    def text(self, percent: float, offset: float, text: str, **kwargs: Any) -> None:
        """Text at a percent and an offset below the panel top."""
        _text(self.figure, self.x(percent), self.y(offset), text, **kwargs)

    def mark(self, mark: Mark, key: ReferenceKey, offset: float, gid: str,
             standing: bool = False) -> None:
        """A reference value at an offset below the panel top: the source's marker for a point,
        a line with end ticks for a range (with its marker in the middle when several sources on
        the chart have ranges). Centred on that line, or `standing` on it: the marker's tip on
        the line, the range a bracket whose ticks reach down to it."""
        y = self.y(offset)
        if mark.is_range:
            x0, x1 = self.x(mark.low), self.x(mark.high)
            line = y + 2 * style.RANGE_TICK if standing else y
            _range(self.figure, x0, x1, line, gid, down_to=y if standing else None)
            if key.marked_ranges and key.marker is not None:
                _marker(self.figure, key.marker, (x0 + x1) / 2, line)
        else:
            shape = key.marker or "diamond"
            lift = -min(dy for _, dy in MARK_SHAPES[shape]) * style.MARK_SIZE if standing else 0.0
            _marker(self.figure, shape, self.x(mark.low), y + lift, gid)

    def label_start(self, end: float, text: str, marks: Sequence[Mark]) -> float:
        """Where a value label at a bar ending at `end` percent starts: just past the bar, or
        past the reference marks on that bar it would otherwise cover."""
        width = self.span * text_width(text, style.VALUE_SIZE) / self.width
        pad = self.span * style.MARK_SIZE / self.width + style.MARK_LABEL_GAP * self.span / 100
        start = end + style.VALUE_GAP * self.span / 100
        for mark in sorted(marks, key=lambda m: m.low):
            if start < mark.high + pad and start + width > mark.low - pad:
                start = mark.high + pad
        return start


@dataclass
class Sheet:
    """A laid-out figure: one box per panel, scale, row labels, legend and note drawn."""

    figure: Figure
    boxes: list[PanelBox]
    keys: dict[str, ReferenceKey] = field(default_factory=dict)
    marks_drawn: int = 0

    def marks(self, box: PanelBox, row: Row, offset: float,
              bars: dict[str, float] | None = None, standing: bool = False) -> None:
        """Draw a row's reference marks `offset` below the panel top, or at the middle of
        their bar in `bars` (offset by series); each gets the SVG id 'referanse-<source>-<n>'."""
        for mark in row.marks:
            self.marks_drawn += 1
            at = (bars or {}).get(mark.series, offset) if mark.series is not None else offset
            box.mark(mark, self.keys[mark.source], at,
                     f"referanse-{mark.source}-{self.marks_drawn}", standing)


def _marker(figure: Figure, shape: str, x: float, y: float, gid: str | None = None) -> None:
    size = style.MARK_SIZE
    verts = [[(x + dx * size, y + dy * size) for dx, dy in MARK_SHAPES[shape]]]
    artist = PolyCollection(verts, facecolors=style.REFERENCE_COLOUR,
                            edgecolors=style.REFERENCE_EDGE, linewidths=0.8,
                            transform=figure.dpi_scale_trans, zorder=Z_MARKS)
    artist.set_gid(gid)
    figure.add_artist(artist)


def _range(figure: Figure, x0: float, x1: float, y: float, gid: str | None = None,
           down_to: float | None = None) -> None:
    """A horizontal line from x0 to x1 with end ticks (reaching `down_to` when given, else
    centred on the line), black on a white edge."""
    tick = style.RANGE_TICK
    low, high = (down_to, y) if down_to is not None else (y - tick, y + tick)
    segments = [((x0, y), (x1, y)), ((x0, low), (x0, high)), ((x1, low), (x1, high))]
    for colour, width, artist_gid in ((style.REFERENCE_EDGE, style.RANGE_EDGE, None),
                                      (style.REFERENCE_COLOUR, style.RANGE_LINE, gid)):
        lines = LineCollection(segments, colors=colour, linewidths=width, capstyle="projecting",
                               transform=figure.dpi_scale_trans, zorder=Z_MARKS)
        lines.set_gid(artist_gid)
        figure.add_artist(lines)


def _text(figure: Figure, x: float, y: float, text: str, **kwargs: Any) -> None:
    options = {"fontsize": style.LABEL_SIZE, "color": style.TEXT, "zorder": Z_TEXT, **kwargs}
    figure.text(x, y, text, transform=figure.dpi_scale_trans, **options)


def _lines(figure: Figure, segments: list[tuple[tuple[float, float], tuple[float, float]]],
           colour: str, zorder: float) -> None:
    figure.add_artist(LineCollection(segments, colors=colour, linewidths=0.6,
                                     transform=figure.dpi_scale_trans, zorder=zorder))


# ----------------------------------------------------------------------------- legend geometry


@dataclass(frozen=True)
class LegendGrid:
    """Legend entries (text, key) in reading order, laid out row by row in `ncol` columns."""

    entries: tuple[tuple[str, LegendKey], ...]
    ncol: int
    key: float = style.LEGEND_KEY  # width of an entry's key

    def rows(self) -> list[tuple[tuple[str, LegendKey], ...]]:
        return [self.entries[i:i + self.ncol] for i in range(0, len(self.entries), self.ncol)]

    def column_widths(self) -> list[float]:
        """Width of each column in inches: key, gap and its widest text."""
        key = self.key + style.LEGEND_KEY_PAD
        return [key + max(text_width(text, style.LABEL_SIZE) for text, _ in self.entries[c::self.ncol])
                for c in range(min(self.ncol, len(self.entries)))]

    def width(self) -> float:
        widths = self.column_widths()
        return sum(widths) + style.LEGEND_COLUMN_GAP * (len(widths) - 1)

    def row_heights(self) -> list[float]:
        return [text_height(max(line_count(t) for t, _ in row), style.LABEL_SIZE) for row in self.rows()]

    def height(self) -> float:
        heights = self.row_heights()
        return sum(heights) + style.LEGEND_ROW_GAP * (len(heights) - 1)


def legend_grid(entries: Sequence[tuple[str, LegendKey]], available: float,
                key: float = style.LEGEND_KEY) -> LegendGrid:
    """The legend with the most columns that fit in `available` inches, rows balanced."""
    count = len(entries)
    fits = next((n for n in range(count, 1, -1)
                 if LegendGrid(tuple(entries), n, key).width() <= available), 1)
    # As few rows as the widest fit allows, but filled evenly: 7 entries as 4 + 3, not 6 + 1.
    balanced = LegendGrid(tuple(entries), math.ceil(count / math.ceil(count / fits)), key)
    return balanced if balanced.width() <= available else LegendGrid(tuple(entries), fits, key)


def reference_legend(data: ChartData, available: float) -> LegendGrid | None:
    """One entry per reference source: its marks' look and 'TALIS 2018: lærere på …'."""
    if not data.references:
        return None
    entries = [(style.wrap(k.legend, style.REFERENCE_LEGEND_WRAP), k) for k in data.references]
    ranges = any(k.ranges for k in data.references)
    return legend_grid(entries, available, style.RANGE_KEY if ranges else style.LEGEND_KEY)


# ----------------------------------------------------------------------------- layout


def layout(data: ChartData, row_height: RowHeight, value_room: bool,
           legend: Sequence[tuple[str, str]]) -> Sheet:
    """Size the page for `data`; draw row labels, panel titles, the scale, legend and note.

    `legend` is (text, colour) per entry, in reading order; empty for no legend. The renderer
    then draws the bars into the returned panel boxes.
    """
    width = style.FIGURE_WIDTH
    labels = [[style.wrap(row.label) for row in panel.rows] for panel in data.panels]
    label_width = max(text_width(lb, style.LABEL_SIZE) for panel in labels for lb in panel)
    left = style.PAD + label_width + style.TICK_PAD
    right = width - style.PAD - (style.VALUE_ROOM if value_room else style.SCALE_ROOM)

    # First pass, top-down in inches from the top of the page: how tall everything is.
    y = style.PAD
    placed: list[tuple[float, list[float], list[float], str | None]] = []
    for index, (panel, panel_labels) in enumerate(zip(data.panels, labels, strict=True)):
        y += style.PANEL_GAP if index else 0.0
        title = style.wrap(panel.title, style.NOTE_WRAP) if panel.title else None
        if title:
            y += text_height(line_count(title), style.TITLE_SIZE) + style.TITLE_GAP
        lines = max(line_count(lb) for lb in panel_labels)
        heights = [row_height(row, lines) for row in panel.rows]
        centres = [sum(heights[:i]) + h / 2 for i, h in enumerate(heights)]
        placed.append((y, centres, heights, title))
        y += sum(heights)
    scale_top = y
    y += style.AXIS_ROOM
    grid = legend_grid(legend, width - 2 * style.PAD) if legend else None
    legend_top = y + style.LEGEND_GAP
    if grid:
        y = legend_top + grid.height()
    references = reference_legend(data, width - 2 * style.PAD)
    references_top = y + (2 * style.LEGEND_ROW_GAP if grid else style.LEGEND_GAP)
    if references:
        y = references_top + references.height()
    # Each line of the note (a reference footnote comes on its own) is wrapped by itself.
    note = ("\n".join(style.wrap(line, style.NOTE_WRAP) for line in data.note.split("\n"))
            if data.note else None)
    note_top = y + style.NOTE_GAP
    if note:
        y = note_top + text_height(line_count(note), style.NOTE_SIZE)
    height = y + style.PAD

    # Second pass: draw, in inches from the bottom of the page.
    figure = Figure(figsize=(width, height), dpi=style.DPI)
    boxes = []
    for panel, panel_labels, (top, centres, heights, title) in zip(data.panels, labels, placed, strict=True):
        box = PanelBox(figure, panel, left, right - left, height - top, centres, heights,
                       data.axis)
        _grid(box)
        for centre, label in zip(centres, panel_labels, strict=True):
            _row_label(figure, left - style.TICK_PAD, box.y(centre), label)
        if title:
            _text(figure, style.PAD, box.top + style.TITLE_GAP, title, fontsize=style.TITLE_SIZE,
                  fontweight="bold", ha="left", va="bottom")
        boxes.append(box)
    _scale(boxes[-1], height - scale_top, data.axis_label)
    if grid:
        # Centre under the plot when the legend fits there; otherwise centre on the page.
        centre = (left + right) / 2 if grid.width() <= right - left else width / 2
        centre = min(max(centre, style.PAD + grid.width() / 2), width - style.PAD - grid.width() / 2)
        _legend(figure, grid, x=centre - grid.width() / 2, top=height - legend_top)
    if references:
        centre = (left + right) / 2 if references.width() <= right - left else width / 2
        centre = min(max(centre, style.PAD + references.width() / 2),
                     width - style.PAD - references.width() / 2)
        _legend(figure, references, x=centre - references.width() / 2,
                top=height - references_top, standing=data.kind == "stacked")
    if note:
        _text(figure, style.PAD, height - note_top, note, fontsize=style.NOTE_SIZE, color=style.NOTE,
              ha="left", va="top")
    return Sheet(figure, boxes, {k.id: k for k in data.references})


def _row_label(figure: Figure, right: float, middle: float, label: str) -> None:
    """A right-aligned row label, one text per line.

    The SVG keeps text as text, and a viewer may substitute another font: a separate
    right-anchored text per line keeps every line flush against the plot whatever the font,
    where matplotlib's multi-line text would place each line by DejaVu's widths.
    """
    lines = label.split("\n")
    step = text_height(1, style.LABEL_SIZE)
    for index, line in enumerate(lines):
        offset = (index - (len(lines) - 1) / 2) * step
        _text(figure, right, middle - offset, line, ha="right", va="center")


def _grid(box: PanelBox) -> None:
    """Vertical gridlines at every tick and the panel's baseline."""
    ticks = [box.x(p) for p in box.axis.ticks]
    _lines(box.figure, [((x, box.bottom), (x, box.top)) for x in ticks], style.GRID, Z_GRID)
    _lines(box.figure, [((box.left, box.bottom), (box.left + box.width, box.bottom))],
           style.AXIS, Z_TEXT)


def _scale(box: PanelBox, bottom: float, axis_label: str) -> None:
    """Tick marks, tick labels and the axis label under the last panel only."""
    tick_end = bottom - style.TICK_LENGTH
    _lines(box.figure, [((box.x(p), bottom), (box.x(p), tick_end)) for p in box.axis.ticks],
           style.AXIS, Z_TEXT)
    label_top = tick_end - style.TICK_LABEL_PAD
    for tick, label in zip(box.axis.ticks, box.axis.labels, strict=True):
        _text(box.figure, box.x(tick), label_top, label, fontsize=style.VALUE_SIZE,
              ha="center", va="top")
    axis_top = label_top - text_height(1, style.VALUE_SIZE) - style.TICK_LABEL_PAD
    _text(box.figure, box.left + box.width / 2, axis_top, axis_label, ha="center", va="top")


def _legend(figure: Figure, grid: LegendGrid, x: float, top: float,
            standing: bool = False) -> None:
    """Colour keys and texts of the legend, row by row from `top` (reference keys drawn
    `standing` as on stacked bars, see PanelBox.mark)."""
    keys, colours = [], []
    widths, y = grid.column_widths(), top
    half = style.LEGEND_KEY / 2
    for row, row_height in zip(grid.rows(), grid.row_heights(), strict=True):
        middle, left = y - row_height / 2, x
        for (text, key), column_width in zip(row, widths, strict=False):
            if isinstance(key, ReferenceKey):
                _reference_key(figure, key, left, grid.key, middle, standing)
            else:
                keys.append(((left, middle - half), (left + 2 * half, middle - half),
                             (left + 2 * half, middle + half), (left, middle + half)))
                colours.append(key)
            _text(figure, left + grid.key + style.LEGEND_KEY_PAD, middle, text,
                  ha="left", va="center")
            left += column_width + style.LEGEND_COLUMN_GAP
        y -= row_height + style.LEGEND_ROW_GAP
    if keys:
        figure.add_artist(PolyCollection(keys, facecolors=colours, edgecolors="none",
                                         transform=figure.dpi_scale_trans, zorder=Z_BARS))


def _reference_key(figure: Figure, key: ReferenceKey, left: float, width: float,
                   middle: float, standing: bool) -> None:
    """A reference source's legend key: its range and/or its marker, as on the bars."""
    centre = left + width / 2
    if key.ranges:
        inset = style.RANGE_TICK / 2
        if standing:  # a bracket whose ticks reach down, centred on the text
            line = middle + style.RANGE_TICK
            _range(figure, left + inset, left + width - inset, line, down_to=middle - style.RANGE_TICK)
        else:
            _range(figure, left + inset, left + width - inset, middle)
    if key.marker is not None:
        _marker(figure, key.marker, centre, middle)


# ----------------------------------------------------------------------------- files


def save(figure: Figure, svg: Path, png: Path) -> None:
    """Write the figure as SVG and PNG, byte-identical for identical input."""
    figure.savefig(svg, format="svg", metadata=style.SVG_METADATA)
    # Flat-colour charts compress well at a low zlib level, which saves a third of the time.
    figure.savefig(png, format="png", dpi=style.DPI, metadata=style.PNG_METADATA,
                   pil_kwargs={"compress_level": 3})
