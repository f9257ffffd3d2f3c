"""Grids as Word tables in the report's table style: header row repeated on every page, bold
subtotal rows, indented member rows, numbers right-aligned, notes under the table.

Cells are printed exactly as the grid holds them (':' for a hidden cell included).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field

from docx.document import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Emu, Length
from docx.table import Table, _Cell, _Row

from .docx_layout import RULE, TABLE_STYLE, TEXT_WIDTH
from .grids import Grid

INDENT = Cm(0.4)
NUMBER_COLUMN = Cm(1.9)  # a numeric column's width unless its words need more
NARROWEST_COLUMN = Cm(1.2)
FIRST_COLUMN_MIN = Cm(4.5)
FIRST_COLUMN_MAX = Cm(9.0)  # a table of few columns stays compact rather than page-wide
CHARACTER = Cm(0.19)  # one character of 9 pt bold Arial, generously
CELL_PADDING = Cm(0.35)  # both cell margins and a little air
KEEP_TOGETHER_ROWS = 25  # shorter tables are kept on one page


def _longest_word(texts: Sequence[str]) -> int:
    return max((len(word) for text in texts for word in text.split()), default=0)


def fitted_widths(header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[Length]:
    """A label column, then numeric columns wide enough for their longest word (header
    'Videregående' must not break), shrunk together when the page is too narrow."""
    columns = max([len(header), *(len(cells) for cells in rows)])
    if columns <= 1:
        return [TEXT_WIDTH]

    def column(index: int) -> list[str]:
        return [cells[index] for cells in [header, *rows] if index < len(cells)]

    needs = [max(NUMBER_COLUMN, NARROWEST_COLUMN, CHARACTER * _longest_word(column(index))
                 + CELL_PADDING) for index in range(1, columns)]
    room = TEXT_WIDTH - FIRST_COLUMN_MIN
    if sum(needs) > room:  # shrink in proportion to need, never below the narrowest
        floor = NARROWEST_COLUMN * len(needs)
        if floor > room:  # many columns: all at the narrowest, the label column gets the rest
            needs = [NARROWEST_COLUMN] * len(needs)
        else:
            extra = room - floor
            wanted = sum(need - NARROWEST_COLUMN for need in needs)
            needs = [NARROWEST_COLUMN + (need - NARROWEST_COLUMN) * extra // wanted
                     for need in needs]
    if TEXT_WIDTH - sum(needs) < NARROWEST_COLUMN * 2:  # too many even so: share equally
        needs = [TEXT_WIDTH // columns] * (columns - 1)
    first = min(TEXT_WIDTH - sum(needs), FIRST_COLUMN_MAX)
    return [Emu(first), *(Emu(need) for need in needs)]


def _row_property(row: _Row, name: str) -> None:
    tr_pr = row._tr.get_or_add_trPr()
    element = OxmlElement(name)
    tr_pr.append(element)


def _fixed_layout(table: Table, widths: Sequence[Length]) -> None:
    tbl_pr = table._tbl.tblPr
    width = tbl_pr.find(qn("w:tblW"))
    width.set(qn("w:type"), "dxa")
    width.set(qn("w:w"), str(sum(int(w) for w in widths) // 635))  # EMU -> twentieths of a point
    layout = OxmlElement("w:tblLayout")
    layout.set(qn("w:type"), "fixed")
    # CT_TblPr is ordered: ... tblBorders, shd, tblLayout, tblCellMar, tblLook, ...
    successors = {qn(name) for name in ("w:tblCellMar", "w:tblLook", "w:tblCaption",
                                        "w:tblDescription")}
    after = next((child for child in tbl_pr if child.tag in successors), None)
    if after is None:
        tbl_pr.append(layout)
    else:
        after.addprevious(layout)
    look = tbl_pr.find(qn("w:tblLook"))
    if look is not None:  # header row formatting on, first-column formatting off
        look.set(qn("w:firstColumn"), "0")
        look.set(qn("w:val"), "0420")
    for column, w in zip(table.columns, widths, strict=True):
        column.width = w


@dataclass
class Block:
    """Rows under one header line: a whole grid, or one statement of a grid whose statements
    have different answer categories (the grid repeats a header line for each)."""

    header: list[str]
    rows: list[list[str]] = field(default_factory=list)
    strong: list[bool] = field(default_factory=list)
    indented: list[bool] = field(default_factory=list)

    @property
    def width(self) -> int:
        return max([len(self.header), *(len(cells) for cells in self.rows)])

    @property
    def wide(self) -> bool:
        """Too many columns for portrait A4, and better read turned (groups as columns)."""
        return self.width > WIDEST and len(self.rows) + 1 <= TURNED_WIDEST


WIDEST = 9  # columns a table keeps in its own orientation
TURNED_WIDEST = 8  # columns a turned table may have


def header_lines(grid: Grid) -> list[int]:
    """Rows that repeat a header line: bold rows ending in the header's last column title
    ('N'), which no row of numbers does."""
    last_title = grid.header[-1:]
    return [index for index, (cells, strong) in enumerate(zip(grid.rows, grid.emphasis, strict=True))
            if strong and last_title and len(cells) > 1 and cells[-1:] == last_title]


def blocks(grid: Grid) -> list[Block]:
    """Split a grid at its repeated header lines."""
    result = [Block(list(grid.header))]
    starts = set(header_lines(grid))
    for index, (cells, strong, indent) in enumerate(
            zip(grid.rows, grid.emphasis, grid.indented, strict=True)):
        if index in starts:
            result.append(Block(list(cells)))
            continue
        block = result[-1]
        block.rows.append(list(cells))
        block.strong.append(strong)
        block.indented.append(indent)
    return result


def _border_below(cell: _Cell) -> None:
    tc_pr = cell._tc.get_or_add_tcPr()
    borders = OxmlElement("w:tcBorders")
    bottom = OxmlElement("w:bottom")
    for name, value in (("w:val", "single"), ("w:sz", "8"), ("w:space", "0"), ("w:color", RULE)):
        bottom.set(qn(name), value)
    borders.append(bottom)
    # CT_TcPr order: tcW, gridSpan, vMerge, tcBorders, ...; python-docx wrote only tcW so far.
    width = tc_pr.find(qn("w:tcW"))
    if width is not None:
        width.addnext(borders)
    else:
        tc_pr.insert(0, borders)


def add_table(document: Document, header: Sequence[str], rows: Sequence[Sequence[str]], *,
              widths: Sequence[Length] | None = None, strong: Sequence[bool] = (),
              indented: Sequence[bool] = (), strong_columns: Sequence[bool] = (),
              header_rows: Collection[int] = (), numeric: bool = True) -> Table:
    """A table in the report style; `numeric` right-aligns every column but the first.

    `strong` and `indented` are per row, `strong_columns` per column (a turned table's Totalt),
    `header_rows` are rows that head the rows below them. Rows shorter than the widest are
    padded with empty cells, as the HTML table leaves them empty.
    """
    columns = max([len(header), *(len(cells) for cells in rows)])
    widths = list(widths) if widths is not None else fitted_widths(header, rows)
    table = document.add_table(rows=0, cols=columns)
    table.style = document.styles[TABLE_STYLE]
    _fixed_layout(table, widths)
    table.alignment = WD_TABLE_ALIGNMENT.LEFT
    keep = len(rows) < KEEP_TOGETHER_ROWS
    text_style = document.styles["Tabelltekst"].style_id

    def flag(flags: Sequence[bool], index: int) -> bool:
        return index < len(flags) and flags[index]

    everything = [(list(header), True, False, False),
                  *((list(cells), flag(strong, index), flag(indented, index), index in header_rows)
                    for index, cells in enumerate(rows))]
    for number, (cells, bold, indent, heads) in enumerate(everything):
        row = table.add_row()
        _row_property(row, "w:cantSplit")
        if number == 0:
            _row_property(row, "w:tblHeader")  # repeated at the top of every page
        keep_next = number == 0 or (keep and number < len(everything) - 1)
        for column, (cell, width) in enumerate(zip(row.cells, widths, strict=True)):
            cell.width = width
            paragraph = cell.paragraphs[0]
            paragraph._p.style = text_style  # by id: python-docx's lookup by name is slow
            run = paragraph.add_run(cells[column] if column < len(cells) else "")
            if bold or (number > 0 and flag(strong_columns, column)):
                run.bold = True
            if column > 0 and numeric:
                paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            if column == 0 and indent:
                paragraph.paragraph_format.left_indent = INDENT
            if keep_next:
                paragraph.paragraph_format.keep_with_next = True
            if heads:
                _border_below(cell)
    return table


def _turned(document: Document, block: Block) -> Table:
    """A wide block with groups as columns and categories as rows."""
    corner = block.header[0]
    # 'Yrke: Utvalg' under the corner 'Yrke' is just 'Utvalg'.
    header = [corner, *(cells[0].removeprefix(f"{corner}: ") if corner else cells[0]
                        for cells in block.rows)]
    rows = [[title, *(cells[index] if index < len(cells) else "" for cells in block.rows)]
            for index, title in enumerate(block.header) if index > 0]
    return add_table(document, header, rows, strong_columns=[False, *block.strong])


def _spacer(document: Document) -> None:
    # Word joins two tables that touch; an empty note line also gives the table air.
    document.add_paragraph(style="Tabellnote")


def add_grid(document: Document, grid: Grid, *, with_title: bool = True) -> None:
    """One grid: its title line, the table, its notes.

    A grid too wide for the page (counties, occupations as columns) is printed turned, one
    table per header block; everything else exactly in the grid's own layout.
    """
    if with_title and grid.title:
        document.add_paragraph(grid.title, style="Tabelltittel")
    parts = blocks(grid) if grid.header else []
    table = None
    if any(part.wide for part in parts):
        for index, part in enumerate(parts):
            if index:
                _spacer(document)
            table = (_turned(document, part) if part.wide else
                     add_table(document, part.header, part.rows, strong=part.strong,
                               indented=part.indented))
    elif grid.header:
        table = add_table(document, grid.header, grid.rows, strong=grid.emphasis,
                  indented=grid.indented, header_rows=header_lines(grid))
    if grid.notes and table is not None:  # the notes start on the table's last page
        for cell in table.rows[-1].cells:
            cell.paragraphs[0].paragraph_format.keep_with_next = True
    for index, note in enumerate(grid.notes):
        paragraph = document.add_paragraph(note, style="Tabellnote")
        paragraph.paragraph_format.keep_with_next = index < len(grid.notes) - 1
    if not grid.notes:
        _spacer(document)
