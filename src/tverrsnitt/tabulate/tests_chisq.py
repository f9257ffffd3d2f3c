"""Design-adjusted test of independence in a two-way table: Rao–Scott, as R's `svychisq`.

Used to say whether an item's answers differ between the groups of a breakdown when the answers
are weighted (and possibly clustered), where Pearson's X² would be too liberal. The numbers are
those of `survey::svychisq(~item + group, design, statistic = "F")` (the default, second-order
corrected F) and `statistic = "Chisq"` (first-order corrected chi-square), survey 4.1; see
`r/tests_crosscheck.R` and `tests/test_group_tests.py`.

The module also holds the small with-replacement linearisation both tests need
(`linearised_ratios`). It is a stand-in for `tverrsnitt.weight.design.Design.means` and goes
when that lands.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ..errors import UsageError

Matrix = NDArray[np.float64]


# ---- interim linearisation (replace by weight.design.Design.means) ---------------------------


@dataclass(frozen=True)
class _Stage:
    """One-stage design facts per respondent: PSU index, stratum index, sampling fraction."""

    psu: NDArray[np.intp]
    stratum: NDArray[np.intp]
    fraction: Matrix  # per stratum
    n_psu: NDArray[np.intp]  # per stratum


def _codes(values: ArrayLike | None, n: int, what: str) -> NDArray[np.intp]:
    """Integer codes 0..k-1 for the distinct values; everyone in one group when None."""
    if values is None:
        return np.zeros(n, dtype=np.intp)
    arr = np.asarray(values)
    if arr.shape != (n,):
        raise UsageError(f"'{what}' has {arr.shape[0] if arr.ndim else 0} values; expected {n}, "
                         f"one per respondent.")
    return np.unique(arr, return_inverse=True)[1].astype(np.intp).reshape(n)


def _stage(n: int, clusters: ArrayLike | None, strata: ArrayLike | None,
           fpc: ArrayLike | None) -> _Stage:
    """The first sampling stage as svydesign(ids, strata, fpc) describes it."""
    stratum = _codes(strata, n, "strata")
    # ids = ~1: every respondent is their own PSU. PSU ids are taken within strata, as
    # svydesign(nest = TRUE) does; with nest = FALSE survey requires them unique anyway.
    psu_ids = np.arange(n) if clusters is None else _codes(clusters, n, "clusters")
    pairs = np.stack([stratum, psu_ids], axis=1)
    psu = np.unique(pairs, axis=0, return_inverse=True)[1].astype(np.intp).reshape(n)
    n_strata = int(stratum.max()) + 1
    first = np.unique(psu, return_index=True)[1]
    n_psu = np.bincount(stratum[first], minlength=n_strata).astype(np.intp)
    fraction = np.zeros(n_strata)
    if fpc is not None:
        values = np.asarray(fpc, dtype=float)
        if values.shape != (n,):
            raise UsageError(f"'fpc' needs one value per respondent ({n}).")
        for h in range(n_strata):
            f = np.unique(values[stratum == h])
            if f.size != 1:
                raise UsageError(f"'fpc' must be constant within a stratum; found {f.tolist()}.")
            # As survey's as.fpc: values <= 1 are sampling fractions, larger ones population
            # counts of PSUs.
            fraction[h] = f[0] if f[0] <= 1 else n_psu[h] / f[0]
    return _Stage(psu, stratum, fraction, n_psu)


def _recvar(scores: Matrix, stage: _Stage) -> Matrix:
    """Covariance of the totals of `scores` under one-stage with-replacement sampling of PSUs,
    times the finite-population correction: survey's svyrecvar/onestrat for one stage."""
    k = scores.shape[1]
    totals = np.zeros((int(stage.psu.max()) + 1, k))
    np.add.at(totals, stage.psu, scores)
    psu_stratum = np.zeros(totals.shape[0], dtype=np.intp)
    psu_stratum[stage.psu] = stage.stratum
    vcov = np.zeros((k, k))
    for h, n_h in enumerate(stage.n_psu):
        if n_h < 2:
            # survey's default lonely.psu = "fail"; any other choice is a modelling decision.
            raise UsageError(f"Stratum {h + 1} has only one PSU; its variance cannot be "
                             "estimated.")
        t = totals[psu_stratum == h]
        t = t - t.mean(axis=0)
        vcov += (1.0 - stage.fraction[h]) * n_h / (n_h - 1) * (t.T @ t)
    return vcov


def category_labels(values: Sequence[Any] | ArrayLike, what: str) -> NDArray[Any]:
    """`values` as a 1-d array of category labels, refusing missing ones (the caller chose the
    base; a missing value here would silently become a category)."""
    arr = np.asarray(values)
    if arr.ndim != 1:
        raise UsageError(f"'{what}' must be one value per respondent; got shape {arr.shape}.")
    missing = [v is None or (isinstance(v, float) and np.isnan(v)) for v in arr.tolist()]
    if any(missing):
        raise UsageError(f"'{what}' has {sum(missing)} missing values; restrict the input to the "
                         "base (valid answers with a group) first.")
    return arr


def _positive_weights(weights: ArrayLike | None, n: int) -> Matrix:
    w = np.ones(n) if weights is None else np.asarray(weights, dtype=float)
    if w.shape != (n,):
        raise UsageError(f"'weights' needs one value per respondent ({n}).")
    if not np.all(np.isfinite(w) & (w > 0)):
        raise UsageError("Weights must be positive numbers; found "
                         f"{w[~(np.isfinite(w) & (w > 0))][:5].tolist()}.")
    return w


