"""Pairwise comparisons of a share between the groups of a breakdown, with multiplicity control.

Used to say which groups differ (e.g. in the top-2 share of a statement) instead of picking
differences by eye, and to keep only the statements of a figure whose differences are both
significant and large enough to mention. The numbers are those of R's
`svyby(~y, ~group, design, svymean, covmat = TRUE)` + `svycontrast` (difference and SE), a Wald
t test on `degf(design)` df, and `p.adjust`; see `r/tests_crosscheck.R`. `pairwise_from_sums`
gives the same for `ids = ~1` from per-group sums (`closed_form`), as the report uses it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ..errors import UsageError, did_you_mean, one_of
from ..weight.design import Design
from .closed_form import share_and_se
from .rao_scott import category_labels, positive_weights

ADJUSTMENTS: tuple[str, ...] = ("holm", "bonferroni", "BH", "none")


def adjust_p(p_values: ArrayLike, method: str = "holm") -> NDArray[np.float64]:
    """Adjust a family of p-values for multiplicity exactly as R's p.adjust(p, method).

    NaN p-values stay NaN and do not count towards the family size (as NA in R).
    """
    if method not in ADJUSTMENTS:
        raise UsageError(f"Unknown p-value adjustment '{method}'; expected one of "
                         f"{one_of(ADJUSTMENTS)}.{did_you_mean(method, ADJUSTMENTS)}")
    p_all = np.asarray(p_values, dtype=float).reshape(-1)
    out = np.full_like(p_all, np.nan)
    ok = ~np.isnan(p_all)
    p = p_all[ok]
    n = p.size
    if n == 0 or method == "none":
        out[ok] = p
        return out
    if method == "bonferroni":
        adjusted = np.minimum(1.0, n * p)
    elif method == "holm":
        order = np.argsort(p, kind="stable")
        steps = (n - np.arange(n)) * p[order]
        adjusted = np.empty(n)
        adjusted[order] = np.minimum(1.0, np.maximum.accumulate(steps))
    else:  # BH: step-up from the largest p-value
        order = np.argsort(-p, kind="stable")
        rank = n - np.arange(n)  # rank of p[order] among the ascending p-values
        adjusted = np.empty(n)
        adjusted[order] = np.minimum(1.0, np.minimum.accumulate(n / rank * p[order]))
    out[ok] = adjusted
    return out


@dataclass(frozen=True)
class PairDifference:
    """One pair of groups: estimate of `first` minus estimate of `second`, with its Wald test."""

    first: str
    second: str
    difference: float
    se: float
    t: float
    p_value: float
    p_adjusted: float


@dataclass(frozen=True)
class PairwiseComparison:
    """All pairs (in group order, first before second) of the groups of one breakdown."""

    groups: tuple[str, ...]
    estimates: tuple[float, ...]
    ses: tuple[float, ...]
    df: float
    adjustment: str
    pairs: tuple[PairDifference, ...]


def compare_pairs(estimates: ArrayLike, vcov: ArrayLike, groups: Sequence[str], df: float,
                  adjust: str = "holm") -> PairwiseComparison:
    """Test every pair of domain estimates given their joint covariance (svycontrast + Wald t).

    `estimates`/`vcov` come from any domain estimator (e.g. Design.means over the groups); `df`
    is the design's residual df. The family adjusted for is the pairs of this breakdown.
    """
    from scipy import stats  # heavy; only needed here

    est = np.asarray(estimates, dtype=float).reshape(-1)
    cov = np.asarray(vcov, dtype=float)
    k = est.size
    if cov.shape != (k, k) or len(groups) != k:
        raise UsageError(f"{k} estimates need {k} group names and a {k}x{k} covariance matrix; "
                         f"got {len(groups)} names and shape {cov.shape}.")
    firsts, seconds = np.triu_indices(k, 1)
    diff = est[firsts] - est[seconds]
    var = cov[firsts, firsts] + cov[seconds, seconds] - 2 * cov[firsts, seconds]
    se = np.sqrt(np.maximum(var, 0.0))
    # A zero SE (e.g. both shares 0 or 1) gives t = NaN, p = NaN, as in R; such pairs then
    # drop out of the adjustment family, as NA does in p.adjust.
    with np.errstate(divide="ignore", invalid="ignore"):
        t = np.where(se > 0, diff / np.where(se > 0, se, 1.0), np.nan)
    p = 2.0 * stats.t.sf(np.abs(t), df)
    p_adj = adjust_p(p, adjust)
    pairs = tuple(
        PairDifference(groups[i], groups[j], float(diff[m]), float(se[m]), float(t[m]),
                       float(p[m]), float(p_adj[m]))
        for m, (i, j) in enumerate(zip(firsts.tolist(), seconds.tolist(), strict=True)))
    return PairwiseComparison(tuple(groups), tuple(est.tolist()),
                              tuple(np.sqrt(np.diag(cov)).tolist()), float(df), adjust, pairs)


def pairwise_shares(y: ArrayLike, group: Sequence[Any] | ArrayLike,
                    weights: ArrayLike | None = None, *, order: Sequence[str] | None = None,
                    clusters: ArrayLike | None = None, strata: ArrayLike | None = None,
                    fpc: ArrayLike | None = None, adjust: str = "holm") -> PairwiseComparison:
    """Compare the weighted mean of `y` (a 0/1 indicator gives a share) between all pairs of
    groups, design-based (one value per respondent in the base; no missing values).

    `order` fixes the group order (the order of the figure legend); by default sorted.
    """
    y_arr = np.asarray(y, dtype=float)
    g = category_labels(group, "group").astype(str)
    n = y_arr.shape[0]
    if y_arr.shape != (n,) or g.shape != (n,) or not np.all(np.isfinite(y_arr)):
        raise UsageError(f"y and group need one valid value per respondent; got shapes "
                         f"{y_arr.shape} and {g.shape}, {int(np.sum(~np.isfinite(y_arr)))} missing y.")
    present = sorted(set(g.tolist()))
    labels = list(order) if order is not None else present
    missing = [x for x in labels if x not in present]
    unknown = [x for x in present if x not in labels]
    if missing or unknown:
        raise UsageError(f"Groups in 'order' must be exactly those in the base {one_of(present)}; "
                         f"without respondents: {missing}, not in 'order': {unknown}.")
    if len(labels) < 2:
        raise UsageError(f"Pairwise comparisons need at least two groups; found {labels}.")
    domains = g[:, None] == np.asarray(labels)[None, :]
    design = Design.create(positive_weights(weights, n), clusters=clusters, strata=strata,
                           fpc=fpc)
    shares = design.means(np.repeat(y_arr[:, None], len(labels), axis=1), domains)
    return compare_pairs(shares.estimate, shares.vcov, labels, design.degf(), adjust)


def pairwise_from_sums(sw: ArrayLike, sw2: ArrayLike, sw_y: ArrayLike, sw2_y: ArrayLike, n: int,
                       groups: Sequence[str], adjust: str = "holm") -> PairwiseComparison:
    """`pairwise_shares` for `ids = ~1` from each group's sum(w), sum(w²), sum(w y) and
    sum(w² y) over the n respondents of the base (y a 0/1 indicator), without a pass over them.

    The groups are disjoint domains of one design, so their shares are uncorrelated.
    """
    if len(groups) < 2:
        raise UsageError(f"Pairwise comparisons need at least two groups; found {list(groups)}.")
    estimates, se = share_and_se(np.full(len(groups), float(n)), sw, sw2, sw_y, sw2_y)
    return compare_pairs(estimates, np.diag(se**2), groups, n - 1, adjust)


def notable_differences(results: Mapping[str, PairwiseComparison], min_points: float,
                        alpha: float = 0.05) -> dict[str, tuple[PairDifference, ...]]:
    """Keep the statements of a figure whose groups differ significantly and visibly.

    A pair counts when its multiplicity-adjusted p-value is below `alpha` and its difference is
    at least `min_points` percentage points; a statement is kept (with the pairs that count, in
    order) when any pair counts. Statements keep their input order.
    """
    # A difference printed as 10 points may be 0.0999999... after floating point; the slack is
    # far below any difference a report would round to.
    slack = 1e-9
    kept: dict[str, tuple[PairDifference, ...]] = {}
    for statement, comparison in results.items():
        pairs = tuple(pair for pair in comparison.pairs
                      if pair.p_adjusted < alpha
                      and abs(pair.difference) * 100 >= min_points - slack)
        if pairs:
            kept[statement] = pairs
    return kept
