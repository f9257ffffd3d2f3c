"""Standard errors and confidence intervals for every share in the tables, as R's survey does.

Each share is what `svyby(~y, ~group, subset(design, base), svyciprop, vartype = c("se", "ci"))`
gives on `svydesign(ids = ~1, weights = ~w)` over the analysed respondents, with the weights the
export supplied (`--weight COLUMN`) or all 1. For that design the numbers follow from a few sums
per answer and group (`closed_form`), so all cells of all figures are computed at once from
`cell_sums` instead of one pass over the respondents per cell; `proportions.proportions_by` is
the per-cell reference they equal to 1e-12 (tests/test_uncertainty.py), and it matches R to 1e-9.
Rows keep their unweighted counts; this module adds se, ci_low, ci_high (percent scale),
weighted_percent and weighted_base — equal to percent and base, to the last digit, when there
are no weights.

The register side of a sample/population comparison is a census: it has no sampling error, so
its se is 0 and its interval the share itself.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np
import polars as pl

from ..clean import AnalysisData, frame_weights
from ..clean.expressions import condition_expr
from ..study import layout
from ..study.conditions import parse_condition
from ..study.model import Figure, Study
from ..study.statistics import category_value
from ..weight import Design
from .calibrated import calibrated_shares
from .cell_sums import CellTable, ItemSums
from .closed_form import intervals, share_and_se
from .proportions import Method, Proportion
from .tables import TableRow, Tables

SHARES = ("distribution", "top2", "bottom2", "selected_share")
Key = tuple[str, str, str, str, str]


def add_uncertainty(study: Study, data: AnalysisData, tables: Tables,
                    method: Method = "logit", design: Design | None = None) -> Tables:
    """The same rows with se, CI and weighted values filled in for every share.

    `design` is the respondents' design when it is calibrated (`--rake`): their shares are
    then estimated on it (`calibrated.calibrated_shares`), with the raking's residualised
    variances as R computes them.
    """
    if data.respondents.height < 2:
        # One respondent has no sampling variance to estimate (R stops: a lonely PSU).
        return tables.with_rows(row if category_value(row.category) != "share"
                                else _with(row, None, False) for row in tables)
    weighted = data.weights is not None
    wanted = [(figure, item, by) for figure in study.figures
              for item in layout.figure_items(figure) if figure.statistic_for(item) in SHARES
              for by in figure.breakdowns]
    sums = ItemSums(study, data, [(item, layout.counted_column(figure, item))
                                  for figure, item, by in wanted if study.comparison(by) is None],
                    data.weights)
    domains = _Domains()
    census: set[Key] = set()
    for figure, item, by in wanted:
        if study.comparison(by) is None:
            _shares(study, sums.table(layout.counted_column(figure, item), by),
                    data.respondents.height, figure, item, by, domains)
        else:
            census |= _comparison(study, data, figure, item, by, domains)
    results = domains.estimates(method)
    if design is not None and design.is_calibrated:
        results.update(calibrated_shares(
            study, data.respondents, design,
            [(f, i, b) for f, i, b in wanted if study.comparison(b) is None], method))
    # Numbers of numbers (means, medians, net scores) come with their uncertainty already.
    return tables.with_rows(row if category_value(row.category) != "share"
                            else _with(row, results.get(row.key), row.key in census, weighted)
                            for row in tables)


@dataclass
class _Domains:
    """Sums of every domain of the run, solved for shares, SEs and CIs in one vectorised call."""

    keys: list[Key] = field(default_factory=list)
    columns: list[np.ndarray] = field(default_factory=list)  # n_design, n, W, S2, n_y, Y, S2y

    def add(self, keys: list[Key], n_design: int, base: tuple[np.ndarray, ...],
            hits: tuple[np.ndarray, ...]) -> None:
        self.keys.extend(keys)
        self.columns.append(np.vstack([np.full(len(keys), float(n_design)), *base, *hits]))

    def estimates(self, method: Method) -> dict[Key, Proportion]:
        if not self.keys:
            return {}
        n_design, n, w, w2, n_y, wy, w2y = np.hstack(self.columns)
        p, se = share_and_se(n_design, w, w2, wy, w2y)
        df = n - 1
        low, high = intervals(p, se, df, n, method)
        return {key: Proportion(group=key[3], estimate=float(p[i]), se=float(se[i]),
                                ci_low=float(low[i]), ci_high=float(high[i]), method=method,
                                level=0.95, df=int(df[i]), count=int(n_y[i]), base=int(n[i]),
                                weighted_count=float(wy[i]), weighted_base=float(w[i]))
                for i, key in enumerate(self.keys)}


def _with(row: TableRow, estimate: Proportion | None, is_census: bool,
          weighted: bool = False) -> TableRow:
    if is_census:
        return replace(row, se=0.0, ci_low=row.percent, ci_high=row.percent,
                       weighted_percent=row.percent, weighted_base=float(row.base),
                       estimate=row.percent)
    if estimate is None:
        return replace(row, weighted_percent=row.percent, weighted_base=float(row.base),
                       estimate=row.percent)
    if not weighted:  # the weighted values are the unweighted ones, to the last digit
        return replace(row, se=100 * estimate.se, ci_low=100 * estimate.ci_low,
                       ci_high=100 * estimate.ci_high, weighted_percent=row.percent,
                       weighted_base=float(row.base), estimate=row.percent)
    return replace(row, se=100 * estimate.se, ci_low=100 * estimate.ci_low,
                   ci_high=100 * estimate.ci_high, weighted_percent=100 * estimate.estimate,
                   weighted_base=estimate.weighted_base, estimate=100 * estimate.estimate)


def _shares(study: Study, table: CellTable, n_design: int, figure: Figure, item: str, by: str,
            domains: _Domains) -> None:
    """Every group with a unit in the base (svyby drops empty ones) and the total of the groups,
    for every category of one item."""
    alone = by == "none"  # the total is the only group
    labels = table.groups if alone else (*table.groups, layout.TOTAL)

    def grow(values: np.ndarray) -> np.ndarray:
        return values if alone else np.append(values, values.sum())

    base = tuple(grow(x) for x in (table.base_n, table.base_sw, table.base_sw2))
    present = base[0] > 0
    sets = layout.top_bottom(study, figure, item)
    for category in layout.categories(study, figure, item):
        hits = tuple(grow(x) for x in table.rows(sets.get(category, (category,))))
        keys = [(figure.id, item, by, group, category)
                for group, keep in zip(labels, present, strict=True) if keep]
        domains.add(keys, n_design, tuple(x[present] for x in base),
                    tuple(x[present] for x in hits))


def _comparison(study: Study, data: AnalysisData, figure: Figure, item: str, by: str,
                domains: _Domains) -> set[Key]:
    """The sample side as a design estimate on its own rows; the register side is a census (no
    error), returned as the keys of its cells."""
    comparison = study.comparison(by)
    assert comparison is not None
    column = figure.variables.get(item, item)
    categories = layout.variable_categories(study, figure, item)
    census: set[Key] = set()
    for group in comparison.groups:
        if group.source == "register":
            census |= {(figure.id, item, by, group.label, c) for c in categories}
            continue
        frame = data.respondents
        if group.when is not None:
            frame = frame.filter(condition_expr(parse_condition(group.when), study))
        # Sums in numpy, in the categories' order: a group_by's float sums (and the order of
        # its groups) vary from run to run in the last digit.
        answers = frame[column].cast(pl.String)
        valid = answers.is_not_null().to_numpy()
        values = answers.to_numpy()
        found = frame_weights(frame)
        weights = found if found is not None else np.ones(frame.height)
        total = _weight_sums(weights, valid)
        base = tuple(np.full(len(categories), value) for value in total)
        if total[0] < 2:
            continue
        cells = [_weight_sums(weights, valid & (values == c)) for c in categories]
        hits = tuple(np.array([cell[i] for cell in cells]) for i in range(3))
        domains.add([(figure.id, item, by, group.label, c) for c in categories], frame.height,
                    base, hits)
    return census


def _weight_sums(weights: np.ndarray, mask: np.ndarray) -> tuple[float, float, float]:
    """Respondents, sum of weights and sum of squared weights where `mask` holds."""
    chosen = weights[mask]
    return float(mask.sum()), float(chosen.sum()), float((chosen * chosen).sum())
