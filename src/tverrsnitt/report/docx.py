"""Render the report as a Word document (DOCX) from the same outline and grids as the HTML.

Title page, a table of contents, the chapters with numbered captions (SEQ fields), charts at
print resolution with their alt text, the numbers behind every figure as Word tables, the
data-quality appendix, and the lists of tables and figures. Contents and lists are real Word
fields: Word offers to update them when the document is opened. Nothing is computed here:
numbering and placement come from `build_outline`, every cell from `figure_grids`.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING

import docx as python_docx
from docx.document import Document
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.shared import Cm, Emu, Pt

from ..study.model import Figure, Study
from ..tabulate import Tables
from ..tabulate.changes import trend_id
from .docx_appendix import add_appendix
from .docx_fields import (
    TOC_CONTENTS,
    add_caption_number,
    add_field,
    describe_picture,
    request_field_update,
    toc_captions,
)
from .docx_layout import ACCENT, PICTURE_HEIGHT, TEXT_WIDTH, add_footer, set_up
from .docx_tables import add_grid
from .grids import figure_grids, n_text
from .outline import NUMBERS_APPENDIX, NUMBERS_THERE, SectionView, build_outline
from .quality import DataQuality

if TYPE_CHECKING:
    from ..chart import Chart

UPDATE_HINT = ("Oppdater feltene for å vise {what}: svar Ja når Word spør ved åpning, eller "
               "merk alt og trykk F9 (LibreOffice: Verktøy › Oppdater › Oppdater alle).")


def label(figure: Figure) -> str:
    """'Figur' or 'Tabell': the caption label and the SEQ identifier the lists collect."""
    return "Tabell" if figure.is_table else "Figur"


def caption_text(figure: Figure) -> str:
    """The figure's title without its leading 'Figur 4.10' (the caption prints that itself)."""
    prefix = f"{label(figure)} {figure.number}"
    title = figure.title
    if title.startswith(prefix) and title[len(prefix):][:1] in ("", " ", "\u00a0"):
        return title[len(prefix):].strip()
    return title


