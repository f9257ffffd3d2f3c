"""Chart kinds: one registry, and the one automatic choice of a figure's kind.

Validation (does the declaration fit the statistic?), the chart builder and the reference
documentation all read these, so a new kind is one entry here plus its builder and renderer in
`chart`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from .statistics import STATISTICS

if TYPE_CHECKING:
    from .model import Figure, Study


@dataclass(frozen=True)
class ChartKind:
    """One `chart.kind` value: which values it draws, and what it looks like."""

    name: str
    values: tuple[str, ...]  # statistic value kinds it can draw (share, number, points)
    description: str


_ALL = (
    ChartKind("stacked", ("share",), "100 % stacked horizontal bars: the options of a "
              "distribution side by side, one bar per statement or group"),
    ChartKind("grouped", ("share",), "clustered horizontal bars, one bar (and colour) per group"),
    ChartKind("bars", ("share", "number", "points"), "one horizontal bar per statement, option "
              "or group; numbers get their 95 % confidence interval as a whisker"),
    ChartKind("dots", ("number", "points"), "a dot per group or statement at the mean, median "
              "or net score, with its 95 % confidence interval (quartiles for `quantiles`)"),
    ChartKind("table", (), "no chart: the numbers are printed as a table"),
    ChartKind("none", (), "no chart: the numbers are printed as a table"),
)

CHART_KINDS: dict[str, ChartKind] = {kind.name: kind for kind in _ALL}
CHART_KIND_NAMES: tuple[str, ...] = ("auto", *CHART_KINDS)
DRAWN = tuple(name for name, kind in CHART_KINDS.items() if kind.values)


def drawn_value(figure: Figure) -> str | None:
    """The value kind a chart of the figure draws: its statistic's, or 'share' when a mixed
    figure draws its shares and prints its numbers (Figur 3.3: employment and a mean)."""
    values = {STATISTICS[figure.statistic_for(item)].value for item in figure.items}
    if "share" in values:
        return "share"
    for value in ("number", "points"):
        if value in values:
            return value
    return None


def auto_kind(study: Study, figure: Figure) -> str | None:
    """The chart a figure gets when `chart.kind` is auto (None: no chart, or no default; see
    `kind_problem`)."""
    declared = figure.chart.kind
    if figure.is_table or declared in ("table", "none"):
        return None
    if declared != "auto":
        return declared
    value = drawn_value(figure)
    if value in ("number", "points"):
        return "dots"
    statistic = figure.statistic
    several = len(figure.items) > 1
    if statistic in ("top2", "bottom2"):
        return "grouped" if figure.by != "none" else "bars"
    if statistic == "selected_share":
        # One option by group is a bar per group; several are clusters.
        question = study.question(figure.items[0])
        shown = [o for o in (figure.options or question.options)
                 if figure.chart.show_categories is None or o in figure.chart.show_categories]
        return "bars" if figure.by == "none" or len(shown) == 1 else "grouped"
    if statistic == "distribution":
        if study.comparison(figure.by) is not None:
            return "grouped"
        if figure.by == "none":
            return "stacked" if several else "bars"
        return None if several else "stacked"
    return None


def kind_problem(study: Study, figure: Figure) -> str | None:
    """Why a figure has no chart it can draw, with what to write instead (None: it has one)."""
    declared = figure.chart.kind
    if figure.is_table or declared in ("table", "none"):
        return None
    value = drawn_value(figure)
    if declared != "auto":
        allowed = CHART_KINDS[declared].values
        if value not in allowed:
            fitting = [name for name in DRAWN if value in CHART_KINDS[name].values]
            return (f"chart.kind {declared!r} draws {' or '.join(allowed)}s, but figure "
                    f"{figure.id!r} shows {value or 'no numbers'}; use one of {fitting}, or "
                    "chart.kind: table")
        return None
    if auto_kind(study, figure) is not None:
        return None
    if figure.statistic == "distribution":
        return (f"a distribution of several items by {figure.by!r} has no default chart; "
                "declare chart.kind ('grouped' with chart.show, or 'stacked')")
    return (f"statistic {figure.statistic!r} has no chart; declare chart.kind: table (or none), "
            "or give the figure an id starting with 'T'")
