"""Reading an export or a register: the file's cells typed by the study, every problem
located, repeated respondents refused or dropped by the user's rule."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from ..errors import DataProblem, InputDataError, did_you_mean
from ..study.model import Question, Study
from .duplicates import Deduplicated, deduplicate
from .options import Dedupe
from .parse import empty_dtype, parse_responses
from .readers import ROW, read_table

# The column a supplied design weight is read into (--weight COLUMN names its header).
WEIGHT = "__weight__"


@dataclass(frozen=True)
class Ingested:
    """A typed frame from one file and everything that was noticed while reading it."""

    file: Path
    frame: pl.DataFrame
    problems: tuple[DataProblem, ...] = ()
    unknown_columns: tuple[str, ...] = ()
    missing_columns: tuple[str, ...] = field(default_factory=tuple)
    # Respondents on several rows, and which rows --dedupe left out (None: none repeated).
    deduplicated: Deduplicated | None = None

    @property
    def rows(self) -> int:
        """Number of data rows read."""
        return self.frame.height


def _read(path: Path, questions: list[Question], lenient: bool, what: str,
          sheet: str | None = None, empty_ok: bool = False,
          dedupe: Dedupe | None = None, preferred_sheet: str | None = None,
          weight: str | None = None, wave: WaveQuestions | None = None,
          other_waves: tuple[str, ...] = ()) -> Ingested:
    asked = questions if wave is None else [wave.spelt.get(q.code, q) for q in questions
                                            if q.code not in wave.not_asked]
    raw = read_table(path, sheet, [q.header for q in asked], preferred_sheet)
    if raw.frame.height == 0 and not empty_ok:
        raise InputDataError([DataProblem(path, None, None, "(no data rows)",
                                          f"at least one {what} row below the header")])
    parsed = parse_responses(raw, asked, wave.renames if wave is not None else None)
    if wave is not None and wave.not_asked:
        # Not asked in this wave: the column is not looked for, and nobody answered it.
        parsed.frame = parsed.frame.with_columns(
            pl.Series(q.code, [None] * parsed.frame.height, dtype=empty_dtype(q))
            for q in questions if q.code in wave.not_asked).select(
            ROW, *(q.code for q in questions))
    if weight is not None and weight in parsed.missing_columns:
        # The user named this column: no --lenient can stand in for it.
        raise InputDataError([DataProblem(
            path, 1, weight, None,
            "a column of design weights with the header given to --weight (the export has "
            f"no such column).{did_you_mean(weight, parsed.unknown_columns)}")],
            hint="Give --weight the exact header of the export's weight column.")
    if parsed.problems and not lenient:
        hint = ("Fix the file, or run with --lenient to blank these cells and list them in the "
                "report's data-quality appendix.")
        if parsed.missing_columns and other_waves:
            hint += (" If this is the export of another wave, say which with --wave "
                     f"({', '.join(other_waves)}): it is then read as that wave's questionnaire "
                     "was (questionnaire.yaml 'waves').")
        raise InputDataError(parsed.problems, hint=hint)
    frame, deduplicated = deduplicate(path, parsed.frame, questions, dedupe)
    return Ingested(path, frame, tuple(parsed.problems), tuple(parsed.unknown_columns),
                    tuple(parsed.missing_columns), deduplicated)


@dataclass(frozen=True)
class WaveQuestions:
    """How one wave's export differs from the definition (questionnaire.yaml `waves`)."""

    not_asked: frozenset[str]
    # Questions whose header was different then, as that wave's export spells them.
    spelt: Mapping[str, Question]
    # Per question, that wave's answer texts mapped onto the definition's options.
    renames: Mapping[str, Mapping[str, str]]


def wave_questions(study: Study, wave: str) -> WaveQuestions:
    """The questionnaire as `wave` asked it."""
    changes = {q.code: q.in_wave(wave) for q in study.questions}
    return WaveQuestions(
        frozenset(study.not_asked(wave)),
        {q.code: q.model_copy(update={"header": changes[q.code].header})
         for q in study.questions if changes[q.code].header is not None},
        {code: c.options for code, c in changes.items() if c.options})


def read_export(path: str | Path, study: Study, lenient: bool = False,
                weight: str | None = None, dedupe: Dedupe | None = None,
                sheet: str | None = None, wave: str | None = None) -> Ingested:
    """Read a survey export: one row per submitted answer, columns matched by header text.

    `weight` names a column of design weights (by header); every respondent needs a positive
    one, also with `lenient` — a blanked weight would silently drop a person. A respondent id
    on several rows is an error unless `dedupe` says which row to keep. `sheet` names a
    workbook's answers sheet (else the study's export_sheet, or the one sheet that fits).
    `wave` reads the export of that wave: its headers and answer texts as questionnaire.yaml's
    `waves` say, questions it did not ask left empty.
    """
    questions = list(study.questions)
    if weight is not None:
        questions.append(Question(code=WEIGHT, header=weight, type="number",
                                  label="Vekt"))
    # A header and no answers is a fieldwork run before anyone has answered: a report of
    # empty tables, not an error (a register without members is one).
    ingested = _read(Path(path), questions, lenient, "answer", sheet, empty_ok=True,
                     dedupe=dedupe, preferred_sheet=study.meta.export_sheet, weight=weight,
                     wave=wave_questions(study, wave) if wave is not None else None,
                     other_waves=tuple(w.id for w in study.meta.waves if w.id != wave))
    if weight is None:
        return ingested
    values = ingested.frame[WEIGHT]
    bad = values.is_null() | (values.fill_null(0) <= 0)
    if (ingested.missing_columns and weight in ingested.missing_columns) or bad.all():
        raise InputDataError([DataProblem(Path(path), 1, weight, None,
                                          "a column of positive design weights with this "
                                          "header (--weight)")])
    if bad.any():
        rows = ingested.frame.filter(bad)
        raise InputDataError([DataProblem(Path(path), row, weight,
                                          None if value is None else f"{value:g}",
                                          "a positive number (the respondent's weight)")
                              for row, value in rows.select(ROW, WEIGHT).iter_rows()])
    return ingested


def register_questions(study: Study) -> list[Question]:
    """The register's columns as questions: register-linked questions plus the date column."""
    link = study.register_link
    if link is None:
        return []
    questions = [q.model_copy(update={"header": q.register_column, "asked_if": None})
                 for q in study.questions if q.register_column is not None]
    date_question = study.question(link.date_as)
    questions.append(date_question.model_copy(update={"header": link.date_column,
                                                      "asked_if": None}))
    return questions


def read_register(path: str | Path, study: Study, lenient: bool = False,
                  dedupe: Dedupe | None = None) -> Ingested:
    """Read the register of invited members, named by the study's register columns; a member
    number on several rows is an error unless `dedupe` says which row to keep."""
    if study.register_link is None:
        raise InputDataError([DataProblem(Path(path), None, None, None,
                                          "no register: the study defines no 'register' link")])
    return _read(Path(path), register_questions(study), lenient, "member", dedupe=dedupe)
