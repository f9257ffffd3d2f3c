"""Ingest: every export format reads to the same tables; every bad input is named precisely."""

from __future__ import annotations

import csv
import random
from pathlib import Path

import polars as pl
import pytest

from tverrsnitt.clean import prepare
from tverrsnitt.cli import main
from tverrsnitt.errors import InputDataError
from tverrsnitt.ingest import read_export
from tverrsnitt.study import Study
from tverrsnitt.tabulate import Tables, tabulate

from .conftest import EXAMPLE, EXPORT_CSV, EXPORT_XLSX, REGISTER_CSV


def export_rows() -> tuple[list[str], list[list[str]]]:
    with EXPORT_CSV.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    return rows[0], rows[1:]


def write_rows(path: Path, header: list[str], rows: list[list[str]], *, delimiter: str = ",",
               encoding: str = "utf-8") -> Path:
    with path.open("w", encoding=encoding, newline="") as handle:
        writer = csv.writer(handle, delimiter=delimiter)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def tables_for(study: Study, path: Path) -> Tables:
    return tabulate(study, prepare(study, read_export(path, study).frame))


def keyed(tables: Tables) -> dict[tuple[str, ...], tuple[int, int]]:
    return {row.key: (row.count, row.base) for row in tables}


@pytest.fixture(scope="module")
def reference(study: Study) -> dict[tuple[str, ...], tuple[int, int]]:
    return keyed(tables_for(study, EXPORT_CSV))


# --------------------------------------------------------------------------- formats


def test_xlsx_reads_the_same_as_csv(study: Study, reference: dict) -> None:
    assert keyed(tables_for(study, EXPORT_XLSX)) == reference


def test_windows_1252_semicolon_csv_reads_the_same(study: Study, reference: dict,
                                                   tmp_path: Path) -> None:
    header, rows = export_rows()
    path = write_rows(tmp_path / "excel.csv", header, rows, delimiter=";", encoding="cp1252")
    assert keyed(tables_for(study, path)) == reference


def test_utf8_without_bom_reads_the_same(study: Study, reference: dict, tmp_path: Path) -> None:
    header, rows = export_rows()
    path = write_rows(tmp_path / "plain.csv", header, rows)
    assert not path.read_bytes().startswith(b"\xef\xbb\xbf")
    assert keyed(tables_for(study, path)) == reference


def test_columns_matched_by_header_not_position(study: Study, reference: dict,
                                                tmp_path: Path) -> None:
    header, rows = export_rows()
    order = list(range(len(header)))
    random.Random(7).shuffle(order)
    shuffled = [header[i] for i in order] + ["Intern merknad"]
    path = write_rows(tmp_path / "shuffled.csv", shuffled,
                      [[row[i] for i in order] + ["x"] for row in rows])
    ingested = read_export(path, study)
    assert ingested.unknown_columns == ("Intern merknad",)
    assert keyed(tables_for(study, path)) == reference


def test_sav_with_value_labels_reads_the_same(study: Study, reference: dict,
                                              tmp_path: Path) -> None:
    pyreadstat = pytest.importorskip("pyreadstat")
    pandas = pytest.importorskip("pandas")
    frame = pandas.read_csv(EXPORT_CSV, encoding="utf-8-sig", dtype=str, keep_default_na=False)
    data: dict[str, object] = {}
    labels: dict[str, str] = {}
    value_labels: dict[str, dict[float, str]] = {}
    for question in study.questions:
        column = frame[question.header].replace("", None)
        labels[question.code] = question.header
        if question.type == "single":
            codes = {label: float(i + 1) for i, label in enumerate(question.options)}
            data[question.code] = column.map(codes).astype("float64")
            value_labels[question.code] = {v: k for k, v in codes.items()}
        elif question.type == "number":
            data[question.code] = pandas.to_numeric(column)
        elif question.type == "datetime":
            data[question.code] = pandas.to_datetime(column)
        else:
            data[question.code] = column.fillna("")
    path = tmp_path / "export.sav"
    pyreadstat.write_sav(pandas.DataFrame(data), str(path), column_labels=labels,
                         variable_value_labels=value_labels)
    assert keyed(tables_for(study, path)) == reference


