"""Render an export table as the bytes of a .csv, .xlsx or .sav file that `ingest` reads back.

CSV and XLSX are opened in spreadsheets, so free text that a spreadsheet would run as a
formula is neutralised with a leading apostrophe (OWASP "CSV injection"; `ingest.guard`, which
also removes it on import). Option labels come from the study definition and are written as
they are.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import ExportError
from ..ingest.guard import neutralise
from ..ingest.parse import MULTI_SEPARATOR
from ..study.model import Question
from .export_table import Cell, ExportTable

if TYPE_CHECKING:
    import polars as pl

FORMATS = ("csv", "xlsx", "sav")
DEFAULT_SHEET = "Svar"
DATETIME_TEXT = "%Y-%m-%d %H:%M:%S"
DATETIME_EXCEL = "yyyy-mm-dd hh:mm:ss"
# XML 1.0 forbids these control characters; openpyxl refuses a cell that holds one.
XML_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def _free_text(question: Question) -> bool:
    return question.type in ("text", "id")


def _text_cell(question: Question, value: Cell) -> str:
    """A cell as CSV text (and as string cells in the other formats)."""
    if value is None:
        return ""
    if isinstance(value, tuple):
        # The survey tool's multi-select format: every label followed by ';'.
        return "".join(label + MULTI_SEPARATOR for label in value)
    if isinstance(value, dt.datetime):
        return value.strftime(DATETIME_TEXT)
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, int):
        return str(value)
    return neutralise(value) if _free_text(question) else value


def to_csv(table: ExportTable) -> bytes:
    """UTF-8 with a byte-order mark (so Excel reads æøå), commas, RFC 4180 quoting and CRLF."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(table.headers)
    for row in table.rows:
        writer.writerow([_text_cell(q, v) for q, v in zip(table.questions, row, strict=True)])
    return buffer.getvalue().encode("utf-8-sig")


def to_xlsx(table: ExportTable, sheet: str | None = None) -> bytes:
    """One sheet of answers: numbers as numbers, times as date-time cells, text as text."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    workbook = Workbook(write_only=True)
    worksheet = workbook.create_sheet(sheet or DEFAULT_SHEET)
    worksheet.append(list(table.headers))
    for row in table.rows:
        cells: list[object] = []
        for question, value in zip(table.questions, row, strict=True):
            if isinstance(value, dt.datetime):
                cell = WriteOnlyCell(worksheet, value)
                cell.number_format = DATETIME_EXCEL
                cells.append(cell)
            elif isinstance(value, int | float) or value is None:
                cells.append(value)
            else:
                text = XML_ILLEGAL.sub("", _text_cell(question, value))
                cell = WriteOnlyCell(worksheet, text)
                cell.data_type = "s"  # never a formula, whatever the text starts with
                cells.append(cell)
        worksheet.append(cells)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _sav_variable(question: Question, values: list[Cell]) -> tuple[pl.Series, str, dict[float, str]]:
    """One SPSS variable: its values, its measure level and its value labels."""
    import polars as pl

    name = question.code
    if question.type == "scale":
        # The points as numbers, their labelled ends as value labels (ingest reads both).
        points = [float(v) if isinstance(v, str | int | float) else None for v in values]
        return (pl.Series(name, points, dtype=pl.Float64), "ordinal",
                {float(point): text for point, text in question.labels.items()})
    if question.type == "single":
        codes = {label: float(i) for i, label in enumerate(question.options, start=1)}
        unknown = sorted({str(v) for v in values if v is not None and v not in codes})
        if unknown:
            raise ExportError(f"Cannot write {name!r} as SPSS codes: the stored answers "
                              f"{unknown} are not among its options.")
        series = pl.Series(name, [codes[str(v)] if v is not None else None for v in values],
                           dtype=pl.Float64)
        return (series, "ordinal" if question.ordinal else "nominal",
                {code: label for label, code in codes.items()})
    if question.type == "datetime":
        return pl.Series(name, [v if isinstance(v, dt.datetime) else None for v in values],
                         dtype=pl.Datetime("us")), "scale", {}
    numeric = all(isinstance(v, int | float) or v is None for v in values)
    if question.type == "number" or (question.type == "id" and numeric and values):
        return pl.Series(name, [float(v) if isinstance(v, int | float) else None for v in values],
                         dtype=pl.Float64), "scale", {}
    # Free text, ids and multi-selects (the ';'-joined labels ingest reads) are strings; SPSS
    # does not run formulas, so text is written exactly as given.
    texts = [v if isinstance(v, str) else _text_cell(question, v) for v in values]
    return pl.Series(name, texts, dtype=pl.String), "nominal", {}


def to_sav(table: ExportTable) -> bytes:
    """SPSS: variables named by question code, labelled by header; single choices as numeric
    codes with value labels (ingest applies the labels and matches columns by header)."""
    import polars as pl
    import pyreadstat

    series: list[pl.Series] = []
    measures: dict[str, str] = {}
    value_labels: dict[str, dict[float, str]] = {}
    for index, question in enumerate(table.questions):
        column, measures[question.code], labels = _sav_variable(
            question, [row[index] for row in table.rows])
        series.append(column)
        if labels:
            value_labels[question.code] = labels
    with tempfile.TemporaryDirectory(prefix="tverrsnitt-sav-") as folder:
        path = Path(folder) / "export.sav"
        try:
            pyreadstat.write_sav(pl.DataFrame(series), str(path), column_labels=list(table.headers),
                                 variable_value_labels=value_labels, variable_measure=measures)
            _, meta = pyreadstat.read_sav(str(path), metadataonly=True)
        except Exception as exc:  # pyreadstat raises its own types for each refusal
            raise ExportError(f"Cannot write an SPSS .sav file: {exc}. Export as .csv or .xlsx "
                              "instead.") from None
        _check_labels(table, meta.column_names_to_labels or {},
                      meta.variable_value_labels or {}, value_labels)
        return path.read_bytes()


def _check_labels(table: ExportTable, written: dict[str, str | None],
                  written_values: dict[str, dict[float, str]],
                  wanted_values: dict[str, dict[float, str]]) -> None:
    """SPSS caps label lengths; a cut header or option would no longer match the study."""
    for question in table.questions:
        if written.get(question.code) != question.header:
            raise ExportError(f"The header of {question.code!r} is too long for an SPSS variable "
                              f"label ({len(question.header.encode())} bytes): export as .csv or "
                              ".xlsx instead.")
        stored = {float(k): v for k, v in written_values.get(question.code, {}).items()}
        if stored != wanted_values.get(question.code, {}):
            raise ExportError(f"An option of {question.code!r} is too long for an SPSS value "
                              "label: export as .csv or .xlsx instead.")


RENDERERS: dict[str, Callable[[ExportTable, str | None], bytes]] = {
    "csv": lambda table, _sheet: to_csv(table),
    "xlsx": to_xlsx,
    "sav": lambda table, _sheet: to_sav(table),
}


def render(table: ExportTable, fmt: str, sheet: str | None = None) -> bytes:
    """The bytes of the export file in format `fmt` ('csv', 'xlsx' or 'sav')."""
    renderer = RENDERERS.get(fmt)
    if renderer is None:
        raise ExportError(f"Unknown export format {fmt!r}: use one of {', '.join(FORMATS)}.")
    return renderer(table, sheet)
