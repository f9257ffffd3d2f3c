"""Raking (iterative post-stratification) to population margins, as `survey::rake` does it.

`rake(design, margins)` reproduces
`rake(design, sample.margins, population.margins, control = list(maxit =, epsilon =))`:
each sweep post-stratifies to every margin in the given order; after a sweep the weighted
cross-table of all margin variables is compared with the previous sweep's, and raking stops when
the largest absolute change is below `epsilon` (weight units; a value below 1 is read as a
fraction of the sum of the starting weights, as R does). The raked design keeps the last sweep's
post-stratification steps, so its variances are those R computes for a raked design.

R only warns when raking does not converge; here that is an error (`WeightingError`), because a
table computed from weights that miss their margins would be quietly wrong.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from ..errors import WeightingError
from .design import Design, FloatArray, IntArray, PostStratumStep, Raking

# Trimming alternates trim and re-rake until the raked weights lie within the bounds up to this
# relative slack, or gives up after this many rounds (re-raking moves trimmed weights a little).
TRIM_SLACK = 1e-3
TRIM_ROUNDS = 50


@dataclass(frozen=True, eq=False)
class Margin:
    """One raking margin: each unit's category and the population total of every category."""

    categories: Sequence[str]
    totals: Mapping[str, float]


@dataclass(frozen=True)
class Trim:
    """Bounds for trimmed weights, as multiples of the mean weight (e.g. 0.3 and 3)."""

    lower: float
    upper: float


def rake(design: Design, margins: Sequence[Margin], max_iter: int = 10, epsilon: float = 1.0,
         trim: Trim | None = None, tolerance: float = 1e-3) -> Design:
    """Rake the design's weights to the margins (`survey::rake`), optionally trimming them.

    R's stopping rule only asks that a sweep changed the weighted table by less than `epsilon`;
    contradictory margins can satisfy it while missing a margin. So the raked margins are checked
    too: a relative gap above `tolerance` (default 0.1 %) to any population total is an error.

    With `trim`, the raked weights are trimmed with `survey::trimWeights` (weights outside
    [lower, upper] x mean are set to the bound and the trimmed amount is shared equally among
    the weights that were inside), the trimmed design is raked again, and this repeats until the
    raked weights lie within the bounds (up to TRIM_SLACK) — the result always meets the margins.
    """
    if not margins:
        raise WeightingError("Raking needs at least one margin.")
    coded = [_encode(m, design.n, i) for i, m in enumerate(margins)]
    raked = _rake(design, coded, max_iter, epsilon, tolerance)
    if trim is None:
        return raked
    if not 0 <= trim.lower < 1 < trim.upper:
        raise WeightingError(f"Trim bounds must satisfy 0 <= lower < 1 < upper; got {trim.lower}, "
                             f"{trim.upper}.")
    for _ in range(TRIM_ROUNDS):
        mean = raked.weights.mean()
        low, high = trim.lower * mean, trim.upper * mean
        w = raked.weights
        if np.all(w >= low * (1 - TRIM_SLACK)) and np.all(w <= high * (1 + TRIM_SLACK)):
            return raked
        raked = _rake(trim_weights(raked, low, high), coded, max_iter, epsilon, tolerance)
    raise WeightingError(f"Trimming to [{trim.lower}, {trim.upper}] x mean weight and raking did not "
                         f"settle after {TRIM_ROUNDS} rounds; widen the bounds.")


def trim_weights(design: Design, lower: float, upper: float) -> Design:
    """`survey::trimWeights`: clip weights to [lower, upper], spread the excess over the rest."""
    w = design.weights
    outside = (w < lower) | (w > upper)
    if not outside.any():
        return design
    clipped = np.maximum(lower, np.minimum(w, upper))
    clipped[~outside] += (w - clipped).sum() / (~outside).sum()
    return design.with_weights(clipped)


def margin_gaps(design: Design, margins: Sequence[Margin]) -> float:
    """Largest relative difference between a weighted margin total and its population total."""
    gap = 0.0
    for i, margin in enumerate(margins):
        codes, labels, targets = _encode(margin, design.n, i)
        achieved = np.bincount(codes, weights=design.weights, minlength=len(labels))
        present = targets > 0
        gap = max(gap, float(np.max(np.abs(achieved[present] - targets[present]) / targets[present])))
    return gap


