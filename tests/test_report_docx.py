"""The Word report: the same outline and grids as the HTML, as real Word headings, fields,
captions, pictures and tables, and a file LibreOffice converts without complaint."""

from __future__ import annotations

import csv
import subprocess
from collections import Counter
from dataclasses import dataclass, replace
from pathlib import Path

import docx as python_docx
import pytest
from docx.document import Document
from docx.oxml.ns import qn
from docx.shared import Cm
from docx.table import Table
from docx.text.paragraph import Paragraph

from tverrsnitt.chart import Chart
from tverrsnitt.errors import DataProblem
from tverrsnitt.report import docx as report_docx
from tverrsnitt.report.docx import caption_text, write_docx
from tverrsnitt.report.docx_fields import add_caption_number
from tverrsnitt.report.docx_tables import blocks, fitted_widths
from tverrsnitt.report.grids import Grid, figure_grids
from tverrsnitt.report.outline import Outline, SectionView, build_outline
from tverrsnitt.report.quality import DataQuality, FileQuality
from tverrsnitt.study import Study
from tverrsnitt.tabulate import Tables, write_tables_csv

from .conftest import (
    EXPORT_CSV,
    REGISTER_CSV,
    ExampleReport,
    number_style_faults,
    pdf_page_texts,
    require_program,
    sparse_pages,
)

PROBLEMS = 502  # more than the appendix lists (500)


@dataclass
class Built:
    study: Study
    tables: Tables  # as published: small cells hidden, group tests attached
    charts: dict[str, Chart]
    quality: DataQuality
    outline: Outline
    path: Path
    document: Document
    out: Path


@pytest.fixture(scope="module")
def built(example_report: ExampleReport, tmp_path_factory: pytest.TempPathFactory) -> Built:
    """The example run's study, published tables and charts, written to Word with a data
    quality appendix that has more problems than it lists (and a lenient read)."""
    out = tmp_path_factory.mktemp("docx")
    study, published, charts, quality = example_report.rendered
    figures = example_report.result.out_dir / "figurer"
    # The run was written to a temporary folder and moved into place: follow the charts.
    charts = {key: replace(c, svg=figures / c.svg.name, png=figures / c.png.name)
              for key, c in charts.items()}
    problems = tuple(DataProblem(EXPORT_CSV, row, "b2_rolle", f"verdi {row}", "et av alternativene")
                     for row in range(2, 2 + PROBLEMS))
    quality = replace(quality, lenient=True,
                      files=(FileQuality("Svardata", EXPORT_CSV, 3147, ("reminder_1",), (), problems),
                             FileQuality("Medlemsregister", REGISTER_CSV, 18881)))
    path = out / "report.docx"
    write_docx(study, published, charts, quality, path)
    write_tables_csv(published, out / "tables.csv")
    return Built(study, published, charts, quality, build_outline(study, published, quality.methods),
                 path, python_docx.Document(str(path)), out)


# ----------------------------------------------------------------------------- helpers


def _style(paragraph: Paragraph) -> str:
    style = paragraph.style
    return style.name if style is not None and style.name is not None else ""


def headings(document: Document) -> list[tuple[str, int]]:
    return [(p.text, int(_style(p).removeprefix("Heading "))) for p in document.paragraphs
            if _style(p).startswith("Heading ")]


def outline_headings(outline: Outline) -> list[tuple[str, int]]:
    result: list[tuple[str, int]] = []

    def walk(section: SectionView) -> None:
        result.append((section.heading, section.level))
        for sub in section.sections:
            walk(sub)

    for chapter in (*outline.front, *outline.chapters):
        walk(chapter)
    return result


def captions(document: Document) -> list[Paragraph]:
    return [p for p in document.paragraphs if _style(p) == "Caption"]


def instructions(element: object) -> list[str]:
    return [node.text.strip() for node in element.iter(qn("w:instrText"))]  # type: ignore[attr-defined]


def label(number: str, is_table: bool) -> str:
    return ("Tabell " if is_table else "Figur ") + number


