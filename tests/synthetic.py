"""Valid answers for any study definition, for tests that need exports the example data do not
cover: tiny or empty waves, everyone answering alike, a fresh fieldwork run.

`answers` draws one respondent's answers as the web questionnaire stores them (labels, lists
of labels, numbers, text), following the screening and the routing; `export_rows` turns them
into the text cells of an export as a survey tool writes it.
"""

from __future__ import annotations

import csv
import datetime as dt
import random
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from tverrsnitt.fieldwork.flow import holds
from tverrsnitt.study.model import Question, Study

MULTI_SEPARATOR = ";"


class Chooser:
    """Where choices come from: a seeded random.Random, or a Hypothesis `data.draw`."""

    def __init__(self, rng: random.Random, answer_share: float = 0.9, alike: bool = False) -> None:
        self.rng = rng
        self.answer_share = answer_share
        self.alike = alike  # every respondent picks the first option (no variation at all)

    def pick(self, options: Sequence[str]) -> str:
        return options[0] if self.alike else self.rng.choice(list(options))

    def answers(self) -> bool:
        return self.rng.random() < self.answer_share


def _holds(study: Study, question: Question, given: Mapping[str, Any]) -> bool:
    """The question's routing on the answers so far, as the web questionnaire decides it."""
    return question.asked_if is None or holds(question.asked_if, study, given)


def _value(question: Question, choose: Chooser) -> Any:
    if question.type in ("single", "scale"):
        return choose.pick(question.options)
    if question.type == "multi":
        if choose.alike:
            return [question.options[0]]
        chosen = [o for o in question.options if o != question.exclusive_option
                  and choose.rng.random() < 0.4]
        if not chosen:
            return [question.exclusive_option or question.options[0]]
        return chosen
    if question.type == "number":
        low, high = question.range or (0.0, 100.0)
        if choose.alike:
            return float(low)
        if question.integer:
            return float(choose.rng.randint(int(low), int(high)))
        return round(choose.rng.uniform(low, high) * 2) / 2
    if question.type == "text":
        return "Alt er fint." if choose.alike else choose.pick(["Bra.", "For lite tid.", "Ok"])
    return None


def answers(study: Study, choose: Chooser, number: int) -> dict[str, Any]:
    """One respondent's answers in questionnaire order: screening kept (mostly), routing
    followed, some questions left unanswered."""
    given: dict[str, Any] = {}
    start = dt.datetime(2025, 3, 3, 8) + dt.timedelta(minutes=7 * number)
    for question in study.questions:
        if question.register_column is not None:
            continue
        if question.type == "id":
            given[question.code] = str(number)
            continue
        if question.type == "datetime":
            given[question.code] = start + dt.timedelta(minutes=10 * len(given) % 30)
            continue
        if not _holds(study, question, given):
            continue
        step = next((s for s in study.screening if s.question == question.code), None)
        if step is not None:
            # Screening questions are answered; most respondents pass.
            keep = choose.alike or choose.rng.random() < 0.9
            given[question.code] = step.keep[0] if keep else next(
                (o for o in question.options if o not in step.keep), step.keep[0])
            if given[question.code] not in step.keep:
                break
            continue
        if not choose.alike and not choose.answers():
            continue
        value = _value(question, choose)
        if value is not None:
            given[question.code] = value
    return given


def cell(question: Question, value: Any) -> str:
    """An answer as the text cell of an export."""
    if value is None:
        return ""
    if question.type == "multi":
        return "".join(f"{label}{MULTI_SEPARATOR}" for label in value)
    if question.type == "datetime":
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if question.type == "number":
        return f"{value:g}".replace(".", ",")
    return str(value)


def write_export(study: Study, respondents: Sequence[Mapping[str, Any]], path: Path) -> Path:
    """A CSV export (UTF-8 with BOM, headers are the question texts) of these answers; the
    register-linked columns are there, empty (no one linked)."""
    questions = list(study.questions)
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow([q.header for q in questions])
        for given in respondents:
            writer.writerow([cell(q, given.get(q.code)) for q in questions])
    return path
