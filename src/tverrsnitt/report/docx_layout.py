"""The DOCX report's page and styles: A4, margins, fonts, headings, captions, table style,
and the footer with page number and report number.

Every look of the Word report is set here, on named styles (Heading 1-3, Caption, the
'Rapporttabell' table style ...), so a reader who restyles the document in Word restyles it all.
"""

from __future__ import annotations

from docx.document import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.oxml.xmlchemy import BaseOxmlElement
from docx.shared import Cm, Emu, Pt, RGBColor
from docx.styles.style import ParagraphStyle

from .docx_fields import add_page_number

FONT = "Arial"  # in every Word; LibreOffice substitutes the metric-compatible Liberation Sans
LANGUAGE = "nb-NO"
INK = RGBColor(0x1B, 0x1B, 0x1B)
MUTED = RGBColor(0x55, 0x55, 0x55)
ACCENT = RGBColor(0x0B, 0x4F, 0x8A)  # the HTML report's accent colour

PAGE_WIDTH, PAGE_HEIGHT = Cm(21.0), Cm(29.7)  # A4
MARGIN = Cm(2.5)
TEXT_WIDTH = Emu(PAGE_WIDTH - 2 * MARGIN)  # 16 cm: figures and tables span it
# The tallest chart: the text height (24.7 cm) less room for a two-line caption and the footer.
PICTURE_HEIGHT = Emu(PAGE_HEIGHT - 2 * MARGIN - Cm(3.5))

TABLE_STYLE = "Rapporttabell"
TABLE_TEXT_SIZE = 18  # half-points: 9 pt
RULE = "1B1B1B"
HAIRLINE = "D0D0D0"


def _fonts(rpr: BaseOxmlElement) -> None:
    """Replace theme fonts with FONT (a theme font would win over an explicit one)."""
    for old in rpr.findall(qn("w:rFonts")):
        rpr.remove(old)
    fonts = OxmlElement("w:rFonts")
    for slot in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(slot), FONT)
    rpr.insert(1 if len(rpr) and rpr[0].tag == qn("w:rStyle") else 0, fonts)  # after rStyle


def _paragraph_style(document: Document, name: str, base: str = "Normal") -> ParagraphStyle:
    styles = document.styles
    if name in [s.name for s in styles]:
        style = styles[name]
    else:
        style = styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        style.base_style = styles[base]
        style.quick_style = True
    assert isinstance(style, ParagraphStyle)
    return style


def _look(style: ParagraphStyle, size: float, *, bold: bool | None = None,
          italic: bool | None = None, color: RGBColor = INK, before: float = 0,
          after: float = 6, keep_with_next: bool | None = None) -> None:
    style.font.size = Pt(size)
    style.font.bold = bold
    style.font.italic = italic
    style.font.color.rgb = color
    style.paragraph_format.space_before = Pt(before)
    style.paragraph_format.space_after = Pt(after)
    if keep_with_next is not None:
        style.paragraph_format.keep_with_next = keep_with_next
    rpr = style.element.get_or_add_rPr()
    _fonts(rpr)
    complex_size = rpr.find(qn("w:szCs"))  # the template's; keep it in step with w:sz
    if complex_size is not None:
        complex_size.set(qn("w:val"), str(round(size * 2)))


_AFTER_HYPHENS = tuple(qn(f"w:{name}") for name in (
    "kinsoku", "wordWrap", "overflowPunct", "topLinePunct", "autoSpaceDE", "autoSpaceDN", "bidi",
    "adjustRightInd", "snapToGrid", "spacing", "ind", "contextualSpacing", "mirrorIndents",
    "suppressOverlap", "jc", "textDirection", "textAlignment", "textboxTightWrap", "outlineLvl",
    "divId", "cnfStyle", "rPr", "sectPr", "pPrChange"))


def _hyphenation(style: ParagraphStyle, on: bool) -> None:
    """w:suppressAutoHyphens on the style, in its place in the ordered w:pPr."""
    ppr = style.element.get_or_add_pPr()
    for old in ppr.findall(qn("w:suppressAutoHyphens")):
        ppr.remove(old)
    flag = OxmlElement("w:suppressAutoHyphens")
    flag.set(qn("w:val"), "0" if on else "1")
    after = next((child for child in ppr if child.tag in _AFTER_HYPHENS), None)
    if after is None:
        ppr.append(flag)
    else:
        after.addprevious(flag)


def _hyphenate_tables(document: Document) -> None:
    """Automatic hyphenation, used only by table text: a narrow column's heading breaks as
    'høst-semesteret' rather than at any letter. Body text is left unhyphenated."""
    settings = document.settings.element
    if settings.find(qn("w:autoHyphenation")) is None:
        flag = OxmlElement("w:autoHyphenation")
        tab_stop = settings.find(qn("w:defaultTabStop"))  # autoHyphenation comes right after it
        if tab_stop is not None:
            tab_stop.addnext(flag)
        else:
            settings.insert(0, flag)
    normal = document.styles["Normal"]
    assert isinstance(normal, ParagraphStyle)
    _hyphenation(normal, on=False)
    _hyphenation(_paragraph_style(document, "Tabelltekst"), on=True)


def _defaults(document: Document) -> None:
    """Document defaults: FONT, 10.5 pt, Norwegian Bokmål for spelling and hyphenation."""
    rpr = document.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    _fonts(rpr)
    for old in rpr.findall(qn("w:lang")):
        rpr.remove(old)
    lang = OxmlElement("w:lang")
    lang.set(qn("w:val"), LANGUAGE)
    lang.set(qn("w:eastAsia"), LANGUAGE)
    lang.set(qn("w:bidi"), "ar-SA")
    rpr.append(lang)
    normal = document.styles["Normal"]
    assert isinstance(normal, ParagraphStyle)
    normal.font.size = Pt(10.5)
    normal.paragraph_format.space_after = Pt(6)
    normal.paragraph_format.line_spacing = 1.15


