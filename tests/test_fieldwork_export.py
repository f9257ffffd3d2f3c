"""Export of collected responses on SQLite and PostgreSQL: .csv, .xlsx and .sav that ingest reads
back and the report counts, with spreadsheet formulas neutralised."""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from tverrsnitt.fieldwork.export import ExportError, export, export_bytes
from tverrsnitt.fieldwork.export_formats import neutralise
from tverrsnitt.fieldwork.export_table import build_table, local_time
from tverrsnitt.ingest import read_export
from tverrsnitt.pipeline import build_report
from tverrsnitt.store import Store
from tverrsnitt.study import Study

from .conftest import EXAMPLE

FORMULA = '=HYPERLINK("http://x")'
SCRIPT = '<script>alert("x")</script> & <b>fet</b>'
BASE = {"s1_samtykke": "Ja", "s2_arbeid": "Jeg jobber elevrettet", "s3_laererutdanning": "Nei",
        "b1_utdanning": "Fagbrev/svennebrev", "b3_skoletrinn": "Barnetrinn",
        "b4_ansettelse": "Fast ansatt", "b5_heltid": "Heltid", "q410_utnytte": "I noen grad"}
# The one respondent the report's Figur 4.10 should find: a school assistant, 'I stor grad'.
MAIN = {**BASE, "b2_rolle": "Miljøarbeider", "b5_heltid": "Deltid", "b6_stillingsprosent": 62.5,
        "q410_utnytte": "I stor grad", "q41_saerskilte_behov": "I stor grad",
        "q51_aktiviteter": ["Fagbrev", "Kurs/seminarer"], "q54_utbytte": "I noen grad"}
OTHERS = {"formula": {**BASE, "b2_rolle": "Annet", "b2_rolle_annet": FORMULA},
          "plus": {**BASE, "b2_rolle": "Annet", "b2_rolle_annet": "+1"},
          "script": {**BASE, "b2_rolle": "Annet", "b2_rolle_annet": SCRIPT}}


def walk(store: Store, study: Study, respondent_id: int, answers: dict[str, Any],
         final: str = "completed") -> None:
    """Save the answers page by page as the questionnaire would, then submit."""
    assert study.fieldwork is not None
    pages = study.fieldwork.pages
    for number, page in enumerate(pages, start=1):
        codes = {q.code for q in study.questions if q.code in page.questions
                 or q.battery in page.questions}
        values = {code: value for code, value in answers.items() if code in codes}
        store.save_page(respondent_id, values, [], page=number,
                        status=final if number == len(pages) else "started")


@pytest.fixture
def filled(store_url: str, study: Study) -> Iterator[tuple[Store, dict[str, str]]]:
    """Six members: screened out at consent, four completed, one unfinished, one not started.
    Returns the store and the member number of each kind of respondent."""
    store = Store(store_url)
    register = pl.read_csv(EXAMPLE / "data" / "register.csv", infer_schema=False).head(7)
    store.import_members([{"member_no": row["member_no"], "email": f"{row['member_no']}@x.no",
                           "background": row} for row in register.iter_rows(named=True)])
    members = store.members()
    ids = [store.respondent_for_token(store.issue_token(m.id, "invitation")) for m in members]
    respondents = [r.id for r in ids if r is not None]
    store.save_page(respondents[0], {"s1_samtykke": "Nei"}, [], page=1, status="screened_out",
                    screened_reason="Ikke samtykket")
    walk(store, study, respondents[1], MAIN)
    for index, answers in enumerate(OTHERS.values(), start=2):
        walk(store, study, respondents[index], answers)
    store.save_page(respondents[5], {"s1_samtykke": "Ja"}, [], page=1, status="started")
    roles = ("screened", "main", *OTHERS, "unfinished", "not started")
    try:
        yield store, {role: m.member_no for role, m in zip(roles, members, strict=True)}
    finally:
        store.close()


@pytest.mark.parametrize("suffix", [".csv", ".xlsx", ".sav"])
def test_export_reads_back_and_the_report_counts_it(
        filled: tuple[Store, dict[str, str]], store_url: str, study: Study, tmp_path: Path,
        suffix: str) -> None:
    _, member_no = filled
    out = tmp_path / f"svar{suffix}"
    summary = export(EXAMPLE, out, db_url=store_url)
    assert summary == (f"Wrote {out} — 5 responses (4 completed, 1 screened out). 1 respondents "
                       "who started but have not submitted were left out.")
    frame = read_export(out, study).frame  # strict: any cell that breaks the study fails
    assert frame["id"].to_list() == ["1", "2", "3", "4", "5"]
    screened, main = frame.row(0, named=True), frame.row(1, named=True)
    assert screened["s1_samtykke"] == "Nei" and screened["reg_medlemsnr"] is None
    assert screened["starttid"] is not None and screened["sluttid"] is not None
    assert main["reg_medlemsnr"] == member_no["main"] and main["reg_fodselsar"] == 1981
    assert (main["reg_kjonn"], main["reg_fylke"], main["reg_yrke"], main["reg_tillitsvalgt"]) == (
        "Kvinne", "Oslo", "Miljøarbeider", "Nei")
    assert main["b6_stillingsprosent"] == 62.5 and main["q41_saerskilte_behov"] == "I stor grad"
    assert main["q51_aktiviteter"] == ["Kurs/seminarer", "Fagbrev"]
    assert main["sluttid"] >= main["starttid"]
    # The file carries the formula guard (see below); reading our own export removes it, so
    # the report quotes what the respondent wrote.
    assert frame["b2_rolle_annet"].to_list()[2:] == [FORMULA, "+1", SCRIPT]

    result = build_report(EXAMPLE, tmp_path / "rapport", data=out, tables_only=True)
    cell = result.tables.get("4.10", "q410_utnytte", "yrkesgruppe",
                             "Skoleassistent/miljøarbeider", "I stor grad")
    assert cell is not None and (cell.count, cell.base) == (1, 1)
    annet = result.tables.get("4.10", "q410_utnytte", "yrkesgruppe", "Annet", "I noen grad")
    assert annet is not None and (annet.count, annet.base) == (3, 3)
    assert result.quality.answered == 5 and result.quality.analysed == 4
    assert result.quality.excluded == (("Ikke samtykket", 1), ("Ikke elevrettet arbeid", 0),
                                       ("Lærerutdannet", 0))


