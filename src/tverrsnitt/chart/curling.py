"""The placement exercise drawn as the report's Figur 6.2–6.5 show it: a curling house from above.

The report printed phone photos of the flip-chart sheet. This draws the same picture cleanly:
the house (blue, white and red rings, white button, tee line and centre line) on a light
sheet, the centre cup marked "L" or "E", one cup per participant with its label beside it
(nudged so labels overlap neither each other nor any cup, with a leader line when moved
away), and a star on the cups whose owner asked to put theirs on top of the centre cup.
No title: the caption comes from the report.

Everything is laid out in inches on the figure (`Figure.dpi_scale_trans`), as `chart.canvas`
does, so text can be measured exactly. The scale is set by the farthest cup among all the
placements passed, not only the ones drawn: given the whole file, every diagram has the same
scale, and the figures of the two rounds and the two groups compare by eye.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import matplotlib
from matplotlib.colors import to_hex, to_rgb
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Circle, Rectangle

from ..errors import ChartError
from ..ingest.placements import CENTRE_LETTER, MAX_DISTANCE, ROUND_LABEL, ROUNDS, Placement, distance
from ..numbers import decimal
from . import canvas, style

# ----------------------------------------------------------------------------- sizes (inches)
FIGURE_WIDTH = 5.5  # ~14 cm: printed at its own size, so the fonts are the other charts' sizes
# Half the sheet's side in house radii: the farthest cup plus room for a label beside it, and
# never less than the whole house with a margin.
SHEET_MARGIN = 0.3
MIN_EXTENT = 1.0 + SHEET_MARGIN
CUP_RADIUS = 0.1  # in house radii; a paper cup on a flip-chart house
CUP_BOTTOM = 0.68  # the upside-down cup's bottom, as a share of its rim
CUP_LABEL_SIZE = 8.0
CUP_LABEL_WRAP = 16  # characters per line of a label
LABEL_PAD = 1.5  # points of white around a label's text
LABEL_CLEARANCE = 0.03  # inches kept free between a label and a cup or another label
LABEL_STEPS = (0.0, 0.12, 0.25, 0.4, 0.6, 0.85, 1.1)  # how far a label may be pushed off its cup
LABEL_TURNS = 12  # directions tried around a cup
LEADER_FROM = 0.07  # a label farther than this (inches) from its cup's rim gets a leader line
LEGEND_GAP = 0.12
LEGEND_KEY = 0.16  # diameter of a legend's cup key
STAR_SIZE = 10.0  # points

# House rings from the outside in, radii in house radii: the 12-, 8- and 4-foot rings and the
# button of a real curling house (radius 6 ft), coloured as the usual blue/white/red house.
RINGS = ((1.0, "blue"), (2 / 3, "white"), (1 / 3, "red"), (1 / 12, "white"))

# ----------------------------------------------------------------------------- colours


def _tint(colour: str, share: float) -> str:
    """`colour` mixed with white, `share` of it kept: pale rings keep black labels readable."""
    red, green, blue = (1 - share * (1 - c) for c in to_rgb(colour))
    return to_hex((red, green, blue))


# Okabe–Ito's vermillion tints to orange, and a curling house is read by its red and blue: the
# red is a plain red, tinted like the blue so black labels on either keep their contrast.
RING_COLOURS = {"blue": _tint(style.OKABE_ITO[0], 0.42), "red": _tint("#d7191c", 0.42),
                "white": "#ffffff"}
SHEET = "#f6f4ee"  # flip-chart paper
SHEET_EDGE = style.GRID
HOUSE_EDGE = style.AXIS
LINE = "#a6a6a6"  # tee line and centre line: lighter than the leader lines that cross them
CUP_FILL = "#ffffff"
CUP_EDGE = style.TEXT
CENTRE_FILL = style.NOTE
STAR = style.OKABE_ITO[1]

# ----------------------------------------------------------------------------- words
ON_TOP = "Ønsket å plassere koppen oppå"
CUP = "Deltakers kopp"
CENTRE = {"laerer": "Læreren i sentrum (L)", "elev": "Eleven i sentrum (E)"}
SCALE_NOTE = "Avstand i husradier: kanten av den ytterste ringen er 1."

# Drawing order
Z_SHEET, Z_HOUSE, Z_LINES, Z_LEADER, Z_CUP, Z_STAR, Z_LABEL = 1, 2, 3, 4, 5, 6, 7


@dataclass(frozen=True)
class _Box:
    """An axis-aligned rectangle in inches: centre and half sizes."""

    x: float
    y: float
    half_w: float
    half_h: float

    def overlaps(self, other: _Box, clearance: float) -> bool:
        return (abs(self.x - other.x) < self.half_w + other.half_w + clearance
                and abs(self.y - other.y) < self.half_h + other.half_h + clearance)

    def nearest(self, x: float, y: float) -> tuple[float, float]:
        """The point of the box nearest to (x, y)."""
        return (min(max(x, self.x - self.half_w), self.x + self.half_w),
                min(max(y, self.y - self.half_h), self.y + self.half_h))

    def distance_to(self, x: float, y: float) -> float:
        nearest_x, nearest_y = self.nearest(x, y)
        return math.hypot(x - nearest_x, y - nearest_y)

    def hits_circle(self, x: float, y: float, radius: float) -> bool:
        return self.distance_to(x, y) < radius

    def inside(self, left: float, bottom: float, right: float, top: float) -> bool:
        return (self.x - self.half_w >= left and self.x + self.half_w <= right
                and self.y - self.half_h >= bottom and self.y + self.half_h <= top)


@dataclass(frozen=True)
class _Label:
    """Where one cup's label went: its box and, when pushed off the cup, the leader's ends."""

    box: _Box
    text: str
    leader: tuple[tuple[float, float], tuple[float, float]] | None


# ----------------------------------------------------------------------------- public


def draw_curling(placements: Sequence[Placement], group: str, round: str, labels: Mapping[str, str],
                 path_stem: Path | str) -> tuple[Path, Path]:
    """Draw one group's cups in one round; write `<path_stem>.svg` and `.png` and return both.

    `labels` maps a participant to the text beside their cup (the education written on it,
    or the pseudonym); a participant it does not name is labelled with the pseudonym. The
    alt text for the image is `alt_text(placements, group, round)`.
    """
    svg, png = Path(f"{path_stem}.svg"), Path(f"{path_stem}.png")
    svg.parent.mkdir(parents=True, exist_ok=True)
    # The style (and the SVG hash salt) is scoped to this call, as in chart.render_charts.
    with matplotlib.rc_context(style.RC):
        figure = curling_figure(placements, group, round, labels)
        canvas.save(figure, svg, png)
        figure.clear()
    return svg, png


def curling_figure(placements: Sequence[Placement], group: str, round: str,
                   labels: Mapping[str, str]) -> Figure:
    """The matplotlib figure `draw_curling` writes (scaled by all of `placements`)."""
    cups = _cups(placements, group, round)
    with matplotlib.rc_context(style.RC):
        return _figure(cups, round, labels, extent(placements))


def alt_text(placements: Sequence[Placement], group: str, round: str) -> str:
    """One Norwegian sentence for screen readers: what is drawn and the numbers it shows."""
    cups = _cups(placements, group, round)
    distances = [distance(p) for p in cups]
    on_top = sum(p.on_top for p in cups)
    centre = ROUND_LABEL[round].lower().replace(" i sentrum", "")
    # Round 1 never asked about 'on top' (section 6.3): no clause rather than '0 ønsket'.
    wanted = f"; {on_top} ønsket å plassere koppen oppå" if on_top else ""
    return (f"Curlingbo sett ovenfra med {centre} ({CENTRE_LETTER[round]}) i sentrum, "
            f"{group_name(group)}: {len(cups)} kopper; gjennomsnittlig avstand "
            f"{decimal(sum(distances) / len(distances), 2)} husradier "
            f"(fra {decimal(min(distances), 2)} til {decimal(max(distances), 2)}){wanted}.")


def extent(placements: Iterable[Placement]) -> float:
    """Half the sheet's side in house radii: room for the farthest cup and a label beside it."""
    farthest = max((distance(p) for p in placements), default=0.0)
    return max(MIN_EXTENT, min(farthest, MAX_DISTANCE) + SHEET_MARGIN)


