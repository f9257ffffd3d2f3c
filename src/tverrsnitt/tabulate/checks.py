"""Figures the data leave empty: nobody in the base, or every share 0 although people answered.

An empty base mid-fieldwork is news (nobody has reached that page yet); every share 0 with
answers in the base means the figure counts categories the answers never take. Either is
reported with the figure's file and line, never printed as a silent 0 % (see clean.checks for
the derivations and routing behind a figure).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection

from ..errors import DataFinding
from ..numbers import thousands
from ..study import layout
from ..study.model import Study
from ..study.statistics import STATISTICS, category_value
from .tables import TableRow, Tables


def figure_findings(study: Study, tables: Tables,
                    not_asked: Collection[str] = ()) -> list[DataFinding]:
    """One finding per figure item whose base is empty, or whose every share is 0 (items the
    run's wave did not ask, `not_asked`, have no answers by design)."""
    rows: dict[tuple[str, str], list[TableRow]] = defaultdict(list)
    for row in tables:
        rows[(row.figure, row.item)].append(row)
    findings = []
    for figure in study.figures:
        if STATISTICS[figure.statistic].value not in ("share", "number", "points"):
            continue
        for item in layout.figure_items(figure):
            if item in not_asked:
                continue
            found = [r for r in rows.get((figure.id, item), []) if r.by == figure.by]
            if not found:
                continue  # left out with a note (no register), or not counted in this run
            path = study.figure_path(figure.id)
            base = max(r.base for r in found)
            if base == 0:
                where = study.locate("figures.yaml", path,
                                     f"figure {figure.id!r} has no answers to {item!r} (base 0): "
                                     "it is printed without numbers; check the item's routing "
                                     "(asked_if) and screening if answers were expected")
                report = (f"{figure.id}: ingen har svart på «{_label(study, item)}» ({item}); "
                          "figuren har ingen tall.")
                findings.append(DataFinding(where, report, "figure", 0))
                continue
            # A distribution's shares add up to 100; all 0 means its categories are not the
            # answers' (a multi-select may well have an option nobody ticked).
            shares = [r for r in found if category_value(r.category) == "share"
                      and r.category not in ("top2", "bottom2")]
            summed = figure.statistic_for(item) in ("distribution", "count")
            if summed and shares and all(r.count == 0 for r in shares):
                where = study.locate("figures.yaml", path,
                                     f"every share of {item!r} in figure {figure.id!r} is 0 although "
                                     f"{base} respondents are in its base: the figure counts "
                                     "categories its answers never take (check 'variables', "
                                     "'options' and the derived variable)")
                report = (f"{figure.id}: alle andeler for «{_label(study, item)}» er 0, selv "
                          f"om {thousands(base)} har svart.")
                findings.append(DataFinding(where, report, "figure", base))
    return findings


def _label(study: Study, item: str) -> str:
    return study.question(item).label if study.has_question(item) else item
