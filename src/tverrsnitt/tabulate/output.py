"""Write `tables.csv`, the machine-readable contract of a report run (tables-format.md)."""

from __future__ import annotations

import csv
import math
from collections.abc import Sequence
from pathlib import Path

from .tables import COLUMNS, Tables


def format_number(value: float) -> str:
    """Shortest text that reads back as the same float (repr), as the format asks."""
    return repr(float(value))


def _optional(value: float | None) -> str:
    # Empty where nothing can be estimated (no estimate, or R's NaN for a one-unit group).
    return "" if value is None or math.isnan(value) else format_number(value)


def write_tables_csv(tables: Tables, path: Path, wave: str = "",
                     earlier: Sequence[tuple[str, Tables]] = ()) -> None:
    """UTF-8, comma-separated, header row, RFC 4180 quoting.

    The first eight columns are fixed by tables-format.md; se, ci_low, ci_high (on the
    estimate's scale: percent for shares), weighted_percent, weighted_base, suppressed and
    estimate (the published number: the weighted share, or a mean, median, net score …)
    follow, and last `wave`, the id of the wave the row belongs to. `earlier` adds the rows of
    the waves compared with (wave id, tables), after this wave's. Every number is written,
    also the suppressed ones: this is the analyst's file, and `suppressed` says what
    publication hides. `percent` is empty where a share makes no sense.
    """
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\r\n")
        writer.writerow(COLUMNS)
        for wave_id, wave_tables in ((wave, tables), *earlier):
            for row in wave_tables:
                writer.writerow([row.figure, row.item, row.by, row.group, row.category,
                                 row.count, row.base, _optional(row.percent), _optional(row.se),
                                 _optional(row.ci_low), _optional(row.ci_high),
                                 _optional(row.weighted_percent), _optional(row.weighted_base),
                                 "true" if wave_tables.is_hidden(row) else "false",
                                 _optional(row.value if row.percent is not None or row.estimate
                                           is not None else None), wave_id])
