"""Disclosure control: small cells hidden, and never recoverable from the totals beside them."""

from __future__ import annotations

import csv
import re
import subprocess
from pathlib import Path

import docx as python_docx
import polars as pl

from tverrsnitt.chart import chart_data
from tverrsnitt.clean import AnalysisData, prepare
from tverrsnitt.ingest import Ingested
from tverrsnitt.pipeline import build_report
from tverrsnitt.study import Study
from tverrsnitt.tabulate import Tables, tabulate
from tverrsnitt.tabulate.disclosure import check_k, suppressed_cells

from .conftest import EXAMPLE, EXPORT_CSV, ExampleReport, require_program


def test_k_is_never_below_three() -> None:
    assert check_k(1) == 3 and check_k(5) == 5


def test_roles_below_k_are_hidden_with_a_partner(study: Study, tables: Tables) -> None:
    hidden = suppressed_cells(study, tables, 5)
    t31 = {key[3:] for key in hidden if key[0] == "T3.1"}
    # Sosionom (1) is below K; Barnevernspedagog (10), the smallest other member of the group,
    # goes too, or the group's subtotal 184 minus the shown members would give 1.
    assert t31 == {("Miljøterapeut/spesped/BSV", "Sosionom"),
                   ("Miljøterapeut/spesped/BSV", "Barnevernspedagog")}


def test_whole_sample_figures_are_not_touched(study: Study, tables: Tables) -> None:
    hidden = suppressed_cells(study, tables, 5)
    assert not {key for key in hidden if key[0] not in ("T3.1",)}


def small_sample(study: Study, export: Ingested, register: Ingested, rows: int) -> Tables:
    frame = export.frame.sample(rows, seed=11)
    data: AnalysisData = prepare(study, frame, register.frame)
    return tabulate(study, data)


def test_no_hidden_group_can_be_rebuilt_from_totalt(study: Study, export: Ingested,
                                                     register: Ingested) -> None:
    tables = small_sample(study, export, register, 300)
    k = 5
    hidden = suppressed_cells(study, tables, k)
    assert hidden, "a sample of 300 has groups below K"
    bases: dict[tuple[str, str, str], dict[str, int]] = {}
    for row in tables:
        if row.by in ("yrkesgruppe", "skoleslag", "skoletype", "ufaglaert"):
            bases.setdefault((row.figure, row.item, row.by), {})[row.group] = row.base
    for (figure, item, by), groups in bases.items():
        shown_or_not = {g: any(key[:4] == (figure, item, by, g) for key in hidden)
                        for g in groups}
        small = [g for g, n in groups.items() if g != "Totalt" and n < k]
        for group in small:
            assert shown_or_not[group], (figure, item, group)
        hidden_groups = [g for g, h in shown_or_not.items() if h and g != "Totalt"]
        # Never exactly one hidden group beside a printed Totalt.
        assert len(hidden_groups) != 1, (figure, item, by, hidden_groups)


def test_every_cell_of_a_hidden_group_is_hidden(study: Study, export: Ingested,
                                                register: Ingested) -> None:
    tables = small_sample(study, export, register, 300)
    hidden = suppressed_cells(study, tables, 5)
    groups = {key[:4] for key in hidden if not key[0].startswith("T")}  # tables hide counts
    frame = pl.DataFrame([row.key for row in tables], orient="row",
                         schema=["figure", "item", "by", "group", "category"])
    for figure, item, by, group in groups:
        cells = frame.filter((pl.col("figure") == figure) & (pl.col("item") == item)
                             & (pl.col("by") == by) & (pl.col("group") == group))
        assert all(tuple(r) in hidden for r in cells.iter_rows()), (figure, item, group)


def test_published_outputs_hide_what_tables_csv_keeps(study: Study, export: Ingested,
                                                      register: Ingested, tmp_path: Path) -> None:
    # A small wave: many groups fall below K.
    sample = tmp_path / "small.csv"
    with EXPORT_CSV.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    with sample.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows([rows[0], *rows[1:301]])
    result = build_report(EXAMPLE, tmp_path / "out", data=sample, formats=["html", "docx"])
    hidden = suppressed_cells(study, result.tables, study.meta.min_cell)
    assert hidden
    html = (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    # tables.csv is the analyst's file: every cell is there.
    with (tmp_path / "out" / "tables.csv").open(encoding="utf-8") as handle:
        keys = {tuple(r[:5]) for r in csv.reader(handle)}
    assert hidden <= keys
    # A hidden group's chart leaves it out and says so; its numbers table prints ':'.
    published = result.tables.published(hidden, study.meta.min_cell)
    figure = next(f for f in study.figures if any(k[0] == f.id and k[2] == f.by
                                                   for k in hidden) and not f.is_table)
    data = chart_data(study, figure, published)
    assert data is not None and data.note and "færre enn 5 svar" in data.note
    hidden_groups = {k[3] for k in hidden if k[0] == figure.id and k[2] == figure.by}
    drawn = {row.group for panel in data.panels for row in panel.rows}
    assert not drawn & hidden_groups
    assert "<td>:</td>" in html
    # Word prints the very same withheld cells as the HTML: ':' where a number would be.
    withheld = html.count("<td>:</td>")
    assert withheld == docx_withheld(tmp_path / "out" / "report.docx")


def docx_withheld(path: Path) -> int:
    document = python_docx.Document(str(path))
    return sum(1 for table in document.tables for row in table.rows for cell in row.cells
               if cell.text.strip() == ":")


def test_every_format_withholds_the_same_cells(example_report: ExampleReport) -> None:
    # The example hides two roles of Tabell 3.1 (seven columns each); HTML, Word and PDF print
    # ':' in the same fourteen cells. (The PDF is built once per run, by the shared fixture.)
    out = example_report.result.out_dir
    withheld = (out / "report.html").read_text(encoding="utf-8").count("<td>:</td>")
    assert withheld == 14
    assert docx_withheld(out / "report.docx") == withheld
    pdftotext = require_program("pdftotext", "poppler-utils")
    text = subprocess.run([pdftotext, "-layout", str(out / "report.pdf"), "-"],
                          capture_output=True, text=True, check=True).stdout
    assert len(re.findall(r"(?<=\s):(?=\s)", text)) == withheld


def test_prose_never_prints_a_hidden_number(study: Study, tables: Tables) -> None:
    from tverrsnitt.report.narrative import fill
    from tverrsnitt.study.model import NumberRef, Paragraph

    paragraph = Paragraph(text="{n} sosionomer", values={"n": NumberRef(
        figure="T3.1", item="b2_rolle", group="Miljøterapeut/spesped/BSV", category="Sosionom",
        format="count")})
    assert fill(study, tables, paragraph).text == "1 sosionomer"
    published = tables.published(suppressed_cells(study, tables, 5), 5)
    assert fill(study, published, paragraph).text is None
