"""Design-adjusted test of independence in a two-way table: Rao–Scott, as R's `svychisq`.

Used to say whether an item's answers differ between the groups of a breakdown when the answers
are weighted (and possibly clustered), where Pearson's X² would be too liberal. The numbers are
those of `survey::svychisq(~item + group, design, statistic = "F")` (the default, second-order
corrected F) and `statistic = "Chisq"` (first-order corrected chi-square), survey 4.1; see
`r/tests_crosscheck.R` and `tests/test_group_tests.py`.

The covariance of the cell proportions is the design's linearised one (`weight.Design.means`).
For `svydesign(ids = ~1, weights = ~w)` it has a closed form in sum(w) and sum(w²) per cell
(`closed_form.cell_shares_vcov`); `rao_scott_from_sums` uses it so that the report's tests need no
pass over the respondents per test (equal to `rao_scott` to 1e-12, tests/test_group_tests.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ..errors import NotComputable, UsageError
from ..weight.design import Design
from .closed_form import cell_shares_vcov

Matrix = NDArray[np.float64]
# A design-effect trace below this is zero up to rounding (see rao_scott_statistics).
_TINY = 1e-9


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


def positive_weights(weights: ArrayLike | None, n: int) -> Matrix:
    """The weights as floats (all 1 when none are given), refusing zero or negative ones."""
    w = np.ones(n) if weights is None else np.asarray(weights, dtype=float)
    if w.shape != (n,):
        raise UsageError(f"'weights' needs one value per respondent ({n}).")
    if not np.all(np.isfinite(w) & (w > 0)):
        raise UsageError("Weights must be positive numbers; found "
                         f"{w[~(np.isfinite(w) & (w > 0))][:5].tolist()}.")
    return w


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
    design = Design.create(positive_weights(weights, n), clusters=clusters, strata=strata,
                           fpc=fpc)
    cell_means = design.means(indicators)
    return rao_scott_statistics(cell_means.estimate, cell_means.vcov, n, design.degf(),
                      tuple(row_labels.tolist()), tuple(col_labels.tolist()))


def rao_scott_from_sums(sw: ArrayLike, sw2: ArrayLike, n: int, rows: Sequence[Any],
                        columns: Sequence[Any]) -> RaoScott:
    """`rao_scott` for `ids = ~1` from the table of sum(w) and sum(w²) per cell (rows x columns)
    over the n respondents of the base: the same numbers without a pass over the respondents.

    Empty rows or columns must be left out first, as `rao_scott` only sees categories present.
    """
    w, w2 = np.asarray(sw, dtype=float), np.asarray(sw2, dtype=float)
    nr, nc = len(rows), len(columns)
    if w.shape != (nr, nc) or w2.shape != (nr, nc) or nr < 2 or nc < 2:
        raise UsageError(f"A test of independence needs a table of at least 2 x 2 sums matching "
                         f"its {nr} rows and {nc} columns; got shape {w.shape}.")
    # Cells ordered rows fastest, as in rao_scott.
    p, v = cell_shares_vcov(n, w.T.reshape(-1), w2.T.reshape(-1))
    return rao_scott_statistics(p, v, n, n - 1, tuple(rows), tuple(columns))


def rao_scott_statistics(p: Matrix, v: Matrix, n: int, nu: int, rows: tuple[Any, ...],
                        columns: tuple[Any, ...]) -> RaoScott:
    """The statistics from the cell shares p (rows fastest), their covariance v, the number of
    respondents n and the design's degrees of freedom nu."""
    from scipy import stats  # heavy; only needed here

    nr, nc = len(rows), len(columns)
    # Pearson's X² of the weighted table scaled to the sample size, as chisq.test(svytable(...,
    # Ntotal = N)).
    observed = n * p.reshape(nc, nr).T
    expected = np.outer(observed.sum(axis=1), observed.sum(axis=0)) / n
    pearson = float(((observed - expected) ** 2 / expected).sum())

    # Design-effect matrix Delta = (C' D^-1 C / N)^-1 C' D^-1 V D^-1 C; empty cells get 0 in
    # D^-1, as in svychisq.
    if nu <= 0:
        raise NotComputable("for få svar til å teste forskjellen mellom gruppene")
    cmat = _interaction_contrasts(nr, nc)
    inv_p = np.divide(1.0, p, out=np.zeros_like(p), where=p != 0)
    scaled = inv_p[:, None] * cmat
    try:
        # R's svychisq stops here ("system is exactly singular") when too many cells are
        # empty for the interaction to be estimated.
        delta = np.linalg.solve(cmat.T @ scaled / n, scaled.T @ v @ scaled)
    except np.linalg.LinAlgError:
        raise NotComputable("for mange tomme celler i tabellen til at forskjellen kan "
                            "testes") from None
    trace = float(np.trace(delta))
    if not np.isfinite(trace) or trace <= _TINY:
        # Every group answered one category only: the interaction has no sampling variance,
        # and R prints an F of 1e30 or so from rounding noise; that is no test.
        raise NotComputable("hver gruppe har bare ett svaralternativ, så forskjellen kan ikke "
                            "testes")
    d0 = trace**2 / float(np.trace(delta @ delta))
    df = (nr - 1) * (nc - 1)

    f = pearson / trace
    chisq = pearson / (trace / df)
    p_value = float(stats.f.sf(f, d0, d0 * nu))
    if not all(np.isfinite((f, d0, p_value))):
        # R's pf() returns NaN here too: no test, said as such rather than 'p = NaN'.
        raise NotComputable("for få svar til å teste forskjellen mellom gruppene")
    return RaoScott(
        rows=rows, columns=columns, n=n, nu=nu,
        pearson=pearson, mean_deff=trace / df,
        f=f, ndf=d0, ddf=d0 * nu, p_value=p_value,
        chisq=chisq, df=df, p_chisq=float(stats.chi2.sf(chisq, df)),
    )