def tables_by_caption(document: Document) -> dict[str, list[Table]]:
    """The Word tables printed under each caption ('Figur 4.10' -> its tables)."""
    result: dict[str, list[Table]] = {}
    current: str | None = None
    body = document.element.body
    for child in body.iterchildren():
        if child.tag == qn("w:p"):
            paragraph = Paragraph(child, document._body)
            if _style(paragraph) == "Caption":
                current = " ".join(paragraph.text.split()[:2])
                result[current] = []
            elif _style(paragraph).startswith("Heading"):
                current = None
        elif child.tag == qn("w:tbl") and current is not None:
            result[current].append(Table(child, document._body))
    return result


def cells(table: Table) -> list[list[str]]:
    return [[cell.text for cell in row.cells] for row in table.rows]


# ----------------------------------------------------------------------------- structure


def test_headings_follow_the_outline(built: Built) -> None:
    found = headings(built.document)
    expected = outline_headings(built.outline)
    assert found[:len(expected)] == expected
    assert found[:2] == [("Forord", 1), ("Sammendrag", 1)]  # unnumbered, first
    assert ("1 Innledning", 1) in found and ("2.1.1 Frafallsanalyse", 3) in found
    assert [text for text, level in found[len(expected):] if level == 1] == [
        "Vedlegg: Datakvalitet", "Tabelloversikt", "Figuroversikt"]


def test_title_page_and_page_setup(built: Built) -> None:
    report = built.study.report
    texts = [p.text for p in built.document.paragraphs[:8]]
    assert f"{report.publisher} {report.number}" in texts
    assert report.title in texts and report.subtitle in texts
    assert ", ".join(report.authors) in texts
    assert f"Utført på oppdrag fra {report.client}" in texts
    assert "14.09.2023" in texts
    section = built.document.sections[0]
    sizes = (section.page_width, section.page_height, section.left_margin, section.right_margin)
    assert [round(size.cm, 2) if size is not None else None for size in sizes] == [
        21.0, 29.7, 2.5, 2.5]
    assert built.document.core_properties.title == report.title


def test_one_caption_per_figure_and_table(built: Built) -> None:
    found = captions(built.document)
    assert len(found) == len(built.outline.figures) == 50  # 45 survey, 5 focus-group entries
    for paragraph, figure in zip(found, built.outline.figures, strict=True):
        assert paragraph.text.startswith(f"{label(figure.number, figure.is_table)} "
                                         f"{caption_text(figure)}"), paragraph.text
    counts = Counter(" ".join(p.text.split()[:2]) for p in found)
    assert set(counts.values()) == {1}
    assert found[0].text.startswith("Tabell 2.1 Svarstatus (N\u00a0=\u00a018\u00a0881)")


def test_captions_precede_their_table_or_picture(built: Built) -> None:
    body = list(built.document.element.body.iterchildren())
    for index, child in enumerate(body):
        if child.tag == qn("w:p") and _style(Paragraph(child, built.document._body)) == "Caption":
            following = body[index + 1]
            assert following.tag == qn("w:tbl") or following.find(".//" + qn("w:drawing")) is not None


def test_contents_and_lists_are_word_fields(built: Built) -> None:
    body = built.document.element.body
    found = instructions(body)
    assert r'TOC \o "1-3" \h \z \u' in found
    assert r'TOC \h \z \c "Figur"' in found
    assert r'TOC \h \z \c "Tabell"' in found
    settings = built.document.settings.element
    update = settings.find(qn("w:updateFields"))
    assert update is not None and update.get(qn("w:val")) == "true"


def test_captions_number_with_seq_fields_that_keep_the_numbers(built: Built) -> None:
    for paragraph, figure in zip(captions(built.document), built.outline.figures, strict=True):
        identifier = "Tabell" if figure.is_table else "Figur"
        last = figure.number.rsplit(".", 1)[-1]
        assert instructions(paragraph._p) == [f"SEQ {identifier} \\* ARABIC \\r {last}"]
    # Figure 4.16 is not in the study: 4.17 keeps its number rather than becoming 4.16.
    assert any(p.text.startswith("Figur 4.17 ") for p in captions(built.document))


def test_fields_are_well_formed(built: Built) -> None:
    """Every complex field: begin, instruction, separate, result, end, never nested wrong."""
    parts = [built.document.element.body,
             *(section.footer._element for section in built.document.sections)]
    for part in parts:
        for paragraph in part.iter(qn("w:p")):
            state = []
            for node in paragraph.iter(qn("w:fldChar"), qn("w:instrText")):
                kind = node.get(qn("w:fldCharType")) if node.tag == qn("w:fldChar") else "instr"
                state.append(kind)
            text = " ".join(state)
            assert text.count("begin") == text.count("separate") == text.count("end")
            for field in text.split("end")[:-1]:
                assert field.split() == ["begin", "instr", "separate"], text


