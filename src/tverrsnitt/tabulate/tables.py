"""Tables as data: one row per figure, item, breakdown, group and category. No formatting here."""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .changes import Comparison
    from .differences import Differences
    from .evidence import QualEvidence

# Free-text answers by (figure, item, by, group), sorted so their order says nothing of who.
Verbatims = dict[tuple[str, str, str, str], tuple[str, ...]]

COLUMNS = ("figure", "item", "by", "group", "category", "count", "base", "percent",
           "se", "ci_low", "ci_high", "weighted_percent", "weighted_base", "suppressed",
           "estimate", "wave")


@dataclass(frozen=True)
class Note:
    """Something a run left out and why: in the report's language for the appendix, in
    English for the terminal."""

    report: str
    terminal: str

    def __str__(self) -> str:
        return self.report


@dataclass(frozen=True)
class TableRow:
    """One cell of a report table: `count` of `base` respondents, and the unrounded percent;
    or, for a statistic of numbers (mean, median, net …), its `estimate` on its own scale."""

    figure: str
    item: str
    by: str
    group: str
    category: str
    count: int
    base: int
    # 100 * count / base; None for a number that is not a share (median, net …); a `mean`
    # row keeps the unweighted mean here, as tables.csv has always had it.
    percent: float | None
    # Uncertainty on the estimate's scale: percent for shares, the number's own unit, net
    # points (None where no sampling error is estimated or R gives NaN: see `note`).
    se: float | None = None
    ci_low: float | None = None
    ci_high: float | None = None
    # The design-weighted share and base; without weights they equal percent and base.
    weighted_percent: float | None = None
    weighted_base: float | None = None
    # What published output prints: the (weighted) share for shares, the statistic otherwise.
    estimate: float | None = None
    # Why a number here is not computable (Norwegian, for the report), when R gives NA/NaN.
    note: str | None = None

    @property
    def value(self) -> float:
        """The row's published number: `estimate`, else the (weighted) percent."""
        if self.estimate is not None:
            return self.estimate
        if self.weighted_percent is not None:
            return self.weighted_percent
        return self.percent if self.percent is not None else 0.0

    @property
    def key(self) -> tuple[str, str, str, str, str]:
        """The five columns that identify a cell."""
        return (self.figure, self.item, self.by, self.group, self.category)


def share(count: int, base: int) -> float:
    """100 * count / base, the unrounded percent (0 for an empty base)."""
    return 100 * count / base if base else 0.0


def whole_percent(count: int, base: int) -> int:
    """Whole percent rounded half up, computed exactly: floor(100 * count / base + 1/2)."""
    return (200 * count + base) // (2 * base) if base else 0


def shown_percent(row: TableRow) -> float:
    """The share published output shows: weighted when the run has weights."""
    if row.weighted_percent is not None:
        return row.weighted_percent
    return row.percent if row.percent is not None else 0.0


def shown_whole_percent(row: TableRow) -> int:
    """The whole percent published output prints, rounded half up.

    Unweighted shares use the exact integer rule (so they equal the report's printed numbers);
    a weighted share is not a ratio of counts and is rounded from its value.
    """
    if row.weighted_percent is None or row.weighted_percent == row.percent:
        return whole_percent(row.count, row.base)
    return math.floor(row.weighted_percent + 0.5)


class Tables:
    """All rows of a report run, with lookups by cell and by figure."""

    def __init__(self, rows: Iterable[TableRow], notes: Iterable[Note] = (),
                 hidden: Iterable[tuple[str, str, str, str, str]] = (),
                 min_cell: int | None = None, differences: Differences | None = None,
                 verbatims: Verbatims | None = None, qual: QualEvidence | None = None,
                 comparison: Comparison | None = None) -> None:
        self.rows = tuple(rows)
        self.notes = tuple(notes)
        # Cells publication must not show (disclosure control); empty for the analyst's view.
        self.hidden = frozenset(hidden)
        self.min_cell = min_cell
        # The run's group tests, which charts and the report mark and `select:` uses.
        self.differences = differences
        # Free-text answers of `answers` entries, by (figure, item, by, group); publication
        # prints them only for groups whose count row is not hidden.
        self.verbatims: Verbatims = verbatims or {}
        # The focus groups' quotes, coded passages and placements (None without qual.yaml).
        self.qual = qual
        # The changes since another wave (report --compare), published: hidden cells have none.
        self.comparison = comparison
        self._by_key = {row.key: row for row in self.rows}

    def published(self, hidden: Iterable[tuple[str, str, str, str, str]], min_cell: int,
                  differences: Differences | None = None,
                  verbatims: Verbatims | None = None, qual: QualEvidence | None = None) -> Tables:
        """The same rows, marked with the cells publication must hide, the group tests, the
        free-text answers and the focus groups' evidence."""
        return Tables(self.rows, self.notes, hidden, min_cell, differences, verbatims, qual)

    def with_rows(self, rows: Iterable[TableRow]) -> Tables:
        """Other rows (the same cells, more columns filled) with everything else kept."""
        return Tables(rows, self.notes, self.hidden, self.min_cell, self.differences,
                      self.verbatims, self.qual, self.comparison)

    def with_notes(self, notes: Iterable[Note]) -> Tables:
        """The same tables with more notes of what the run left out."""
        return Tables(self.rows, (*self.notes, *notes), self.hidden, self.min_cell,
                      self.differences, self.verbatims, self.qual, self.comparison)

    def with_comparison(self, comparison: Comparison) -> Tables:
        """The same tables with the changes since another wave on them."""
        return Tables(self.rows, self.notes, self.hidden, self.min_cell, self.differences,
                      self.verbatims, self.qual, comparison)

    def is_hidden(self, row: TableRow) -> bool:
        """True when publication must not show this cell as a number."""
        return row.key in self.hidden

    def __iter__(self) -> Iterator[TableRow]:
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)

    def get(self, figure: str, item: str, by: str, group: str, category: str) -> TableRow | None:
        """The row for one cell, or None when the run produced no such cell."""
        return self._by_key.get((figure, item, by, group, category))

    def for_figure(self, figure: str) -> list[TableRow]:
        """Rows of one figure in output order."""
        return [row for row in self.rows if row.figure == figure]

    def has_figure(self, figure: str) -> bool:
        """True when the run produced rows for `figure`, or has the focus groups' placements
        it draws."""
        if any(row.figure == figure for row in self.rows):
            return True
        if self.qual is None:
            return False
        for declared in self.qual.qual.figures:
            if declared.id == figure:
                return self.qual.has_placements(declared.group, declared.round)
        return False
