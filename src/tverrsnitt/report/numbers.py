"""Numbers written the Norwegian way: "2 259", "81 prosent", "71,5"."""

from __future__ import annotations

NBSP = "\u00a0"


def thousands(value: int) -> str:
    """An integer with a no-break space between groups of three digits (2 259, 18 881)."""
    return f"{value:,}".replace(",", NBSP)


def decimal(value: float, digits: int = 1) -> str:
    """A decimal number with a decimal comma (71,5)."""
    return f"{value:.{digits}f}".replace(".", ",")


def prosent(value: int) -> str:
    """'81 prosent' with a no-break space so the number never ends a line alone."""
    return f"{value}{NBSP}prosent"


def range_prosent(low: int, high: int) -> str:
    """'mellom 35 og 55 prosent', or '47 prosent' when both ends are the same."""
    if low == high:
        return prosent(low)
    return f"mellom {low} og {high}{NBSP}prosent"