def group_name(group: str) -> str:
    """'FG1' -> 'fokusgruppe 1'; other names as written."""
    match = re.fullmatch(r"(?i)fg\s*(\d+)", group.strip())
    return f"fokusgruppe {match.group(1)}" if match else group


def _cups(placements: Iterable[Placement], group: str, round: str) -> list[Placement]:
    if round not in ROUNDS:
        raise ChartError(f"Unknown round {round!r} for the curling diagram: expected one of {ROUNDS}.")
    cups = [p for p in placements if p.group == group and p.round == round]
    if not cups:
        groups = sorted({p.group for p in placements})
        raise ChartError(f"No placements of group {group!r} in round {round!r} to draw "
                         f"(groups in the data: {', '.join(groups) or 'none'}).")
    return cups


# ----------------------------------------------------------------------------- layout


def _figure(cups: Sequence[Placement], round: str, labels: Mapping[str, str], reach: float) -> Figure:
    side = FIGURE_WIDTH - 2 * style.PAD
    scale = side / (2 * reach)  # inches per house radius
    legend = _legend_entries(round, any(p.on_top for p in cups))
    rows = _legend_rows(legend, side)
    note_height = canvas.text_height(1, style.NOTE_SIZE)
    legend_height = sum(_legend_row_height() for _ in rows) + style.LEGEND_ROW_GAP * (len(rows) - 1)
    height = (style.PAD + side + LEGEND_GAP + legend_height + style.NOTE_GAP + note_height
              + style.PAD)
    figure = Figure(figsize=(FIGURE_WIDTH, height), dpi=style.DPI)

    left, bottom = style.PAD, height - style.PAD - side
    cx, cy = left + side / 2, bottom + side / 2

    def at(p: Placement) -> tuple[float, float]:
        return cx + p.x * scale, cy + p.y * scale

    figure.add_artist(Rectangle((left, bottom), side, side, facecolor=SHEET, edgecolor=SHEET_EDGE,
                                linewidth=0.6, transform=figure.dpi_scale_trans, zorder=Z_SHEET))
    _house(figure, cx, cy, scale, (left, bottom, left + side, bottom + side))

    cup = CUP_RADIUS * scale
    # The cups nearest the centre are drawn last, so a crowded centre shows whole cups on top.
    ordered = sorted(cups, key=distance, reverse=True)
    for p in ordered:
        _cup(figure, *at(p), cup, gid=f"kopp-{p.participant}")
        if p.on_top:
            # On the cup's bottom, as if drawn there: beside the cup it would touch the
            # neighbours that crowd the centre in the second round.
            _star(figure, *at(p), gid=f"oppaa-{p.participant}")
    _cup(figure, cx, cy, cup, gid="sentrum", fill=CENTRE_FILL)
    _text(figure, cx, cy, CENTRE_LETTER[round], fontsize=CUP_LABEL_SIZE + 1, fontweight="bold",
          color=style.TEXT_ON_DARK, ha="center", va="center_baseline")

    obstacles = [(cx, cy, cup)] + [(*at(p), cup) for p in cups]
    # Crowded cups near the centre choose first; the outer ones have room to spare.
    nearest_first = ordered[::-1]
    wanted = [(at(p), style.wrap(labels.get(p.participant) or p.participant, CUP_LABEL_WRAP), _outward(p))
              for p in nearest_first]
    placed = _place_labels(wanted, obstacles, cup, (left, bottom, left + side, bottom + side))
    for p, label in zip(nearest_first, placed, strict=True):
        _draw_label(figure, label, gid=f"etikett-{p.participant}")

    y = bottom - LEGEND_GAP
    for row in rows:
        _legend_row(figure, row, left, y - _legend_row_height() / 2, side)
        y -= _legend_row_height() + style.LEGEND_ROW_GAP
    _text(figure, left, y + style.LEGEND_ROW_GAP - style.NOTE_GAP, SCALE_NOTE,
          fontsize=style.NOTE_SIZE, color=style.NOTE, ha="left", va="top")
    return figure


