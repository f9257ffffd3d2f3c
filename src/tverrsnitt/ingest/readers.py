"""File readers: .csv, .xlsx and .sav into one raw shape — text cells under their headers.

Every reader returns a `RawTable`: the header texts as found, a string column per header, and
the row number a person would see in the source (spreadsheet row, CSV record with the header as
row 1, SPSS case number). Typing and validation happen afterwards, in one place (`parse.py`).
"""

from __future__ import annotations

import datetime as dt
import zipfile
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from ..errors import DataProblem, InputDataError

ROW = "__row__"
SUPPORTED = (".csv", ".txt", ".xlsx", ".sav")


@dataclass(frozen=True)
class RawTable:
    """Headers as found in the file (repeats included), the frame column holding each, and the
    frame of text cells plus the source row number."""

    file: Path
    headers: tuple[str, ...]
    columns: tuple[str, ...]
    frame: pl.DataFrame


def _fail(file: Path, expected: str, value: str | None = None, row: int | None = None) -> InputDataError:
    return InputDataError([DataProblem(file, row, None, value, expected)])


def read_table(path: Path, sheet: str | None = None) -> RawTable:
    """Read any supported export file; the extension decides the reader."""
    if not path.is_file():
        raise _fail(path, "an existing file", value=None)
    suffix = path.suffix.lower()
    if suffix in (".csv", ".txt"):
        return read_csv(path)
    if suffix == ".xlsx":
        return read_xlsx(path, sheet)
    if suffix == ".sav":
        return read_sav(path)
    raise _fail(path, f"a file ending in one of {', '.join(SUPPORTED)}", value=path.suffix or "")


# ----------------------------------------------------------------------------- csv


