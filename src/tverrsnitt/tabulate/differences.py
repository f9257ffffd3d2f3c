"""Do the groups of a breakdown differ? Rao–Scott tests and pairwise comparisons per figure item.

Used to mark significant differences in charts and the report, and to let a figure keep only
the statements whose groups differ significantly and visibly (`select:`), instead of choosing
them by eye as the 2023 report did for Figur 5.7, 5.8, 5.11, 6.7, 6.8 and 6.10. The numbers
come from `tests_chisq.rao_scott` and `tests_pairwise.pairwise_shares` (both R-verified); this
module only decides who is in each base and which share is compared.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import polars as pl
from numpy.typing import ArrayLike

from ..clean import AnalysisData
from ..study import layout
from ..study.model import Figure, Study
from .expressions import base_expr
from .tests_chisq import RaoScott, rao_scott
from .tests_pairwise import PairwiseComparison, notable_differences, pairwise_shares

# The level at which charts and the report call a group difference significant.
ALPHA = 0.05
TESTED_STATISTICS = ("distribution", "top2", "bottom2", "selected_share")
ROW_INDEX = "__weight_row__"  # position in data.respondents, to pick its weight


@dataclass(frozen=True)
class GroupDifference:
    """The group tests of one figure item and breakdown.

    `share` is the share compared between pairs of groups: 'top2'/'bottom2', or an option of a
    multi-select item (then `test` is ticked vs. not ticked × groups); None when the figure shows
    no single share (a distribution without a declared top2), and `pairs` is then None.
    """

    figure: str
    item: str
    by: str
    share: str | None
    test: RaoScott
    pairs: PairwiseComparison | None

    @property
    def significant(self) -> bool:
        """True when the Rao–Scott test rejects independence at the 5 % level."""
        return self.test.p_value < ALPHA


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
                      weights: ArrayLike | None = None) -> Differences:
    """Test every item of every figure with a group breakdown (unweighted when `weights` is None;
    otherwise one weight per row of `data.respondents`)."""
    frame = data.respondents.with_row_index(ROW_INDEX)
    w = None if weights is None else np.asarray(weights, dtype=float)
    results: list[GroupDifference] = []
    for figure in study.figures:
        for by in tested_breakdowns(study, figure):
            for item in figure.items:
                results.extend(_item_differences(study, figure, item, by, frame, w))
    return Differences(results)


def _item_differences(study: Study, figure: Figure, item: str, by: str, frame: pl.DataFrame,
                      weights: np.ndarray | None) -> Iterator[GroupDifference]:
    statistic = figure.statistic_for(item)
    # Items recoded through `variables` only occur in sample/population figures (Figur 2.1).
    if statistic not in TESTED_STATISTICS or item in figure.variables:
        return
    question = study.question(item)
    based = frame.filter(base_expr(question, study) & pl.col(by).is_not_null())
    group = based[by].cast(pl.String).to_numpy()
    w = None if weights is None else weights[based[ROW_INDEX].to_numpy()]
    order = [g for g in study.group_labels(by) if g in set(group.tolist())]
    if len(order) < 2:
        return  # one group: nothing to compare
    if statistic == "selected_share":
        for option in layout.categories(study, figure, item):
            ticked = based.select(pl.col(item).list.eval(pl.element().cast(pl.String) == option)
                                  .list.any()).to_series().to_numpy().astype(float)
            result = _tested(figure, item, by, option, ticked, group, w, order, ticked)
            if result is not None:
                yield result
        return
    answers = based[item].cast(pl.String).to_numpy()
    shares = layout.top_bottom(study, figure, item)
    share = statistic if statistic in shares else ("top2" if "top2" in shares else None)
    y = np.isin(answers, shares[share]).astype(float) if share is not None else None
    result = _tested(figure, item, by, share, answers, group, w, order, y)
    if result is not None:
        yield result


def _tested(figure: Figure, item: str, by: str, share: str | None, answers: np.ndarray,
            group: np.ndarray, weights: np.ndarray | None, order: list[str],
            y: np.ndarray | None) -> GroupDifference | None:
    if len(set(answers.tolist())) < 2:
        return None  # everyone answered alike: independence is not testable
    test = rao_scott(answers, group, weights)
    pairs = None if y is None else pairwise_shares(y, group, weights, order=order)
    return GroupDifference(figure.id, item, by, share, test, pairs)


# ----------------------------------------------------------------------------- differences.csv

COLUMNS = ("figure", "item", "by", "share", "row", "first", "second", "n", "f", "ndf", "ddf",
           "p_value", "difference", "se", "p_adjusted")


def _number(value: float | None) -> str:
    return "" if value is None or math.isnan(value) else repr(float(value))


def write_differences_csv(differences: Differences, path: Path) -> None:
    """One 'test' row per figure/item/by (and option of a multi-select), then one 'pair' row per
    pair of groups; difference and se in percentage points. Columns in README."""
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\r\n")
        writer.writerow(COLUMNS)
        for result in differences:
            key = [result.figure, result.item, result.by, result.share or ""]
            test = result.test
            writer.writerow([*key, "test", "", "", test.n, _number(test.f), _number(test.ndf),
                             _number(test.ddf), _number(test.p_value), "", "", ""])
            for pair in result.pairs.pairs if result.pairs is not None else ():
                writer.writerow([*key, "pair", pair.first, pair.second, "", "", "", "",
                                 _number(pair.p_value), _number(100 * pair.difference),
                                 _number(100 * pair.se), _number(pair.p_adjusted)])

