"""Proportions with standard errors and confidence intervals, as R's `svyciprop` computes them.

`proportions_by(design, y, groups, base)` gives, per group, what
`svyby(~y, ~group, subset(design, base), svyciprop, vartype = c("se", "ci"), method = m)` gives:
the weighted share, its linearised SE and a confidence interval. Each group is a domain of the
full design (`Design.means`); its degrees of freedom are R's `degf()` of the group's subset,
i.e. PSUs minus strata among the group's units (n - 1 for a design without clusters or strata).

Methods:

- `logit` (svyciprop's default): Wald interval on the logit scale, expit(logit p +- t * se / (p(1-p)))
  with t on degf degrees of freedom. R fits it with `svyglm`, whose IRLS estimate differs from the
  exact ratio by less than 1e-12; the exact ratio is returned.
- `beta` (Korn-Graubard): Clopper-Pearson beta quantiles with the effective sample size
  n_eff = p(1-p)/se^2 scaled by (t_{n-1} / t_degf)^2, where n is R's `nrow(design)`: the group's
  units for an ordinary design, but *all* units of a raked design (R keeps every row of a
  calibrated design when subsetting).
- `wilson`: Wilson score interval with the design effect, n_eff = p(1-p)/se^2 and t on degf
  degrees of freedom in place of z (svyciprop has no such method; the R cross-check computes it
  by hand).

Edge cases, following R: with p = 0 or p = 1 the SE is 0. R's logit fit then does not converge and
returns an estimate and bounds within 1e-11 of p, so `logit` returns the interval [p, p]. `beta`
returns NaN bounds (R's n_eff is 0/0). For `wilson`, n_eff falls back to the group's number of
units, giving the ordinary Wilson interval [0, t^2/(n + t^2)] (or its mirror at p = 1). A group
with degf <= 0 (one PSU) gets NaN bounds from every method, as in R.

Shares are on the 0-1 scale; converting to percent is the caller's job.

These per-cell functions work for any design (strata, clusters, raking) and are the reference;
the report's tables use `closed_form`, the same numbers for `ids = ~1` from per-cell sums.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike
from scipy import stats

from ..errors import DesignError
from ..study import layout
from ..study.statistics import CI_METHODS, CiMethod
from ..weight.design import Design

Method = CiMethod
METHODS = CI_METHODS
TOTAL = layout.TOTAL
# An effective sample size beyond which a beta interval is narrower than any printed digit
# (this happens for a share fixed by raking, whose SE is ~1e-10).
HUGE_N_EFF = 1e14


@dataclass(frozen=True)
class Proportion:
    """One group's weighted share (0-1) with its SE and confidence interval."""

    group: str
    estimate: float
    se: float
    ci_low: float
    ci_high: float
    method: Method
    level: float
    df: int
    count: int
    base: int
    weighted_count: float
    weighted_base: float


def proportion(design: Design, y: ArrayLike, base: ArrayLike | None = None, *,
               method: Method = "logit", level: float = 0.95, group: str = TOTAL) -> Proportion:
    """The share of units with y true among the base, as `svyciprop(~y, subset(design, base))`."""
    inside = _base(design, base)
    return _one(design, _flags(y, design.n), inside, method, level, group)


def proportions_by(design: Design, y: ArrayLike, groups: Sequence[str | None],
                   base: ArrayLike | None = None, *, method: Method = "logit", level: float = 0.95,
                   order: Sequence[str] | None = None) -> tuple[Proportion, ...]:
    """One `Proportion` per group (units with group None belong to none), in `order` if given.

    Groups without a unit in the base are left out, as svyby drops empty groups.
    """
    inside = _base(design, base)
    flags = _flags(y, design.n)
    labels = np.asarray(groups, dtype=object)
    if labels.shape != (design.n,):
        raise DesignError(f"groups must give one label (or None) per unit ({design.n}); "
                          f"got {labels.size}.")
    present = [g for g in dict.fromkeys(labels[inside]) if g is not None]
    if order is None:
        ordered = sorted(present)
    else:
        unknown = [g for g in present if g not in order]
        if unknown:
            raise DesignError(f"Groups {unknown} are not in the given order {list(order)}.")
        ordered = [g for g in order if g in present]
    return tuple(_one(design, flags, inside & (labels == g), method, level, str(g)) for g in ordered)