# The schema's order of the property elements the renderer writes by hand (ECMA-376 Part 1):
# Word asks to repair a file whose children are out of order.
SCHEMA_ORDER = {
    "tblPr": "tblStyle tblpPr tblOverlap bidiVisual tblStyleRowBandSize tblStyleColBandSize tblW "
             "jc tblCellSpacing tblInd tblBorders shd tblLayout tblCellMar tblLook tblCaption "
             "tblDescription",
    "tcPr": "cnfStyle tcW gridSpan hMerge vMerge tcBorders shd noWrap tcMar textDirection "
            "tcFitText vAlign hideMark",
    "pPr": "pStyle keepNext keepLines pageBreakBefore framePr widowControl numPr "
           "suppressLineNumbers pBdr shd tabs suppressAutoHyphens kinsoku wordWrap overflowPunct "
           "topLinePunct autoSpaceDE autoSpaceDN bidi adjustRightInd snapToGrid spacing ind "
           "contextualSpacing mirrorIndents suppressOverlap jc textDirection textAlignment "
           "textboxTightWrap outlineLvl divId cnfStyle rPr sectPr pPrChange",
    "settings": "writeProtection view zoom removePersonalInformation removeDateAndTime "
                "doNotDisplayPageBoundaries displayBackgroundShape printPostScriptOverText "
                "printFractionalCharacterWidth printFormsData embedTrueTypeFonts embedSystemFonts "
                "saveSubsetFonts saveFormsData mirrorMargins alignBordersAndEdges "
                "bordersDoNotSurroundHeader bordersDoNotSurroundFooter gutterAtTop "
                "hideSpellingErrors hideGrammaticalErrors activeWritingStyle proofState "
                "formsDesign attachedTemplate linkStyles stylePaneFormatFilter "
                "stylePaneSortMethod documentType mailMerge revisionView trackRevisions "
                "doNotTrackMoves doNotTrackFormatting documentProtection autoFormatOverride "
                "styleLockTheme styleLockQFSet defaultTabStop autoHyphenation "
                "consecutiveHyphenLimit hyphenationZone doNotHyphenateCaps showEnvelope "
                "summaryLength clickAndTypeStyle defaultTableStyle evenAndOddHeaders "
                "bookFoldRevPrinting bookFoldPrinting bookFoldPrintingSheets "
                "drawingGridHorizontalSpacing drawingGridVerticalSpacing "
                "displayHorizontalDrawingGridEvery displayVerticalDrawingGridEvery "
                "doNotUseMarginsForDrawingGridOrigin drawingGridHorizontalOrigin "
                "drawingGridVerticalOrigin doNotShadeFormData noPunctuationKerning "
                "characterSpacingControl printTwoOnOne strictFirstAndLastChars noLineBreaksAfter "
                "noLineBreaksBefore savePreviewPicture doNotValidateAgainstSchema saveInvalidXml "
                "ignoreMixedContent alwaysShowPlaceholderText doNotDemarcateInvalidXml "
                "saveXmlDataOnly useXSLTWhenSaving saveThroughXslt showXMLTags "
                "alwaysMergeEmptyNamespace updateFields hdrShapeDefaults footnotePr endnotePr "
                "compat docVars rsids mathPr attachedSchema themeFontLang clrSchemeMapping "
                "doNotIncludeSubdocsInStats doNotAutoCompressPictures forceUpgrade captions "
                "readModeInkLockDown smartTagType schemaLibrary shapeDefaults "
                "doNotEmbedSmartTags decimalSymbol listSeparator",
    "rPr": "rStyle rFonts b bCs i iCs caps smallCaps strike dstrike outline shadow emboss imprint "
           "noProof snapToGrid vanish webHidden color spacing w kern position sz szCs highlight u "
           "effect bdr shd fitText vertAlign rtl cs em lang eastAsianLayout specVanish oMath",
    "style": "name aliases basedOn next link autoRedefine hidden uiPriority semiHidden "
             "unhideWhenUsed qFormat locked personal personalCompose personalReply rsid pPr rPr "
             "tblPr trPr tcPr tblStylePr",
}


