"""report.yaml `numbers: appendix`: the numbers behind the charts printed together in
'Vedlegg: Tallgrunnlag', each chart pointing there, in every format; the pages stay filled."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import docx
import pytest

from tverrsnitt.pipeline import ReportResult, build_report
from tverrsnitt.report.outline import NUMBERS_APPENDIX, NUMBERS_THERE

from .conftest import ROOT, edit, require_program, sparse_pages

SECOND = ROOT / "examples" / "arbeidsmiljo-2025"


# The second example (13 charts, 4 tables): the appendix is the same code for any study, and
# its PDF is a quarter of the 2023 report's to lay out.
CHARTS = 13


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> ReportResult:
    import shutil

    study = tmp_path_factory.mktemp("appendix") / "study"
    shutil.copytree(SECOND, study)
    edit(study / "report.yaml", "language: nb\n", "language: nb\nnumbers: appendix\n")
    return build_report(study, study.parent / "out")


def test_charts_point_to_the_appendix_that_holds_their_numbers(run: ReportResult) -> None:
    html = (run.out_dir / "report.html").read_text(encoding="utf-8")
    body, appendix = html.split('<section id="vedlegg-tallgrunnlag"')
    assert "<details>" not in body  # no numbers folded under the charts
    charts = re.findall(r'<figure id="(figur-[\d-]+)"', body)
    assert len(charts) == CHARTS
    for anchor in charts:
        assert f'<a href="#{anchor}-tall">{NUMBERS_THERE}</a>' in body
        assert f'<section id="{anchor}-tall"' in appendix
    assert f'<a href="#vedlegg-tallgrunnlag">{NUMBERS_APPENDIX}</a>' in body  # in the contents
    # Tables stay where they are placed.
    assert '<figure id="tabell-2-1"' in body and "tabell-2-1-tall" not in appendix
    # The numbers themselves: Figur 3.2's Totalt row, as in the body of the default report.
    numbers = appendix.split('id="figur-3-2-tall"')[1].split("</section>")[0]
    assert "<table" in numbers and "Totalt" in numbers


def test_word_has_the_same_appendix(run: ReportResult) -> None:
    document = docx.Document(str(run.out_dir / "report.docx"))
    texts = [p.text for p in document.paragraphs]
    start = texts.index(NUMBERS_APPENDIX)
    assert texts.index("Vedlegg: Datakvalitet") > start
    assert texts[:start].count(NUMBERS_THERE) == CHARTS
    assert not [t for t in texts[:start] if t.startswith("Tallgrunnlag for figur")]
    headings = [p.text for p in document.paragraphs[start:]
                if p.style is not None and p.style.name == "Heading 2"]
    assert headings[0].startswith("Figur 2.1 ") and len(headings) >= CHARTS


def test_pdf_pages_stay_filled(run: ReportResult, tmp_path: Path) -> None:
    from pypdf import PdfReader

    pdftoppm = require_program("pdftoppm", "poppler-utils")
    pdf = run.out_dir / "report.pdf"
    subprocess.run([pdftoppm, "-png", "-r", "30", str(pdf), str(tmp_path / "page")],
                   check=True, capture_output=True)
    reader = PdfReader(pdf)
    starts = {reader.get_destination_page_number(item) + 1 for item in reader.outline
              if not isinstance(item, list)}
    assert sparse_pages(sorted(tmp_path.glob("page-*.png")), starts) == []
