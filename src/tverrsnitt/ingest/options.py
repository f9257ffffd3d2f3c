"""How a run may resolve a respondent found on several rows (`--dedupe`): kept apart from the
readers so that the command line offers the choices without loading Polars."""

from __future__ import annotations

from typing import Literal

Dedupe = Literal["first", "last"]
DEDUPE: tuple[Dedupe, ...] = ("first", "last")
