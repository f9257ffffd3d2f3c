"""Routing conditions ("asked_if", group filters) parsed once into small frozen objects.

The study definition writes conditions as short expressions so that people can read them:

    s1_samtykke == 'Ja'
    q41_mobbing >= 'I noen grad'                 (ordinal comparison in option order)
    q51_aktiviteter has_any_except 'Har ikke deltatt på noen av aktivitetene'
    b2_rolle in ['Annet', 'Helsearbeider']
    reg_medlemsnr is_answered

Evaluation lives in clean.expressions (Polars); this module only parses.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

OPERATORS = ("==", "!=", ">=", "<=", ">", "<", "in", "has_any", "has_any_except", "is_answered")

_PATTERN = re.compile(
    r"""^\s*(?P<code>[A-Za-z_][A-Za-z0-9_]*)\s+
        (?P<op>==|!=|>=|<=|>|<|in|has_any_except|has_any|is_answered)
        \s*(?P<rest>.*?)\s*$""",
    re.VERBOSE,
)
_QUOTED = re.compile(r"""'((?:[^'\\]|\\.)*)'|"((?:[^"\\]|\\.)*)\"""")


class ConditionSyntaxError(ValueError):
    """The expression does not follow the condition grammar."""


@dataclass(frozen=True)
class Condition:
    """`code op values`: a test on one answer of one respondent."""

    code: str
    op: str
    values: tuple[str, ...]
    text: str

    def __str__(self) -> str:
        return self.text


def _quoted_values(rest: str) -> list[str]:
    found = [a if a else b for a, b in _QUOTED.findall(rest)]
    leftover = _QUOTED.sub("", rest).replace(",", "").strip()
    if leftover not in ("", "[]"):
        raise ConditionSyntaxError(f"unexpected text {leftover!r}; quote option labels with '…'")
    return found


def parse_condition(text: str) -> Condition:
    """Parse one condition expression, raising ConditionSyntaxError with a helpful message."""
    match = _PATTERN.match(text)
    if not match:
        raise ConditionSyntaxError(
            f"cannot read condition {text!r}; write `<code> <operator> '<option>'` "
            f"with an operator from {list(OPERATORS)}"
        )
    code, op, rest = match["code"], match["op"], match["rest"]
    if op == "is_answered":
        if rest:
            raise ConditionSyntaxError(f"'is_answered' takes no value, got {rest!r}")
        return Condition(code, op, (), text.strip())
    if op == "in":
        if not (rest.startswith("[") and rest.endswith("]")):
            raise ConditionSyntaxError(f"'in' needs a list like ['a', 'b'], got {rest!r}")
        values = _quoted_values(rest[1:-1])
        if not values:
            raise ConditionSyntaxError("'in' needs at least one quoted option label")
    else:
        values = _quoted_values(rest)
        if len(values) != 1:
            raise ConditionSyntaxError(f"'{op}' needs exactly one quoted option label, got {rest!r}")
    return Condition(code, op, tuple(values), text.strip())
