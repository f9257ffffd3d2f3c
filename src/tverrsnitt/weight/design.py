"""A survey design and its linearisation variance, computed as R's survey package computes it.

`Design` plays the part of `svydesign(ids = ~1 | ~cluster, strata = ~s, weights = ~w, fpc = ~f)`
(one-stage, clusters nested in strata as with `nest = TRUE`). Estimates are means and totals of
per-respondent values; their variance is `survey:::svyrecvar`: influence values are first
residualised by any calibration (raking) steps, then summed to cluster totals within strata, and

    V = sum_h (1 - f_h) * n_h / (n_h - 1) * sum_i (t_hi - mean_h t)^2

where n_h is the number of PSUs in stratum h of the *full* design and f_h = n_h / N_h.

Domains (an item's base, a breakdown group) are estimated on the full design, as `svyby` and
`subset()` do: a unit outside the domain contributes zero influence but its PSU still counts in
n_h. R's `degf()` of a domain is *not* the full design's: it counts only PSUs and strata with a
unit in the domain (`weights != 0`), so `degf(domain)` takes the domain too.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ..errors import DesignError

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.intp]
BoolArray = NDArray[np.bool_]

# svyrecvar treats a stratum as sampled with certainty (no variance) when 1 - f < 1e-7.
_CERTAINTY = 1e-7
# svyrecvar repeats the raking residualisation this many times (a fixed count, not a tolerance).
_RAKING_SWEEPS = 10


@dataclass(frozen=True, eq=False)
class PostStratumStep:
    """One `postStratify` step of a rake: categories and the weights just after the step."""

    categories: IntArray
    weights: FloatArray


@dataclass(frozen=True, eq=False)
class Raking:
    """The post-stratification steps of the last sweep of a rake, in margin order."""

    steps: tuple[PostStratumStep, ...]

    def residualise(self, z: FloatArray) -> FloatArray:
        """Remove each margin's category means from influence values, as svyrecvar does for rakes."""
        for _ in range(_RAKING_SWEEPS):
            for step in self.steps:
                # x <- x - psw * ave(x / psw, margin): ave is the plain (unweighted) category mean.
                scaled = z / step.weights[:, None]
                counts = np.bincount(step.categories).astype(float)
                sums = np.stack(
                    [np.bincount(step.categories, weights=scaled[:, j], minlength=counts.size)
                     for j in range(z.shape[1])], axis=1)
                means = sums / np.where(counts > 0, counts, 1.0)[:, None]
                z = z - step.weights[:, None] * means[step.categories]
        return z


@dataclass(frozen=True, eq=False)
class Estimates:
    """Point estimates (k,) with their variance-covariance matrix (k, k)."""

    estimate: FloatArray
    vcov: FloatArray

    @property
    def se(self) -> FloatArray:
        """Standard errors: square roots of the variances."""
        return np.sqrt(np.diag(self.vcov))