def decode_text(path: Path, data: bytes) -> str:
    """UTF-8 (with or without BOM) or, failing that, Windows-1252 as Norwegian Excel writes."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError as exc:
        raise _fail(path, "text encoded as UTF-8 or Windows-1252",
                    value=f"byte 0x{data[exc.start]:02x} at offset {exc.start}") from None


def sniff_delimiter(header_line: str) -> str:
    """The delimiter of the header line: ';' (Norwegian Excel), ',' or tab, outside quotes."""
    counts = {",": 0, ";": 0, "\t": 0}
    quoted = False
    for char in header_line:
        if char == '"':
            quoted = not quoted
        elif not quoted and char in counts:
            counts[char] += 1
    best = max(counts, key=lambda c: counts[c])
    return best if counts[best] else ","


def read_csv(path: Path) -> RawTable:
    """Read a delimited text export into text cells; the header row names the columns."""
    text = decode_text(path, path.read_bytes())
    if not text.strip():
        raise _fail(path, "a header row with the question texts, then one row per answer",
                    value="(empty file)")
    first_line = text.lstrip("\r\n").splitlines()[0]
    delimiter = sniff_delimiter(first_line)
    try:
        frame = pl.read_csv(
            text.encode("utf-8"),
            separator=delimiter, infer_schema=False, has_header=True,
            quote_char='"', raise_if_empty=True,
        )
    except (pl.exceptions.ComputeError, pl.exceptions.NoDataError) as exc:
        reason = str(exc).splitlines()[0]
        raise _fail(path, f"well-formed CSV with '{delimiter}' between cells ({reason})") from None
    # Polars renames a repeated header to '<header>_duplicated_<n>'; keep the text as written.
    headers = [c.rsplit("_duplicated_", 1)[0] if "_duplicated_" in c else c for c in frame.columns]
    return _raw_table(path, headers, frame, first_row=2)


def _column_names(headers: list[str]) -> list[str]:
    """Unique frame column names for headers that may repeat ('X', 'X (2)', …)."""
    seen: dict[str, int] = {}
    names = []
    for header in headers:
        seen[header] = seen.get(header, 0) + 1
        names.append(header if seen[header] == 1 else f"{header} ({seen[header]})")
    return names


def _raw_table(path: Path, headers: list[str], cells: pl.DataFrame, first_row: int) -> RawTable:
    """Name the cell columns uniquely, number the rows as the source shows them (`first_row`
    for the first data row), keep the headers as written and drop rows with no cell at all."""
    columns = _column_names(headers)
    frame = cells.rename(dict(zip(cells.columns, columns, strict=True))).with_columns(
        pl.int_range(first_row, first_row + cells.height, dtype=pl.Int64).alias(ROW))
    return RawTable(path, tuple(headers), tuple(columns), _drop_empty_rows(frame))


def _drop_empty_rows(frame: pl.DataFrame) -> pl.DataFrame:
    """Rows with no cell at all are layout, not answers (Excel leaves them behind)."""
    cells = [c for c in frame.columns if c != ROW]
    if not cells:
        return frame
    trimmed = frame.with_columns(
        [pl.col(c).str.strip_chars().replace("", None).alias(c) for c in cells]
    )
    return trimmed.filter(pl.any_horizontal([pl.col(c).is_not_null() for c in cells]))


# ----------------------------------------------------------------------------- xlsx


def _cell_text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, dt.date):
        return value.strftime("%Y-%m-%d")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def read_xlsx(path: Path, sheet: str | None = None) -> RawTable:
    """Read the answers sheet of a workbook; date-time cells become ISO text."""
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError) as exc:
        raise _fail(path, f"an Excel .xlsx workbook ({type(exc).__name__}: {exc})",
                    value="(unreadable file)") from None
    try:
        names = workbook.sheetnames
        worksheet = workbook[sheet] if sheet in names else workbook[names[0]]
        rows = worksheet.iter_rows(values_only=True)
        header_row = next(rows, None)
        if header_row is None or all(v is None for v in header_row):
            raise _fail(path, "a header row with the question texts in row 1",
                        value="(empty sheet)", row=1)
        width = len(header_row)
        columns: list[list[str | None]] = [[] for _ in range(width)]
        for row in rows:  # empty rows too, so that row numbers stay those Excel shows
            texts = [_cell_text(v) for v in row[:width]]
            texts += [None] * (width - len(texts))
            for index, text in enumerate(texts):
                columns[index].append(text)
    finally:
        workbook.close()
    headers = [_cell_text(h) or f"(column {i + 1})" for i, h in enumerate(header_row)]
    cells = pl.DataFrame([pl.Series(f"c{i}", col, dtype=pl.String)
                          for i, col in enumerate(columns)])
    return _raw_table(path, headers, cells, first_row=2)


# ----------------------------------------------------------------------------- sav


def read_sav(path: Path) -> RawTable:
    """Read an SPSS file; value labels replace codes and variable labels serve as headers."""
    import pyreadstat

    try:
        frame, meta = pyreadstat.read_sav(str(path), apply_value_formats=True,
                                          formats_as_category=False, output_format="polars")
    except Exception as exc:  # pyreadstat raises its own exception types per failure
        raise _fail(path, f"an SPSS .sav file ({type(exc).__name__}: {exc})",
                    value="(unreadable file)") from None
    labels = meta.column_names_to_labels or {}
    headers = [labels.get(name) or name for name in frame.columns]
    cells = frame.select([_sav_text(pl.col(name), frame.schema[name]) for name in frame.columns])
    return _raw_table(path, headers, cells, first_row=1)  # SPSS numbers cases from 1


def _sav_text(column: pl.Expr, dtype: pl.DataType) -> pl.Expr:
    if dtype == pl.Datetime or isinstance(dtype, pl.Datetime):
        return column.dt.strftime("%Y-%m-%d %H:%M:%S")
    if dtype.is_float():
        # Whole numbers print without '.0' so codes and years read as written.
        return (pl.when(column == column.floor()).then(column.cast(pl.Int64).cast(pl.String))
                .otherwise(column.cast(pl.String)))
    return column.cast(pl.String)