def _outward(p: Placement) -> float:
    """The direction (radians) pointing away from the centre: where a label is least in the way."""
    return math.atan2(p.y, p.x) if distance(p) > 1e-9 else math.pi / 2


def _house(figure: Figure, cx: float, cy: float, scale: float,
           sheet: tuple[float, float, float, float]) -> None:
    """Rings from the outside in, then the tee line and centre line across the sheet."""
    for radius, colour in RINGS:
        figure.add_artist(Circle((cx, cy), radius * scale, facecolor=RING_COLOURS[colour],
                                 edgecolor=HOUSE_EDGE, linewidth=0.5,
                                 transform=figure.dpi_scale_trans, zorder=Z_HOUSE))
    left, bottom, right, top = sheet
    for xs, ys in (((left, right), (cy, cy)), ((cx, cx), (bottom, top))):
        figure.add_artist(Line2D(xs, ys, color=LINE, linewidth=0.4,
                                 transform=figure.dpi_scale_trans, zorder=Z_LINES))


def _cup(figure: Figure, x: float, y: float, radius: float, gid: str, fill: str = CUP_FILL) -> None:
    """An upside-down paper cup from above: the rim, and inside it the bottom one writes on."""
    for share, width in ((1.0, 0.9), (CUP_BOTTOM, 0.5)):
        circle = Circle((x, y), radius * share, facecolor=fill, edgecolor=CUP_EDGE, linewidth=width,
                        transform=figure.dpi_scale_trans, zorder=Z_CUP)
        circle.set_gid(gid if share == 1.0 else f"{gid}-bunn")
        figure.add_artist(circle)


