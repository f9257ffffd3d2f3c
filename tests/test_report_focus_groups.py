"""The focus groups in the report: quotes by segment, the theme overview, the placement figures,
and never a name."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tverrsnitt.clean.anonymise import anonymise_all
from tverrsnitt.ingest.transcripts import load_transcripts
from tverrsnitt.pipeline import ReportResult, build_report
from tverrsnitt.study import Study
from tverrsnitt.tabulate.evidence import gather

from .conftest import EXAMPLE, ExampleReport


@pytest.fixture(scope="module")
def run(example_report: ExampleReport) -> ReportResult:
    # The study's default export and register are the files the shared build reads.
    return example_report.result


@pytest.fixture(scope="module")
def text(run: ReportResult) -> str:
    html = (run.out_dir / "report.html").read_text(encoding="utf-8")
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", re.sub(r'src="data:[^"]*"', "", html)))


def test_segment_quotes_are_printed_with_cuts(run: ReportResult) -> None:
    html = (run.out_dir / "report.html").read_text(encoding="utf-8")
    quotes = re.findall(r'<blockquote class="quote"><p>(.*?)</p><footer>(.*?)</footer>', html)
    assert len(quotes) == 5
    cut = next(q for q in quotes if "dypt vann" in q[0])
    # The segment 'dypt-vann' is two spans of one turn-pair, joined as the report cuts quotes.
    assert " […] " in cut[0] and cut[1] == "Fokusgruppe 1"


def test_theme_overview_counts_the_consensus_codings(study: Study, text: str) -> None:
    evidence = gather(study)
    assert evidence is not None
    counts = evidence.theme_counts()
    fg1, fg2 = counts[("dypt_vann", "FG1")], counts.get(("dypt_vann", "FG2"), 0)
    assert f"Kastet ut på dypt vann {fg1} {fg2} {fg1 + fg2}" in text
    # A parent counts its children's passages too.
    children = [c.code for top in evidence.qual.themes if top.code == "samarbeid"
                for c in top.walk()]
    assert counts[("samarbeid", "FG1")] >= max(counts.get((c, "FG1"), 0) for c in children)
    assert "Kodet av koder-a og koder-b" in text


def test_placement_figures_and_distance_table(run: ReportResult, text: str) -> None:
    for number in ("6.2", "6.3", "6.4", "6.5"):
        assert (run.out_dir / "figurer" / f"figur-{number.replace('.', '-')}.svg").is_file()
    assert "Tabell 6.1 Avstand fra sentrum etter utdanning og fokusgruppe" in text
    assert "Fokusgruppe 1 6" in text and "Totalt 12" in text


def test_no_name_reaches_the_report(study: Study, text: str) -> None:
    qual = study.qual
    assert qual is not None
    raw = load_transcripts(qual)
    replaced = {r.original for result in anonymise_all(qual, raw).values()
                for r in result.replacements if r.kind in ("listed", "detected")}
    assert {"Kari Nordmann", "Sigrid", "Magnus"} <= replaced | {n.name for n in
                                                                qual.anonymisation.names}
    for name in replaced:
        assert not re.search(rf"(?<!\w){re.escape(name)}(?!\w)", text), name


def test_a_quote_nobody_coded_is_left_out_with_a_note(tmp_path: Path) -> None:
    import shutil

    study = tmp_path / "study"
    shutil.copytree(EXAMPLE, study, ignore=shutil.ignore_patterns("fieldwork.db"))
    report = study / "report.yaml"
    report.write_text(report.read_text(encoding="utf-8").replace(
        "{segment: brannslukking}", "{segment: finnes-ikke}"), encoding="utf-8")
    build_report(study, tmp_path / "out", formats=["html"])
    html = (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    assert "segmentet «finnes-ikke» er ikke kodet i fokusgruppene" in html
    assert "mye brannslukking" not in html
