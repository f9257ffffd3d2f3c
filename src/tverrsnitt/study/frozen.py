"""The base of every definition object, in a module of its own so that the parts of the
study definition (study.model, study.qual) can build on it without importing each other."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class Frozen(BaseModel):
    """Base for all definition objects: immutable, unknown keys rejected."""

    # A field's docstring is its description: the reference (docs/definition.md) and the JSON
    # Schemas are generated from them (study/reference.py).
    model_config = ConfigDict(frozen=True, extra="forbid", arbitrary_types_allowed=True,
                              use_attribute_docstrings=True)