def linearised_ratios(numerators: ArrayLike, denominators: ArrayLike, weights: ArrayLike | None,
                      *, clusters: ArrayLike | None = None, strata: ArrayLike | None = None,
                      fpc: ArrayLike | None = None) -> tuple[Matrix, Matrix]:
    """Weighted ratios sum(w*y_k)/sum(w*d_k) and their linearised covariance, as svymean (d = 1)
    and svyby(..., covmat = TRUE) (d = domain indicator) compute them for a one-stage design.

    Stand-in for `weight.design.Design.means` (interim; see the module docstring).
    """
    y = np.asarray(numerators, dtype=float)
    d = np.asarray(denominators, dtype=float)
    if y.ndim != 2 or y.shape != d.shape:
        raise UsageError("numerators and denominators must be matrices of the same shape.")
    n = y.shape[0]
    w = _positive_weights(weights, n)
    wd = w @ d
    ratios = (w @ y) / wd
    scores = w[:, None] * (y - d * ratios) / wd
    return ratios, _recvar(scores, _stage(n, clusters, strata, fpc))


def residual_df(n: int, *, clusters: ArrayLike | None = None,
                strata: ArrayLike | None = None) -> int:
    """Design degrees of freedom, number of PSUs minus number of strata (survey's degf)."""
    stage = _stage(n, clusters, strata, None)
    return int(stage.n_psu.sum()) - len(stage.n_psu)


# ---- the test ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class RaoScott:
    """Rao–Scott tests of independence of rows (item categories) and columns (groups).

    `f`, `ndf`, `ddf`, `p_value`: second-order corrected F (svychisq's default "F").
    `chisq`, `df`, `p_chisq`: first-order corrected chi-square X²/mean_deff on (r-1)(c-1) df;
    note svychisq(statistic = "Chisq") prints the uncorrected X² (`pearson`) with this p-value.
    """

    rows: tuple[Any, ...]
    columns: tuple[Any, ...]
    n: int
    nu: int
    pearson: float
    mean_deff: float
    f: float
    ndf: float
    ddf: float
    p_value: float
    chisq: float
    df: int
    p_chisq: float


def _interaction_contrasts(nr: int, nc: int) -> Matrix:
    """svychisq's Cmat: the row x column interaction dummies (cells ordered rows fastest) made
    orthogonal to the main effects."""
    rows = np.tile(np.arange(nr), nc)
    cols = np.repeat(np.arange(nc), nr)
    main = np.column_stack([np.ones(nr * nc)]
                           + [(rows == i).astype(float) for i in range(1, nr)]
                           + [(cols == j).astype(float) for j in range(1, nc)])
    inter = np.column_stack([((rows == i) & (cols == j)).astype(float)
                             for j in range(1, nc) for i in range(1, nr)])
    coef, *_ = np.linalg.lstsq(main, inter, rcond=None)
    return inter - main @ coef


def rao_scott(item: Sequence[Any] | ArrayLike, group: Sequence[Any] | ArrayLike,
              weights: ArrayLike | None = None, *, clusters: ArrayLike | None = None,
              strata: ArrayLike | None = None, fpc: ArrayLike | None = None) -> RaoScott:
    """Test whether `item` and `group` are independent, design-adjusted as svychisq does.

    One value per respondent in the base: valid answers with a group (no missing values).
    Without `clusters` every respondent is a PSU (ids = ~1); `fpc` is the population size (or
    sampling fraction) of each respondent's stratum, as in svydesign.
    """
    from scipy import stats  # heavy; only needed here

    item_arr, group_arr = category_labels(item, "item"), category_labels(group, "group")
    n = item_arr.shape[0]
    if item_arr.shape != (n,) or group_arr.shape != (n,):
        raise UsageError(f"item and group need one value per respondent; got {item_arr.shape} "
                         f"and {group_arr.shape}.")
    row_labels, r = np.unique(item_arr, return_inverse=True)
    col_labels, c = np.unique(group_arr, return_inverse=True)
    nr, nc = len(row_labels), len(col_labels)
    if nr < 2 or nc < 2:
        raise UsageError(f"A test of independence needs at least two answer categories and two "
                         f"groups in the base; found {nr} and {nc}.")
    cells = r.reshape(n) + nr * c.reshape(n)
    indicators = np.zeros((n, nr * nc))
    indicators[np.arange(n), cells] = 1.0
    p, v = linearised_ratios(indicators, np.ones_like(indicators), weights,
                             clusters=clusters, strata=strata, fpc=fpc)
    nu = residual_df(n, clusters=clusters, strata=strata)

    # Pearson's X² of the weighted table scaled to the sample size, as chisq.test(svytable(...,
    # Ntotal = N)).
    observed = n * p.reshape(nc, nr).T
    expected = np.outer(observed.sum(axis=1), observed.sum(axis=0)) / n
    pearson = float(((observed - expected) ** 2 / expected).sum())

    # Design-effect matrix Delta = (C' D^-1 C / N)^-1 C' D^-1 V D^-1 C; empty cells get 0 in
    # D^-1, as in svychisq.
    cmat = _interaction_contrasts(nr, nc)
    inv_p = np.divide(1.0, p, out=np.zeros_like(p), where=p != 0)
    scaled = inv_p[:, None] * cmat
    delta = np.linalg.solve(cmat.T @ scaled / n, scaled.T @ v @ scaled)
    trace = float(np.trace(delta))
    d0 = trace**2 / float(np.trace(delta @ delta))
    df = (nr - 1) * (nc - 1)

    f = pearson / trace
    chisq = pearson / (trace / df)
    return RaoScott(
        rows=tuple(row_labels.tolist()), columns=tuple(col_labels.tolist()), n=n, nu=nu,
        pearson=pearson, mean_deff=trace / df,
        f=f, ndf=d0, ddf=d0 * nu, p_value=float(stats.f.sf(f, d0, d0 * nu)),
        chisq=chisq, df=df, p_chisq=float(stats.chi2.sf(chisq, df)),
    )