def _star(figure: Figure, x: float, y: float, gid: str) -> None:
    star = Line2D([x], [y], marker="*", markersize=STAR_SIZE, markerfacecolor=STAR,
                  markeredgecolor=style.TEXT, markeredgewidth=0.5, linestyle="none",
                  transform=figure.dpi_scale_trans, zorder=Z_STAR)
    star.set_gid(gid)
    figure.add_artist(star)


def _text(figure: Figure, x: float, y: float, text: str, **kwargs: Any) -> None:
    """Text at a point in inches, in the chart font and colour unless told otherwise."""
    options = {"fontsize": style.LABEL_SIZE, "color": style.TEXT, "zorder": Z_LABEL, **kwargs}
    figure.text(x, y, text, transform=figure.dpi_scale_trans, **options)


# ----------------------------------------------------------------------------- labels


def _label_box(text: str) -> tuple[float, float]:
    """Half width and half height (inches) of a label with its white padding."""
    pad = LABEL_PAD / canvas.POINTS
    width = canvas.text_width(text, CUP_LABEL_SIZE) + 2 * pad
    height = canvas.text_height(canvas.line_count(text), CUP_LABEL_SIZE) + 2 * pad
    return width / 2, height / 2


def _place_labels(cups: Sequence[tuple[tuple[float, float], str, float]],
                  obstacles: Sequence[tuple[float, float, float]], cup: float,
                  sheet: tuple[float, float, float, float]) -> list[_Label]:
    """Put each label beside its cup where it overlaps no cup, no earlier label and stays on the sheet.

    Candidates go round the cup starting with the direction away from the centre, then step
    outward; the first free one wins. A label with no free place (never in the example data)
    takes its first candidate on the sheet, overlap and all, rather than disappear.
    """
    placed: list[_Label] = []
    for (x, y), text, outward in cups:
        half_w, half_h = _label_box(text)
        fallback: _Label | None = None
        chosen: _Label | None = None
        for step in LABEL_STEPS:
            for turn in _turns():
                direction = outward + turn
                ux, uy = math.cos(direction), math.sin(direction)
                # The point `gap` off the rim in this direction lies on the box's edge, where a
                # ray from the box's centre back towards the cup leaves it: east of the cup the
                # box hangs from its left edge, north-east from its lower-left corner, and so on.
                gap = cup + LABEL_CLEARANCE + step
                edge = max(abs(ux), abs(uy))
                box = _Box(x + ux * gap + ux / edge * half_w, y + uy * gap + uy / edge * half_h,
                           half_w, half_h)
                # Off the axes the box's nearest point is a corner or edge off the ray: slide
                # the box along the ray until that point is `gap` from the cup's centre.
                for _ in range(4):
                    shift = gap - box.distance_to(x, y)
                    box = _Box(box.x + ux * shift, box.y + uy * shift, half_w, half_h)
                if not box.inside(*sheet):
                    continue
                leader = _leader(x, y, cup, box)
                candidate = _Label(box, text, leader)
                fallback = fallback or candidate
                # (Less a hair: the box just placed touches its own cup's clearance exactly.)
                if any(box.hits_circle(ox, oy, radius + LABEL_CLEARANCE - 1e-6)
                       for ox, oy, radius in obstacles):
                    continue
                if any(box.overlaps(other.box, LABEL_CLEARANCE) for other in placed):
                    continue
                chosen = candidate
                break
            if chosen:
                break
        label = chosen or fallback
        if label is None:  # cannot happen: the sheet leaves room beside the farthest cup
            label = _Label(_Box(x, y, half_w, half_h), text, None)
        placed.append(label)
    return placed