def saddlepoint_tail(x: float, weights: ArrayLike, counts: ArrayLike) -> float | None:
    """P(Σ weights_i χ²_1 > x), each weight repeated `counts` times, by the saddlepoint
    approximation of R survey's `saddle` (None where R gives NA: the root is too near 0)."""
    from scipy import optimize, stats

    lam = np.asarray(weights, dtype=float)
    rep = np.asarray(counts, dtype=float)
    scale = float(lam.max())
    lam, x = lam / scale, x / scale

    def k0(z: float) -> float:
        return float(-(rep * np.log(1 - 2 * z * lam)).sum() / 2)

    def k1(z: float) -> float:
        return float((rep * lam / (1 - 2 * z * lam)).sum())

    def k2(z: float) -> float:
        return float(2 * (rep * lam ** 2 / (1 - 2 * z * lam) ** 2).sum())

    if (lam < 0).any():
        low = float((1 / (2 * lam[lam < 0])).max()) * 0.99999
    elif x > float((rep * lam).sum()):
        low = -0.01
    else:
        low = -float(rep.sum()) / (2 * x)
    high = float((1 / (2 * lam[lam > 0])).min()) * 0.99999
    try:
        zeta = optimize.brentq(lambda z: k1(z) - x, low, high, xtol=1e-15, rtol=1e-15)
    except ValueError:  # no sign change in the bracket: R's uniroot stops; fall back
        return None
    if abs(zeta) < 1e-4:
        return None
    w = float(np.sign(zeta) * np.sqrt(2 * (zeta * x - k0(zeta))))
    v = zeta * np.sqrt(k2(zeta))
    return float(stats.norm.sf(w + np.log(v / w) / w))


def lrt_p_value(chisq: float, misspec: ArrayLike, ddf: float) -> float:
    """The p-value of a Rao–Scott working likelihood ratio test as R survey's regTermTest(...,
    method = "LRT") gives it: `pFsum` by saddlepoint (Satterthwaite's F where R's saddle is
    NA), the statistic's weights being the design-effect eigenvalues `misspec`."""
    from scipy import stats

    a = np.asarray(misspec, dtype=float)
    if not chisq > 0:
        return 1.0  # the models fit alike: no evidence against the smaller one
    tr = float(a.mean())
    tr2 = float((a ** 2).mean()) / tr ** 2
    p = float(stats.f.sf(chisq / (a.size / tr2) / (tr * tr2), a.size / tr2, ddf))
    exact = saddlepoint_tail(0.0, np.append(a, -chisq / ddf), np.append(np.ones(a.size), ddf))
    return p if exact is None else exact