def test_a_later_wave_with_other_numbers(study: Study, tmp_path: Path) -> None:
    # Another wave: fewer rows, columns in another order, an extra column, semicolons.
    header, rows = export_rows()
    sample = random.Random(3).sample(rows, 1500)
    order = list(reversed(range(len(header))))
    path = write_rows(tmp_path / "wave2.csv", [header[i] for i in order] + ["Kommentar"],
                      [[row[i] for i in order] + [""] for row in sample], delimiter=";")
    tables = tables_for(study, path)
    # Independent count of Tabell 2.1's analysed respondents, straight from the raw cells.
    consent, work, teacher = (header.index(study.question(c).header)
                              for c in ("s1_samtykke", "s2_arbeid", "s3_laererutdanning"))
    analysed = [r for r in sample if r[consent] == "Ja" and r[work] == "Jeg jobber elevrettet"
                and r[teacher] == "Nei"]
    role = header.index(study.question("b2_rolle").header)
    helpers = sum(1 for r in analysed if r[role] == "Skoleassistent")
    row = tables.get("T3.1", "b2_rolle", "yrkesgruppe", "Skoleassistent/miljøarbeider",
                     "Skoleassistent")
    assert row is not None and row.count == helpers
    assert row.base == sum(1 for r in analysed if r[role])
    item = header.index(study.question("q410_utnytte").header)
    big = sum(1 for r in analysed if r[item] in ("I stor grad", "I svært stor grad"))
    top2 = tables.get("4.10", "q410_utnytte", "yrkesgruppe", "Totalt", "I stor grad")
    assert top2 is not None
    assert top2.count == sum(1 for r in analysed if r[item] == "I stor grad" and r[role])
    assert big >= top2.count


# --------------------------------------------------------------------------- bad input


def run_report(data: Path, out: Path, *extra: str) -> int:
    return main(["report", str(EXAMPLE), "--data", str(data), "--out", str(out), "--quiet",
                 "--format", "html", *extra])


def check_rejected(capsys: pytest.CaptureFixture[str], data: Path, out: Path,
                   *fragments: str) -> str:
    code = run_report(data, out)
    message = capsys.readouterr().err
    assert code == 1, message
    assert not out.exists(), "nothing may be written on bad input"
    assert str(data) in message
    for fragment in fragments:
        assert fragment in message, message
    return message


