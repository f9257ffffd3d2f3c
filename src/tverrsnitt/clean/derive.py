"""Derived variables (occupational group, 'ufaglært', school type, age group) from the definition."""

from __future__ import annotations

import polars as pl

from ..study.model import AgeBands, Recode, Study


def recode_expr(variable: Recode) -> pl.Expr:
    """Map source options onto group labels; ungrouped and missing answers give no group."""
    mapping = {value: group.label for group in variable.groups for value in group.values}
    labels = [group.label for group in variable.groups]
    return (pl.col(variable.source)
            .replace_strict(mapping, default=None, return_dtype=pl.Enum(labels))
            .alias(variable.code))


def age_band_expr(variable: AgeBands) -> pl.Expr:
    """Age = year of the reference date - birth year, looked up in a table of every whole age."""
    labels = [band.label for band in variable.bands]
    lowest = min((b.min for b in variable.bands if b.min is not None), default=0)
    highest = max((b.max for b in variable.bands if b.max is not None), default=lowest)
    ages = range(min(lowest, 0) - 1, max(highest, 130) + 1)
    table = {}
    for age in ages:
        for band in variable.bands:
            if (band.min is None or age >= band.min) and (band.max is None or age <= band.max):
                table[age] = band.label
                break
    age_expr = (pl.col(variable.reference_date).dt.year().cast(pl.Int64)
                - pl.col(variable.birth_year).cast(pl.Int64))
    return (age_expr.replace_strict(table, default=None, return_dtype=pl.Enum(labels))
            .alias(variable.code))


def add_derived(frame: pl.DataFrame, study: Study) -> pl.DataFrame:
    """Add every derived variable whose inputs are in `frame` (the register lacks some)."""
    exprs = []
    for variable in study.derived:
        if isinstance(variable, Recode):
            if variable.source in frame.columns:
                exprs.append(recode_expr(variable))
        elif {variable.birth_year, variable.reference_date} <= set(frame.columns):
            exprs.append(age_band_expr(variable))
    return frame.with_columns(exprs) if exprs else frame
