"""Write `tables.csv`, the machine-readable contract of a report run (tables-format.md)."""

from __future__ import annotations

import csv
from pathlib import Path

from .tables import COLUMNS, Tables


def format_number(value: float) -> str:
    """Shortest text that reads back as the same float (repr), as the format asks."""
    return repr(float(value))


def write_tables_csv(tables: Tables, path: Path) -> None:
    """UTF-8, comma-separated, header row, RFC 4180 quoting."""
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\r\n")
        writer.writerow(COLUMNS)
        for row in tables:
            writer.writerow([row.figure, row.item, row.by, row.group, row.category,
                             row.count, row.base, format_number(row.percent)])
