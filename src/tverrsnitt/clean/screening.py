"""Screening (Tabell 2.1): who answered, who was screened out at which step, who is analysed."""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from ..study.model import Study


@dataclass(frozen=True)
class Screening:
    """The analysed respondents and the count behind each line of Tabell 2.1."""

    analysed: pl.DataFrame
    answered: int
    excluded: tuple[tuple[str, int], ...]

    @property
    def analysed_count(self) -> int:
        """Total N: respondents who passed every screening step."""
        return self.analysed.height

    @property
    def excluded_count(self) -> int:
        """Everyone who answered but was screened out."""
        return self.answered - self.analysed_count


def screen(responses: pl.DataFrame, study: Study) -> Screening:
    """Apply the screening steps in order; each excluded respondent counts once, at the first
    step that excludes them. A missing answer to a screening question also excludes."""
    passed = [pl.col(step.question).is_in(list(step.keep)).fill_null(False)
              for step in study.screening]
    # Who is still in after each step: one pass over the masks, then a single filter (copying
    # a wide frame once per step cost time and memory at a million rows).
    still_in = [pl.all_horizontal(passed[: index + 1]) for index in range(len(passed))]
    if not still_in:
        return Screening(responses, responses.height, ())
    counts = responses.select([m.sum().alias(str(i)) for i, m in enumerate(still_in)]).row(0)
    excluded = []
    before = responses.height
    for step, remaining in zip(study.screening, counts, strict=True):
        excluded.append((step.reason, before - remaining))
        before = remaining
    return Screening(responses.filter(still_in[-1]), responses.height, tuple(excluded))