def _table_style(document: Document) -> None:
    """'Rapporttabell': rules above and below, a heavier rule under the header row, hairlines
    between rows, 9 pt text; header rows bold."""
    rule = f'w:val="single" w:sz="8" w:space="0" w:color="{RULE}"'
    hairline = f'w:val="single" w:sz="4" w:space="0" w:color="{HAIRLINE}"'
    size = f'<w:sz w:val="{TABLE_TEXT_SIZE}"/><w:szCs w:val="{TABLE_TEXT_SIZE}"/>'
    style = parse_xml(
        f'<w:style {nsdecls("w")} w:type="table" w:customStyle="1" w:styleId="{TABLE_STYLE}">'
        f'<w:name w:val="{TABLE_STYLE}"/><w:basedOn w:val="TableNormal"/>'
        '<w:uiPriority w:val="59"/><w:qFormat/>'
        '<w:pPr><w:spacing w:before="0" w:after="0" w:line="240" w:lineRule="auto"/></w:pPr>'
        f'<w:rPr>{size}</w:rPr>'
        '<w:tblPr>'
        f'<w:tblBorders><w:top {rule}/><w:bottom {rule}/><w:insideH {hairline}/></w:tblBorders>'
        '<w:tblCellMar><w:top w:w="40" w:type="dxa"/><w:left w:w="85" w:type="dxa"/>'
        '<w:bottom w:w="40" w:type="dxa"/><w:right w:w="85" w:type="dxa"/></w:tblCellMar>'
        '</w:tblPr>'
        '<w:tblStylePr w:type="firstRow"><w:rPr><w:b/><w:bCs/></w:rPr>'
        f'<w:tcPr><w:tcBorders><w:bottom w:val="single" w:sz="12" w:space="0" w:color="{RULE}"/>'
        '</w:tcBorders><w:vAlign w:val="bottom"/></w:tcPr></w:tblStylePr>'
        '</w:style>')
    document.styles.element.append(style)


def set_up(document: Document) -> None:
    """A4 with 2.5 cm margins, the report's styles, and no footer on the title page."""
    section = document.sections[0]
    section.page_width, section.page_height = PAGE_WIDTH, PAGE_HEIGHT
    section.left_margin = section.right_margin = MARGIN
    section.top_margin = section.bottom_margin = MARGIN
    section.header_distance = section.footer_distance = Cm(1.25)
    section.different_first_page_header_footer = True  # the title page has no page number
    section.first_page_footer.is_linked_to_previous = False  # an empty footer of its own
    _defaults(document)
    heading1 = _paragraph_style(document, "Heading 1")
    _look(heading1, 16, bold=True, color=ACCENT, after=12)
    heading1.paragraph_format.page_break_before = True  # every chapter on a new page
    _look(_paragraph_style(document, "Heading 2"), 13, bold=True, color=ACCENT, before=18, after=6)
    _look(_paragraph_style(document, "Heading 3"), 11, bold=True, before=12, after=4)
    _look(_paragraph_style(document, "Heading 4"), 10.5, bold=True, italic=True, before=10, after=4)
    toc_heading = _paragraph_style(document, "TOC Heading")
    _look(toc_heading, 16, bold=True, color=ACCENT, after=12)

    title = _paragraph_style(document, "Title")
    _look(title, 26, color=ACCENT, before=0, after=12)
    subtitle = _paragraph_style(document, "Subtitle")
    _look(subtitle, 14, italic=False, color=MUTED, after=24)
    numbering = subtitle.element.pPr.find(qn("w:numPr")) if subtitle.element.pPr is not None else None
    if numbering is not None:  # the default template's Subtitle carries a stray list level
        subtitle.element.pPr.remove(numbering)

    # Captions above figures and tables; Word's built-in Caption style, so TOC \c finds them.
    _look(_paragraph_style(document, "Caption"), 10, bold=True, before=14, after=6,
          keep_with_next=True)
    _look(_paragraph_style(document, "Figurbilde"), 10.5, after=4, keep_with_next=True)
    _look(_paragraph_style(document, "Tallgrunnlag"), 9, italic=True, color=MUTED, before=4,
          after=4, keep_with_next=True)
    _look(_paragraph_style(document, "Tabelltittel"), 9.5, italic=True, before=6, after=3,
          keep_with_next=True)
    table_text = _paragraph_style(document, "Tabelltekst")
    _look(table_text, TABLE_TEXT_SIZE / 2, after=0)
    table_text.paragraph_format.line_spacing = 1.0
    _look(_paragraph_style(document, "Tabellnote"), 8.5, color=MUTED, before=0, after=3)
    _look(_paragraph_style(document, "Feltplassholder"), 10, italic=True, color=MUTED, after=6)
    _look(_paragraph_style(document, "Footer"), 9, color=MUTED, after=0)
    _table_style(document)
    _hyphenate_tables(document)


def add_footer(document: Document, report_number: str | None) -> None:
    """'37 • Rapport 2023:15' at the foot of every page but the title page."""
    footer = document.sections[0].footer
    paragraph = footer.paragraphs[0]
    paragraph.style = document.styles["Footer"]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    add_page_number(paragraph)
    if report_number:
        paragraph.add_run(f" \u2022 {report_number}")
