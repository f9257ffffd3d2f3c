"""Respondents on more than one row: an error naming the rows, or dropped by a rule the user
chose (`--dedupe first|last`) and counted in the data-quality appendix.

A repeated respondent id (an export downloaded twice and pasted together, a member number
given on three answers) changes every share in the report without a word; so it is never
resolved silently. The ids are the study's `type: id` questions (the tool's response id, the
member number), each checked in questionnaire order.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from ..errors import DataProblem, InputDataError
from ..study.model import Question
from .options import Dedupe
from .readers import ROW

LISTED_ROWS = 10


@dataclass(frozen=True)
class Repeated:
    """One id found on several rows (file row numbers, in file order)."""

    column: str
    value: str
    rows: tuple[int, ...]
    identical: bool  # every answer on the rows is the same, too (other ids aside)

    def rows_text(self, word: str = "rows") -> str:
        """The row numbers, the first ten of them when there are more."""
        shown = ", ".join(str(r) for r in self.rows[:LISTED_ROWS])
        return shown + (f" … ({len(self.rows)} {word})" if len(self.rows) > LISTED_ROWS else "")


@dataclass(frozen=True)
class Deduplicated:
    """What `--dedupe` dropped from one file: the rule and every repeated id."""

    rule: Dedupe
    repeated: tuple[Repeated, ...]

    @property
    def dropped(self) -> int:
        """Rows left out (all but one of each repeated id)."""
        return sum(len(r.rows) - 1 for r in self.repeated)

    @property
    def conflicting(self) -> int:
        """Repeated ids whose rows disagree on some answer (the rule chose which to keep)."""
        return sum(1 for r in self.repeated if not r.identical)


def id_questions(questions: list[Question]) -> list[Question]:
    """The questions whose value names one respondent."""
    return [q for q in questions if q.type == "id"]


def repeated_ids(frame: pl.DataFrame, question: Question,
                 ids: Collection[str] = ()) -> list[Repeated]:
    """Every value of an id column that is on more than one row (blank ids are no id). The
    rows are compared on their answers: the columns of `ids` (other response ids, which a
    second submission always changes) do not count."""
    code = question.code
    if code not in frame.columns or frame.height == 0:
        return []
    answers = [c for c in frame.columns if c not in (ROW, code, *ids)]
    distinct = (pl.struct(answers).n_unique() if answers else pl.lit(1, dtype=pl.UInt32))
    groups = (frame.filter(pl.col(code).is_not_null())
              .group_by(code, maintain_order=True)
              .agg(pl.col(ROW).sort().alias("rows"), distinct.alias("distinct"))
              .filter(pl.col("rows").list.len() > 1))
    return [Repeated(question.header, str(value), tuple(rows), distinct == 1)
            for value, rows, distinct in groups.iter_rows()]


def keep_one(frame: pl.DataFrame, question: Question, rule: Dedupe) -> pl.DataFrame:
    """One row per id, the first or the last in the file; rows without the id all stay."""
    code = question.code
    ordered = frame.sort(ROW)
    with_id = ordered.filter(pl.col(code).is_not_null()).unique(code, keep=rule,
                                                                maintain_order=True)
    return pl.concat([with_id, ordered.filter(pl.col(code).is_null())]).sort(ROW)


def deduplicate(file: Path, frame: pl.DataFrame, questions: list[Question],
                rule: Dedupe | None) -> tuple[pl.DataFrame, Deduplicated | None]:
    """The frame with one row per respondent, and what was dropped (None when nothing was
    repeated). Without a rule, any repeated id is an error that lists every one."""
    found: list[Repeated] = []
    ids = [q.code for q in id_questions(questions)]
    for question in id_questions(questions):
        repeated = repeated_ids(frame, question, ids)
        found.extend(repeated)
        if repeated and rule is not None:
            frame = keep_one(frame, question, rule)
    if not found:
        return frame, None
    if rule is None:
        raise InputDataError([_problem(file, r) for r in found], hint=(
            "Each respondent must be on one row. Remove the repeated rows, or choose "
            "deliberately: --dedupe first keeps each respondent's first row in the file, "
            "--dedupe last the last one; the report's data-quality appendix then counts the "
            "rows left out."))
    return frame, Deduplicated(rule, tuple(found))


def _problem(file: Path, repeated: Repeated) -> DataProblem:
    same = "the same answers" if repeated.identical else "with different answers"
    samme = "like svar" if repeated.identical else "med ulike svar"
    return DataProblem(
        file, repeated.rows[0], repeated.column, repeated.value,
        f"one row per respondent; this id is on rows {repeated.rows_text()} ({same})",
        f"én rad per respondent; denne ID-en står på radene {repeated.rows_text('rader')} "
        f"({samme})")