def _leader(x: float, y: float, cup: float,
            box: _Box) -> tuple[tuple[float, float], tuple[float, float]] | None:
    """From the cup's rim to the nearest point of its label's box, unless the label is beside it."""
    end_x, end_y = box.nearest(x, y)
    length = math.hypot(end_x - x, end_y - y)
    if length - cup <= LEADER_FROM:
        return None
    return (x + (end_x - x) * cup / length, y + (end_y - y) * cup / length), (end_x, end_y)


def _turns() -> list[float]:
    """Angles off the outward direction, nearest first: 0, +30°, -30°, +60°, …, 180°."""
    step = 2 * math.pi / LABEL_TURNS
    turns = [0.0]
    for k in range(1, LABEL_TURNS // 2 + 1):
        turns += [k * step] if k == LABEL_TURNS // 2 else [k * step, -k * step]
    return turns


def _draw_label(figure: Figure, label: _Label, gid: str) -> None:
    if label.leader:
        (x0, y0), (x1, y1) = label.leader
        figure.add_artist(Line2D((x0, x1), (y0, y1), color=style.TEXT, linewidth=0.5,
                                 transform=figure.dpi_scale_trans, zorder=Z_LEADER))
    pad = LABEL_PAD / canvas.POINTS
    box = label.box
    figure.add_artist(Rectangle((box.x - box.half_w, box.y - box.half_h), 2 * box.half_w, 2 * box.half_h,
                                facecolor="#ffffff", alpha=0.88, edgecolor="none",
                                transform=figure.dpi_scale_trans, zorder=Z_LABEL))
    lines = label.text.split("\n")
    step = canvas.text_height(1, CUP_LABEL_SIZE)
    top = box.y + box.half_h - pad
    # One text per line (as chart.canvas does): a viewer's substitute font keeps the lines centred.
    for index, line in enumerate(lines):
        text = figure.text(box.x, top - (index + 0.5) * step, line, fontsize=CUP_LABEL_SIZE,
                           color=style.TEXT, ha="center", va="center_baseline",
                           transform=figure.dpi_scale_trans, zorder=Z_LABEL + 0.5)
        text.set_gid(f"{gid}-{index + 1}")


# ----------------------------------------------------------------------------- legend


def _legend_entries(round: str, on_top: bool) -> list[tuple[str, str]]:
    """(key, text) per entry: the centre cup, a participant's cup and, if any cup has it, the star."""
    entries = [("sentrum", CENTRE[round]), ("kopp", CUP)]
    if on_top:
        entries.append(("oppaa", ON_TOP))
    return entries


def _entry_width(text: str) -> float:
    return LEGEND_KEY + style.LEGEND_KEY_PAD + canvas.text_width(text, style.LABEL_SIZE)


def _legend_rows(entries: Sequence[tuple[str, str]], available: float) -> list[list[tuple[str, str]]]:
    """Entries in reading order, as many to a row as fit in `available` inches."""
    rows: list[list[tuple[str, str]]] = [[]]
    used = 0.0
    for entry in entries:
        width = _entry_width(entry[1])
        if rows[-1] and used + style.LEGEND_COLUMN_GAP + width > available:
            rows.append([])
            used = 0.0
        used += (style.LEGEND_COLUMN_GAP if rows[-1] else 0.0) + width
        rows[-1].append(entry)
    return rows


def _legend_row_height() -> float:
    return max(canvas.text_height(1, style.LABEL_SIZE), LEGEND_KEY)


def _legend_row(figure: Figure, row: Sequence[tuple[str, str]], left: float, middle: float,
                available: float) -> None:
    """One row of keys and texts, centred under the sheet."""
    width = sum(_entry_width(t) for _, t in row) + style.LEGEND_COLUMN_GAP * (len(row) - 1)
    x = left + (available - width) / 2
    radius = LEGEND_KEY / 2
    for kind, text in row:
        key_x = x + radius
        if kind == "oppaa":
            _star(figure, key_x, middle, gid=f"tegnforklaring-{kind}")
        else:
            _cup(figure, key_x, middle, radius, gid=f"tegnforklaring-{kind}",
                 fill=CENTRE_FILL if kind == "sentrum" else CUP_FILL)
        _text(figure, x + LEGEND_KEY + style.LEGEND_KEY_PAD, middle, text,
                     ha="left", va="center")
        x += _entry_width(text) + style.LEGEND_COLUMN_GAP