_Coded = tuple[IntArray, list[str], FloatArray]


def _encode(margin: Margin, n: int, position: int) -> _Coded:
    categories = np.asarray(margin.categories, dtype=object)
    if categories.shape != (n,):
        raise WeightingError(f"Margin {position + 1} must give a category for each of the {n} units; "
                             f"got {categories.size}.")
    labels = list(margin.totals)
    index = {label: j for j, label in enumerate(labels)}
    unknown = sorted({str(c) for c in categories if c not in index})
    if unknown:
        raise WeightingError(f"Margin {position + 1} has no population total for categories "
                             f"{unknown}; totals are given for {labels}.")
    codes = np.array([index[c] for c in categories], dtype=np.intp)
    return codes, labels, np.array([float(margin.totals[x]) for x in labels])


def _post_stratify(weights: FloatArray, coded: _Coded, position: int) -> FloatArray:
    """postStratify: scale each category's weights to its population total."""
    codes, labels, targets = coded
    sample = np.bincount(codes, weights=weights, minlength=len(labels))
    empty = (sample == 0) & (targets > 0)
    if empty.any():
        missing = [labels[j] for j in np.flatnonzero(empty)]
        raise WeightingError(f"Margin {position + 1}: categories {missing} have a population total "
                             "but no weighted respondents; merge categories or drop the margin.")
    absent = (sample > 0) & (targets <= 0)
    if absent.any():
        extra = [labels[j] for j in np.flatnonzero(absent)]
        raise WeightingError(f"Margin {position + 1}: categories {extra} have respondents but a "
                             "population total of 0.")
    factor = np.divide(targets, sample, out=np.ones_like(targets), where=sample > 0)
    # R stores prob and divides it by the factor; 1 / (1 / w / r) keeps its rounding.
    return 1 / ((1 / weights) / factor[codes])


def _joint_table(weights: FloatArray, coded: list[_Coded]) -> FloatArray:
    """Weighted counts of the cross-classification of all margins (R's svytable(~a + b ...))."""
    stacked = np.stack([c[0] for c in coded], axis=1)
    cells = np.unique(stacked, axis=0, return_inverse=True)[1].ravel()
    return np.bincount(cells, weights=weights).astype(float)


def _rake(design: Design, coded: list[_Coded], max_iter: int, epsilon: float,
          tolerance: float) -> Design:
    if np.any(design.weights <= 0):
        raise WeightingError("Raking needs positive weights for every unit.")
    limit = epsilon * design.weights.sum() if epsilon < 1 else epsilon
    weights = design.weights
    old = _joint_table(weights, coded)
    steps: list[PostStratumStep] = []
    converged = False
    for _ in range(max_iter):
        steps = []
        for i, margin in enumerate(coded):
            weights = _post_stratify(weights, margin, i)
            steps.append(PostStratumStep(margin[0], weights))
        new = _joint_table(weights, coded)
        if np.max(np.abs(old - new)) < limit:
            converged = True
            break
        old = new
    raked = Design(weights, design.strata, design.psu, design.popsize,
                   (*design.calibrations, Raking(tuple(steps))))
    gap = margin_gaps(raked, [Margin(list(np.asarray(c[1], dtype=object)[c[0]]),
                                     dict(zip(c[1], c[2], strict=True))) for c in coded])
    if not converged:
        raise WeightingError(f"Raking did not converge after {max_iter} iterations (epsilon {epsilon}); "
                             f"the weighted margins still differ from the population totals by up to "
                             f"{100 * gap:.3g} %. Check that the margins agree on the population total, "
                             "or allow more iterations.")
    if gap > tolerance:
        raise WeightingError(f"The raked weights do not meet the margins: a weighted total differs "
                             f"from its population total by {100 * gap:.3g} % (tolerance "
                             f"{100 * tolerance:.3g} %). Check that the margins agree on the "
                             "population total.")
    return raked
