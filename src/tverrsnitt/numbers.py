"""Numbers written the Norwegian way: "2 259", "81 prosent", "71,5"."""

from __future__ import annotations

import math
from collections.abc import Iterable

NBSP = "\u00a0"


def thousands(value: int) -> str:
    """An integer with a no-break space between groups of three digits (2 259, 18 881)."""
    return f"{value:,}".replace(",", NBSP)


def n_text(bases: Iterable[int]) -> str:
    """'N = 2 247', or 'N = 2 186–2 232' when the bases differ: the one way every chart,
    caption and table writes a base, with no-break spaces so it never breaks ('' for none)."""
    values = list(bases)
    if not values:
        return ""
    low, high = min(values), max(values)
    span = thousands(low) if low == high else f"{thousands(low)}–{thousands(high)}"
    return f"N{NBSP}={NBSP}{span}"


def decimal(value: float, digits: int = 1) -> str:
    """A decimal number with a decimal comma (71,5)."""
    return f"{value:.{digits}f}".replace(".", ",")


def as_typed(value: float) -> str:
    """A number as a Norwegian respondent would type it, no more digits than it has: 50, 37,5."""
    if float(value).is_integer():
        return str(int(value))
    return f"{value:g}".replace(".", ",")


def percent_words(value: int) -> str:
    """'81 prosent' with a no-break space so the number never ends a line alone."""
    return f"{value}{NBSP}prosent"


def percent_range_words(low: int, high: int) -> str:
    """'mellom 35 og 55 prosent', or '47 prosent' when both ends are the same."""
    if low == high:
        return percent_words(low)
    return f"mellom {low} og {high}{NBSP}prosent"


MINUS = "\u2212"  # a real minus sign, not a hyphen


def number(value: float, digits: int = 1) -> str:
    """A decimal number with a decimal comma and a real minus sign (71,5; −0,3)."""
    return decimal(value, digits).replace("-", MINUS)


def points(value: float) -> str:
    """Net-score points, whole and signed: '+12', '0', '−8'."""
    whole = round(value)
    return f"+{whole}" if whole > 0 else str(whole).replace("-", MINUS)


def whole(value: float) -> int:
    """A percent as the report prints it: whole, rounded half up (47,5 → 48)."""
    return math.floor(value + 0.5)


def signed(value: float, digits: int = 1) -> str:
    """A change with its sign: '+4,7', '−0,5', '0,0' (no sign on a change that rounds to 0)."""
    text = decimal(abs(value), digits)
    if text.strip("0,") == "":
        return text
    return f"+{text}" if value > 0 else f"{MINUS}{text}"


def with_unit(text: str, unit: str | None) -> str:
    """'9,2 år': a number and its unit, never broken across lines."""
    return f"{text}{NBSP}{unit}" if unit else text


def p_value(p: float) -> str:
    """'p < 0,001' or 'p = 0,003', with no-break spaces: a line never breaks inside it."""
    return f"p{NBSP}<{NBSP}0,001" if p < 0.001 else f"p{NBSP}={NBSP}{decimal(p, 3)}"

