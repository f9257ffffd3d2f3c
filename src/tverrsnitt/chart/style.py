"""The report's chart style in one place: palette, fonts, sizes and Norwegian wording.

Renderers take every colour, size and word from here, so a new house style is a change to
this module only.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from typing import Any

from matplotlib import colormaps
from matplotlib.colors import to_hex, to_rgb

from .. import numbers
from ..study import layout

# ----------------------------------------------------------------------------- words
AXIS_LABEL = "Prosent"
TOTAL = layout.TOTAL

# ----------------------------------------------------------------------------- fonts
# DejaVu Sans ships with matplotlib, so the PNG looks the same on every machine and text can be
# measured exactly for the layout. The SVG keeps its text as text (searchable, accessible).
FONT_FAMILY = ["DejaVu Sans"]
LABEL_SIZE = 8.5  # row labels, legend, axis label (points)
VALUE_SIZE = 7.5  # numbers on and next to the bars
TITLE_SIZE = 8.5  # panel titles (figures with one panel per item)
NOTE_SIZE = 7.0
LINE_SPACING = 1.2  # matplotlib's default line height as a multiple of the font size

# ----------------------------------------------------------------------------- sizes (inches)
FIGURE_WIDTH = 7.0  # the report's text width scales it down to ~16 cm
DPI = 150
LABEL_WRAP = 45  # characters per line of a row label
LEGEND_WRAP = 30  # characters per line of a legend entry
NOTE_WRAP = 120
MIN_SEGMENT_LABEL = 3  # whole percents below this are not printed inside a stacked segment

STACKED_ROW = 0.30  # height of one stacked bar's row (grows with wrapped labels)
STACKED_BAR = 0.22  # bar thickness, the same however many lines the row label has
GROUPED_BAR = 0.15  # height of one bar in a cluster
GROUPED_FILL = 0.85  # bar thickness as a share of its slot
CLUSTER_GAP = 0.14  # space between clusters
SINGLE_ROW = 0.26  # row of a single-series bar chart
SINGLE_BAR = 0.68  # bar thickness as a share of SINGLE_ROW

PAD = 0.08  # outer margin
TICK_PAD = 0.08  # between row labels and the plot
VALUE_ROOM = 0.34  # right of the plot, for value labels at bar ends
VALUE_GAP = 0.8  # between a bar's end and its value label, in percent of the scale
SCALE_ROOM = 0.12  # right of the plot, for half of the '100' under the scale's end
AXIS_ROOM = 0.44  # below the last plot: tick labels and the axis label
TICKS = (0, 20, 40, 60, 80, 100)  # the percent scale, gridlines included
TICK_LENGTH = 0.04
TICK_LABEL_PAD = 0.05
PANEL_GAP = 0.16  # between panels
TITLE_GAP = 0.06  # between a panel title and its plot
LEGEND_GAP = 0.10  # between the axis label and the legend
LEGEND_KEY = 0.12  # side of a legend's colour square
LEGEND_KEY_PAD = 0.06  # between the square and its text
LEGEND_COLUMN_GAP = 0.18
LEGEND_ROW_GAP = 0.06
NOTE_GAP = 0.10

# ----------------------------------------------------------------------------- colours
TEXT = "#1a1a1a"
TEXT_ON_DARK = "#ffffff"
GRID = "#d9d9d9"
AXIS = "#808080"
NOTE = "#4d4d4d"

# Okabe & Ito (2008), the usual colour-blind-safe set for nominal categories. Black is left
# out (it would read as text), and yellow comes last because it is weak on white.
OKABE_ITO = ("#0072B2", "#E69F00", "#009E73", "#56B4E9", "#D55E00", "#CC79A7", "#F0E442")
# 'Totalt' is the reference, not one more group: a neutral grey sets it apart.
TOTAL_COLOUR = "#5f5f5f"
SINGLE_COLOUR = OKABE_ITO[0]
# Ordered answer scales run light -> dark along ColorBrewer's single-hue Blues, which stays
# readable for every kind of colour blindness and in greyscale print. The lightest end is cut
# off so the first segment does not vanish against the white page.
SEQUENTIAL = "Blues"
SEQUENTIAL_RANGE = (0.28, 0.95)

# rcParams applied while charts are drawn. Fixed hash salt and no date make SVG output
# byte-identical between runs. (Typed loosely: matplotlib's stubs spell out every key.)
RC: dict[Any, Any] = {
    "svg.hashsalt": "tverrsnitt",
    "svg.fonttype": "none",
    "font.family": "sans-serif",
    "font.sans-serif": FONT_FAMILY,
    "font.size": LABEL_SIZE,
    "text.color": TEXT,
    # Unhinted glyphs look as good at 150 dpi and rasterise noticeably faster.
    "text.hinting": "no_hinting",
}
SVG_METADATA = {"Date": None}
PNG_METADATA = {"Software": None}


def sequential(n: int) -> list[str]:
    """`n` colours of the ordinal ramp, lowest category first."""
    cmap = colormaps[SEQUENTIAL]
    low, high = SEQUENTIAL_RANGE
    if n == 1:
        return [to_hex(cmap(high))]
    return [to_hex(cmap(low + (high - low) * i / (n - 1))) for i in range(n)]


def nominal(names: Sequence[str]) -> list[str]:
    """Colours for unordered categories or groups, 'Totalt' in grey."""
    colours, palette = [], iter(OKABE_ITO * (len(names) // len(OKABE_ITO) + 1))
    for name in names:
        colours.append(TOTAL_COLOUR if name == TOTAL else next(palette))
    return colours


def _luminance(colour: str) -> float:
    def linear(c: float) -> float:
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (linear(c) for c in to_rgb(colour))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def text_colour(fill: str) -> str:
    """Black or white, whichever contrasts more with `fill` (WCAG relative luminance)."""
    lum = _luminance(fill)
    # Contrast ratio against white is 1.05 / (L + 0.05), against black (L + 0.05) / 0.05.
    return TEXT_ON_DARK if 1.05 / (lum + 0.05) > (lum + 0.05) / 0.05 else TEXT


def wrap(text: str, width: int = LABEL_WRAP) -> str:
    """Break a label into lines of at most `width` characters (long words stay whole)."""
    return "\n".join(textwrap.wrap(text, width, break_long_words=False, break_on_hyphens=False))


def n_text(bases: Sequence[int]) -> str:
    """'N = 2 226', or 'N = 52–54' when the bases of one row or series differ (as captions
    and tables write it)."""
    return numbers.n_text(bases)

# Numbers: dots and whiskers (95 % confidence intervals, or quartiles).
DOT_SIZE = 0.055  # radius of a dot (inches)
WHISKER = 0.9  # line width of a whisker (points)
WHISKER_CAP = 0.045  # half the height of a whisker's end caps (inches)

# Disclosure control: said under a chart that leaves out groups below K.
LEFT_OUT_NOTE = "Grupper med færre enn {k} svar er utelatt av personvernhensyn."

# Group differences: the marker after a row label whose groups differ significantly, and the
# note that explains it (tabulate.differences.ALPHA is 0.05).
SIGNIFICANT_MARK = "*"
SIGNIFICANT_NOTE = (f"* Signifikant forskjell mellom gruppene (p{numbers.NBSP}<{numbers.NBSP}0,05, "
                    "Rao–Scott).")

# Published reference values (figures.yaml `reference_values`): black marks with a white edge,
# which stand out on the lightest and the darkest bar alike, and a footnote naming the sources.
REFERENCE_COLOUR = "#000000"
REFERENCE_EDGE = "#ffffff"
MARK_SIZE = 0.06  # half the height of a point's marker (inches)
RANGE_TICK = 0.05  # half the height of a range's end ticks (inches)
# On stacked bars the marks stand on the bar's upper edge, clear of the numbers in the
# segments; a row with marks is this much taller (half above, half below) to make room.
MARK_ROOM = 0.16
RANGE_LINE = 1.2  # line width of a range (points); its white edge is RANGE_EDGE wide
RANGE_EDGE = 2.6
MARK_LABEL_GAP = 0.5  # between a mark and a bar's value label moved past it (percent of the scale)
RANGE_KEY = 0.26  # width of a range's legend key (inches)
REFERENCE_LEGEND_WRAP = 60  # characters per line of a reference source's legend entry
REFERENCE_NOTE = "Referanseverdier: {}."
