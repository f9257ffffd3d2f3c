"""The whole run: one command from export to tables.csv, figures and a self-contained report."""

from __future__ import annotations

import csv
import re
from html import unescape
from pathlib import Path

import pytest

from tverrsnitt.cli import main
from tverrsnitt.pipeline import ReportResult, build_report

from .conftest import (
    EXAMPLE,
    EXPORT_CSV,
    REGISTER_CSV,
    TEST_DATA,
    ExampleReport,
    number_style_faults,
)


@pytest.fixture(scope="module")
def run(example_report: ExampleReport) -> ReportResult:
    return example_report.result


@pytest.fixture(scope="module")
def html(run: ReportResult) -> str:
    return (run.out_dir / "report.html").read_text(encoding="utf-8")


def test_outputs_are_in_place(run: ReportResult) -> None:
    names = {p.as_posix() for p in run.files}
    assert {"tables.csv", "report.html", "report.docx", "report.pdf"} <= names
    charts = [n for n in names if n.startswith("figurer/")]
    # 45 survey entries less 2 tables, and the 4 curling-house diagrams of the focus groups
    assert len([n for n in charts if n.endswith(".svg")]) == 47
    assert len([n for n in charts if n.endswith(".png")]) == 47
    leftovers = [p for p in run.out_dir.parent.iterdir() if p.name.startswith(".")]
    assert leftovers == [], "temporary folders are cleaned up"


def test_tables_csv_matches_expected_file(run: ReportResult) -> None:
    def rows(path: Path) -> set[tuple[str, ...]]:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            return {tuple(r[:7]) for r in csv.reader(handle)}

    assert rows(run.out_dir / "tables.csv") == rows(TEST_DATA / "expected-tables-2023.csv")


def test_report_is_self_contained(html: str) -> None:
    assert html.startswith("<!DOCTYPE html>")
    assert '<html lang="nb">' in html
    # Images inline, no links to local files or the network.
    assert 'src="data:image/svg+xml;base64,' in html
    assert not re.search(r'(src|href)="(?!data:|#)', html)


def test_report_structure(html: str) -> None:
    for heading in ("Sammendrag", "1 Innledning", "2 Data og metode", "2.1.1 Frafallsanalyse",
                    "3 Skolemiljøansatte - hvem er de?", "4.5 Samarbeid",
                    "6 Anerkjennelse og samhandling i laget rundt eleven",
                    "Vedlegg: Datakvalitet", "Tabelloversikt", "Figuroversikt"):
        assert f">{heading}<" in html, heading
    assert html.count("<figure ") == 50  # 45 survey entries, 4 diagrams and Tabell 6.1
    assert 'id="figur-4-10"' in html and 'href="#figur-4-10"' in html
    assert 'id="tabell-2-1"' in html and 'href="#tabell-2-1"' in html
    # Figur 4.19's N range, counted from the data, once in its caption.
    caption = re.search(r'<figcaption id="figur-4-19-caption">.*?</figcaption>', html)
    assert caption is not None and caption.group().count("N\u00a0=") == 1, caption
    assert "(N\u00a0=\u00a02\u00a0186–2\u00a0232)" in caption.group()
    assert re.search(r"\bN=\d", html) is None  # one style: never "N=2226"


def test_one_number_style_in_the_web_page_and_the_charts(run: ReportResult, html: str) -> None:
    texts = [unescape(t) for t in re.findall(r">([^<]+)<", html[html.index("<main"):])]
    charts = sorted((run.out_dir / "figurer").glob("*.svg"))
    labels = [unescape(t) for chart in charts
              for t in re.findall(r">([^<]+)<", chart.read_text(encoding="utf-8"))]
    assert any("N\u00a0=\u00a0" in t for t in labels)  # the charts' text is text
    assert len(texts) > 5000
    assert number_style_faults([*texts, *labels]) == []


def test_summary_numbers_come_from_the_tables(html: str) -> None:
    summary = html.split('id="sammendrag"')[1].split('id="kap-1"')[0]
    for phrase in ("18\u00a0881 medlemmer", "3\u00a0147 svarte (17\u00a0prosent)",
                   "2\u00a0259 personer", "81\u00a0prosent bidro", "7\u00a0prosent opplever",
                   "mellom 35 og 55\u00a0prosent oppgir", "hele 47\u00a0prosent ikke vært med",
                   "17\u00a0prosent deltar", "mellom 55 og 60\u00a0prosent enige",
                   "38\u00a0prosent sier det samme om skolelederne"):
        assert phrase in summary, phrase


