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
    remaining = responses
    excluded = []
    for step in study.screening:
        kept = pl.col(step.question).cast(pl.String).is_in(list(step.keep)).fill_null(False)
        before = remaining.height
        remaining = remaining.filter(kept)
        excluded.append((step.reason, before - remaining.height))
    return Screening(remaining, responses.height, tuple(excluded))
