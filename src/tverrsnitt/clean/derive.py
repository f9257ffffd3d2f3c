"""Derived variables (occupational group, 'ufaglært', school type, age group, years in bands)
from the definition."""

from __future__ import annotations

import math

import polars as pl

from ..study.model import AgeBands, Bands, Recode, Study


def recode_expr(variable: Recode) -> pl.Expr:
    """Map source options onto group labels; ungrouped and missing answers give no group."""
    mapping = {value: group.label for group in variable.groups for value in group.values}
    labels = [group.label for group in variable.groups]
    return (pl.col(variable.source).cast(pl.String)
            .replace_strict(mapping, default=None, return_dtype=pl.Enum(labels))
            .alias(variable.code))


def age_band_expr(variable: AgeBands) -> pl.Expr:
    """Age = year of the reference date - birth year, looked up in a table of every whole age."""
    labels = [band.label for band in variable.bands]
    lowest = int(min((b.min for b in variable.bands if b.min is not None), default=0))
    highest = int(max((b.max for b in variable.bands if b.max is not None), default=lowest))
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


def bands_expr(study: Study, variable: Bands) -> pl.Expr:
    """The band of each answer (a scale's point read as its number); no band: missing."""
    source = study.question(variable.source)
    value = pl.col(variable.source)
    if source.type == "scale":
        value = value.cast(pl.String).cast(pl.Float64)
    intervals = study.band_intervals(variable)
    labels = [band.label for band in intervals]
    expr: pl.Expr = pl.lit(None, dtype=pl.String)
    for band in reversed(intervals):  # the first band that contains the value wins
        test = value >= band.low if not math.isinf(band.low) else pl.lit(True)
        if not math.isinf(band.high):
            test = test & (value <= band.high if band.high_inclusive else value < band.high)
        expr = pl.when(value.is_not_null() & test).then(pl.lit(band.label)).otherwise(expr)
    return expr.cast(pl.Enum(labels)).alias(variable.code)


def add_derived(frame: pl.DataFrame, study: Study) -> pl.DataFrame:
    """Add every derived variable whose inputs are in `frame` (the register lacks some)."""
    exprs = []
    for variable in study.derived:
        if isinstance(variable, Recode):
            if variable.source in frame.columns:
                exprs.append(recode_expr(variable))
        elif isinstance(variable, Bands):
            if variable.source in frame.columns:
                exprs.append(bands_expr(study, variable))
        elif {variable.birth_year, variable.reference_date} <= set(frame.columns):
            exprs.append(age_band_expr(variable))
    return frame.with_columns(exprs) if exprs else frame
