"""The print PDF of the example report: layout, running footer, bookmarks, fonts and tags.

The example report is built once by the pipeline itself (build_report with the html and pdf
formats); its call of write_pdf is watched so the tests know the published tables, charts and
data quality the PDF was rendered from, and compare the PDF with them.
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pytest
from PIL import Image, ImageStat
from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

from tverrsnitt.chart import Chart
from tverrsnitt.report.outline import Outline, SectionView, build_outline
from tverrsnitt.report.pdf import print_css
from tverrsnitt.report.quality import DataQuality
from tverrsnitt.study import Study
from tverrsnitt.tabulate import Tables

from .conftest import ExampleReport, pdf_page_texts, require_program, sparse_pages

A4 = (595.28, 841.89)  # points
MM = 72 / 25.4
FOOTER = "• Rapport 2023:15"


@dataclass
class Built:
    study: Study
    tables: Tables
    charts: dict[str, Chart]
    quality: DataQuality
    outline: Outline
    pdf: Path


@pytest.fixture(scope="module")
def built(example_report: ExampleReport) -> Built:
    """The example run with its PDF, and the inputs the pipeline passed to write_pdf."""
    result = example_report.result
    out = result.out_dir
    assert Path("report.pdf") in result.files
    study, tables, charts, quality = example_report.rendered
    # The run was written to a temporary folder and moved into place: follow the charts.
    charts = {key: replace(c, svg=out / "figurer" / c.svg.name, png=out / "figurer" / c.png.name)
              for key, c in charts.items()}
    return Built(study, tables, charts, quality, build_outline(study, tables, quality.methods),
                 out / "report.pdf")


@pytest.fixture(scope="module")
def reader(built: Built) -> PdfReader:
    return PdfReader(built.pdf)


def _flat(text: str) -> str:
    """Text with every run of white space (no-break spaces, line ends) as one space."""
    return re.sub(r"\s+", " ", text.replace("\u00a0", " ")).strip()


@pytest.fixture(scope="module")
def pages(built: Built) -> list[str]:
    return [_flat(page) for page in pdf_page_texts(built.pdf)]


def _body(page: str, number: int, heads: tuple[str, ...]) -> str:
    """A page's text without its running header (one of `heads`) and footer."""
    page = page.removesuffix(f"{number} {FOOTER}").rstrip()
    return next((page.removeprefix(head) for head in heads if page.startswith(head)), page).strip()


def _sections(views: list[SectionView]) -> Iterator[SectionView]:
    for view in views:
        yield view
        yield from _sections(view.sections)


# ----------------------------------------------------------------------------- the pages


def test_a4_and_plausible_length(reader: PdfReader) -> None:
    # The example has 45 figures and tables, each chart with the numbers behind it, about
    # 17 000 words of prose and 13 parts that open a page (title, contents, foreword, summary,
    # 6 chapters, references, appendix, two lists): that lays out in about 100 pages, as the
    # printed NIFU report. Under 70 means content went missing (the number tables, prose);
    # over 130 means the layout wastes pages (figures pushed apart from their captions, a
    # table per page).
    assert 70 <= len(reader.pages) <= 130, len(reader.pages)
    for page in reader.pages:
        box = page.mediabox
        assert float(box.width) == pytest.approx(A4[0], abs=0.5)
        assert float(box.height) == pytest.approx(A4[1], abs=0.5)