def _in_order(element: object, names: list[str]) -> None:
    position = {name: index for index, name in enumerate(names)}
    seen = [child.tag.split("}")[1] for child in element  # type: ignore[attr-defined]
            if child.tag.split("}")[1] in position]
    assert [position[name] for name in seen] == sorted(position[name] for name in seen), seen


def test_hand_written_xml_is_in_schema_order(built: Built) -> None:
    document = built.document
    parts = {"document": document.element, "styles": document.styles.element}
    for kind in ("tblPr", "tcPr", "pPr", "rPr"):
        names = SCHEMA_ORDER[kind].split()
        checked = 0
        for part in parts.values():
            for element in part.iter(qn(f"w:{kind}")):
                _in_order(element, names)
                checked += 1
        assert checked > 10, kind  # the document has them: the check did not pass empty
    _in_order(document.settings.element, SCHEMA_ORDER["settings"].split())
    for style in document.styles.element.iter(qn("w:style")):
        _in_order(style, SCHEMA_ORDER["style"].split())


def test_footer_has_page_number_and_report_number(built: Built) -> None:
    section = built.document.sections[0]
    footer = section.footer.paragraphs[0]
    assert instructions(footer._p) == [r"PAGE \* ARABIC"]
    assert footer.text.endswith(" \u2022 Rapport 2023:15")
    assert section.different_first_page_header_footer  # no page number on the title page
    assert all(not p.text for p in section.first_page_footer.paragraphs)


def test_every_chart_is_a_picture_with_its_alt_text(built: Built) -> None:
    placed = [built.charts[f.id] for f in built.outline.figures if f.id in built.charts]
    assert len(placed) == 47  # 43 survey charts and 4 curling-house diagrams
    shapes = built.document.inline_shapes
    assert len(shapes) == len(placed)
    descriptions = [shape._inline.docPr.get("descr") for shape in shapes]
    assert descriptions == [chart.alt for chart in placed]
    ids = [shape._inline.docPr.id for shape in shapes]
    assert len(set(ids)) == len(ids)
    text_width = Cm(16)
    assert all(shape.width <= text_width + Cm(0.01) for shape in shapes)
    # The PNGs themselves, at print resolution (150 dpi, about 17 cm wide, scaled to 16 cm).
    images = {rel.target_part.blob for rel in built.document.part.rels.values()
              if "image" in rel.reltype}
    assert {chart.png.read_bytes() for chart in placed} <= images


# ----------------------------------------------------------------------------- tables


def test_grids_print_cell_for_cell(built: Built) -> None:
    """Every grid cell of every figure is in a Word table under the figure's caption."""
    printed = tables_by_caption(built.document)
    for figure in built.outline.figures:
        word_cells = {cell for table in printed[label(figure.number, figure.is_table)]
                      for row in cells(table) for cell in row}
        for grid in figure_grids(built.study, built.tables, figure):
            expected = {cell for row in [grid.header, *grid.rows] for cell in row}
            # A turned table heads its columns 'Utvalg' rather than 'Yrke: Utvalg'.
            missing = {cell for cell in expected - word_cells
                       if cell.split(": ", 1)[-1] not in word_cells}
            assert not missing, (figure.id, missing)


