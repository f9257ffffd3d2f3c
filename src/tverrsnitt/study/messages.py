"""Pydantic's validation errors as the study definition's messages: short, in the user's
words, with the near match for a misspelt key or value."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

from pydantic import BaseModel

from ..errors import did_you_mean


def keys_of(models: Iterable[type[BaseModel]]) -> tuple[str, ...]:
    """Every key the models (and the models inside them) know, as written in YAML."""
    seen: dict[str, None] = {}
    pending = list(models)
    done: set[type[BaseModel]] = set()
    while pending:
        model = pending.pop()
        if model in done:
            continue
        done.add(model)
        for name, field in model.model_fields.items():
            seen[field.alias or name] = None
            pending.extend(models_in(field.annotation))
    return tuple(seen)


def models_in(annotation: Any) -> list[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return [m for arg in getattr(annotation, "__args__", ()) for m in models_in(arg)]


def pydantic_message(err: Any, vocabulary: Sequence[str] = ()) -> str:
    """One pydantic error as a definition problem's message (`vocabulary`: the keys an
    unknown key may be a misspelling of)."""
    kind = err.get("type", "")
    if kind == "missing":
        return "required key is missing"
    if kind == "extra_forbidden":
        key = str(err["loc"][-1]) if err.get("loc") else ""
        near = did_you_mean(key, vocabulary)
        if err.get("input") is None and not near:
            # `{title: Figur 1.1 Rolle, prosent, …}`: the comma ended the title, and the rest
            # became a key without a value.
            return (f"unknown key {key!r} without a value: in a {{…}} mapping a comma ends the "
                    "text before it, so put text that holds a comma in quotes "
                    "('Figur 1.1 Rolle, prosent')")
        return f"unknown key {key!r} (check the spelling).{near}"
    if kind == "union_tag_invalid":
        ctx = err.get("ctx", {})
        tag, expected = ctx.get("tag"), str(ctx.get("expected_tags", ""))
        return (f"unknown {ctx.get('discriminator', 'kind')} {tag!r}; expected one of "
                f"{expected}{_near(str(tag), expected)}")
    if kind == "literal_error":
        expected = str(err.get("ctx", {}).get("expected", ""))
        got = err.get("input")
        return f"got {got!r}; expected one of {expected}{_near(str(got), expected)}"
    got = err.get("input")
    if kind == "string_type":
        hint = " (YAML read it as a number or true/false: put it in quotes)" if isinstance(
            got, int | float | bool) else ""
        return f"expected text, got {got!r}{hint}"
    if kind in ("int_type", "int_parsing", "int_from_float"):
        return f"expected a whole number, got {got!r}"
    if kind in ("float_type", "float_parsing"):
        return f"expected a number, got {got!r}"
    if kind in ("bool_type", "bool_parsing"):
        return f"expected true or false, got {got!r}"
    if kind in ("list_type", "tuple_type"):
        return f"expected a list ([a, b] or one '- ' line each), got {got!r}"
    if kind in ("dict_type", "model_type", "model_attributes_type"):
        return f"expected a mapping of keys (key: value), got {got!r}"
    if kind in ("greater_than_equal", "greater_than", "less_than_equal", "less_than"):
        ctx = err.get("ctx", {})
        bound, name = {"greater_than_equal": ("of at least", "ge"),
                       "greater_than": ("above", "gt"), "less_than_equal": ("of at most", "le"),
                       "less_than": ("below", "lt")}[kind]
        limit = ctx.get(name)
        key = str(err["loc"][-1]) if err.get("loc") else ""
        hint = f": write {key}: {limit} or more" if kind == "greater_than_equal" and key else ""
        return f"expected a number {bound} {limit}, got {got!r}{hint}"
    if kind == "too_short":
        return f"expected at least {err.get('ctx', {}).get('min_length', 1)} entries"
    return str(err.get("msg", "invalid value"))


def _near(got: str, choices: str) -> str:
    """'. Did you mean 'top2'?' when one of pydantic's "'a', 'b' or 'c'" is close, else ''."""
    near = did_you_mean(got, re.findall(r"'([^']*)'", choices))
    return f".{near}" if near else ""

