"""Word field XML for the DOCX report: TOC, SEQ and PAGE fields, and the settings that
make Word refresh them when the document is opened.

A complex field is five runs in one paragraph: fldChar begin, instrText, fldChar separate, the
cached result Word shows until it updates the field, fldChar end. Word (and LibreOffice) print
the cached result, so every field here carries a sensible one.
"""

from __future__ import annotations

import re

from docx.document import Document
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shape import InlineShape
from docx.text.paragraph import Paragraph
from docx.text.run import Run

TOC_CONTENTS = r'TOC \o "1-3" \h \z \u'  # headings 1-3, hyperlinked, no page numbers on the web


def toc_captions(label: str) -> str:
    """The list of figures or tables: every caption with a SEQ `label` field."""
    return f'TOC \\h \\z \\c "{label}"'


def _run_with(paragraph: Paragraph, child: str, **attributes: str) -> Run:
    run = paragraph.add_run()
    element = OxmlElement(child)
    for name, value in attributes.items():
        element.set(qn(name), value)
    run._r.append(element)
    return run


def add_field(paragraph: Paragraph, instruction: str, result: str, *, bold: bool | None = None,
              dirty: bool = False) -> Run:
    """Append a complex field with `result` as its cached text; returns the result run."""
    begin = {"w:fldCharType": "begin"}
    if dirty:
        begin["w:dirty"] = "true"
    _run_with(paragraph, "w:fldChar", **begin)
    instr = _run_with(paragraph, "w:instrText")
    text = instr._r[-1]
    text.set(qn("xml:space"), "preserve")
    text.text = f" {instruction} "
    _run_with(paragraph, "w:fldChar", **{"w:fldCharType": "separate"})
    shown = paragraph.add_run(result)
    shown.bold = bold
    _run_with(paragraph, "w:fldChar", **{"w:fldCharType": "end"})
    return shown


def add_page_number(paragraph: Paragraph) -> None:
    """A PAGE field ('1' until the application lays the page out)."""
    add_field(paragraph, r"PAGE \* ARABIC", "1")


_NUMBER = re.compile(r"^(?:(?P<chapter>.*)\.)?(?P<last>\d+)$")


def add_caption_number(paragraph: Paragraph, label: str, number: str,
                       bold: bool | None = None) -> None:
    """'Figur 4.' then a SEQ field that Word refreshes to exactly 10 (for number '4.10').

    The report's numbers are per chapter and may skip (a figure of the original report not
    reproduced), so the sequence is pinned with \\r rather than counted: updating the fields
    keeps every number the report (and its prose) uses. A number whose last part is not a
    whole number stays literal, with a hidden SEQ field so the lists of figures and tables
    still pick the caption up.
    """
    match = _NUMBER.match(number)
    if match is None:
        paragraph.add_run(f"{label} {number}").bold = bold
        add_field(paragraph, f"SEQ {label} \\h", "", bold=bold)
        return
    chapter = match["chapter"]
    paragraph.add_run(f"{label} {chapter}." if chapter else f"{label} ").bold = bold
    last = int(match["last"])
    add_field(paragraph, f"SEQ {label} \\* ARABIC \\r {last}", str(last), bold=bold)


def request_field_update(document: Document) -> None:
    """w:updateFields in settings.xml: Word offers to refresh TOC, lists and SEQ on open."""
    settings = document.settings.element
    for old in settings.findall(qn("w:updateFields")):
        settings.remove(old)
    update = OxmlElement("w:updateFields")
    update.set(qn("w:val"), "true")
    # CT_Settings is an ordered sequence; updateFields sits before these elements.
    successors = ("w:hdrShapeDefaults", "w:footnotePr", "w:endnotePr", "w:compat", "w:docVars",
                  "w:rsids", "m:mathPr", "w:attachedSchema", "w:themeFontLang",
                  "w:clrSchemeMapping", "w:doNotIncludeSubdocsInStats",
                  "w:doNotAutoCompressPictures", "w:forceUpgrade", "w:captions",
                  "w:readModeInkLockDown", "w:smartTagType", "sl:schemaLibrary",
                  "w:shapeDefaults", "w:doNotEmbedSmartTags", "w:decimalSymbol", "w:listSeparator")
    names = {qn(name) for name in successors}
    for index, child in enumerate(settings):
        if child.tag in names:
            settings.insert(index, update)
            return
    settings.append(update)


def describe_picture(shape: InlineShape, description: str) -> None:
    """The picture's alt text (wp:docPr/@descr), what screen readers and Word's Alt Text show."""
    doc_pr = shape._inline.docPr
    doc_pr.set("descr", description)
