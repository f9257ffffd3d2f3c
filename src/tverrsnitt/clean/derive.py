"""Derived variables (occupational group, 'ufaglært', school type, age group) from the definition."""

from __future__ import annotations

import polars as pl

from ..study.model import AgeBands, Recode, Study


def recode_expr(variable: Recode) -> pl.Expr:
    """Map source options onto group labels; ungrouped and missing answers give no group."""
    mapping = {value: group.label for group in variable.groups for value in group.values}
    labels = [group.label for group in variable.groups]
    return (
        pl.col(variable.source).cast(pl.String)
        .replace_strict(mapping, default=None, return_dtype=pl.String)
        .cast(pl.Enum(labels))
        .alias(variable.code)
    )


def age_band_expr(variable: AgeBands) -> pl.Expr:
    """Age = year of the reference date - birth year, cut into the declared bands."""
    age = pl.col(variable.reference_date).dt.year().cast(pl.Float64) - pl.col(variable.birth_year)
    expr: pl.Expr = pl.lit(None, dtype=pl.String)
    for band in reversed(variable.bands):
        test = age.is_not_null()
        if band.min is not None:
            test = test & (age >= band.min)
        if band.max is not None:
            test = test & (age <= band.max)
        expr = pl.when(test).then(pl.lit(band.label)).otherwise(expr)
    return expr.cast(pl.Enum([b.label for b in variable.bands])).alias(variable.code)


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
