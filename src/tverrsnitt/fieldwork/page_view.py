"""What one questionnaire page shows, as plain data for the template.

Consecutive statements of one battery become one matrix block; every other question is a block
of its own. The template only lays these out; which questions are asked is decided in
`flow.py`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from ..study.model import Question


@dataclass(frozen=True)
class Block:
    """One thing on the page: a question (single, multi, number, scale, text) or a battery
    matrix."""

    kind: str
    questions: tuple[Question, ...]

    @property
    def question(self) -> Question:
        """The block's (first) question."""
        return self.questions[0]

    @property
    def options(self) -> tuple[str, ...]:
        """The answer options (a battery's statements share one scale)."""
        return self.question.options


def blocks(questions: Iterable[Question]) -> tuple[Block, ...]:
    """Group a page's asked questions into blocks, keeping page order."""
    grouped: list[Block] = []
    for question in questions:
        if question.battery is not None:
            last = grouped[-1] if grouped else None
            if last is not None and last.kind == "battery" and last.question.battery == question.battery:
                grouped[-1] = Block("battery", (*last.questions, question))
                continue
            grouped.append(Block("battery", (question,)))
        else:
            grouped.append(Block(question.type, (question,)))
    return tuple(grouped)


def field_id(question: Question) -> str:
    """The id of the first input of a question: where an error summary link jumps to."""
    return f"{question.code}-0" if question.is_choice or question.type == "multi" else question.code


@dataclass(frozen=True)
class Problem:
    """One line of the error summary at the top of the page."""

    anchor: str
    label: str
    message: str


def problems(questions: Iterable[Question], errors: Mapping[str, str]) -> tuple[Problem, ...]:
    """The error summary, in page order, each linking to its field."""
    found = []
    for question in questions:
        if question.code in errors:
            # A battery row is named by its statement (the label), a question by its text.
            label = question.header if question.battery is None else question.label
            found.append(Problem(field_id(question), label, errors[question.code]))
    return tuple(found)

