"""Do the groups' means (or net scores) differ? A design-based Wald test, as R's
`regTermTest(svyglm(x ~ group, design), ~group)`, and pairwise differences with Holm.

The group means of `svyglm(x ~ group)` are the domain means, and its Wald test of the group
terms is the test that all domain means are equal: W = (C m)' (C V C')^-1 (C m) for the
contrasts C of the first group with each other one, F = W / (k - 1) on k - 1 and
`df.residual` = degf(design) + 1 - k degrees of freedom. `r/numbers_crosscheck.R` holds the
numbers to R's.

A test that cannot be computed — fewer than two groups, no residual degrees of freedom, or no
variation within the groups (R's `solve()` then stops, or returns noise) — raises
`NotComputable` with the reason the report prints.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike
from scipy import stats

from ..errors import NotComputable

# Below this, C V C' is zero up to rounding: the groups' answers do not vary.
_TINY = 1e-12


@dataclass(frozen=True)
class WaldTest:
    """Equality of the groups' means: F on (ndf, ddf) degrees of freedom and its p-value."""

    groups: tuple[str, ...]
    n: int
    f: float
    ndf: float
    ddf: float
    p_value: float


def wald_equal_means(estimates: ArrayLike, vcov: ArrayLike, groups: Sequence[str], n: int,
                     degf: int) -> WaldTest:
    """The Wald F test that every group's mean is the same (`degf`: the design's degrees of
    freedom over the n respondents of the base)."""
    m = np.asarray(estimates, dtype=float).reshape(-1)
    v = np.asarray(vcov, dtype=float)
    k = m.size
    if k < 2:
        raise NotComputable("bare én gruppe har svar")
    ddf = degf + 1 - k
    if ddf <= 0:
        raise NotComputable("for få svar til å teste forskjellen mellom gruppene")
    contrasts = np.zeros((k - 1, k))
    contrasts[:, 0] = 1.0
    contrasts[np.arange(k - 1), np.arange(1, k)] = -1.0
    difference = contrasts @ m
    variance = contrasts @ v @ contrasts.T
    scale = float(np.abs(np.diag(variance)).max())
    if not np.all(np.isfinite(variance)) or scale <= _TINY * max(1.0, float(np.abs(m).max()) ** 2):
        raise NotComputable("svarene varierer ikke innenfor gruppene")
    try:
        wald = float(difference @ np.linalg.solve(variance, difference))
    except np.linalg.LinAlgError:
        raise NotComputable("svarene varierer ikke innenfor gruppene") from None
    f = wald / (k - 1)
    p_value = float(stats.f.sf(f, k - 1, ddf))
    if not (np.isfinite(f) and np.isfinite(p_value)):
        raise NotComputable("svarene varierer ikke innenfor gruppene")
    return WaldTest(tuple(groups), n, f, float(k - 1), float(ddf), p_value)