@pytest.fixture(scope="module")
def page_images(built: Built, tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    require_program("pdftoppm", "poppler-utils")
    folder = tmp_path_factory.mktemp("png")
    subprocess.run(["pdftoppm", "-png", "-r", "30", str(built.pdf), str(folder / "page")],
                   check=True, capture_output=True)
    return sorted(folder.glob("page-*.png"))


def test_no_page_is_blank(reader: PdfReader, page_images: list[Path]) -> None:
    assert len(page_images) == len(reader.pages)
    for number, path in enumerate(page_images, start=1):
        with Image.open(path) as image:
            gray = image.convert("L")
            width, height = gray.size
            # The body only: a page with nothing but its running header and footer is blank.
            body = gray.crop((0, round(height * 25 / 297), width, round(height * 275 / 297)))
            spread = ImageStat.Stat(body).stddev[0]
            inked = sum(body.histogram()[:200]) / (body.width * body.height)
        assert spread > 3 and inked > 0.002, f"page {number} looks blank"


def test_every_page_is_filled_but_the_last_of_a_part(reader: PdfReader,
                                                    page_images: list[Path]) -> None:
    """No page of spilled table rows or a lone test line: apart from the title page and the
    last page of each part (before a chapter, the appendix or a list opens a page), the body
    of every page is filled at least 20 % of its height."""
    starts = {reader.get_destination_page_number(item) + 1 for item in reader.outline
              if not isinstance(item, list)}
    sparse = sparse_pages(page_images, starts)
    assert sparse == [], f"pages filled under 20 % (page, share): {sparse}"


def test_nothing_runs_past_the_margins(built: Built) -> None:
    """No clipped wide tables: every word on every page lies inside the 20-24 mm margins."""
    require_program("pdftotext", "poppler-utils")
    html = subprocess.run(["pdftotext", "-bbox", str(built.pdf), "-"], check=True,
                          capture_output=True, text=True).stdout
    words = re.findall(r'<word xMin="([\d.]+)" yMin="[\d.]+" xMax="([\d.]+)"[^>]*>([^<]*)<', html)
    assert len(words) > 10000
    outside = [(word, float(x0), float(x1)) for x0, x1, word in words
               if float(x0) < 19 * MM or float(x1) > A4[0] - 19 * MM]
    assert outside == []


# ----------------------------------------------------------------------------- the text


def test_every_figure_title_is_printed(built: Built, pages: list[str]) -> None:
    text = " ".join(pages)
    assert len(built.outline.figures) == 50  # 45 survey entries, 5 of the focus groups
    for figure in built.outline.figures:
        assert _flat(figure.title) in text, figure.title


def test_summary_is_printed_with_its_numbers(built: Built, pages: list[str]) -> None:
    summary = next(part for part in built.outline.front if part.anchor == "sammendrag")
    # The running header and footer of each page out, so a paragraph that runs over a page
    # reads as one (pdftotext reads the header first and the footer last:
    # 'Sammendrag … verdsettes av de 5 • Rapport 2023:15').
    heads = (_flat(built.study.report.title), summary.title)
    text = " ".join(_body(page, number, heads) for number, page in enumerate(pages, start=1))
    paragraphs = [p for view in _sections([summary]) for p in view.paragraphs]
    assert len(paragraphs) >= 6
    for paragraph in paragraphs:
        assert _flat(paragraph) in text, paragraph[:80]
    for phrase in ("18 881 medlemmer", "3 147 svarte (17 prosent)", "2 259 personer",
                   "81 prosent bidro", "mellom 35 og 55 prosent oppgir"):
        assert phrase in text, phrase


def test_title_page_then_contents(built: Built, pages: list[str]) -> None:
    report = built.study.report
    assert _flat(report.title) in pages[0] and "NIFU Rapport 2023:15" in pages[0]
    assert FOOTER not in pages[0], "the title page has no running footer"
    contents = _body(pages[1], 2, (_flat(report.title),))
    assert contents.startswith("Innhold")
    # Each chapter is listed with the page it starts on (leader dots, then the number).
    for chapter in built.outline.chapters:
        match = re.search(re.escape(_flat(chapter.heading)) + r"[ .]*?(\d+)\b", contents)
        assert match, chapter.heading
        assert _flat(chapter.heading) in pages[int(match.group(1)) - 1]


def test_running_footer_and_header(built: Built, pages: list[str]) -> None:
    title = _flat(built.study.report.title)
    parts = [*(p.title for p in built.outline.front), *(_flat(c.heading) for c in built.outline.chapters),
             "Vedlegg: Datakvalitet", "Tabelloversikt", "Figuroversikt"]
    for number, text in enumerate(pages[1:], start=2):
        assert f"{number} {FOOTER}" in text, f"page {number}: footer missing"
        # Left-hand pages carry the report's title, right-hand pages the current part.
        if number % 2 == 0:
            assert title in text, f"page {number}: header missing"
        else:
            assert any(part in text for part in parts), f"page {number}: header missing"


# ----------------------------------------------------------------------------- PDF structure


def test_bookmarks_follow_the_headings(built: Built, reader: PdfReader) -> None:
    def tree(items: list[Any]) -> list[tuple[str, int, list[Any]]]:
        result: list[tuple[str, int, list[Any]]] = []
        for item in items:
            if isinstance(item, list):
                title, page, _ = result[-1]
                result[-1] = (title, page, tree(item))
            else:
                result.append((item.title, reader.get_destination_page_number(item), []))
        return result

    bookmarks = tree(reader.outline)
    top = {title: (page, children) for title, page, children in bookmarks}
    parts = ["Innhold", *(p.title for p in built.outline.front),
             *(c.heading for c in built.outline.chapters),
             "Vedlegg: Datakvalitet", "Tabelloversikt", "Figuroversikt"]
    assert list(top) == parts
    for chapter in built.outline.chapters:
        page, children = top[chapter.heading]
        # Chapters open a page: the bookmark lands on it, after the previous part's pages.
        assert [c[0] for c in children] == [s.heading for s in chapter.sections]
        for section, child in zip(chapter.sections, children, strict=True):
            assert [g[0] for g in child[2]] == [s.heading for s in section.sections]
            assert child[1] >= page


def _walk(node: Any) -> Iterator[DictionaryObject]:
    node = node.get_object() if isinstance(node, IndirectObject) else node
    if isinstance(node, ArrayObject):
        for child in node:
            yield from _walk(child)
    elif isinstance(node, DictionaryObject) and "/S" in node:
        yield node
        if "/K" in node:
            yield from _walk(node["/K"])


def _kids(element: DictionaryObject) -> list[DictionaryObject]:
    kids = element.get("/K")
    kids = kids.get_object() if kids is not None else ArrayObject()
    kids = kids if isinstance(kids, ArrayObject) else ArrayObject([kids])
    return [k.get_object() for k in kids
            if isinstance(k.get_object(), DictionaryObject) and "/S" in k.get_object()]


def test_tagged_with_alt_text(built: Built, reader: PdfReader) -> None:
    root = reader.trailer["/Root"]
    assert root["/MarkInfo"]["/Marked"]
    assert root["/Lang"] == "nb"
    assert "pdfuaid" in root["/Metadata"].get_object().get_data().decode("utf-8")
    elements = list(_walk(root["/StructTreeRoot"]["/K"]))
    kinds = {e["/S"] for e in elements}
    assert {"/H2", "/H3", "/P", "/Table", "/TH", "/TD", "/Figure", "/Caption"} <= kinds
    alts = {str(e["/Alt"]) for e in elements if e["/S"] == "/Figure" and "/Alt" in e}
    assert {chart.alt for chart in built.charts.values()} <= alts
    assert reader.metadata is not None and reader.metadata.title.endswith(built.study.report.title)


def test_captions_stay_with_their_figures(reader: PdfReader) -> None:
    """The tags are per page: a caption whose chart or table went to the next page would be
    the only thing in its figure's element on that page."""
    elements = list(_walk(reader.trailer["/Root"]["/StructTreeRoot"]["/K"]))
    holders = [e for e in elements if any(k["/S"] == "/Caption" for k in _kids(e))]
    assert len(holders) == 50
    for holder in holders:
        assert len(_kids(holder)) >= 2, "a caption was left alone at the foot of a page"


def test_table_headers_repeat_on_every_page(built: Built, tmp_path: Path) -> None:
    """A table too long for a page (the example's are all short enough to be kept whole)
    breaks, and every piece starts with its header row."""
    from weasyprint import HTML

    from tverrsnitt.report.pdf import PDF_VARIANT

    rows = "".join(f"<tr><th scope='row'>Rad {i}</th><td>{i}</td></tr>" for i in range(160))
    html = (f"<html lang='nb'><body><main><section><h2>Lang tabell</h2><div class='scroll'>"
            f"<table><thead><tr><th scope='col'>Gruppe</th><th scope='col'>N</th></tr></thead>"
            f"<tbody>{rows}</tbody></table></div></section></main></body></html>")
    path = tmp_path / "long.pdf"
    HTML(string=html).write_pdf(path, stylesheets=[_css(built.study)], pdf_variant=PDF_VARIANT)
    reader = PdfReader(path)
    elements = list(_walk(reader.trailer["/Root"]["/StructTreeRoot"]["/K"]))
    pieces = [e for e in elements if e["/S"] == "/Table"]
    assert len(reader.pages) >= 3 and len(pieces) == len(reader.pages)
    for piece in pieces:
        assert [k["/S"] for k in _kids(piece)][:1] == ["/THead"]


def _css(study: Study) -> Any:
    from weasyprint import CSS

    return CSS(string=print_css(study))


def _fonts(resources: Any, seen: set[int]) -> Iterator[DictionaryObject]:
    """Every font used on a page, in its own resources and in those of its drawings."""
    resources = resources.get_object() if resources is not None else DictionaryObject()
    for ref in (resources.get("/Font") or DictionaryObject()).get_object().values():
        yield ref.get_object()
    for ref in (resources.get("/XObject") or DictionaryObject()).get_object().values():
        if isinstance(ref, IndirectObject):
            if ref.idnum in seen:
                continue
            seen.add(ref.idnum)
        xobject = ref.get_object()
        if xobject.get("/Subtype") == "/Form":
            yield from _fonts(xobject.get("/Resources"), seen)


def test_fonts_are_embedded(reader: PdfReader) -> None:
    names = set()
    seen: set[int] = set()
    for page in reader.pages:
        for font in _fonts(page.get("/Resources"), seen):
            target = font
            if "/DescendantFonts" in font:
                target = font["/DescendantFonts"].get_object()[0].get_object()
            descriptor = target["/FontDescriptor"].get_object()
            assert {"/FontFile", "/FontFile2", "/FontFile3"} & set(descriptor), font["/BaseFont"]
            names.add(str(font["/BaseFont"]).split("+")[-1])
    assert names >= {"DejaVu-Sans", "DejaVu-Sans-Bold"}, names


# ----------------------------------------------------------------------------- the stylesheet


def test_running_strings_are_quoted_for_css(study: Study) -> None:
    report = study.report.model_copy(update={"title": 'Tittel med "sitat" og \\ skråstrek',
                                             "number": None})
    css = print_css(study.model_copy(update={"report": report}))
    assert 'report-title "Tittel med \\"sitat\\" og \\\\ skråstrek"' in css
    # Without a report number the footer is the page number alone, no dangling bullet.
    assert "@bottom-right { content: counter(page); }" in css
    assert 'report-number "Rapport 2023:15"' in print_css(study)


def test_charts_are_vector_drawings(reader: PdfReader) -> None:
    """The charts go in as SVG: drawings and text, no bitmap anywhere in the PDF."""
    def images(resources: Any, seen: set[int]) -> Iterator[Any]:
        resources = resources.get_object() if resources is not None else DictionaryObject()
        for ref in (resources.get("/XObject") or DictionaryObject()).get_object().values():
            if isinstance(ref, IndirectObject) and ref.idnum in seen:
                continue
            if isinstance(ref, IndirectObject):
                seen.add(ref.idnum)
            xobject = ref.get_object()
            if xobject.get("/Subtype") == "/Image":
                yield xobject
            else:
                yield from images(xobject.get("/Resources"), seen)

    seen: set[int] = set()
    assert [x for page in reader.pages for x in images(page.get("/Resources"), seen)] == []
