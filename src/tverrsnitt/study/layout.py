"""Which rows a figure produces: its items, breakdowns, groups and categories, in report order.

This is the one place that knows the shape of `tables.csv`. The tabulation engine fills these
rows with numbers; `validate` uses them to check that prose placeholders name real cells.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from .model import Figure, NetSpec, Recode, Study
from .statistics import STATISTICS, TOTAL

RESPONSE_STATUS_ITEM = "svarstatus"
# The one category of a free-text item: how many wrote an answer (statistic `answers`).
ANSWERS = "Svar"
# The fixed category rows of each statistic that has them (mean: ('mean',) …).
STATISTIC_CATEGORIES = {name: kind.categories for name, kind in STATISTICS.items()
                        if kind.categories is not None}
_RANGE = re.compile(r"^\s*(-?\d+)\s*\.\.\s*(-?\d+)\s*$")
RESPONSE_STATUS_HEAD = ("Distribuert", "Svart", "Ekskludert", "Total N")
RESPONSE_STATUS_ANALYSED = RESPONSE_STATUS_HEAD[-1]  # the row without a percent


def figure_items(figure: Figure) -> tuple[str, ...]:
    """The item codes a figure reports (Tabell 2.1 reports one derived item)."""
    if figure.statistic == "response_status":
        return (RESPONSE_STATUS_ITEM,)
    return figure.items


def response_status_rows(invited: int, answered: int, excluded: int, analysed: int,
                         reasons: Sequence[tuple[str, int]]) -> tuple[tuple[str, int], ...]:
    """Tabell 2.1's rows with their counts: the totals, then each screening reason. One home
    for the report's table (from the export) and the fieldwork status page (from the store)."""
    return (*zip(RESPONSE_STATUS_HEAD, (invited, answered, excluded, analysed), strict=True),
            *reasons)


def response_status_categories(study: Study) -> tuple[str, ...]:
    """Tabell 2.1's rows: the totals, then one row per screening reason."""
    return (*RESPONSE_STATUS_HEAD, *(step.reason for step in study.screening))


def counted_column(figure: Figure, item: str) -> str:
    """The column counted for an item: the item, or the derived variable it is counted
    through (`variables: {item: code}`, e.g. a birth year counted as age groups)."""
    return figure.variables.get(item, item)


def variable_categories(study: Study, figure: Figure, item: str) -> tuple[str, ...]:
    """The categories counted for an item: its options, or a derived variable's groups."""
    variable_code = figure.variables.get(item)
    if variable_code is not None:
        return study.group_labels(variable_code)
    return study.question(item).options


def expand_labels(values: Iterable[str], options: tuple[str, ...]) -> tuple[str, ...]:
    """Option labels with 'a..b' spelled out as every point from a to b of a numeric scale."""
    found: list[str] = []
    for value in values:
        match = _RANGE.match(value)
        if match and value not in options:
            low, high = int(match[1]), int(match[2])
            found.extend(str(v) for v in range(low, high + 1) if str(v) in options)
        else:
            found.append(value)
    return tuple(dict.fromkeys(found))


def net_spec(study: Study, figure: Figure, item: str) -> NetSpec | None:
    """The net score's declaration for an item (the figure's wins over the question's)."""
    return figure.net or study.question(item).net


def net_sets(study: Study, figure: Figure, item: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The options counted as plus and as minus in an item's net score."""
    spec = net_spec(study, figure, item)
    if spec is None:
        return (), ()
    options = study.question(item).options
    return expand_labels(spec.plus, options), expand_labels(spec.minus, options)


def top_bottom(study: Study, figure: Figure, item: str) -> dict[str, tuple[str, ...]]:
    """The declared top2/bottom2 option sets of an item within a figure (figure wins)."""
    question = study.question(item)
    result = {}
    for which in ("top2", "bottom2"):
        chosen = getattr(figure, which) or getattr(question, which)
        if chosen:
            result[which] = tuple(chosen)
    return result


def categories(study: Study, figure: Figure, item: str) -> tuple[str, ...]:
    """Every category row of one item, in output order."""
    statistic = figure.statistic_for(item)
    if statistic == "response_status":
        return response_status_categories(study)
    fixed = STATISTICS[statistic].categories
    if fixed is not None:
        return fixed
    if statistic == "selected_share":
        return figure.options or study.question(item).options
    if statistic == "count":
        return (*study.question(item).options, TOTAL)
    base = variable_categories(study, figure, item)
    if item in figure.variables:
        return base
    return (*base, *top_bottom(study, figure, item))


def groups(study: Study, breakdown: str) -> tuple[str, ...]:
    """The groups of a breakdown in output order: its groups, then Totalt when it has one."""
    if breakdown == "none":
        return (TOTAL,)
    labels = study.group_labels(breakdown)
    if study.comparison(breakdown) is not None:
        return labels
    return (*labels, TOTAL)


def group_members(study: Study, breakdown: str, group: str) -> tuple[str, ...]:
    """For a recode breakdown, the source options that make up `group`."""
    if study.has_question(breakdown):
        return (group,)
    variable = study.derived_variable(breakdown)
    if isinstance(variable, Recode):
        for g in variable.groups:
            if g.label == group:
                return g.values
    return ()


def trend_categories(study: Study, figure: Figure, item: str) -> tuple[str, ...]:
    """The categories whose change since another wave is shown: top2 where the item has it,
    else every category (a figure of top2 or bottom2 shows its own)."""
    found = categories(study, figure, item)
    if figure.statistic_for(item) in ("top2", "bottom2"):
        return found
    return ("top2",) if "top2" in found else tuple(c for c in found if c != "bottom2")
