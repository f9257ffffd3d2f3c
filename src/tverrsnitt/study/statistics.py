"""The statistics a figure can ask for: one registry, read by validation, tabulation, charts,
prose and the reference documentation.

Each entry says which question types it applies to, what its rows are (the `category` column
of tables.csv), on which scale its number lies (a share in percent, a number in the question's
unit, or points of a net score) and whether groups are tested against each other. A new
statistic is one entry here plus its computation in `tabulate`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

ValueKind = Literal["share", "number", "points", "count", "text", "qualitative"]

# The key of everyone: a breakdown's total group and a composition's total row (tables.csv
# prints it as is).
TOTAL = "Totalt"

# The confidence interval methods of a share (study.yaml `ci_method`), as R survey's
# svyciprop names them; tabulate.proportions computes each.
CiMethod = Literal["logit", "beta", "wilson"]
CI_METHODS: tuple[CiMethod, ...] = ("logit", "beta", "wilson")


@dataclass(frozen=True)
class StatisticKind:
    """What one `statistic:` value means."""

    name: str
    # Question types an item of the figure may have (empty: the figure's items are not
    # counted as questions, e.g. the response status).
    types: tuple[str, ...]
    value: ValueKind
    # Fixed category rows, or None when the rows are the item's options.
    categories: tuple[str, ...] | None
    # True when differences.csv tests the groups of a breakdown against each other.
    tested: bool
    description: str
    # The rows in words, where they are not fixed `categories` or the item's options.
    rows: str = "the options"


_ALL = (
    StatisticKind("distribution", ("single", "scale"), "share", None, True,
                  "the share of each answer option (and top2/bottom2 when declared)"),
    StatisticKind("top2", ("single", "scale"), "share", ("top2",), True,
                  "the share answering one of the two highest options (the scale's `top2`)"),
    StatisticKind("bottom2", ("single", "scale"), "share", ("bottom2",), True,
                  "the share answering one of the two lowest options (the scale's `bottom2`)"),
    StatisticKind("selected_share", ("multi",), "share", None, True,
                  "for a multi-select question, the share who ticked each option"),
    StatisticKind("mean", ("number", "scale"), "number", ("mean",), True,
                  "the mean, with its standard error and confidence interval"),
    StatisticKind("median", ("number", "scale"), "number", ("median",), False,
                  "the median, with the confidence interval of R survey's svyquantile "
                  "(Woodruff's method, its default)"),
    StatisticKind("quantiles", ("number", "scale"), "number", ("q1", "median", "q3"), False,
                  "the lower quartile, median and upper quartile (svyquantile, Woodruff)"),
    StatisticKind("sum", ("number",), "number", ("sum",), False,
                  "the (weighted) total of the answers, with its standard error"),
    StatisticKind("net", ("single", "scale"), "points", ("net",), True,
                  "share of the `net.plus` answers minus share of the `net.minus` answers, in "
                  "points from -100 to 100 (eNPS), with its standard error"),
    StatisticKind("count", ("single",), "count", None, False,
                  "counts per option within each group of the breakdown (Tabell 3.1)",
                  "the options of each group, and `Totalt`"),
    StatisticKind("response_status", (), "count", None, False,
                  "invited, answered, screened out by reason, analysed (Tabell 2.1)",
                  "`Distribuert`, `Svart`, `Ekskludert`, `Total N`, one per screening reason"),
    StatisticKind("answers", ("text",), "text", ("Svar",), False,
                  "the free-text answers themselves, by group"),
    StatisticKind("placement", (), "qualitative", None, False,
                  "focus groups' placement exercise (qual.yaml)", "– (not in tables.csv)"),
    StatisticKind("placement_distances", (), "qualitative", None, False,
                  "distances in the focus groups' placement exercise (qual.yaml)",
                  "– (not in tables.csv)"),
)

STATISTICS: dict[str, StatisticKind] = {kind.name: kind for kind in _ALL}
STATISTIC_NAMES: tuple[str, ...] = tuple(STATISTICS)

# Category rows that are not answer options: each one's scale.
NUMBER_CATEGORIES = ("mean", "median", "q1", "q3", "sum")
POINTS_CATEGORIES = ("net",)
SHARE_SETS = ("top2", "bottom2")
RESERVED_CATEGORIES = (*SHARE_SETS, *NUMBER_CATEGORIES, *POINTS_CATEGORIES)


def statistic(name: str) -> StatisticKind:
    """The registry entry of a statistic name (KeyError if unknown)."""
    return STATISTICS[name]


def category_value(category: str) -> Literal["share", "number", "points"]:
    """The scale of one row's number: a share (percent), a number, or net points."""
    if category in NUMBER_CATEGORIES:
        return "number"
    if category in POINTS_CATEGORIES:
        return "points"
    return "share"


def is_numeric_statistic(name: str) -> bool:
    """True for statistics whose rows are numbers or points, not shares of a base."""
    return STATISTICS[name].value in ("number", "points")


# How a prose placeholder may print a row's number, by the number's scale; the first is what
# `format: auto` (the default) chooses.
PROSE_FORMATS: dict[str, tuple[str, ...]] = {
    "share": ("prosent", "percent", "range_prosent", "count", "change"),
    # No `count` for numbers: 'i gjennomsnitt {timer}' with the number of respondents in it
    # would read as the mean.
    "number": ("number", "change"),
    "points": ("points", "number", "change"),
}
# Rows whose change between waves has no SE and so no test (R's svyquantile and svytotal
# estimates are not compared here): `format: change` cannot print them.
NO_CHANGE_TEST = ("median", "q1", "q3", "sum")
WHAT_NUMBER = {"mean": "a mean", "median": "a median", "q1": "a quartile", "q3": "a quartile",
               "sum": "a sum", "net": "a net score (points)"}


def decimals_for(whole_numbers: bool, category: str) -> int:
    """Decimals a number is printed with: a quantile or sum of whole numbers is whole (the
    median of years in the job is 8, not 8,0); a mean gets one decimal."""
    return 0 if whole_numbers and category in ("median", "q1", "q3", "sum") else 1
