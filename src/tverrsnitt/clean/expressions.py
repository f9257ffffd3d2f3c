"""Routing conditions as Polars expressions, so a base is computed the same way everywhere."""

from __future__ import annotations

import polars as pl

from ..study.conditions import Condition
from ..study.model import Question, Study

ORDER_TESTS = {
    ">=": lambda column, index: column >= index,
    "<=": lambda column, index: column <= index,
    ">": lambda column, index: column > index,
    "<": lambda column, index: column < index,
}


def condition_expr(condition: Condition, study: Study) -> pl.Expr:
    """True where the condition holds; False (never null) where it does not or is unknown."""
    column = pl.col(condition.code)
    question = study.question(condition.code)
    op, values = condition.op, list(condition.values)
    if op == "is_answered":
        expr = answered_expr(question)
    elif op == "==":
        expr = column.cast(pl.String) == values[0]
    elif op == "!=":
        expr = column.cast(pl.String) != values[0]
    elif op == "in":
        expr = column.cast(pl.String).is_in(values)
    elif op in ORDER_TESTS:
        # Ordinal comparison: the option's position in the (low -> high) option list.
        index = question.options.index(values[0])
        expr = ORDER_TESTS[op](column.to_physical(), index)
    elif op == "has_any":
        expr = column.list.eval(pl.element().cast(pl.String) == values[0]).list.any()
    elif op == "has_any_except":
        expr = column.list.eval(pl.element().cast(pl.String) != values[0]).list.any()
    else:  # pragma: no cover - the parser admits no other operator
        raise ValueError(f"unknown operator {op!r}")
    return expr.fill_null(False)


def answered_expr(question: Question) -> pl.Expr:
    """True where the question has a valid answer (a multi-select needs at least one tick)."""
    column = pl.col(question.code)
    if question.type == "multi":
        return (column.list.len() > 0).fill_null(False)
    return column.is_not_null()


def base_expr(question: Question, study: Study) -> pl.Expr:
    """Who is in an item's base: asked the item (routing holds) and gave a valid answer."""
    expr = answered_expr(question)
    if question.asked_if is not None:
        expr = expr & condition_expr(question.asked_if, study)
    return expr


def numeric_expr(question: Question) -> pl.Expr:
    """A numeric item's answers as numbers: a number as read, a scale's point label as its
    value ('9' -> 9.0)."""
    column = pl.col(question.code)
    if question.type == "scale":
        return column.cast(pl.String).cast(pl.Float64)
    return column.cast(pl.Float64)
