"""Tabulate: every table and figure as data (counts, bases, percents) — no formatting here."""

from .engine import tabulate
from .output import write_tables_csv
from .tables import TableRow, Tables, share, shown_percent, shown_whole_percent, whole_percent

__all__ = ["TableRow", "Tables", "share", "shown_percent", "shown_whole_percent", "tabulate",
           "whole_percent", "write_tables_csv"]