def test_csv_is_rfc4180_with_bom_and_neutralised_formulas(
        filled: tuple[Store, dict[str, str]], store_url: str, study: Study, tmp_path: Path) -> None:
    store, _ = filled
    data = export_bytes(study, store, "csv")
    assert data.startswith(b"\xef\xbb\xbfID,Starttidspunkt,") and b"\r\n" in data
    export(EXAMPLE, tmp_path / "svar.csv", db_url=store_url)
    assert (tmp_path / "svar.csv").read_bytes() == data
    rows = list(csv.reader(data.decode("utf-8-sig").splitlines()))
    header = rows[0]
    annet = header.index("Annet – oppgi yrkesbakgrunn eller rolle")
    assert [row[annet] for row in rows[3:]] == ["'" + FORMULA, "'+1", SCRIPT]
    main = dict(zip(header, rows[2], strict=True))
    assert main["Hvor mange prosent stilling har du?"] == "62.5"
    assert main["Fødselsår"] == "1981" and main["Medlemsnummer"] == "1000625"
    activities = next(h for h in header if h.startswith("Har du deltatt i noen av følgende"))
    assert main[activities] == "Kurs/seminarer;Fagbrev;"
    assert len(main["Starttidspunkt"]) == 19 and main["Starttidspunkt"][4] == "-"
    screened = rows[1]
    assert screened[3] == "Nei" and set(screened[4:]) == {""}  # nothing after the consent


def test_xlsx_cells_are_typed_and_never_formulas(
        filled: tuple[Store, dict[str, str]], study: Study, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    store, _ = filled
    path = tmp_path / "svar.xlsx"
    path.write_bytes(export_bytes(study, store, "xlsx"))
    workbook = load_workbook(path)
    try:
        sheet = workbook["Svar"]
        header = [c.value for c in sheet[1]]
        annet = header.index("Annet – oppgi yrkesbakgrunn eller rolle") + 1
        cells = [sheet.cell(row=r, column=annet) for r in (4, 5, 6)]
        assert [c.value for c in cells] == ["'" + FORMULA, "'+1", SCRIPT]
        assert {c.data_type for c in cells} == {"s"}
        assert isinstance(sheet.cell(row=3, column=2).value, dt.datetime)
        assert sheet.cell(row=3, column=2).number_format == "yyyy-mm-dd hh:mm:ss"
        assert sheet.cell(row=3, column=1).value == 2
        percent = header.index("Hvor mange prosent stilling har du?") + 1
        assert sheet.cell(row=3, column=percent).value == 62.5
    finally:
        workbook.close()


def test_sav_has_codes_value_labels_and_variable_labels(
        filled: tuple[Store, dict[str, str]], study: Study, tmp_path: Path) -> None:
    import pyreadstat

    store, _ = filled
    path = tmp_path / "svar.sav"
    path.write_bytes(export_bytes(study, store, "sav"))
    frame, meta = pyreadstat.read_sav(str(path), output_format="polars")
    assert meta.column_names[:4] == ["id", "starttid", "sluttid", "s1_samtykke"]
    assert meta.column_names_to_labels["s1_samtykke"] == study.question("s1_samtykke").header
    assert meta.variable_value_labels["s1_samtykke"] == {1.0: "Ja", 2.0: "Nei"}
    assert frame["s1_samtykke"].to_list() == [2.0, 1.0, 1.0, 1.0, 1.0]
    assert meta.variable_measure["q410_utnytte"] == "ordinal"


def test_an_unknown_extension_is_a_user_error(store_url: str, tmp_path: Path) -> None:
    with pytest.raises(ExportError, match=r"must end in \.csv, \.xlsx, \.sav"):
        export(EXAMPLE, tmp_path / "svar.json", db_url=store_url)
    assert not list(tmp_path.glob("svar*"))


# ----------------------------------------------------------------------------- units


def test_open_link_respondents_have_empty_register_columns(study: Study) -> None:
    started = dt.datetime(2023, 2, 2, 8, 1, 39)  # UTC as SQLite returns it (no zone)
    respondent = {"status": "completed", "screened_reason": None, "started_at": started,
                  "completed_at": started + dt.timedelta(minutes=12)}
    table = build_table(study, [(respondent, {}, dict(BASE, b2_rolle="Sosionom"))])
    row = dict(zip((q.code for q in table.questions), table.rows[0], strict=True))
    assert row["id"] == 1 and row["reg_medlemsnr"] is None and row["reg_kjonn"] is None
    # Norwegian winter time is UTC+1.
    assert (row["starttid"], row["sluttid"]) == (dt.datetime(2023, 2, 2, 9, 1, 39),
                                                 dt.datetime(2023, 2, 2, 9, 13, 39))
    assert local_time(dt.datetime(2023, 6, 1, 10, 0, tzinfo=dt.UTC)) == dt.datetime(2023, 6, 1, 12)


def test_neutralise_only_formula_starts() -> None:
    assert [neutralise(t) for t in ("=1+1", "+47 99", "-x", "@SUM(A1)", "Assistent", "a=b")] == [
        "'=1+1", "'+47 99", "'-x", "'@SUM(A1)", "Assistent", "a=b"]