class _Writer:
    """Walks the outline and appends to one document."""

    def __init__(self, study: Study, tables: Tables, charts: dict[str, Chart],
                 quality: DataQuality) -> None:
        self.study, self.tables, self.charts, self.quality = study, tables, charts, quality
        self.document: Document = python_docx.Document()
        self.outline = build_outline(study, tables, quality.methods)

    def build(self) -> Document:
        set_up(self.document)
        self._properties()
        self._title_page()
        self._contents()
        for chapter in (*self.outline.front, *self.outline.chapters):
            self._section(chapter)
        self._numbers_appendix()
        add_appendix(self.document, self.tables, self.quality, self.outline.left_out)
        self._list("Tabelloversikt", "Tabell", "tabelloversikten")
        self._list("Figuroversikt", "Figur", "figuroversikten")
        add_footer(self.document, self.study.report.number)
        request_field_update(self.document)
        return self.document

    # ------------------------------------------------------------------------- front matter

    def _properties(self) -> None:
        report = self.study.report
        core = self.document.core_properties
        core.title = report.title
        core.subject = report.subtitle or ""
        core.author = "; ".join(report.authors)
        core.last_modified_by = "tverrsnitt"
        core.language = report.language
        core.keywords = report.number or ""
        core.comments = ""
        core.revision = 1
        if report.date is not None:
            moment = dt.datetime.combine(report.date, dt.time(), tzinfo=dt.UTC)
            core.created = core.modified = moment
        # The template's thumbnail is a picture of some other document: leave none.
        rels = self.document.part.package.rels
        for rel_id, rel in list(rels.items()):
            if rel.reltype == RT.THUMBNAIL:
                rels.pop(rel_id)

    def _title_page(self) -> None:
        report, document = self.study.report, self.document
        top = document.add_paragraph()
        top.paragraph_format.space_before = Cm(4)
        top.paragraph_format.space_after = Pt(18)
        if report.number:
            run = top.add_run(f"{report.publisher} {report.number}" if report.publisher
                              else report.number)
            run.bold = True
            run.font.size = Pt(12)
            run.font.color.rgb = ACCENT
        document.add_paragraph(report.title, style="Title")
        if report.subtitle:
            document.add_paragraph(report.subtitle, style="Subtitle")
        lines = []
        if report.authors:
            lines.append(", ".join(report.authors))
        if report.client:
            lines.append(f"Utført på oppdrag fra {report.client}")
        if report.date:
            lines.append(report.date.strftime("%d.%m.%Y"))
        for line in lines:
            paragraph = document.add_paragraph(line)
            paragraph.runs[0].font.size = Pt(12)

    def _field_block(self, instruction: str, what: str) -> None:
        """A field whose cached text asks for an update (Word lays out the page numbers)."""
        paragraph = self.document.add_paragraph(style="Feltplassholder")
        add_field(paragraph, instruction, UPDATE_HINT.format(what=what))

    def _contents(self) -> None:
        self.document.add_paragraph("Innhold", style="TOC Heading")
        self._field_block(TOC_CONTENTS, "innholdsfortegnelsen")

    def _list(self, title: str, identifier: str, what: str) -> None:
        self.document.add_heading(title, level=1)
        self._field_block(toc_captions(identifier), what)

    # ------------------------------------------------------------------------- chapters

    def _section(self, section: SectionView) -> None:
        document = self.document
        document.add_heading(section.heading, level=min(max(section.level, 1), 9))
        for paragraph in section.paragraphs:
            document.add_paragraph(paragraph)
        for quote in section.quotes:  # indented, as the report sets its quotes
            block = document.add_paragraph(quote.text, style="Quote")
            block.paragraph_format.left_indent = Cm(1)
            source = document.add_paragraph(f"({quote.source})", style="Quote")
            source.paragraph_format.left_indent = Cm(1)
        for figure in section.figures:
            self._figure(figure)
        for grid in section.tables:  # method tables, after the section's figures
            add_grid(document, grid)
        for sub in section.sections:
            self._section(sub)

    def _figure(self, figure: Figure) -> None:
        document = self.document
        caption = document.add_paragraph(style="Caption")
        add_caption_number(caption, label(figure), figure.number)
        caption.add_run(f" {caption_text(figure)}")
        n = n_text(self.tables, figure)
        if n:
            caption.add_run(f" ({n})").bold = False
        grids = figure_grids(self.study, self.tables, figure)
        if not figure.is_table:
            chart = self.charts.get(figure.id)
            if chart is not None:
                self._picture(chart)
            waves = self.charts.get(trend_id(figure.id))
            if waves is not None:
                self._picture(waves)
            if figure in self.outline.numbers_appendix:
                document.add_paragraph(NUMBERS_THERE, style="Tallgrunnlag")
                return
            document.add_paragraph(f"Tallgrunnlag for {label(figure).lower()} {figure.number}",
                                   style="Tallgrunnlag")
        for grid in grids:
            add_grid(document, grid)

    def _numbers_appendix(self) -> None:
        """Vedlegg: Tallgrunnlag (report.yaml `numbers: appendix`): each chart's numbers under
        its title, in reading order."""
        if not self.outline.numbers_appendix:
            return
        self.document.add_heading(NUMBERS_APPENDIX, level=1)
        for figure in self.outline.numbers_appendix:
            self.document.add_heading(f"{label(figure)} {figure.number} {caption_text(figure)}",
                                      level=2)
            for grid in figure_grids(self.study, self.tables, figure):
                add_grid(self.document, grid)

    def _picture(self, chart: Chart) -> None:
        run = self.document.add_paragraph(style="Figurbilde").add_run()
        shape = run.add_picture(str(chart.png))
        # The PNG's own size (150 dpi), scaled down to the text width, and to a height that
        # leaves room for the caption above it: a caption is never alone at the foot of a page.
        scale = min(1.0, TEXT_WIDTH / shape.width, PICTURE_HEIGHT / shape.height)
        if scale < 1.0:
            shape.width, shape.height = (Emu(round(shape.width * scale)),
                                         Emu(round(shape.height * scale)))
        describe_picture(shape, chart.alt)


def build_docx(study: Study, tables: Tables, charts: dict[str, Chart],
               quality: DataQuality) -> Document:
    """The complete report as a python-docx Document."""
    return _Writer(study, tables, charts, quality).build()


def write_docx(study: Study, tables: Tables, charts: dict[str, Chart], quality: DataQuality,
               path: Path) -> None:
    """Write report.docx (into the run's temporary folder, which is moved into place whole)."""
    build_docx(study, tables, charts, quality).save(str(path))