def _base(design: Design, base: ArrayLike | None) -> np.ndarray:
    return np.ones(design.n, bool) if base is None else _flags(base, design.n)


def _flags(values: ArrayLike, n: int) -> np.ndarray:
    array = np.asarray(values)
    if array.shape != (n,):
        raise DesignError(f"Expected one value per unit ({n}); got shape {array.shape}.")
    if array.dtype != bool:
        raise DesignError("Expected a boolean array (True/False per unit).")
    return array


def _one(design: Design, y: np.ndarray, domain: np.ndarray, method: Method, level: float,
         group: str) -> Proportion:
    if method not in METHODS:
        raise DesignError(f"Unknown interval method '{method}'; use one of {list(METHODS)}.")
    if not 0 < level < 1:
        raise DesignError(f"The confidence level must lie between 0 and 1; got {level}.")
    est = design.means(y.astype(float), domain)
    p = float(est.estimate[0])
    se = float(est.se[0])
    df = design.degf(domain)
    n_units = int(domain.sum())
    # R's nrow(design) for a subset: a calibrated design keeps every row.
    n_rows = design.n if design.is_calibrated else n_units
    low, high = _interval(p, se, df, n_units, n_rows, method, level)
    w = design.weights
    return Proportion(group=group, estimate=p, se=se, ci_low=low, ci_high=high, method=method,
                      level=level, df=df, count=int((domain & y).sum()), base=n_units,
                      weighted_count=float(w[domain & y].sum()), weighted_base=float(w[domain].sum()))


def _interval(p: float, se: float, df: int, n_units: int, n_rows: int, method: Method,
              level: float) -> tuple[float, float]:
    alpha = 1 - level
    if df <= 0:
        return float("nan"), float("nan")
    t = float(stats.t.ppf(1 - alpha / 2, df))
    if method == "logit":
        if p in (0.0, 1.0):
            return p, p
        centre = np.log(p / (1 - p))
        half = t * se / (p * (1 - p))
        return float(_expit(centre - half)), float(_expit(centre + half))
    if method == "beta":
        if se == 0:
            return float("nan"), float("nan")
        n_eff = p * (1 - p) / se**2
        if n_rows > 1:
            n_eff *= (stats.t.ppf(alpha / 2, n_rows - 1) / stats.t.ppf(alpha / 2, df)) ** 2
        else:
            return float("nan"), float("nan")
        if n_eff > HUGE_N_EFF:
            # SciPy's beta quantiles return NaN here (R's qbeta does not); the interval is then
            # narrower than 1e-9 and equal to the normal one to that precision.
            half = float(stats.norm.ppf(1 - alpha / 2)) * np.sqrt(p * (1 - p) / n_eff)
            return p - half, p + half
        low = stats.beta.ppf(alpha / 2, n_eff * p, n_eff * (1 - p) + 1)
        high = stats.beta.ppf(1 - alpha / 2, n_eff * p + 1, n_eff * (1 - p))
        return float(low), float(high)
    n_eff = p * (1 - p) / se**2 if se > 0 else float(n_units)
    t2n = t * t / n_eff
    centre = (p + t2n / 2) / (1 + t2n)
    half = t * np.sqrt(p * (1 - p) / n_eff + t2n / (4 * n_eff)) / (1 + t2n)
    return float(max(centre - half, 0.0)), float(min(centre + half, 1.0))


def _expit(x: float) -> float:
    with np.errstate(over="ignore"):  # exp overflows to inf: the share is then 0
        return float(1 / (1 + np.exp(-x)))
