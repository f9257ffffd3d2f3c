"""Ingest: exports from other tools (xlsx, csv, .sav) and the member register -> typed frames.

The names below load their module when first used, so that a command that reads no data
(`tverrsnitt --help`, `serve`) does not wait for Polars."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..lazy import lazy_names

if TYPE_CHECKING:
    from .duplicates import Deduplicated
    from .files import WEIGHT, Ingested, read_export, read_register, register_questions
    from .options import DEDUPE, Dedupe
    from .readers import ROW

__all__ = ["DEDUPE", "ROW", "WEIGHT", "Dedupe", "Deduplicated", "Ingested", "read_export",
           "read_register", "register_questions"]

_HOMES = {"DEDUPE": ".options", "Dedupe": ".options", "Deduplicated": ".duplicates",
          "ROW": ".readers", "WEIGHT": ".files", "Ingested": ".files",
          "read_export": ".files", "read_register": ".files", "register_questions": ".files"}


__getattr__ = lazy_names(__name__, _HOMES)