def test_data_quality_appendix(html: str) -> None:
    appendix = html.split('id="vedlegg-datakvalitet"')[1]
    assert "3\u00a0147 rader lest" in appendix and "18\u00a0881 rader lest" in appendix
    assert "Ekskludert: Ikke samtykket</th><td>164" in appendix
    assert "Analysert (Total N)</th><td>2\u00a0259" in appendix


def test_without_register_the_dependent_parts_are_left_out_with_a_note(tmp_path: Path) -> None:
    result = build_report(EXAMPLE, tmp_path / "out", data=EXPORT_CSV, formats=["html"])
    figures = {row.figure for row in result.tables}
    assert not figures & {"T2.1", "2.1", "2.2", "2.3"}
    assert "4.10" in figures
    html = (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    assert "trenger medlemsregisteret (--register)" in html
    assert "Et avsnitt i «Sammendrag» er utelatt" in html


def test_narrative_follows_the_data(tmp_path: Path) -> None:
    # Drop every analysed respondent who said 'Har ikke deltatt…': the 47 % must change.
    with EXPORT_CSV.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    header = rows[0]
    column = next(i for i, h in enumerate(header) if h.startswith("Har du deltatt"))
    kept = [r for r in rows[1:] if "Har ikke deltatt" not in r[column]][:1500]
    kept += [r for r in rows[1:] if "Har ikke deltatt" in r[column]][:100]
    path = tmp_path / "changed.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows([header, *kept])
    result = build_report(EXAMPLE, tmp_path / "out", data=path, register=REGISTER_CSV,
                          tables_only=True)
    row = result.tables.get("5.1", "q51_aktiviteter", "none", "Totalt",
                            "Har ikke deltatt på noen av aktivitetene")
    assert row is not None
    share = (200 * row.count + row.base) // (2 * row.base)
    assert share != 47
    # The prose of this run's report (rendered without its charts, which do not change it).
    from tverrsnitt.report.html import render_html
    from tverrsnitt.study import load_study

    html = render_html(load_study(EXAMPLE), result.tables, {}, result.quality)
    assert f"Til tross for dette har hele {share}\u00a0prosent ikke vært med" in html


def test_cli_report_and_exit_codes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "cli-out"
    assert main(["report", str(EXAMPLE), "--out", str(out), "--format", "docx,html"]) == 0
    printed = capsys.readouterr().out
    assert "2159 table rows, 47 figures, report.docx, report.html" in printed
    assert (out / "tables.csv").is_file() and not (out / "report.pdf").exists()
    assert main(["report", str(EXAMPLE), "--out", str(out), "--format", "html,odt"]) == 1
    assert "Unknown report format 'odt'" in capsys.readouterr().err
    assert (out / "report.docx").is_file(), "a refused run keeps the earlier result"
    assert main(["report", str(EXAMPLE), "--out", str(out), "--data", "nope.csv"]) == 1
    assert "nope.csv" in capsys.readouterr().err
    assert main(["validate", str(EXAMPLE)]) == 0
    assert main(["report", "--help"]) == 0
    assert "--lenient" in capsys.readouterr().out
    assert main(["report", str(EXAMPLE)]) == 1  # --out is required: a usage error is bad input


def test_tables_only_writes_the_same_numbers_and_nothing_else(
        example_report: ExampleReport, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "numbers"
    assert main(["report", str(EXAMPLE), "--data", str(EXPORT_CSV), "--register",
                 str(REGISTER_CSV), "--out", str(out), "--tables-only"]) == 0
    assert "2159 table rows, tables.csv and differences.csv only" in capsys.readouterr().out
    written = sorted(p.name for p in out.iterdir() if not p.name.startswith("."))  # not the marker
    assert written == ["differences.csv", "tables.csv"]
    full = example_report.result.out_dir
    for name in ("tables.csv", "differences.csv"):
        assert (out / name).read_bytes() == (full / name).read_bytes(), name
    # Asking for documents and for none of them at once is refused, and nothing is written.
    assert main(["report", str(EXAMPLE), "--out", str(tmp_path / "both"), "--tables-only",
                 "--format", "pdf"]) == 1
    assert "--tables-only writes no report documents" in capsys.readouterr().err
    assert not (tmp_path / "both").exists()


def test_internal_errors_exit_2(monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                capsys: pytest.CaptureFixture[str]) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr("tverrsnitt.pipeline.tabulate", broken)
    assert main(["report", str(EXAMPLE), "--out", str(tmp_path / "x"), "--quiet"]) == 2
    assert "Internal error" in capsys.readouterr().err
    assert not (tmp_path / "x").exists()
