"""File readers: .csv, .xlsx and .sav into one raw shape — text cells under their headers.

Every reader returns a `RawTable`: the header texts as found, a string column per header, and
the row number a person would see in the source (spreadsheet row, CSV record with the header as
row 1, SPSS case number). Typing and validation happen afterwards, in one place (`parse.py`).
"""

from __future__ import annotations

import codecs
import datetime as dt
import re
import zipfile
from collections.abc import Callable, Collection
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl

from ..errors import DataProblem, InputDataError
from ..study.model import normalise_header

ROW = "__row__"


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


def read_table(path: Path, sheet: str | None = None,
               expected_headers: Collection[str] = (), preferred_sheet: str | None = None
               ) -> RawTable:
    """Read any supported export file; the extension decides the reader. A workbook is read
    from `sheet` (which must exist), else `preferred_sheet` when it has one by that name,
    else its one sheet whose first row has `expected_headers`."""
    if not path.is_file():
        raise _fail(path, "an existing file", value=None)
    reader = READERS.get(path.suffix.lower())
    if reader is None:
        raise _fail(path, f"a file ending in one of {', '.join(SUPPORTED)}",
                    value=path.suffix or "")
    return reader(path, sheet, expected_headers, preferred_sheet)


# ----------------------------------------------------------------------------- csv


# Byte-order marks, longest first (UTF-32 LE begins with UTF-16 LE's mark).
BOMS = ((codecs.BOM_UTF32_LE, "utf-32", "UTF-32"), (codecs.BOM_UTF32_BE, "utf-32", "UTF-32"),
        (codecs.BOM_UTF8, "utf-8-sig", "UTF-8"), (codecs.BOM_UTF16_LE, "utf-16", "UTF-16"),
        (codecs.BOM_UTF16_BE, "utf-16", "UTF-16"))
# Files that are not text at all, by their first bytes.
NOT_TEXT = ((b"PK\x03\x04", "an Excel workbook (or another zip file): give it the .xlsx name"),
            (b"\xd0\xcf\x11\xe0", "an old Excel .xls workbook: save it as .xlsx or CSV UTF-8"),
            (b"$FL2", "an SPSS data file: give it the .sav name"),
            (b"$FL3", "an SPSS data file: give it the .sav name"))
ENCODINGS = "UTF-8, UTF-16 or Windows-1252"
# What is left when a file in another encoding is read as Windows-1252: control characters.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def decode_text(path: Path, data: bytes) -> str:
    """The text of a delimited export, in the encoding its bytes show: a byte-order mark
    (UTF-8, UTF-16, UTF-32), UTF-16 without one (every other byte zero), UTF-8, or else
    Windows-1252 as Norwegian Excel writes. Anything else is refused with its name, never
    read as mojibake."""
    for start, what in NOT_TEXT:
        if data.startswith(start):
            raise _fail(path, f"a delimited text export, not {what}", value="(not text)")
    for bom, codec, name in BOMS:
        if data.startswith(bom):
            return _decode(path, data, codec, name)
    sample = data[:4096]
    if b"\x00" in sample:
        even, odd = sample[0::2].count(0), sample[1::2].count(0)
        half = max(1, len(sample) // 2)
        if odd > 0.3 * half and even < 0.05 * half:
            return _decode(path, data, "utf-16-le", "UTF-16 (little-endian, no byte-order mark)")
        if even > 0.3 * half and odd < 0.05 * half:
            return _decode(path, data, "utf-16-be", "UTF-16 (big-endian, no byte-order mark)")
        raise _fail(path, f"text in {ENCODINGS} (this file holds zero bytes, so it is a binary "
                          "file or text in another encoding: save the export as CSV UTF-8)",
                    value=f"byte 0x00 at offset {sample.index(0)}")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError as exc:
        raise _fail(path, f"text in {ENCODINGS} (these bytes fit none of them: save the "
                          "export as CSV UTF-8)",
                    value=f"byte 0x{data[exc.start]:02x} at offset {exc.start}") from None
    control = _CONTROL.search(text)
    if control is not None:
        raise _fail(path, f"text in {ENCODINGS} (read as Windows-1252 it holds control "
                          "characters, so it is in another encoding: save the export as "
                          "CSV UTF-8)",
                    value=f"character U+{ord(control.group()):04X} at offset {control.start()}")
    return text


def _decode(path: Path, data: bytes, codec: str, name: str) -> str:
    try:
        return data.decode(codec)
    except UnicodeDecodeError as exc:
        raise _fail(path, f"text in {name}, as its first bytes say (it breaks off: save the "
                          "export again)",
                    value=f"bytes at offset {exc.start}") from None


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


def read_xlsx(path: Path, sheet: str | None = None,
              expected_headers: Collection[str] = (), preferred_sheet: str | None = None
              ) -> RawTable:
    """Read the answers sheet of a workbook; date-time cells become ISO text."""
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError) as exc:
        raise _fail(path, f"an Excel .xlsx workbook ({type(exc).__name__}: {exc})",
                    value="(unreadable file)") from None
    try:
        worksheet = workbook[answers_sheet(path, workbook, sheet, expected_headers,
                                           preferred_sheet)]
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


def answers_sheet(path: Path, workbook: Any, sheet: str | None,
                  expected_headers: Collection[str], preferred: str | None = None) -> str:
    """The sheet to read: the one named by --sheet, the study's export_sheet when the workbook
    has it, the only sheet, or the only one whose first row holds the study's headers. Never a
    guess: a --sheet the workbook lacks, or a workbook where no sheet or several sheets hold
    answers, is an error that lists the sheets."""
    names: list[str] = list(workbook.sheetnames)
    listed = ", ".join(f"'{n}'" for n in names)
    if sheet is not None:
        if sheet in names:
            return sheet
        raise _fail(path, f"a sheet named '{sheet}' (the workbook has {listed}): give the "
                          "answers sheet's name with --sheet", value=sheet)
    if preferred is not None and preferred in names:
        return preferred
    if len(names) == 1:
        return names[0]
    wanted = {normalise_header(h) for h in expected_headers}
    found: dict[str, int] = {}
    for name in names:
        first = next(workbook[name].iter_rows(max_row=1, values_only=True), ())
        matched = sum(1 for v in first if v is not None
                      and normalise_header(_cell_text(v) or "") in wanted)
        if matched:
            found[name] = matched
    if len(found) == 1:
        return next(iter(found))
    counts = ", ".join(f"'{n}' ({found[n]} of the study's columns)" for n in found)
    what = (f"several sheets look like answers: {counts}" if found
            else "no sheet has the study's question texts in its first row")
    raise _fail(path, f"one answers sheet ({what}; the workbook has {listed}): name it with "
                      "--sheet NAME, or as export_sheet in study.yaml",
                value="(several sheets)" if found else "(no answers sheet)")


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


# ----------------------------------------------------------------------------- formats

Reader = Callable[[Path, str | None, Collection[str], str | None], RawTable]

# The input formats, by file extension: the one list `read_table`, the errors and the README's
# table of formats follow. A new format is a reader here and one line below.
READERS: dict[str, Reader] = {
    ".csv": lambda path, *_: read_csv(path),
    ".txt": lambda path, *_: read_csv(path),
    ".xlsx": read_xlsx,
    ".sav": lambda path, *_: read_sav(path),
}
SUPPORTED = tuple(READERS)

