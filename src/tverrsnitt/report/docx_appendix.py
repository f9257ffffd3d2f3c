"""The DOCX report's data-quality appendix: files read, cells that did not fit (the first 500),
screening counts, withheld cells, notes; the same facts and words as the HTML appendix."""

from __future__ import annotations

from docx.document import Document
from docx.shared import Cm

from ..numbers import thousands
from ..tabulate import Tables
from .docx_tables import add_table
from .quality import FINDINGS_HEADING, FINDINGS_INTRO, DataQuality, FileQuality

PROBLEMS_SHOWN = 500  # as the HTML appendix: the first 500 cells that did not fit


def add_appendix(document: Document, tables: Tables, quality: DataQuality,
                 left_out: list[str]) -> None:
    """Vedlegg: Datakvalitet, as the HTML report has it."""
    document.add_heading("Vedlegg: Datakvalitet", level=1)
    mode = ("tolerant modus (--lenient): celler som ikke passet, er satt til manglende svar "
            "og listet nedenfor" if quality.lenient
            else "streng modus: alle celler passet definisjonen")
    document.add_paragraph(f"Innlesingen ble kjørt i {mode}.")
    document.add_heading("Filer", level=2)
    for file in quality.files:
        _file(document, file)
    if quality.findings:
        document.add_heading(FINDINGS_HEADING, level=2)
        document.add_paragraph(FINDINGS_INTRO)
        for finding in quality.findings:
            document.add_paragraph(finding.report, style="List Bullet")
    if tables.min_cell:
        document.add_heading("Personvern", level=2)
        document.add_paragraph(
            f"Tall som bygger på færre enn {tables.min_cell} respondenter, vises ikke: "
            "i tabellene står «:» i stedet, og i figurene er slike grupper utelatt. Der en "
            "skjult celle kunne vært regnet ut fra totalen ved siden av, er også en annen "
            f"celle skjult. I denne rapporten gjelder det {len(tables.hidden)} celler. "
            "Filen tables.csv er analytikerens fil og har alle tall.")
    document.add_heading("Utvalg og eksklusjoner", level=2)
    rows = [["Svart", thousands(quality.answered)],
            *([f"Ekskludert: {reason}", thousands(count)] for reason, count in quality.excluded),
            ["Analysert (Total N)", thousands(quality.analysed)]]
    add_table(document, ["Trinn", "Antall"], rows,
              strong=[False] * (len(rows) - 1) + [True])
    document.add_paragraph(style="Tabellnote")
    notes = [*(str(note) for note in quality.notes), *left_out]
    if notes:
        document.add_heading("Merknader", level=2)
        for note in notes:
            document.add_paragraph(note, style="List Bullet")

def _file(document: Document, file: FileQuality) -> None:
    """One input file: its summary lines, and the cells that did not fit."""
    document.add_heading(f"{file.role}: {file.file.name}", level=3)

    for line in file.summary():
        document.add_paragraph(line, style="List Bullet")
    if not file.problems:
        return
    rows = [["" if p.row is None else str(p.row), p.column or "",
             "" if p.value is None else p.value, p.report_text]
            for p in file.problems[:PROBLEMS_SHOWN]]
    add_table(document, ["Rad", "Kolonne", "Verdi", "Forventet"], rows, numeric=False,
              widths=[Cm(1.5), Cm(4.0), Cm(4.0), Cm(6.5)])
    rest = len(file.problems) - PROBLEMS_SHOWN
    document.add_paragraph(f"… og {thousands(rest)} til." if rest > 0 else "",
                           style="Tabellnote")
