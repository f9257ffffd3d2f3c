"""Shares on a calibrated (raked) design: one pass over the respondents per cell.

Raking is calibration: R's survey residualises each respondent's influence on the
post-stratification steps of the last raking sweep before it sums variances, which the
per-cell sums of `closed_form` cannot express. So a `--rake` run estimates every share with
`proportions.proportions_by` on the raked `weight.Design` — the functions R's
`svyby(~y, ~group, subset(raked, base), svyciprop)` is checked against
(tests/data/r/weighting_raked_q41.csv). It is slower than the closed form (seconds for the
example report), and only used when the design carries a calibration.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import polars as pl

from ..study import layout
from ..study.model import Figure, Study
from ..weight import Design
from .expressions import base_expr
from .proportions import Method, Proportion, proportion, proportions_by

Key = tuple[str, str, str, str, str]


def calibrated_shares(study: Study, frame: pl.DataFrame, design: Design,
                      wanted: Iterable[tuple[Figure, str, str]],
                      method: Method) -> dict[Key, Proportion]:
    """Every (figure, item, by) share of the respondents on `design` (rows of `frame`)."""
    found: dict[Key, Proportion] = {}
    for figure, item, by in wanted:
        question = study.question(item)
        base = frame.select(base_expr(question, study)).to_series().to_numpy()
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
    sets = layout.top_bottom(study, figure, item)
    result = {}
    for category in layout.categories(study, figure, item):
        labels = list(sets.get(category, (category,)))
        if question.type == "multi":
            hit = frame.select(pl.col(item).list.eval(pl.element().cast(pl.String)
                                                      .is_in(labels)).list.any()).to_series()
        else:
            hit = frame[item].cast(pl.String).is_in(labels)
        result[category] = hit.fill_null(False).to_numpy()
    return result