@dataclass(frozen=True, eq=False)
class Design:
    """Weights, strata, one-stage clusters and fpc of a sample, ready for estimation.

    Build it with `Design.create`; the fields hold the encoded form.
    """

    weights: FloatArray
    strata: IntArray
    psu: IntArray
    # Population number of PSUs per unit's stratum (inf when there is no fpc).
    popsize: FloatArray
    calibrations: tuple[Raking, ...] = field(default=())

    @classmethod
    def create(cls, weights: ArrayLike, *, clusters: ArrayLike | None = None,
               strata: ArrayLike | None = None, fpc: ArrayLike | None = None) -> Design:
        """A design like `svydesign(ids=, strata=, weights=, fpc=)`; fpc is N_h or a fraction."""
        w = np.asarray(weights, dtype=float)
        n = w.size
        if w.ndim != 1 or n == 0:
            raise DesignError("weights must be a non-empty one-dimensional array.")
        if not np.all(np.isfinite(w)) or np.any(w < 0):
            raise DesignError("weights must be finite and non-negative; found "
                              f"{_first_bad(w, ~np.isfinite(w) | (w < 0))}.")
        stratum_codes = _codes(strata, n, "strata") if strata is not None else np.zeros(n, np.intp)
        if clusters is None:
            psu_codes = np.arange(n, dtype=np.intp)
        else:
            # nest = TRUE: a cluster id is only an id within its stratum.
            cluster_codes = _codes(clusters, n, "clusters")
            pairs = stratum_codes.astype(np.int64) * (int(cluster_codes.max()) + 1) + cluster_codes
            psu_codes = np.unique(pairs, return_inverse=True)[1].astype(np.intp)
        popsize = np.full(n, np.inf)
        if fpc is not None:
            popsize = _popsize(np.asarray(fpc, dtype=float), stratum_codes, psu_codes)
        return cls(w, stratum_codes, psu_codes, popsize)

    @property
    def n(self) -> int:
        """Number of sampled units (rows)."""
        return int(self.weights.size)

    @property
    def is_calibrated(self) -> bool:
        """True after raking: R then keeps every row in subsets (weights set to zero)."""
        return bool(self.calibrations)

    def with_weights(self, weights: ArrayLike) -> Design:
        """The same design with other weights (calibration steps kept, as R's trimWeights does)."""
        return replace(self, weights=np.asarray(weights, dtype=float))

    def degf(self, domain: ArrayLike | None = None) -> int:
        """Design degrees of freedom, `degf()`: PSUs minus strata among units in the domain."""
        inset = self.weights != 0
        if domain is not None:
            inset = inset & _mask(domain, self.n)
        return int(np.unique(self.psu[inset]).size - np.unique(self.strata[inset]).size)

    def means(self, y: ArrayLike, domains: ArrayLike | None = None) -> Estimates:
        """Weighted means of the columns of y (n, k), each within its domain, as `svymean`.

        Values outside a column's domain are ignored (they may be NaN). A domain mean is the
        ratio sum(w y) / sum(w) over the domain, linearised on the full design.
        """
        values, inside = self._columns(y, domains)
        wd = self.weights[:, None] * inside
        total_w = wd.sum(axis=0)
        if np.any(total_w <= 0):
            raise DesignError("A domain has no units with positive weight; its mean is undefined.")
        filled = np.where(inside, values, 0.0)
        mean = (wd * filled).sum(axis=0) / total_w
        z = wd * (filled - mean) / total_w
        return Estimates(mean, self.vcov_of(z, inside))

    def totals(self, y: ArrayLike, domains: ArrayLike | None = None) -> Estimates:
        """Weighted totals of the columns of y (n, k), each within its domain, as `svytotal`."""
        values, inside = self._columns(y, domains)
        z = self.weights[:, None] * np.where(inside, values, 0.0)
        return Estimates(z.sum(axis=0), self.vcov_of(z, inside))

    def vcov_of(self, z: FloatArray, inside: BoolArray | None = None) -> FloatArray:
        """svyrecvar: the (k, k) variance of the totals of influence values z (n, k)."""
        z = np.asarray(z, dtype=float)
        for calibration in self.calibrations:
            z = calibration.residualise(z)
        k = z.shape[1]
        vcov = np.zeros((k, k))
        # A stratum enters only when R would see it: every row after raking, else rows in a domain.
        present = np.ones(self.n, bool) if (inside is None or self.is_calibrated) else inside.any(axis=1)
        for h in np.unique(self.strata[present]):
            rows = self.strata == h
            psus, local = np.unique(self.psu[rows], return_inverse=True)
            n_h = psus.size
            big_n = self.popsize[rows][0]
            f = 1.0 if np.isinf(big_n) else (big_n - n_h) / big_n
            if f < _CERTAINTY:
                continue
            if n_h == 1:
                raise DesignError(f"Stratum {int(h) + 1} has only one PSU; its variance cannot be "
                                  "estimated (R's survey.lonely.psu = 'fail').")
            totals = np.stack([np.bincount(local, weights=z[rows, j], minlength=n_h)
                               for j in range(k)], axis=1)
            dev = totals - totals.mean(axis=0)
            vcov += f * n_h / (n_h - 1) * (dev.T @ dev)
        return vcov

    def _columns(self, y: ArrayLike, domains: ArrayLike | None) -> tuple[FloatArray, BoolArray]:
        values = np.asarray(y, dtype=float)
        if values.ndim == 1:
            values = values[:, None]
        if values.ndim != 2 or values.shape[0] != self.n:
            raise DesignError(f"Values must have {self.n} rows (one per unit); got shape {values.shape}.")
        if domains is None:
            inside = np.ones(values.shape, bool)
        else:
            inside = np.asarray(domains, dtype=bool)
            if inside.ndim == 1:
                inside = inside[:, None]
            inside = np.broadcast_to(inside, values.shape)
        if np.any(inside & ~np.isfinite(values)):
            raise DesignError("A value inside its domain is missing; pass only valid units in the "
                              "domain (the item's base).")
        return values, inside


def _mask(domain: ArrayLike, n: int) -> BoolArray:
    mask = np.asarray(domain, dtype=bool)
    if mask.shape != (n,):
        raise DesignError(f"A domain must be a boolean array of length {n}; got shape {mask.shape}.")
    return mask


def _codes(labels: ArrayLike, n: int, name: str) -> IntArray:
    array = np.asarray(labels)
    if array.shape != (n,):
        raise DesignError(f"{name} must have one entry per unit ({n}); got shape {array.shape}.")
    return np.unique(array, return_inverse=True)[1].astype(np.intp)


def _first_bad(values: FloatArray, bad: BoolArray) -> str:
    i = int(np.argmax(bad))
    return f"{values[i]!r} at row {i}"


def _popsize(fpc: FloatArray, strata: IntArray, psu: IntArray) -> FloatArray:
    """as.fpc: all fpc > 1 are population sizes N_h; all <= 1 are sampling fractions n_h / N_h."""
    if fpc.shape != strata.shape or not np.all(np.isfinite(fpc)) or np.any(fpc <= 0):
        raise DesignError("fpc must be one positive number per unit.")
    n_psu = np.zeros(strata.size)
    for h in np.unique(strata):
        rows = strata == h
        n_psu[rows] = np.unique(psu[rows]).size
        if np.unique(fpc[rows]).size > 1:
            raise DesignError(f"fpc varies within stratum {int(h) + 1}; it must be one value per stratum.")
    is_popsize = bool(np.any(fpc > 1))
    if is_popsize != bool(np.all(fpc >= 1)):
        raise DesignError("fpc must be all population sizes (>= 1) or all sampling fractions (<= 1), "
                          "and not all equal to 1.")
    popsize = fpc if is_popsize else n_psu / fpc
    if np.any(popsize < n_psu):
        raise DesignError("fpc implies more than 100 % sampling in some stratum.")
    return popsize
