"""Domain shares, their SEs and CIs, and the covariance of cell shares, from sums, for `ids = ~1`.

Why: the per-cell reference (`proportions.proportion`, `Design.means`) walks every respondent for
every cell, which takes minutes at a million respondents. For `svydesign(ids = ~1, weights = ~w)`
(no strata, clusters, fpc or calibration) survey's `svyrecvar` reduces to sums, so all cells can
be computed at once from `cell_sums`. The reference stays the definition; tests hold the two
equal to 1e-12.

Derivation. A domain D of a design of n units (the whole design, as `svyby` and `subset()`
estimate domains) has share p = Y / W with W = sum_D w and Y = sum_D w y. Its influence values
are z_i = w_i (y_i - p) / W inside D and 0 outside; they sum to 0, and every unit is its own PSU
in one stratum, so svyrecvar's V = n / (n - 1) * sum_i (z_i - mean z)^2 is

    V = n / (n - 1) * (S2y (1 - p)^2 + (S2 - S2y) p^2) / W^2

with S2 = sum_D w^2 and S2y = sum_D w^2 y (y is 0 or 1). R's degf() of the domain is its number
of units minus 1. For the vector of shares p_c = W_c / W of the cells c of a table over all n
units, z_i = w_i (e_c(i) - p) / W, and

    V = n / (n - 1) / W^2 * (diag(s) - s p' - p s' + S2 p p'),  s_c = sum_c w^2.

Disjoint domains (the groups of a breakdown) have zero covariance.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import stats

from ..errors import DesignError
from .proportions import HUGE_N_EFF, METHODS, Method

FloatArray = NDArray[np.float64]


def _array(x: ArrayLike) -> FloatArray:
    return np.asarray(x, dtype=float)


def share_and_se(n_design: ArrayLike, sw: ArrayLike, sw2: ArrayLike, sw_y: ArrayLike,
                 sw2_y: ArrayLike) -> tuple[FloatArray, FloatArray]:
    """Share p = sum w y / sum w of each domain and its linearised SE on a design of n units."""
    n, w, w2, wy, w2y = _array(n_design), _array(sw), _array(sw2), _array(sw_y), _array(sw2_y)
    p = wy / w
    # A sum of squares; with weights, w2 - w2y of a share of 100 % can come out a hair below 0
    # by rounding, where R's residuals are all exactly 0 and its SE is 0.
    total = np.maximum(w2y * (1 - p) ** 2 + (w2 - w2y) * p**2, 0.0)
    return p, np.sqrt(n / (n - 1) * total / w**2)


def cell_shares_vcov(n_design: int, sw: ArrayLike, sw2: ArrayLike) -> tuple[FloatArray, FloatArray]:
    """Shares of the cells of a table over all units, and their (k, k) covariance."""
    w, s = _array(sw), _array(sw2)
    total = w.sum()
    p = w / total
    outer = s[:, None] * p[None, :]
    v = np.diag(s) - outer - outer.T + s.sum() * np.outer(p, p)
    return p, n_design / (n_design - 1) * v / total**2


def intervals(p: ArrayLike, se: ArrayLike, df: ArrayLike, n_units: ArrayLike,
              method: Method = "logit", level: float = 0.95) -> tuple[FloatArray, FloatArray]:
    """svyciprop's interval for each share, element-wise as `proportions._interval` (the
    reference, with its edge cases) for an uncalibrated design, where R's nrow() of a domain
    is its number of units."""
    if method not in METHODS:
        raise DesignError(f"Unknown interval method '{method}'; use one of {list(METHODS)}.")
    if not 0 < level < 1:
        raise DesignError(f"The confidence level must lie between 0 and 1; got {level}.")
    p, se, df, n_units = _array(p), _array(se), _array(df), _array(n_units)
    alpha = 1 - level
    low, high = np.full(p.shape, np.nan), np.full(p.shape, np.nan)
    ok = df > 0
    t = np.full(p.shape, np.nan)
    t[ok] = stats.t.ppf(1 - alpha / 2, df[ok])
    if method == "logit":
        edge = ok & ((p == 0) | (p == 1))
        low[edge] = high[edge] = p[edge]
        inner = ok & ~edge
        q = p[inner]
        centre = np.log(q / (1 - q))
        half = t[inner] * se[inner] / (q * (1 - q))
        with np.errstate(over="ignore"):  # exp overflows to inf: the bound is then 0
            low[inner] = 1 / (1 + np.exp(-(centre - half)))
            high[inner] = 1 / (1 + np.exp(-(centre + half)))
        return low, high
    if method == "beta":
        return _beta(p, se, df, n_units, ok & (se != 0) & (n_units > 1), alpha, low, high)
    with np.errstate(divide="ignore", invalid="ignore"):
        n_eff = np.where(se > 0, p * (1 - p) / se**2, n_units)
    t2n = t * t / n_eff
    centre = (p + t2n / 2) / (1 + t2n)
    half = t * np.sqrt(p * (1 - p) / n_eff + t2n / (4 * n_eff)) / (1 + t2n)
    low[ok] = np.maximum(centre - half, 0.0)[ok]
    high[ok] = np.minimum(centre + half, 1.0)[ok]
    return low, high


def _beta(p: FloatArray, se: FloatArray, df: FloatArray, n_units: FloatArray, ok: NDArray[np.bool_],
          alpha: float, low: FloatArray, high: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Korn–Graubard: Clopper–Pearson with the effective sample size, df-corrected."""
    q, s = p[ok], se[ok]
    n_eff = q * (1 - q) / s**2
    n_eff = n_eff * (stats.t.ppf(alpha / 2, n_units[ok] - 1) / stats.t.ppf(alpha / 2, df[ok])) ** 2
    huge = n_eff > HUGE_N_EFF
    lo, hi = np.empty(q.shape), np.empty(q.shape)
    # SciPy's beta quantiles fail there; the normal interval equals it far below 1e-9.
    half = stats.norm.ppf(1 - alpha / 2) * np.sqrt(q[huge] * (1 - q[huge]) / n_eff[huge])
    lo[huge], hi[huge] = q[huge] - half, q[huge] + half
    rest, m = ~huge, n_eff[~huge]
    lo[rest] = stats.beta.ppf(alpha / 2, m * q[rest], m * (1 - q[rest]) + 1)
    hi[rest] = stats.beta.ppf(1 - alpha / 2, m * q[rest] + 1, m * (1 - q[rest]))
    low[ok], high[ok] = lo, hi
    return low, high
