"""A posted questionnaire page turned into answers to save, or into messages to show.

The browser sends strings; the store keeps a label for single choice, a list of labels for
multi-select, a float for numbers and a string for text. Checks happen here on the server,
because the pages work without JavaScript and a posted form can contain anything. Messages
are Norwegian: they are shown to the respondent next to the field.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..numbers import as_typed
from ..study.model import Question
from .flow import is_answered

TEXT_MAX = 2000  # characters; longer free text is almost always pasted by mistake
_NUMBER = re.compile(r"^[+-]?\d+(?:[.,]\d+)?$")

REQUIRED = "Du må svare på dette spørsmålet for å gå videre."
CHOOSE_ONE = "Velg ett av svaralternativene."
CHOOSE_LISTED = "Velg blant svaralternativene."
NOT_A_NUMBER = "Skriv et helt tall eller et desimaltall, for eksempel 50."


@dataclass(frozen=True)
class PageForm:
    """One posted page: what to save, what was left empty, what is wrong, what was typed."""

    values: dict[str, Any] = field(default_factory=dict)
    blank: frozenset[str] = frozenset()
    errors: dict[str, str] = field(default_factory=dict)
    typed: dict[str, str | list[str]] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """True when nothing needs correcting."""
        return not self.errors


def format_number(value: float) -> str:
    """A number as a Norwegian respondent would type it: 50, or 37,5."""
    return as_typed(value)


def parse_number(text: str, question: Question) -> float | str:
    """The typed number, or the message that says what is wrong with it."""
    cleaned = "".join(text.split())  # "1 000" and stray spaces are fine
    if not _NUMBER.match(cleaned):
        return NOT_A_NUMBER
    number = float(cleaned.replace(",", "."))
    if not math.isfinite(number):
        return NOT_A_NUMBER
    if question.range is not None:
        low, high = question.range
        if not low <= number <= high:
            return f"Skriv et tall fra {format_number(low)} til {format_number(high)}."
    return number


def _clean_text(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "").strip()


def _parse_one(question: Question, posted: Sequence[str]) -> tuple[Any, str | None, str | list[str]]:
    """(value or None for blank, message or None, input as typed) for one question."""
    if question.type == "multi":
        ticked = [value for value in posted if value]
        if any(value not in question.options for value in ticked):
            return None, CHOOSE_LISTED, ticked
        chosen = [option for option in question.options if option in ticked]  # option order
        exclusive = question.exclusive_option
        if exclusive is not None and exclusive in chosen and len(chosen) > 1:
            return None, f"«{exclusive}» kan ikke kombineres med andre svar.", ticked
        return (chosen or None), None, ticked
    text = posted[0] if posted else ""
    if question.is_choice:  # a single choice, or a point of a 0-10 scale
        if text == "":
            return None, None, ""
        if len(posted) > 1 or text not in question.options:
            return None, CHOOSE_ONE, text
        return text, None, text
    if question.type == "number":
        if text.strip() == "":
            return None, None, text
        number = parse_number(text, question)
        if isinstance(number, str):
            return None, number, text
        return number, None, text
    cleaned = _clean_text(text)
    if len(cleaned) > TEXT_MAX:
        return None, f"Svaret kan ha høyst {TEXT_MAX} tegn (du har skrevet {len(cleaned)}).", text
    return (cleaned or None), None, text


def parse_page(questions: Iterable[Question], form: Mapping[str, Sequence[str]], *,
               require_screening: bool = True) -> PageForm:
    """Read the page's questions from a posted form (field name = question code).

    Answers are optional — the analysis treats a missing answer as non-response — except
    screening questions, which decide whether the respondent belongs to the population and
    must be answered to go forward (`require_screening=False` when going back).
    """
    values: dict[str, Any] = {}
    blank: set[str] = set()
    errors: dict[str, str] = {}
    typed: dict[str, str | list[str]] = {}
    for question in questions:
        value, message, as_typed = _parse_one(question, form.get(question.code, ()))
        typed[question.code] = as_typed
        if message is not None:
            errors[question.code] = message
        elif value is None:
            blank.add(question.code)
            if question.screening and require_screening:
                errors[question.code] = REQUIRED
        else:
            values[question.code] = value
    return PageForm(values, frozenset(blank), errors, typed)


def shown_values(questions: Iterable[Question], answers: Mapping[str, Any]) -> dict[str, str | list[str]]:
    """Saved answers as the form shows them again (numbers the Norwegian way)."""
    shown: dict[str, str | list[str]] = {}
    for question in questions:
        value = answers.get(question.code)
        if value is None or not is_answered(value):
            continue
        if question.type == "multi":
            shown[question.code] = list(value)
        elif question.type == "number":
            shown[question.code] = format_number(float(value))
        else:
            shown[question.code] = str(value)
    return shown
