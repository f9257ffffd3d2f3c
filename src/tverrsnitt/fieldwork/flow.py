"""The respondent's path through the questionnaire: routing, page skipping, screening, dates.

Pure functions over the frozen study definition and one respondent's answers (`{code: value}`
as the store keeps them: a label for single choice, a list of labels for multi-select, a float
for numbers, a string for text). The web layer asks this module which page comes next; nothing
here touches HTTP or the database, so the rules are tested without a server.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from ..study.check import asked_on_the_web, page_codes
from ..study.conditions import Condition
from ..study.model import Fieldwork, Question, Study

Answers = Mapping[str, Any]


def is_answered(value: Any) -> bool:
    """A value counts as an answer (a multi-select needs at least one tick)."""
    if value is None:
        return False
    if isinstance(value, list | tuple):
        return len(value) > 0
    return not (isinstance(value, str) and value.strip() == "")


def holds(condition: Condition, study: Study, answers: Answers) -> bool:
    """True when the condition holds for one respondent; False when it fails or is unknown.

    The same semantics as `clean.expressions.condition_expr` (an unanswered question makes
    every test false), so the web questionnaire asks exactly whom the analysis counts.
    """
    value = answers.get(condition.code)
    if condition.op == "is_answered":
        return is_answered(value)
    if not is_answered(value):
        return False
    values = condition.values
    if condition.op == "==":
        return value == values[0]
    if condition.op == "!=":
        return value != values[0]
    if condition.op == "in":
        return value in values
    if condition.op in ("has_any", "has_any_except"):
        ticked = value if isinstance(value, list | tuple) else [value]
        if condition.op == "has_any":
            return values[0] in ticked
        return any(label != values[0] for label in ticked)
    # Ordinal comparison in option order (low -> high), as the tabulation does.
    options = study.question(condition.code).options
    if value not in options or values[0] not in options:
        return False
    here, there = options.index(value), options.index(values[0])
    return {">=": here >= there, "<=": here <= there, ">": here > there,
            "<": here < there}[condition.op]


def is_asked(question: Question, study: Study, answers: Answers) -> bool:
    """The question is put to this respondent (answered on the web and its routing holds)."""
    if not asked_on_the_web(question):
        return False
    return question.asked_if is None or holds(question.asked_if, study, answers)


def page_questions(study: Study, definition: Fieldwork, index: int,
                   answers: Answers) -> tuple[Question, ...]:
    """The questions of page `index` that this respondent is asked, in page order."""
    questions: list[Question] = []
    for entry in definition.pages[index].questions:
        for code in page_codes(study, entry):
            question = study.question(code)
            if is_asked(question, study, answers):
                questions.append(question)
    return tuple(questions)


def next_page(study: Study, definition: Fieldwork, after: int, answers: Answers) -> int | None:
    """The first page after `after` with a question to ask; None when the questionnaire is done."""
    for index in range(after + 1, len(definition.pages)):
        if page_questions(study, definition, index, answers):
            return index
    return None


def previous_page(study: Study, definition: Fieldwork, before: int,
                  answers: Answers) -> int | None:
    """The last page before `before` with a question to ask; None on the first page."""
    for index in range(min(before, len(definition.pages)) - 1, -1, -1):
        if page_questions(study, definition, index, answers):
            return index
    return None


def current_page(study: Study, definition: Fieldwork, stored: int, answers: Answers) -> int | None:
    """The page to show for a stored position: itself, or the next one that still applies.

    A stored page can stop applying when the definition is corrected between visits; the
    respondent then continues at the next page instead of seeing an empty one.
    """
    stored = max(stored, 0)
    if stored < len(definition.pages) and page_questions(study, definition, stored, answers):
        return stored
    return next_page(study, definition, stored, answers)


def no_longer_asked(study: Study, answers: Answers) -> set[str]:
    """Codes of answers to drop because routing no longer asks the question.

    Repeated until nothing changes: clearing one answer can switch off a question routed on it
    (going back and changing consent clears the work question, which clears education).
    """
    remaining = dict(answers)
    cleared: set[str] = set()
    while True:
        drop = {code for code in remaining
                if study.has_question(code) and not is_asked(study.question(code), study, remaining)}
        if not drop:
            return cleared
        cleared |= drop
        for code in drop:
            del remaining[code]


@dataclass(frozen=True)
class Screened:
    """A screening step excluded the respondent: the reason recorded and shown."""

    question: str
    reason: str


def screen(study: Study, answers: Answers) -> Screened | None:
    """Run the study's screening steps in order; the first one that excludes decides.

    A step whose question has no answer yet is not reached (its page comes later), so it
    neither keeps nor excludes.
    """
    for step in study.screening:
        value = answers.get(step.question)
        if not is_answered(value):
            continue
        if value not in step.keep:
            return Screened(step.question, step.reason)
    return None


def unanswered_screening(study: Study, definition: Fieldwork, answers: Answers) -> int | None:
    """The page of the first screening question that is asked but has no answer (None when
    every one is answered): nobody completes without passing the screening."""
    for step in study.screening:
        question = study.question(step.question)
        if is_asked(question, study, answers) and not is_answered(answers.get(step.question)):
            for index, page in enumerate(definition.pages):
                if step.question in page.questions:
                    return index
    return None


Phase = Literal["not_yet", "open", "closed"]


def phase(definition: Fieldwork, today: dt.date) -> Phase:
    """Where `today` falls in the fieldwork window (`opens` and `closes` both count as open
    days): what the questionnaire, `invite`, `remind` and the admin page all go by."""
    if definition.opens is not None and today < definition.opens:
        return "not_yet"
    if definition.closes is not None and today > definition.closes:
        return "closed"
    return "open"


def is_open(definition: Fieldwork, today: dt.date) -> bool:
    """The questionnaire accepts answers today."""
    return phase(definition, today) == "open"