def test_missing_column(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    header, rows = export_rows()
    gone = header.index(study_header := "Er du fast eller midlertidig ansatt?")
    path = write_rows(tmp_path / "missing.csv", header[:gone] + header[gone + 1:],
                      [r[:gone] + r[gone + 1:] for r in rows])
    check_rejected(capsys, path, tmp_path / "out", "row 1", f"column '{study_header}'",
                   "b4_ansettelse", "no such column")


def test_label_that_is_not_an_option(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    header, rows = export_rows()
    column = header.index("Jobber du heltid eller deltid?")
    target = next(i for i, r in enumerate(rows) if r[column] == "Deltid")
    rows[target][column] = "Deltidd"
    path = write_rows(tmp_path / "label.csv", header, rows)
    check_rejected(capsys, path, tmp_path / "out", f"row {target + 2}",
                   "column 'Jobber du heltid eller deltid?'", "found 'Deltidd'",
                   "one of ['Heltid', 'Deltid']", "Did you mean 'Deltid'?")


def test_malformed_multi_select(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    header, rows = export_rows()
    column = next(i for i, h in enumerate(header) if h.startswith("Har du deltatt"))
    target = next(i for i, r in enumerate(rows) if r[column] == "Kurs/seminarer;")
    rows[target][column] = "Kurs/seminarer,Eksterne nettverk"
    path = write_rows(tmp_path / "multi.csv", header, rows)
    check_rejected(capsys, path, tmp_path / "out", f"row {target + 2}",
                   "found 'Kurs/seminarer,Eksterne nettverk'", "joined by ';'")


def test_corrupt_xlsx(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "broken.xlsx"
    path.write_bytes(EXPORT_XLSX.read_bytes()[:5000])
    check_rejected(capsys, path, tmp_path / "out", "Excel .xlsx workbook")


@pytest.mark.parametrize("content", [b"", b"\xef\xbb\xbf\r\n"])
def test_empty_file(capsys: pytest.CaptureFixture[str], tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "empty.csv"
    path.write_bytes(content)
    check_rejected(capsys, path, tmp_path / "out", "(empty file)", "header row")


def test_header_without_rows_is_a_wave_nobody_has_answered_yet(study: Study,
                                                              tmp_path: Path) -> None:
    # Fieldwork has just opened: the export has its header and no answers. That is a valid
    # (empty) wave, not bad input; tests/test_small_exports.py builds its report.
    header, _ = export_rows()
    path = write_rows(tmp_path / "header-only.csv", header, [])
    ingested = read_export(path, study)
    assert ingested.rows == 0 and ingested.problems == ()
    assert set(ingested.frame.columns) >= {q.code for q in study.questions}


def test_bad_input_keeps_an_earlier_result(capsys: pytest.CaptureFixture[str],
                                           tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "tables.csv").write_text("earlier result", encoding="utf-8")
    path = tmp_path / "empty.csv"
    path.write_bytes(b"")
    assert run_report(path, out) == 1
    assert (out / "tables.csv").read_text(encoding="utf-8") == "earlier result"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["empty.csv", "out"]


def test_all_problems_listed_not_just_the_first(study: Study, tmp_path: Path) -> None:
    header, rows = export_rows()
    column = header.index("Jobber du heltid eller deltid?")
    for row in rows[:30]:
        if row[column]:
            row[column] = "Av og til"
    path = write_rows(tmp_path / "many.csv", header, rows)
    with pytest.raises(InputDataError) as caught:
        read_export(path, study)
    bad = sum(1 for r in rows[:30] if r[column] == "Av og til")
    assert len(caught.value.problems) == bad
    assert "--lenient" in caught.value.message


def test_lenient_blanks_cells_and_lists_them(capsys: pytest.CaptureFixture[str],
                                             tmp_path: Path) -> None:
    header, rows = export_rows()
    column = header.index("Jobber du heltid eller deltid?")
    target = next(i for i, r in enumerate(rows) if r[column] == "Deltid")
    rows[target][column] = "Deltidd"
    path = write_rows(tmp_path / "label.csv", header, rows)
    out = tmp_path / "out"
    assert run_report(path, out, "--lenient", "--register", str(REGISTER_CSV)) == 0
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "Datakvalitet" in html and "Deltidd" in html and f">{target + 2}<" in html
    # The appendix says what was expected in the report's language.
    assert "et av svaralternativene «Heltid», «Deltid»" in html and "one of [" not in html
    produced = pl.read_csv(out / "tables.csv")
    heltid = produced.filter((pl.col("figure") == "3.3") & (pl.col("item") == "b5_heltid")
                             & (pl.col("group") == "Totalt") & (pl.col("category") == "Deltid"))
    assert heltid["base"][0] == 2228 - 1  # the blanked cell left the base


def test_repeated_header_is_rejected(study: Study, tmp_path: Path) -> None:
    header, rows = export_rows()
    column = header.index("Jobber du heltid eller deltid?")
    path = write_rows(tmp_path / "twice.csv", [*header, header[column]],
                      [[*r, r[column]] for r in rows])
    with pytest.raises(InputDataError) as caught:
        read_export(path, study)
    assert "row 1, column 'Jobber du heltid eller deltid?'" in caught.value.message
    assert "one column with this header, found 2" in caught.value.message


def test_xlsx_rows_are_numbered_as_excel_shows_them(study: Study, tmp_path: Path) -> None:
    from openpyxl import Workbook

    header, rows = export_rows()
    column = header.index("Jobber du heltid eller deltid?")
    target = next(i for i, r in enumerate(rows) if r[column] == "Deltid")
    rows[target][column] = "Deltidd"
    workbook = Workbook(write_only=True)  # streams the rows: a third of the time
    sheet = workbook.create_sheet("Svar")
    sheet.append(header)
    sheet.append([None] * len(header))  # an empty row stays in the numbering
    for row in rows:
        sheet.append([cell or None for cell in row])
    path = tmp_path / "export.xlsx"
    workbook.save(path)
    with pytest.raises(InputDataError) as caught:
        read_export(path, study)
    assert f"row {target + 3}, column 'Jobber du heltid eller deltid?'" in caught.value.message


def test_a_file_from_another_study_gets_one_clear_message(study: Study, tmp_path: Path) -> None:
    path = write_rows(tmp_path / "other.csv", ["Navn", "Alder"], [["x", "1"]])
    with pytest.raises(InputDataError) as caught:
        read_export(path, study)
    assert len(caught.value.problems) == 1
    assert "found \"'Navn', 'Alder'\"" in caught.value.message
    assert "none of its 114 columns were found" in caught.value.message
