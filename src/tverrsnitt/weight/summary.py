"""A summary of a set of weights: spread, design effect and effective sample size."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from ..errors import WeightingError


@dataclass(frozen=True)
class WeightSummary:
    """Weights described for a methods note: range, mean, CV, Kish design effect, effective n.

    The CV uses the population standard deviation (divisor n), so that deff = 1 + CV^2 is
    exactly Kish's n * sum(w^2) / sum(w)^2 and n_eff = n / deff = sum(w)^2 / sum(w^2).
    """

    n: int
    minimum: float
    maximum: float
    mean: float
    cv: float
    deff: float
    n_eff: float


def summarise_weights(weights: ArrayLike) -> WeightSummary:
    """Summarise positive weights (for example a raked design's `weights`)."""
    w = np.asarray(weights, dtype=float)
    if w.ndim != 1 or w.size == 0 or not np.all(np.isfinite(w)) or np.any(w <= 0):
        raise WeightingError("Weights to summarise must be a non-empty list of positive numbers.")
    mean = float(w.mean())
    cv = float(w.std(ddof=0) / mean)
    deff = 1 + cv * cv
    return WeightSummary(n=int(w.size), minimum=float(w.min()), maximum=float(w.max()), mean=mean,
                         cv=cv, deff=deff, n_eff=w.size / deff)