def test_numbers_from_tables_csv_are_in_the_word_tables(built: Built, study: Study) -> None:
    with (built.out / "tables.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    printed = tables_by_caption(built.document)

    def words(caption: str) -> list[list[str]]:
        return [row for table in printed[caption] for row in cells(table)]

    status = {r["category"]: r for r in rows if r["figure"] == "T2.1"}
    table_2_1 = {row[0]: row for row in words("Tabell 2.1")}
    for category in ("Distribuert", "Svart", "Ekskludert", "Total N"):
        count = f"{int(status[category]['count']):,}".replace(",", "\u00a0")
        assert table_2_1[category][-1] == count
    assert table_2_1["Svart"][1] == "17"  # 3 147 of 18 881
    # The screening reasons make up "Ekskludert": they follow it, and Total N closes the table.
    order = [row[0] for row in words("Tabell 2.1")]
    reasons = [step.reason for step in study.screening]
    assert order[-(len(reasons) + 4):] == ["Distribuert", "Svart", "Ekskludert", *reasons,
                                           "Total N"], order
    # Figure 4.10: the N column carries each group's base.
    figure_rows = {row[0]: row for row in words("Figur 4.10")}
    for r in rows:
        if r["figure"] == "4.10" and r["by"] == "yrkesgruppe" and r["suppressed"] == "false":
            base = f"{int(r['base']):,}".replace(",", "\u00a0")
            assert figure_rows[r["group"]][-1] == base


def test_one_number_style_in_paragraphs_and_tables(built: Built) -> None:
    document = built.document
    texts = [p.text for p in document.paragraphs]
    texts += [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    assert any("N\u00a0=\u00a0" in t for t in texts) and len(texts) > 5000
    assert number_style_faults(texts) == []


def test_hidden_cells_print_a_colon(built: Built) -> None:
    table_3_1 = {row[0]: row for table in tables_by_caption(built.document)["Tabell 3.1"]
                 for row in cells(table)}
    assert table_3_1["Sosionom"][1] == ":"
    assert table_3_1["Barnevernspedagog"][1] == ":"
    assert table_3_1["Skoleassistent"][1] == "504"


def test_table_style(built: Built) -> None:
    table = tables_by_caption(built.document)["Tabell 3.1"][0]
    assert table.style is not None and table.style.name == "Rapporttabell"
    header = table.rows[0]._tr
    assert header.trPr is not None and header.trPr.find(qn("w:tblHeader")) is not None
    by_label = {row.cells[0].text: row for row in table.rows}
    assert all(run.bold for run in by_label["Skoleassistenter"].cells[0].paragraphs[0].runs)
    assert not any(run.bold for run in by_label["Miljøarbeider"].cells[0].paragraphs[0].runs)
    indent = by_label["Miljøarbeider"].cells[0].paragraphs[0].paragraph_format.left_indent
    assert indent is not None and round(indent.cm, 2) == 0.4
    assert sum(column.width for column in table.columns) <= Cm(16)


def test_wide_grids_are_turned(built: Built) -> None:
    """Figure 2.2 has a column per county: printed with the counties as rows instead."""
    table = tables_by_caption(built.document)["Figur 2.2"][0]
    rows = cells(table)
    assert rows[0] == ["", "Utvalg", "Populasjon"]
    assert [row[0] for row in rows[1:3]] == ["Agder", "Innlandet"]
    assert rows[-1][0] == "N"


def test_notes_follow_their_table(built: Built) -> None:
    texts = [p.text for p in built.document.paragraphs if _style(p) == "Tabellnote"]
    assert any("Rao–Scott" in text for text in texts)


# ----------------------------------------------------------------------------- appendix


def test_data_quality_appendix(built: Built) -> None:
    document = built.document
    texts = [p.text for p in document.paragraphs]
    start = texts.index("Vedlegg: Datakvalitet")
    appendix = texts[start:]
    assert any(t.startswith("Innlesingen ble kjørt i tolerant modus") for t in appendix)
    assert "3\u00a0147 rader lest." in appendix and "18\u00a0881 rader lest." in appendix
    assert f"{PROBLEMS} celler passet ikke definisjonen." in appendix
    assert "… og 2 til." in appendix
    assert any(f"gjelder det {len(built.tables.hidden)} celler" in t for t in appendix)
    tables = {cells(t)[0][0]: t for t in document.tables}
    assert len(tables["Rad"].rows) == 1 + 500
    steps = {row[0]: row[1] for row in cells(tables["Trinn"])}
    assert steps["Ekskludert: Ikke samtykket"] == "164"
    assert steps["Analysert (Total N)"] == "2\u00a0259"


def test_method_tables_come_after_the_sections_figures(built: Built,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    method = Grid("Vekter", ["Vekt", "Verdi"])
    method.add(["Største vekt", "2,5"])

    def with_method_table(*args: object) -> Outline:
        outline = build_outline(*args)  # type: ignore[arg-type]
        next(c for c in outline.chapters if c.title == "Data og metode").sections[0].tables = [method]
        return outline

    monkeypatch.setattr(report_docx, "build_outline", with_method_table)
    document = report_docx.build_docx(built.study, built.tables, built.charts, built.quality)
    body = [Paragraph(c, document._body).text if c.tag == qn("w:p") else cells(Table(c, document._body))
            for c in document.element.body.iterchildren() if c.tag in (qn("w:p"), qn("w:tbl"))]
    where = body.index("Vekter")
    assert body[where + 1] == [["Vekt", "Verdi"], ["Største vekt", "2,5"]]
    last_caption = max(i for i, item in enumerate(body)
                       if isinstance(item, str) and item.startswith("Tabell 2.1"))
    assert last_caption < where < body.index("2.1.1 Frafallsanalyse")


# ----------------------------------------------------------------------------- units


def test_caption_numbers() -> None:
    document = python_docx.Document()
    paragraph = document.add_paragraph()
    add_caption_number(paragraph, "Figur", "4.10")
    assert paragraph.text == "Figur 4.10"
    assert instructions(paragraph._p) == [r"SEQ Figur \* ARABIC \r 10"]
    odd = document.add_paragraph()
    add_caption_number(odd, "Figur", "4.10a")  # not a number Word can count: literal, hidden SEQ
    assert odd.text == "Figur 4.10a"
    assert instructions(odd._p) == [r"SEQ Figur \h"]


def test_column_widths_fit_the_page() -> None:
    header = ["", *(f"Kategori nummer {i}" for i in range(12)), "N"]
    widths = fitted_widths(header, [["Gruppe", *["12"] * 13]])
    assert sum(widths) <= Cm(16) and len(widths) == 14
    compact = fitted_widths(["Trinn", "Antall"], [["Svart", "3 147"]])
    assert compact[0] == Cm(9.0) and sum(compact) < Cm(16)
    long_word = fitted_widths(["", "Videregående", "N"], [["Totalt", "13", "2 251"]])
    assert long_word[1] > long_word[2]


def test_blocks_split_at_repeated_header_lines() -> None:
    grid = Grid("", ["Alder", "Under 30", "30–39", "N"])
    grid.add(["Alder: Utvalg", "11", "19", "468"])
    grid.add(["Kjønn", "Kvinne", "Mann", "N"], strong=True)
    grid.add(["Kjønn: Utvalg", "84", "16", "468"])
    grid.add(["Totalt", "50", "50", "N"])  # not bold: a row of numbers, whatever it ends with
    found = blocks(grid)
    assert [b.header[0] for b in found] == ["Alder", "Kjønn"]
    assert [len(b.rows) for b in found] == [1, 2]


# ----------------------------------------------------------------------------- LibreOffice


def test_libreoffice_converts_it_to_pdf(built: Built, tmp_path: Path) -> None:
    soffice = require_program("soffice", "libreoffice-writer-nogui")
    # A profile of its own: a LibreOffice already running would otherwise take the job.
    profile = (tmp_path / "profile").as_uri()
    subprocess.run([soffice, f"-env:UserInstallation={profile}", "--headless", "--convert-to",
                    "pdf", "--outdir", str(tmp_path), str(built.path)],
                   check=True, capture_output=True, timeout=600)
    pdf = tmp_path / "report.pdf"
    assert pdf.exists(), "LibreOffice could not convert the document"
    pages = pdf_page_texts(pdf)
    assert len(pages) > 40
    text = " ".join(" ".join(page.split()) for page in pages)
    for expected in ("Skolemiljøansatte – kompetanse", "Sammendrag", "1 Innledning",
                     "Figur 4.10", "Figur 4.17", "Tabell 3.1", "Tallgrunnlag for figur 4.10",
                     "Vedlegg: Datakvalitet", "Tabelloversikt", "Figuroversikt",
                     "• Rapport 2023:15"):
        assert expected in text, expected
    assert "5 • Rapport 2023:15" in " ".join(pages[4].split())  # PAGE fields laid out
    # Every page looked at: none under 20 % filled but the last of a part (parts open a page
    # with their level-1 heading), so no caption or table tail is left alone on a page.
    pdftoppm = require_program("pdftoppm", "poppler-utils")
    subprocess.run([pdftoppm, "-png", "-r", "30", str(pdf), str(tmp_path / "page")],
                   check=True, capture_output=True)
    parts = [text for text, level in headings(built.document) if level == 1]
    starts = {number for number, page in enumerate(pages, start=1)
              if any(page.lstrip().startswith(part) for part in parts)}
    assert len(starts) >= len(parts) - 1  # (the contents has no heading style)
    sparse = sparse_pages(sorted(tmp_path.glob("page-*.png")), starts)
    assert sparse == [], f"pages filled under 20 % (page, share): {sparse}"
