"""Merge coders' codings into one consensus set without ever losing a coding.

Codings with the same span and the same themes collapse into one consensus coding that
records every coder who made it (`Coding.merged_from`); every other coding is kept as it is,
under the consensus coder's name, with its own coder recorded. So each coder's codings can be
read back from the merge (`codings_of`) by span and theme, and the team reviewing the
consensus sees who coded what.

The result depends only on the set of input codings: merging is order-independent, merging
the same codings twice changes nothing, and a consensus set merged again is itself.

Memos: one memo text is kept as it is; different memos on the same coding are all kept, each
marked with the coders who wrote it ("[koder-a] …"). Segment names: when coders named the same
coding differently the first name (alphabetically) is kept and the difference is reported as a
conflict, like a segment name that ends up in two groups or with overlapping spans.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from itertools import pairwise

from ..ingest.codings import Coding

MemoKey = tuple[str, int, int, tuple[str, ...]]


@dataclass(frozen=True)
class Merged:
    """The consensus codings (by group, start, end, themes) and what a person should look at."""

    codings: tuple[Coding, ...]
    conflicts: tuple[str, ...]


def merge(codings: Iterable[Coding], *, as_coder: str) -> Merged:
    """Merge codings of any number of coders into the consensus set of coder `as_coder`."""
    same: dict[MemoKey, list[Coding]] = {}
    for coding in codings:
        same.setdefault((coding.group, coding.start, coding.end, coding.themes), []).append(coding)
    result: list[Coding] = []
    conflicts: list[str] = []
    for key in sorted(same):
        group, start, end, themes = key
        inputs = same[key]
        coders = sorted({coder for c in inputs for coder in c.coders})
        segments = sorted({c.segment for c in inputs if c.segment is not None})
        if len(segments) > 1:
            conflicts.append(f"{group} {start}..{end} ({';'.join(themes)}): coders named it "
                             f"{', '.join(repr(s) for s in segments)}; kept {segments[0]!r}")
        created = [c.created for c in inputs if c.created is not None]
        result.append(Coding(as_coder, group, start, end, themes, _memo(inputs),
                             segments[0] if segments else None,
                             min(created) if created else None, tuple(coders)))
    conflicts.extend(_segment_conflicts(result))
    return Merged(tuple(result), tuple(conflicts))


def _memo(inputs: list[Coding]) -> str:
    """One memo as written, or every distinct memo marked with the coders who wrote it."""
    writers: dict[str, set[str]] = {}
    for coding in inputs:
        if coding.memo:
            writers.setdefault(coding.memo, set()).update(coding.coders)
    if len(writers) <= 1:
        return next(iter(writers), "")
    marked = sorted((sorted(coders), memo) for memo, coders in writers.items())
    return "\n\n".join(f"[{', '.join(coders)}] {memo}" for coders, memo in marked)


def _segment_conflicts(codings: list[Coding]) -> list[str]:
    """Segment names in two groups, or with spans that overlap without being the same."""
    spans: dict[str, set[tuple[str, int, int]]] = {}
    for coding in codings:
        if coding.segment is not None:
            spans.setdefault(coding.segment, set()).add(coding.span)
    problems = []
    for name, found in sorted(spans.items()):
        groups = sorted({g for g, _, _ in found})
        if len(groups) > 1:
            problems.append(f"segment {name!r} is in several groups ({', '.join(groups)}); "
                            "rename one of them")
            continue
        ordered = sorted(found)
        for (g, s1, e1), (_, s2, e2) in pairwise(ordered):
            if s2 < e1:
                problems.append(f"segment {name!r} has overlapping spans in {g} ({s1}..{e1} and "
                                f"{s2}..{e2}); the coders cut the quote differently")
    return problems


def codings_of(merged: Iterable[Coding], coder: str) -> list[Coding]:
    """One coder's codings as recorded in a consensus set (span, themes and segment)."""
    return [Coding(coder, c.group, c.start, c.end, c.themes, segment=c.segment)
            for c in merged if coder in c.coders]
