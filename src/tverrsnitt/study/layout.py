"""Which rows a figure produces: its items, breakdowns, groups and categories, in report order.

This is the one place that knows the shape of `tables.csv`. The tabulation engine fills these
rows with numbers; `validate` uses them to check that prose placeholders name real cells.
"""

from __future__ import annotations

from .model import AgeBands, Figure, Recode, Study

RESPONSE_STATUS_ITEM = "svarstatus"
TOTAL = "Totalt"
# The one category of a free-text item: how many wrote an answer (statistic `answers`).
ANSWERS = "Svar"
RESPONSE_STATUS_HEAD = ("Distribuert", "Svart", "Ekskludert", "Total N")


def figure_items(figure: Figure) -> tuple[str, ...]:
    """The item codes a figure reports (Tabell 2.1 reports one derived item)."""
    if figure.statistic == "response_status":
        return (RESPONSE_STATUS_ITEM,)
    return figure.items


def response_status_categories(study: Study) -> tuple[str, ...]:
    """Tabell 2.1's rows: the totals, then one row per screening reason."""
    return (*RESPONSE_STATUS_HEAD, *(step.reason for step in study.screening))


def variable_categories(study: Study, figure: Figure, item: str) -> tuple[str, ...]:
    """The categories counted for an item: its options, or a derived variable's groups."""
    variable_code = figure.variables.get(item)
    if variable_code is not None:
        variable = study.derived_variable(variable_code)
        if isinstance(variable, AgeBands):
            return tuple(b.label for b in variable.bands)
        return tuple(g.label for g in variable.groups)
    return study.question(item).options


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
    if statistic == "mean":
        return ("mean",)
    if statistic in ("top2", "bottom2"):
        return (statistic,)
    if statistic == "selected_share":
        return figure.options or study.question(item).options
    if statistic == "count":
        return (*study.question(item).options, TOTAL)
    if statistic == "answers":
        return (ANSWERS,)
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
    variable = study.derived_variable(breakdown)
    if isinstance(variable, Recode):
        for g in variable.groups:
            if g.label == group:
                return g.values
    return ()
