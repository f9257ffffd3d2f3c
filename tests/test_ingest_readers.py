"""Readers: every text encoding a spreadsheet writes is read or refused by name; a workbook is
read from its answers sheet, never from a guess."""

from __future__ import annotations

import codecs
import csv
import io
from pathlib import Path

import polars as pl
import pytest
from openpyxl import Workbook

from tverrsnitt.cli import main
from tverrsnitt.errors import InputDataError
from tverrsnitt.ingest import ROW, read_export
from tverrsnitt.study import Study

from .conftest import EXAMPLE, EXPORT_CSV, EXPORT_XLSX
from .test_ingest import export_rows, write_rows

TEXT = EXPORT_CSV.read_text(encoding="utf-8-sig")


@pytest.fixture(scope="module")
def reference(study: Study) -> pl.DataFrame:
    return read_export(EXPORT_CSV, study).frame


def written(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


@pytest.mark.parametrize(("codec", "bom"), [
    ("utf-16-le", codecs.BOM_UTF16_LE),  # Excel's "Unicode text"
    ("utf-16-be", codecs.BOM_UTF16_BE),
    ("utf-16-le", b""),
    ("utf-16-be", b""),
    ("utf-32-le", codecs.BOM_UTF32_LE),
    ("utf-8", codecs.BOM_UTF8),
])
def test_unicode_encodings_read_the_same(study: Study, reference: pl.DataFrame, tmp_path: Path,
                                         codec: str, bom: bytes) -> None:
    text = TEXT
    if codec == "utf-16-le" and bom:  # as Excel saves "Unicode text": tab-separated
        header, rows = export_rows()
        lines = io.StringIO()
        csv.writer(lines, delimiter="\t").writerows([header, *rows])
        text = lines.getvalue()
    path = written(tmp_path / "svar.csv", bom + text.encode(codec))
    assert read_export(path, study).frame.equals(reference)


def refusal(study: Study, path: Path) -> str:
    with pytest.raises(InputDataError) as caught:
        read_export(path, study)
    message = caught.value.message
    assert str(path) in message
    return message


@pytest.mark.parametrize(("data", "fragments"), [
    (EXPORT_XLSX.read_bytes(), ["not an Excel workbook", "give it the .xlsx name"]),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600), ["old Excel .xls workbook"]),
    (b"$FL2@(#) SPSS DATA FILE" + bytes(200), ["an SPSS data file"]),
    # UTF-32 without its byte-order mark: zero bytes in no UTF-16 pattern.
    (TEXT[:2000].encode("utf-32-le"), ["UTF-8, UTF-16 or Windows-1252", "zero bytes",
                                       "save the export as CSV UTF-8"]),
    # 0x81 is in no Windows-1252 character, and the bytes are not UTF-8 either.
    ("ID,Kjønn\n1,Kvinne\n".encode("cp1252") + b"\x81\n", [
        "UTF-8, UTF-16 or Windows-1252", "byte 0x81 at offset 18"]),
    # Read as Windows-1252 this holds control characters: some other encoding.
    (b"ID,Starttidspunkt\n1,2023\n" + b"\xe9\x02\x03\n", ["control characters",
                                                                   "U+0002"]),
    # A UTF-16 mark on bytes that break off mid-character.
    (codecs.BOM_UTF16_LE + "ID,Kjønn\n".encode("utf-16-le") + b"\x00\xd8", [
        "text in UTF-16, as its first bytes say"]),
])
def test_other_bytes_are_refused_naming_the_encoding(study: Study, tmp_path: Path, data: bytes,
                                                     fragments: list[str]) -> None:
    message = refusal(study, written(tmp_path / "svar.csv", data))
    for fragment in fragments:
        assert fragment in message, message
    assert "\\x00" not in message and len(message) < 700


# --------------------------------------------------------------------------- workbooks

ROWS = 40


@pytest.fixture(scope="module")
def first_rows(study: Study, tmp_path_factory: pytest.TempPathFactory) -> pl.DataFrame:
    header, rows = export_rows()
    path = tmp_path_factory.mktemp("csv") / "svar.csv"
    return read_export(write_rows(path, header, rows[:ROWS]), study).frame.drop(ROW)


def workbook(path: Path, sheets: dict[str, str]) -> Path:
    """A workbook with the given sheets: 'answers' (the first rows of the export), 'info'
    (a cover sheet) or 'empty'."""
    header, rows = export_rows()
    book = Workbook()
    book.remove(book.active)
    for name, kind in sheets.items():
        sheet = book.create_sheet(name)
        if kind == "answers":
            sheet.append(header)
            for row in rows[:ROWS]:
                sheet.append([cell or None for cell in row])
        elif kind == "info":
            sheet.append(["Undersøkelse", "Skolemiljø"])
            sheet.append(["Eksportert", "2023-03-27"])
    book.save(path)
    return path


@pytest.mark.parametrize("sheets", [
    {"Forside": "info", "Data": "answers"},  # no 'Svar': the one sheet with the study's headers
    {"Svar": "answers", "Svar (kopi)": "answers"},  # the study's export_sheet decides
    {"Ark1": "answers"},  # the only sheet
])
def test_the_answers_sheet_is_found(study: Study, first_rows: pl.DataFrame, tmp_path: Path,
                                    sheets: dict[str, str]) -> None:
    path = workbook(tmp_path / "svar.xlsx", sheets)
    assert read_export(path, study).frame.drop(ROW).equals(first_rows)


def test_two_answer_sheets_are_an_error_listing_the_sheets(study: Study, first_rows: pl.DataFrame,
                                                           tmp_path: Path) -> None:
    path = workbook(tmp_path / "svar.xlsx", {"Forside": "info", "Bølge 1": "answers",
                                             "Bølge 2": "answers"})
    message = refusal(study, path)
    assert ("several sheets look like answers: 'Bølge 1' (114 of the study's columns), "
            "'Bølge 2' (114 of the study's columns); the workbook has 'Forside', 'Bølge 1', "
            "'Bølge 2'") in message
    assert "--sheet NAME" in message
    assert read_export(path, study, sheet="Bølge 2").frame.drop(ROW).equals(first_rows)


def test_no_answer_sheet_and_a_missing_sheet_name(study: Study, tmp_path: Path) -> None:
    path = workbook(tmp_path / "svar.xlsx", {"Forside": "info", "Tom": "empty"})
    message = refusal(study, path)
    assert "no sheet has the study's question texts in its first row" in message
    assert "the workbook has 'Forside', 'Tom'" in message
    with pytest.raises(InputDataError) as caught:
        read_export(path, study, sheet="Svar 2")
    assert ("a sheet named 'Svar 2' (the workbook has 'Forside', 'Tom')"
            in caught.value.message)


def test_sheet_option_on_the_command_line(capsys: pytest.CaptureFixture[str],
                                          tmp_path: Path) -> None:
    path = workbook(tmp_path / "svar.xlsx", {"Bølge 1": "answers", "Bølge 2": "answers"})
    assert main(["validate", str(EXAMPLE), "--data", str(path)]) == 1
    assert "several sheets look like answers" in capsys.readouterr().err
    assert main(["validate", str(EXAMPLE), "--data", str(path), "--sheet", "Bølge 1"]) == 0
    assert main(["validate", str(EXAMPLE), "--data", str(path), "--sheet", "Bølge 3"]) == 1
    assert "a sheet named 'Bølge 3'" in capsys.readouterr().err
