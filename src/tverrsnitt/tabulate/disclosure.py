"""Disclosure control: which cells published output must not show as a number.

Respondents are people: a percentage resting on fewer than K respondents can point at someone
(the one SFO leader in a small county). Rules, following Statistics Norway's practice:

- Primary suppression: every cell of a group whose base (N) is below K, and every count of
  people (Tabell 3.1, Tabell 2.1) below K but above zero.
- Secondary suppression: where a breakdown prints a Totalt that is the sum of its groups, a
  single hidden group could be rebuilt as Totalt minus the others. So when exactly one group of
  a breakdown is hidden, the smallest other group is hidden too. Where a composition table
  prints a group subtotal, a single hidden member of that group is protected the same way.

`tables.csv` is never suppressed — it is the analyst's file; this module only says which cells
publication hides, and renderers print ":" (the SSB convention) in their place.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence

from ..study import layout
from ..study.model import Study
from .tables import TableRow, Tables

MIN_K = 3
CellKey = tuple[str, str, str, str, str]


def check_k(k: int) -> int:
    """K as used: at least 3, whatever the definition says (a lower K protects nobody)."""
    return max(int(k), MIN_K)


def _group_bases(rows: Iterable[TableRow]) -> dict[tuple[str, str, str, str], int]:
    """The base of each (figure, item, by, group)."""
    return {(r.figure, r.item, r.by, r.group): r.base for r in rows}


def suppressed_cells(study: Study, tables: Tables, k: int) -> set[CellKey]:
    """Keys of every cell publication must hide (primary and secondary suppression)."""
    k = check_k(k)
    hidden: set[CellKey] = set()
    rows_by_figure: dict[str, list[TableRow]] = defaultdict(list)
    for row in tables:
        rows_by_figure[row.figure].append(row)
    for figure_id, rows in rows_by_figure.items():
        statistic = study.figure(figure_id).statistic
        if statistic in ("count", "response_status"):
            hidden |= _counts(rows, k)
        else:
            hidden |= _groups(study, rows, k)
    return hidden


def _groups(study: Study, rows: list[TableRow], k: int) -> set[CellKey]:
    """Hide whole groups below K, and one more group where a Totalt would give them away."""
    bases = _group_bases(rows)
    small = {key for key, base in bases.items() if base < k}
    by_breakdown: dict[tuple[str, str, str], list[tuple[str, int]]] = defaultdict(list)
    for (figure, item, by, group), base in bases.items():
        by_breakdown[(figure, item, by)].append((group, base))
    for (figure, item, by), groups in by_breakdown.items():
        has_total = any(group == layout.TOTAL for group, _ in groups) and by != "none"
        if not has_total or study.comparison(by) is not None:
            continue
        members = [(group, base) for group, base in groups if group != layout.TOTAL]
        hidden_members = [g for g, _ in members if (figure, item, by, g) in small]
        if len(hidden_members) == 1:
            # Totalt minus the shown groups would rebuild the hidden one: hide the next smallest.
            candidates = sorted((base, group) for group, base in members
                                if group not in hidden_members)
            if candidates:
                small.add((figure, item, by, candidates[0][1]))
    return {row.key for row in rows if (row.figure, row.item, row.by, row.group) in small}


def withheld_parts(parts: Sequence[tuple[str, Sequence[int]]], k: int) -> set[str]:
    """The parts of a printed whole to withhold (the method tables' categories: respondents,
    invited): each with a count of 1 to K-1 people, and, when that is a single part, the
    smallest other part with people in it (by its first count) — else the whole minus the
    shown parts would rebuild it."""
    k = check_k(k)
    hidden = {name for name, counts in parts if any(0 < count < k for count in counts)}
    if len(hidden) == 1:
        others = sorted((counts[0], name) for name, counts in parts
                        if name not in hidden and counts[0] > 0)
        if others:
            hidden.add(others[0][1])
    return hidden


def _counts(rows: list[TableRow], k: int) -> set[CellKey]:
    """Counts of people between 1 and K-1, and a partner wherever a printed sum would reveal
    a single hidden count (a group's members and its subtotal; the groups and the grand
    total; the exclusion reasons and 'Ekskludert')."""
    hidden = {row.key for row in rows if 0 < row.count < k}
    for parts in _summed_parts(rows):
        hidden_parts = [r for r in parts if r.key in hidden]
        if len(hidden_parts) == 1 and len(parts) > 1:
            others = sorted((r for r in parts if r.key not in hidden), key=lambda r: r.count)
            hidden.add(others[0].key)
    return hidden


def _summed_parts(rows: list[TableRow]) -> list[list[TableRow]]:
    """Sets of rows whose sum is printed beside them."""
    sets: list[list[TableRow]] = []
    by_group: dict[str, list[TableRow]] = defaultdict(list)
    for row in rows:
        by_group[row.group].append(row)
    # Composition (Tabell 3.1): members sum to their group's 'Totalt'; groups to the grand total.
    subtotals: list[TableRow] = []
    for group, members in by_group.items():
        parts = [r for r in members if r.category != layout.TOTAL]
        if len(parts) < len(members) and group != layout.TOTAL:
            sets.append(parts)
            subtotals.extend(r for r in members if r.category == layout.TOTAL)
    if subtotals:
        sets.append(subtotals)
    # Response status (Tabell 2.1): the exclusion reasons sum to 'Ekskludert'.
    reasons = [r for r in rows if r.item == layout.RESPONSE_STATUS_ITEM
               and r.category not in layout.RESPONSE_STATUS_HEAD]
    if reasons:
        sets.append(reasons)
    return sets
