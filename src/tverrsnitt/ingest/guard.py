"""The formula guard of spreadsheet exports, written and removed by one rule.

Free text a spreadsheet would run as a formula (=, +, -, @, or a tab or carriage return in
front of one) is exported behind an apostrophe (OWASP "CSV injection"). Reading our own CSV or
XLSX back removes exactly that apostrophe, so a report quotes what the respondent wrote, not
`'=…`. Text that itself begins with apostrophes before such a character gets one more, so the
two steps undo each other for every text.
"""

from __future__ import annotations

import polars as pl

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
GUARD = "'"
# The file types whose free text carries the guard (SPSS runs no formulas: .sav has none).
GUARDED_SUFFIXES = (".csv", ".txt", ".xlsx")


def neutralise(text: str) -> str:
    """Text a spreadsheet shows as written: a leading ' when it would start a formula."""
    return GUARD + text if text.lstrip(GUARD).startswith(FORMULA_START) else text


def unguard(text: str) -> str:
    """`neutralise` undone."""
    if text.startswith(GUARD) and text.lstrip(GUARD).startswith(FORMULA_START):
        return text[1:]
    return text


def unguard_column(cells: pl.Series) -> pl.Series:
    """`unguard` for a column of text cells (None stays None)."""
    rest = cells.str.strip_chars_start(GUARD)
    guarded = cells.str.starts_with(GUARD) & pl.any_horizontal(
        [rest.str.starts_with(start) for start in FORMULA_START])
    return (pl.select(pl.when(guarded).then(cells.str.slice(1)).otherwise(cells))
            .to_series().alias(cells.name))
