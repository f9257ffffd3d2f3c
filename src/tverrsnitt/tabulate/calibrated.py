"""Shares and group tests on a calibrated (raked) design: one pass over the respondents per cell.

Raking is calibration: R's survey residualises each respondent's influence on the
post-stratification steps of the last raking sweep before it sums variances, which the
per-cell sums of `closed_form` cannot express. So a `--rake` run estimates every share with
`proportions.proportions_by` on the raked `weight.Design` — the functions R's
`svyby(~y, ~group, subset(raked, base), svyciprop)` is checked against
(tests/data/r/weighting_raked_q41.csv); the group tests likewise follow svychisq and
svycontrast on the raked design. It is slower than the closed form (seconds for the example
report), and only used when the design carries a calibration.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import polars as pl

from ..clean.expressions import base_expr
from ..errors import NotComputable
from ..study import layout
from ..study.model import Figure, Study
from ..weight import Design
from .differences import GroupDifference
from .pairwise import compare_pairs
from .proportions import Method, Proportion, proportion, proportions_by
from .rao_scott import rao_scott_statistics

Key = tuple[str, str, str, str, str]


def calibrated_shares(study: Study, frame: pl.DataFrame, design: Design,
                      wanted: Iterable[tuple[Figure, str, str]],
                      method: Method) -> dict[Key, Proportion]:
    """Every (figure, item, by) share of the respondents on `design` (rows of `frame`)."""
    found: dict[Key, Proportion] = {}
    for figure, item, by in wanted:
        question = study.question(item)
        base = frame.select(base_expr(question, study)).to_series().to_numpy()
        column = layout.counted_column(figure, item)
        if column != item:
            base = base & frame[column].is_not_null().to_numpy()
        labels = frame[by].cast(pl.String).to_list() if by != "none" else None
        in_groups = base if labels is None else base & np.array([g is not None for g in labels])
        for category, y in _indicators(frame, study, figure, item).items():
            key = (figure.id, item, by)
            if labels is not None:
                for estimate in proportions_by(design, y, labels, base, method=method,
                                               order=study.group_labels(by)):
                    found[(*key, estimate.group, category)] = estimate
            if in_groups.any():
                found[(*key, layout.TOTAL, category)] = proportion(design, y, in_groups,
                                                                   method=method)
    return found


def _indicators(frame: pl.DataFrame, study: Study, figure: Figure,
                item: str) -> dict[str, np.ndarray]:
    """For each category of the item's rows (an option, top2 or bottom2): who answered it."""
    question = study.question(item)
    column = layout.counted_column(figure, item)
    sets = layout.top_bottom(study, figure, item)
    result = {}
    for category in layout.categories(study, figure, item):
        labels = list(sets.get(category, (category,)))
        if question.type == "multi":
            hit = frame.select(pl.col(item).list.eval(pl.element().cast(pl.String)
                                                      .is_in(labels)).list.any()).to_series()
        else:
            hit = frame[column].cast(pl.String).is_in(labels)
        result[category] = hit.fill_null(False).to_numpy()
    return result


def calibrated_differences(study: Study, frame: pl.DataFrame, design: Design,
                           wanted: Iterable[tuple[Figure, str, str]]) -> list[GroupDifference]:
    """The group tests of `differences` on the raked design, as R's svychisq and svycontrast
    on `subset(raked, base)`: R keeps every row of a calibrated design in a subset (weight 0),
    so the Rao–Scott statistic counts all n rows and has n - 1 degrees of freedom."""
    results = []
    for figure, item, by in wanted:
        question = study.question(item)
        base = frame.select(base_expr(question, study)).to_series().to_numpy()
        base = base & frame[layout.counted_column(figure, item)].is_not_null().to_numpy()
        groups = frame[by].cast(pl.String).to_numpy()
        base = base & np.array([g is not None for g in groups])
        order = [g for g in study.group_labels(by) if np.any(base & (groups == g))]
        if len(order) < 2:
            continue
        if figure.statistic_for(item) == "selected_share":
            for option, ticked in _indicators(frame, study, figure, item).items():
                answers = np.where(ticked, 1.0, 0.0)
                result = _tested(design, figure, item, by, option, answers, groups, base, order,
                                 ticked)
                if result is not None:
                    results.append(result)
            continue
        answers = frame[layout.counted_column(figure, item)].cast(pl.String).to_numpy()
        statistic = figure.statistic_for(item)
        shares = layout.top_bottom(study, figure, item)
        share = statistic if statistic in shares else ("top2" if "top2" in shares else None)
        hits = (np.isin(answers, list(shares[share])) if share is not None else None)
        result = _tested(design, figure, item, by, share, answers, groups, base, order, hits)
        if result is not None:
            results.append(result)
    return results


def _tested(design: Design, figure: Figure, item: str, by: str, share: str | None,
            answers: np.ndarray, groups: np.ndarray, base: np.ndarray, order: list[str],
            hits: np.ndarray | None) -> GroupDifference | None:
    rows = sorted({a for a in answers[base].tolist()})
    if len(rows) < 2:
        return None  # everyone answered alike: independence is not testable
    columns = sorted(order)
    n = design.n
    cells = np.zeros((n, len(rows) * len(columns)))
    row_of = {r: i for i, r in enumerate(rows)}
    column_of = {c: j for j, c in enumerate(columns)}
    for unit in np.flatnonzero(base):
        cells[unit, row_of[answers[unit]] + len(rows) * column_of[groups[unit]]] = 1.0
    shares = design.means(cells, np.repeat(base[:, None], cells.shape[1], axis=1))
    try:
        test = rao_scott_statistics(shares.estimate, shares.vcov, n, n - 1, tuple(rows),
                                    tuple(columns))
    except NotComputable as exc:
        return GroupDifference(figure.id, item, by, share, None, None, str(exc))
    pairs = None
    if hits is not None:
        domains = np.column_stack([base & (groups == g) for g in order])
        means = design.means(np.repeat(hits.astype(float)[:, None], len(order), axis=1), domains)
        pairs = compare_pairs(means.estimate, means.vcov, order, design.degf(base))
    return GroupDifference(figure.id, item, by, share, test, pairs)
