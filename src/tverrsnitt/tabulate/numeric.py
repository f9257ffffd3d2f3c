"""Statistics of numbers by group: means, medians, quartiles, totals and net scores, each with
its standard error and 95 % confidence interval, as R's survey package computes them.

For each group of a breakdown (a domain of the design over all analysed respondents, as
`svyby(~x, ~group, subset(design, base), FUN)` estimates it):

- `mean`: `svymean`; the interval is mean ± t(df) · SE with df = R's `degf()` of the group
  (its respondents minus 1), as `confint(svymean(...), df = degf(...))`.
- `sum`: `svytotal`, the same interval.
- `net`: the mean of +100 (a plus answer), -100 (a minus answer) and 0 (the rest): the share
  of plus minus the share of minus, in points, with the SE of that difference
  (`svycontrast(svymean(~plus + minus), c(1, -1))`).
- `median`, `q1`, `q3`: `svyquantile(..., qrule = "math", interval.type = "mean")`, survey's
  defaults: the quantile is the smallest answer whose weighted cumulative share reaches p, and
  the interval is Woodruff's: a confidence interval for the share at or below the quantile,
  mapped back through the same rule. Its SE is the interval's width / (2 t). Where R's interval
  leaves [0, 1] it has no bound (NaN), and so have we.

A value R reports as NaN or NA (one respondent: no degrees of freedom; a share interval outside
[0, 1]) is left empty, with the reason in `NumberEstimate.note`. Shares are in `uncertainty`.
Every number here is cross-checked against R in `r/numbers_crosscheck.R`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import polars as pl
from numpy.typing import NDArray
from scipy import stats

from ..clean import AnalysisData, frame_weights
from ..clean.expressions import base_expr, numeric_expr
from ..study import layout
from ..study.model import Figure, Study
from ..study.statistics import STATISTICS, is_numeric_statistic
from ..weight import Design
from .tables import TableRow

FloatArray = NDArray[np.float64]
LEVEL = 0.95
QUANTILES = {"q1": 0.25, "median": 0.5, "q3": 0.75}
NET_POINTS = 100.0

NO_DF = "bare én respondent i gruppen: ingen frihetsgrader til å anslå usikkerheten"
NO_BOUND = ("intervallet for andelen under kvantilen går utenfor 0–1, så grensen er ikke "
            "definert (som i R)")


@dataclass(frozen=True)
class NumberEstimate:
    """One group's statistic with its SE and interval (NaN where R has none, and why)."""

    group: str
    category: str
    estimate: float
    se: float
    ci_low: float
    ci_high: float
    n: int
    weighted_base: float
    df: int
    unweighted_mean: float
    note: str | None = None


@dataclass(frozen=True, eq=False)
class Domains:
    """An item's values in its base, and which group each respondent of the design is in."""

    x: FloatArray  # one value per respondent of the design (0 outside the base)
    w: FloatArray
    base: NDArray[np.bool_]
    codes: NDArray[np.intp]  # group index, -1 for no group
    groups: tuple[str, ...]
    design: Design | None  # a calibrated design (raking), else None: ids = ~1 closed forms

    @property
    def n(self) -> int:
        """Respondents in the design (svyrecvar's number of PSUs)."""
        return int(self.x.size)

    def masks(self, with_total: bool) -> Iterator[tuple[str, NDArray[np.bool_]]]:
        """Each group with a respondent in the base (svyby drops empty groups), then Totalt:
        everyone in the base with a group."""
        for index, group in enumerate(self.groups):
            mask = self.base & (self.codes == index)
            if mask.any():
                yield group, mask
        if with_total:
            mask = self.base & (self.codes >= 0)
            if mask.any():
                yield layout.TOTAL, mask


def domains_for(study: Study, data: AnalysisData, figure: Figure, item: str, by: str,
                design: Design | None) -> Domains:
    """The design's respondents as domains of one item and breakdown."""
    frame = data.respondents
    question = study.question(item)
    statistic = figure.statistic_for(item)
    base = frame.select(base_expr(question, study)).to_series().to_numpy()
    if statistic == "net":
        plus, minus = layout.net_sets(study, figure, item)
        answer = frame[item].cast(pl.String)
        x = (answer.is_in(list(plus)).cast(pl.Float64) - answer.is_in(list(minus))
             .cast(pl.Float64)).fill_null(0.0).to_numpy() * NET_POINTS
    else:
        x = frame.select(numeric_expr(question)).to_series().fill_null(0.0).to_numpy()
    weights = frame_weights(frame)
    w = weights if weights is not None else np.ones(frame.height)
    if design is not None:
        w = design.weights
    if by == "none":
        groups: tuple[str, ...] = (layout.TOTAL,)
        codes = np.zeros(frame.height, np.intp)
    else:
        groups = study.group_labels(by)
        column = frame[by]
        if isinstance(column.dtype, pl.Enum) and tuple(column.dtype.categories) == groups:
            # A grouping column's codes are its groups' positions (one pass, no Python loop).
            codes = column.to_physical().cast(pl.Int64).fill_null(-1).to_numpy().astype(np.intp)
        else:
            position = {label: i for i, label in enumerate(groups)}
            codes = np.array([position.get(g, -1) if g is not None else -1
                              for g in column.cast(pl.String).to_list()], dtype=np.intp)
    return Domains(np.asarray(x, dtype=float), w, np.asarray(base, dtype=bool), codes, groups,
                   design if design is not None and design.is_calibrated else None)


# ----------------------------------------------------------------------------- estimators


def _t(df: int) -> float:
    return float(stats.t.ppf(1 - (1 - LEVEL) / 2, df)) if df > 0 else float("nan")


