"""Collected responses as an export table: one typed cell per question, in questionnaire order.

Build, then render: this module decides what each cell holds (a label, a number, a time, a
list of labels); `export_formats.py` writes the same table as CSV, XLSX or SPSS .sav.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from ..study.model import Question, Study

# Survey tools export local wall-clock times, and the report reads them as such; the store
# keeps UTC. The studies are Norwegian, so Norwegian time (a study setting if that changes).
EXPORT_TIMEZONE = ZoneInfo("Europe/Oslo")
SUBMITTED = ("completed", "screened_out")

Cell = str | int | float | dt.datetime | tuple[str, ...] | None


@dataclass(frozen=True)
class ExportTable:
    """The rows of an export (cells in the order of `questions`) and who was left out."""

    questions: tuple[Question, ...]
    rows: tuple[tuple[Cell, ...], ...]
    completed: int
    screened_out: int
    unfinished: int

    @property
    def headers(self) -> tuple[str, ...]:
        """Column headers: each question's export header."""
        return tuple(q.header for q in self.questions)


def local_time(value: dt.datetime | None) -> dt.datetime | None:
    """A stored time (UTC; SQLite returns it without a zone) as naive Norwegian local time."""
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.astimezone(EXPORT_TIMEZONE).replace(tzinfo=None, microsecond=0)


def number(value: Any) -> int | float | None:
    """A stored number (or numeric text, such as a register's birth year) as int or float."""
    if value is None or value == "" or isinstance(value, bool):
        return None
    if isinstance(value, str):
        try:
            value = float(value.strip().replace(",", "."))
        except ValueError:
            return None
    if not isinstance(value, int | float):
        return None
    return int(value) if float(value).is_integer() else float(value)


def _multi(question: Question, value: Any) -> tuple[str, ...] | None:
    chosen = [value] if isinstance(value, str) else list(value or ())
    if not chosen:
        return None
    # Labels in the questionnaire's option order, whatever order they were ticked in.
    order = {label: i for i, label in enumerate(question.options)}
    return tuple(sorted((str(c) for c in chosen), key=lambda c: order.get(c, len(order))))


def _text(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value)
    return text if text.strip() else None


def _cell(question: Question, value: Any) -> Cell:
    if value is None:
        return None
    if question.type == "multi":
        return _multi(question, value)
    if question.type == "number":
        return number(value)
    if question.type == "datetime":
        return local_time(value) if isinstance(value, dt.datetime) else _text(value)
    return _text(value)


def _screened_at(study: Study, respondent: Mapping[str, Any],
                 answers: Mapping[str, Any]) -> str | None:
    """The screening question that stopped this respondent (their last answered column)."""
    for step in study.screening:
        if step.reason == respondent.get("screened_reason"):
            return step.question
    for step in study.screening:
        if answers.get(step.question) not in step.keep:
            return step.question
    return None


class _RowBuilder:
    """Where each column's value comes from, worked out once for the study."""

    def __init__(self, study: Study) -> None:
        self.study = study
        self.questions = study.questions
        ids = [q.code for q in self.questions if q.type == "id" and q.register_column is None]
        # The first id column without a register link is the export's running number.
        self.running = ids[0] if ids else None
        # The web questionnaire asks no datetime question: the first is when the respondent
        # started, the later ones when they submitted (Starttidspunkt / Fullføringstidspunkt).
        times = [q.code for q in self.questions if q.type == "datetime"]
        self.started = times[0] if times else None
        self.position = {q.code: i for i, q in enumerate(self.questions)}

    def row(self, number_: int, respondent: Mapping[str, Any], background: Mapping[str, Any],
            answers: Mapping[str, Any]) -> tuple[Cell, ...]:
        last = len(self.questions)
        if respondent["status"] == "screened_out":
            # As the survey tool's export: nothing after the question that screened them out.
            stop = _screened_at(self.study, respondent, answers)
            if stop is not None:
                last = self.position[stop] + 1
        cells: list[Cell] = []
        for index, question in enumerate(self.questions):
            if index >= last:
                cells.append(None)
            elif question.code in answers:
                cells.append(_cell(question, answers[question.code]))
            elif question.code == self.running:
                cells.append(number_)
            elif question.type == "datetime":
                stamp = (respondent.get("started_at") if question.code == self.started
                         else respondent.get("completed_at"))
                cells.append(local_time(stamp))
            elif question.register_column is not None:
                # Open-link respondents have no background, so these stay empty.
                cells.append(_cell(question, background.get(question.register_column)))
            else:
                cells.append(None)
        return tuple(cells)


def build_table(study: Study,
                responses: Iterable[tuple[Mapping[str, Any], Mapping[str, Any], Mapping[str, Any]]]
                ) -> ExportTable:
    """The export table of everyone who submitted (completed or screened out), numbered in the
    order they submitted; respondents who started but did not submit are only counted."""
    builder = _RowBuilder(study)
    rows: list[tuple[Cell, ...]] = []
    counts = {"completed": 0, "screened_out": 0, "unfinished": 0}
    for respondent, background, answers in responses:
        status = respondent["status"]
        if status not in SUBMITTED:
            counts["unfinished"] += 1
            continue
        counts[status] += 1
        rows.append(builder.row(len(rows) + 1, respondent, background, answers))
    return ExportTable(study.questions, tuple(rows), counts["completed"], counts["screened_out"],
                       counts["unfinished"])
