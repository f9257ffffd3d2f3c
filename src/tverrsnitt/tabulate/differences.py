"""Do the groups of a breakdown differ? Rao–Scott tests and pairwise comparisons per figure item.

Used to mark significant differences in charts and the report, and to let a figure keep only
the statements whose groups differ significantly and visibly (`select:`), instead of choosing
them by eye as the 2023 report did for Figur 5.7, 5.8, 5.11, 6.7, 6.8 and 6.10. The numbers
are those of `rao_scott.rao_scott` and `pairwise.pairwise_shares` (both R-verified),
computed from per-cell sums (`cell_sums`) because the design is `ids = ~1`: one Polars pass for
all items instead of one per item and breakdown (equal to 1e-12, tests/test_differences.py).
This module only decides who is in each base and which share is compared.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from ..clean import AnalysisData
from ..errors import NotComputable
from ..study import layout
from ..study.model import Figure, Study
from ..study.statistics import STATISTICS, is_numeric_statistic
from ..weight import Design
from .cell_sums import CellTable, ItemSums
from .numeric import Domains, domains_for
from .pairwise import (
    PairwiseComparison,
    compare_pairs,
    notable_differences,
    pairwise_from_sums,
)
from .rao_scott import RaoScott, rao_scott_from_sums
from .wald import WaldTest, wald_equal_means

# The level at which charts and the report call a group difference significant.
ALPHA = 0.05
TESTED_STATISTICS = tuple(name for name, kind in STATISTICS.items() if kind.tested)
# Statistics of numbers whose groups are compared by a Wald test of equal means.
NUMERIC_TESTED = tuple(name for name in TESTED_STATISTICS if is_numeric_statistic(name))


@dataclass(frozen=True)
class GroupDifference:
    """The group tests of one figure item and breakdown.

    `share` is what is compared between pairs of groups: 'top2'/'bottom2', or an option of a
    multi-select item (then `test` is ticked vs. not ticked × groups), or 'mean'/'net' for a
    number (then `test` is a Wald test of equal means); None when the figure shows no single
    share (a distribution without a declared top2), and `pairs` is then None. `test` is None
    when the data leave it undefined, and `reason` says why (in the report's language).
    """

    figure: str
    item: str
    by: str
    share: str | None
    test: RaoScott | WaldTest | None
    pairs: PairwiseComparison | None
    reason: str | None = None

    @property
    def significant(self) -> bool:
        """True when the test rejects equality of the groups at the 5 % level."""
        return self.test is not None and self.test.p_value < ALPHA

    @property
    def method(self) -> str:
        """'rao-scott' (answers x groups) or 'wald' (equal means)."""
        return "wald" if self.share in NUMERIC_TESTED else "rao-scott"


class Differences:
    """All group tests of a run, with lookups by figure, item and breakdown."""

    def __init__(self, results: Iterable[GroupDifference]) -> None:
        self.results = tuple(results)

    def __iter__(self) -> Iterator[GroupDifference]:
        return iter(self.results)

    def __len__(self) -> int:
        return len(self.results)

    def find(self, figure: str, item: str, by: str) -> list[GroupDifference]:
        """The tests of one item of a figure in one breakdown (several for a multi-select)."""
        return [r for r in self.results if (r.figure, r.item, r.by) == (figure, item, by)]

    def selected_items(self, figure: Figure) -> tuple[str, ...]:
        """The items `figure.select` keeps: at least one significant (Holm-adjusted) pair of
        groups at least `min_points` percentage points apart; all items without `select`."""
        rule = figure.select
        if rule is None:
            return figure.items
        kept = []
        for item in figure.items:
            comparisons = {str(i): r.pairs for i, r in enumerate(self.find(figure.id, item, figure.by))
                           if r.pairs is not None}
            if notable_differences(comparisons, rule.min_points, rule.alpha):
                kept.append(item)
        return tuple(kept)


# ----------------------------------------------------------------------------- computing


def tested_breakdowns(study: Study, figure: Figure) -> tuple[str, ...]:
    """The breakdowns of a figure that split respondents into groups (no sample/population)."""
    if figure.statistic not in TESTED_STATISTICS:
        return ()
    return tuple(by for by in figure.breakdowns if by != "none" and study.comparison(by) is None)


def group_differences(study: Study, data: AnalysisData,
                      weights: ArrayLike | None = None, design: Design | None = None) -> Differences:
    """Test every item of every figure with a group breakdown (unweighted when `weights` is None;
    otherwise one weight per row of `data.respondents`; on `design` when it is calibrated)."""
    tested = [(figure, item, by) for figure in study.figures
              for by in tested_breakdowns(study, figure) for item in figure.items
              if figure.statistic_for(item) in TESTED_STATISTICS]
    numbers = [(f, i, b) for f, i, b in tested if f.statistic_for(i) in NUMERIC_TESTED]
    wanted = [(f, i, b) for f, i, b in tested if (f, i, b) not in numbers]
    results: list[GroupDifference] = []
    for figure, item, by in numbers:
        results.append(mean_differences(figure, item, by, domains_for(
            study, data, figure, item, by, design)))
    if not wanted:
        return Differences(results)
    if design is not None and design.is_calibrated:
        from .calibrated import calibrated_differences  # it builds on this module

        results.extend(calibrated_differences(study, data.respondents, design, wanted))
        return Differences(_in_order(tested, results))
    sums = ItemSums(study, data, [(item, layout.counted_column(figure, item))
                                  for figure, item, _ in wanted], weights)
    for figure, item, by in wanted:
        results.extend(_item_differences(study, figure, item, by,
                                         sums.table(layout.counted_column(figure, item), by)))
    return Differences(_in_order(tested, results))


def _in_order(tested: list[tuple[Figure, str, str]],
              results: list[GroupDifference]) -> list[GroupDifference]:
    """Results in figure, breakdown and item order, whichever test computed them."""
    rank = {(f.id, i, b): n for n, (f, i, b) in enumerate(tested)}
    return sorted(results, key=lambda r: rank[(r.figure, r.item, r.by)])


def mean_differences(figure: Figure, item: str, by: str, d: Domains) -> GroupDifference:
    """Wald test of equal group means and Holm-adjusted pairs, on the design over the base
    (the valid answers with a group), as regTermTest and svycontrast on svyglm(x ~ group)."""
    statistic = figure.statistic_for(item)
    present = [(g, d.base & (d.codes == i)) for i, g in enumerate(d.groups)
               if (d.base & (d.codes == i)).any()]
    inside = d.base & (d.codes >= 0)
    n = int(inside.sum())
    order = [g for g, _ in present]
    try:
        if len(present) < 2:
            raise NotComputable("bare én gruppe har svar")
        if d.design is not None:
            # Raked: every row stays in the design (weight 0 outside), as R's subset keeps it.
            columns = np.column_stack([mask for _, mask in present])
            est = d.design.means(np.repeat(d.x[:, None], len(present), axis=1), columns)
            means, vcov, degf = est.estimate, est.vcov, d.design.degf(inside)
        else:
            means, variances = _base_means(d, [mask for _, mask in present], n)
            vcov, degf = np.diag(variances), n - 1
        test = wald_equal_means(means, vcov, order, n, degf)
    except NotComputable as exc:
        return GroupDifference(figure.id, item, by, statistic, None, None, str(exc))
    pairs = compare_pairs(means, vcov, order, degf)
    return GroupDifference(figure.id, item, by, statistic, test, pairs)


def _base_means(d: Domains, masks: list[np.ndarray], n: int) -> tuple[np.ndarray, np.ndarray]:
    """Each group's mean and its variance on `svydesign(ids = ~1)` over the n base rows."""
    means, variances = [], []
    for mask in masks:
        w, x = d.w[mask], d.x[mask]
        total = w.sum()
        mean = (w * x).sum() / total
        means.append(mean)
        variances.append(n / (n - 1) * (w * w * (x - mean) ** 2).sum() / total**2 if n > 1
                         else np.nan)
    return np.array(means), np.array(variances)


def _item_differences(study: Study, figure: Figure, item: str, by: str,
                      table: CellTable) -> Iterator[GroupDifference]:
    """The tests of one item: its base is a valid answer and a group, as in the tables."""
    if sum(table.base_n > 0) < 2:
        return  # one group: nothing to compare
    if figure.statistic_for(item) == "selected_share":
        for option in layout.categories(study, figure, item):
            ticked = table.rows([option])
            base = (table.base_n, table.base_sw, table.base_sw2)
            # Rows: not ticked (0.0), ticked (1.0), as the reference's 0/1 answers.
            cells = tuple(np.vstack([b - t, t]) for b, t in zip(base, ticked, strict=True))
            result = _tested(figure, item, by, option, (0.0, 1.0), cells, table, ticked)
            if result is not None:
                yield result
        return
    statistic = figure.statistic_for(item)
    shares = layout.top_bottom(study, figure, item)
    share = statistic if statistic in shares else ("top2" if "top2" in shares else None)
    hits = table.rows(shares[share]) if share is not None else None
    result = _tested(figure, item, by, share, table.values, (table.n, table.sw, table.sw2), table,
                     hits)
    if result is not None:
        yield result


def _tested(figure: Figure, item: str, by: str, share: str | None, rows: Sequence[Any],
            cells: tuple[np.ndarray, ...], table: CellTable,
            hits: tuple[np.ndarray, ...] | None) -> GroupDifference | None:
    """Rao–Scott on the answers (rows) x groups present, and the pairs of groups on `hits`."""
    present = table.base_n > 0
    order = [g for g, keep in zip(table.groups, present, strict=True) if keep]
    counts, sw, sw2 = (c[:, present] for c in cells)
    answered = counts.sum(axis=1) > 0
    if answered.sum() < 2:
        return None  # everyone answered alike: independence is not testable
    # Rows and columns sorted, as rao_scott's np.unique sees them.
    columns = sorted(range(len(order)), key=lambda i: order[i])
    n = int(table.base_n.sum())
    try:
        test = rao_scott_from_sums(sw[answered][:, columns], sw2[answered][:, columns], n,
                                   [r for r, keep in zip(rows, answered, strict=True) if keep],
                                   [order[i] for i in columns])
    except NotComputable as exc:
        return GroupDifference(figure.id, item, by, share, None, None, str(exc))
    pairs = None
    if hits is not None:
        _, y_sw, y_sw2 = (h[present] for h in hits)
        pairs = pairwise_from_sums(table.base_sw[present], table.base_sw2[present], y_sw, y_sw2, n,
                                   order)
    return GroupDifference(figure.id, item, by, share, test, pairs)


# ----------------------------------------------------------------------------- differences.csv

COLUMNS = ("figure", "item", "by", "share", "row", "first", "second", "n", "f", "ndf", "ddf",
           "p_value", "difference", "se", "p_adjusted", "method", "not_computable")


def _number(value: float | None) -> str:
    return "" if value is None or math.isnan(value) else repr(float(value))


def write_differences_csv(differences: Differences, path: Path) -> None:
    """One 'test' row per figure/item/by (and option of a multi-select), then one 'pair' row per
    pair of groups; difference and se in percentage points for shares, in the number's own
    unit for means and in points for net scores. A test the data leave undefined has empty
    numbers and its reason in `not_computable`. Columns in README."""
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\r\n")
        writer.writerow(COLUMNS)
        for result in differences:
            key = [result.figure, result.item, result.by, result.share or ""]
            test = result.test
            scale = 1.0 if result.share in NUMERIC_TESTED else 100.0
            if test is None:
                writer.writerow([*key, "test", "", "", "", "", "", "", "", "", "", "",
                                 result.method, result.reason or ""])
                continue
            writer.writerow([*key, "test", "", "", test.n, _number(test.f), _number(test.ndf),
                             _number(test.ddf), _number(test.p_value), "", "", "",
                             result.method, ""])
            for pair in result.pairs.pairs if result.pairs is not None else ():
                writer.writerow([*key, "pair", pair.first, pair.second, "", "", "", "",
                                 _number(pair.p_value), _number(scale * pair.difference),
                                 _number(scale * pair.se), _number(pair.p_adjusted),
                                 result.method, ""])