def _mean_se(d: Domains, mask: NDArray[np.bool_], values: FloatArray) -> tuple[float, float]:
    """svymean of `values` in the domain, on the full design (zero influence outside)."""
    if d.design is not None:
        est = d.design.means(values, mask)
        return float(est.estimate[0]), float(est.se[0])
    w, x = d.w[mask], values[mask]
    total = w.sum()
    mean = float((w * x).sum() / total)
    variance = d.n / (d.n - 1) * float((w * w * (x - mean) ** 2).sum()) / total**2 if d.n > 1 else 0.0
    return mean, float(np.sqrt(variance))


def _total_se(d: Domains, mask: NDArray[np.bool_]) -> tuple[float, float]:
    """svytotal in the domain: sum w x with zero influence outside it."""
    if d.design is not None:
        est = d.design.totals(d.x, mask)
        return float(est.estimate[0]), float(est.se[0])
    z = np.where(mask, d.w * d.x, 0.0)
    total = float(z.sum())
    variance = d.n / (d.n - 1) * float(((z - z.mean()) ** 2).sum()) if d.n > 1 else 0.0
    return total, float(np.sqrt(variance))


def quantile_rule(x: FloatArray, w: FloatArray, p: float) -> float:
    """survey's qrule_math, exactly as survey 4.1 computes it (`qs`): the last position whose
    cumulative weight is <= p · total, then the next one unless the share there is exactly p.
    That is the inverse of the weighted distribution function — the smallest x whose
    cumulative share reaches p — except where even the lowest value carries more than p of the
    weight: survey's `last()` then returns position 1, so R gives the *second* value (the lower
    quartile of {0, 1} is 1, above its median 0). We give what R gives, so that every number
    can be checked against R; it only happens in the tail of tiny groups (docs/definition.md)."""
    keep = w != 0
    x, w = x[keep], w[keep]
    order = np.argsort(x, kind="stable")
    xs = x[order]
    cumulative = np.cumsum(w[order])
    total = float(w.sum())
    at_or_below = np.flatnonzero(cumulative <= p * total)
    pos = int(at_or_below[-1]) if at_or_below.size else 0  # survey:::last() of none is 1
    if p - cumulative[pos] / total == 0:
        return float(xs[pos])
    return float(xs[min(pos + 1, xs.size - 1)])


def _quantile(d: Domains, mask: NDArray[np.bool_], p: float) -> tuple[float, float, float, str | None]:
    """The quantile and Woodruff's interval (svyquantile's defaults), or NaN bounds and why."""
    x, w = d.x[mask], d.w[mask]
    q = quantile_rule(x, w, p)
    df = int(mask.sum()) - 1
    share, se = _mean_se(d, mask, np.where(mask, (d.x <= q).astype(float), 0.0))
    t = _t(df)
    if np.isnan(t):
        return q, float("nan"), float("nan"), NO_DF
    low_p, high_p = share - t * se, share + t * se
    low = float("nan") if low_p < 0 else quantile_rule(x, w, low_p)
    high = float("nan") if high_p > 1 else quantile_rule(x, w, high_p)
    return q, low, high, NO_BOUND if np.isnan(low) or np.isnan(high) else None


def estimates(d: Domains, statistic: str, with_total: bool) -> list[NumberEstimate]:
    """Every group's rows of one numeric statistic (its categories in registry order)."""
    found: list[NumberEstimate] = []
    for group, mask in d.masks(with_total):
        n = int(mask.sum())
        df = n - 1
        weight = float(d.w[mask].sum())
        plain = float(d.x[mask].mean())
        t = _t(df)
        for category in STATISTICS[statistic].categories or ():
            note = NO_DF if df <= 0 else None
            if category in QUANTILES:
                q, low, high, note = _quantile(d, mask, QUANTILES[category])
                se = (high - low) / (2 * t) if not np.isnan(t) else float("nan")
                found.append(NumberEstimate(group, category, q, se, low, high, n, weight, df,
                                            plain, note))
                continue
            if category == "sum":
                value, se = _total_se(d, mask)
            else:
                value, se = _mean_se(d, mask, d.x)
            if df <= 0:
                se = float("nan")
            found.append(NumberEstimate(group, category, value, se, value - t * se,
                                        value + t * se, n, weight, df, plain, note))
    return found


# ----------------------------------------------------------------------------- table rows


def numeric_rows(study: Study, data: AnalysisData, figure: Figure, item: str, by: str,
                 design: Design | None = None) -> list[TableRow]:
    """The tables.csv rows of a numeric statistic of one item and breakdown.

    `count` and `base` are the respondents with an answer in the group; `estimate`, `se` and the
    interval are on the statistic's own scale. `percent` keeps the unweighted mean for `mean`
    rows (as tables.csv has always had it) and is empty for the others.
    """
    statistic = figure.statistic_for(item)
    d = domains_for(study, data, figure, item, by, design)
    rows = []
    for est in estimates(d, statistic, with_total=by != "none"):
        percent = est.unweighted_mean if est.category == "mean" else None
        rows.append(TableRow(figure.id, item, by, est.group, est.category, est.n, est.n, percent,
                             se=_finite(est.se), ci_low=_finite(est.ci_low),
                             ci_high=_finite(est.ci_high), weighted_base=est.weighted_base,
                             estimate=est.estimate, note=est.note))
    return rows


def _finite(value: float) -> float | None:
    return None if np.isnan(value) else float(value)


def is_numeric_item(figure: Figure, item: str) -> bool:
    """True when the item's rows are a numeric statistic (computed here, not counted)."""
    return is_numeric_statistic(figure.statistic_for(item))
