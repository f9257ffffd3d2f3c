"""Tabulate: every table and figure as data (counts, bases, percents) — no formatting here.

The names below load their module when first used: the web server needs only a percent rule
from `tables`, and should not wait a second for the statistics (SciPy) at every start."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..lazy import lazy_names

if TYPE_CHECKING:
    from .engine import tabulate
    from .output import write_tables_csv
    from .tables import TableRow, Tables, share, shown_percent, shown_whole_percent, whole_percent

__all__ = ["TableRow", "Tables", "share", "shown_percent", "shown_whole_percent", "tabulate",
           "whole_percent", "write_tables_csv"]

_HOMES = {"tabulate": ".engine", "write_tables_csv": ".output", "TableRow": ".tables",
          "Tables": ".tables", "share": ".tables", "shown_percent": ".tables",
          "shown_whole_percent": ".tables", "whole_percent": ".tables"}


__getattr__ = lazy_names(__name__, _HOMES)
