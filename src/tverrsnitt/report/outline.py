"""The report as a tree of numbered sections with filled prose and placed figures.

Renderers (HTML, DOCX; the PDF prints the HTML) walk this outline; none of them decides
numbering, placement or which paragraphs and quotes survive.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ..study.citations import cites
from ..study.model import Figure, Section, Study
from ..tabulate import Tables
from .grids import Grid
from .methods import (
    MethodResults,
    nonresponse_grids,
    representativity_grid,
    themes_grid,
    weight_grids,
)
from .narrative import fill

if TYPE_CHECKING:
    from ..tabulate.evidence import Quote

NUMBERS_APPENDIX = "Vedlegg: Tallgrunnlag"  # report.yaml `numbers: appendix`
NUMBERS_THERE = "Tallene bak figuren står i Vedlegg: Tallgrunnlag."

UNWEIGHTED = ("Tallene i rapporten er uvektede andeler av de analyserte svarene; "
              "usikkerheten er beregnet som for et enkelt tilfeldig utvalg.")


def method_tables(method: str, methods: MethodResults, tables: Tables) -> list[Grid]:
    """The grids one `methods:` entry of a section stands for in this run; with --compare the
    non-response tables of both waves, this wave's first, each title naming its wave."""
    grids = _method_tables(method, methods, tables)
    earlier = methods.compared
    if earlier is None or method not in ("nonresponse", "representativity"):
        return grids
    before = _method_tables(method, earlier, tables)
    for grid in grids:
        grid.title = f"{grid.title} ({methods.wave})"
    for grid in before:
        grid.title = f"{grid.title} ({methods.compared_wave})"
    return [*grids, *before]


def _method_tables(method: str, methods: MethodResults, tables: Tables) -> list[Grid]:
    k = tables.min_cell or 0
    if method == "weights":
        return weight_grids(methods)
    if method == "themes":
        return [themes_grid(tables.qual)] if tables.qual is not None else []
    if methods.nonresponse is None:
        return []
    if method == "nonresponse":
        return nonresponse_grids(methods.nonresponse, k)
    return [representativity_grid(methods.nonresponse)]


@dataclass
class SectionView:
    """A numbered heading with its paragraphs, figures and subsections."""

    anchor: str
    number: str
    title: str
    level: int
    paragraphs: list[str] = field(default_factory=list)
    figures: list[Figure] = field(default_factory=list)
    # Method tables the study places in this section (non-response, weights), printed after
    # the figures; every cell is already formatted text.
    tables: list[Grid] = field(default_factory=list)
    # Focus-group quotes placed in the section, printed indented after the paragraphs.
    quotes: list[Quote] = field(default_factory=list)
    sections: list[SectionView] = field(default_factory=list)

    @property
    def heading(self) -> str:
        """'4.2 Samsvar …' or just the title for unnumbered sections."""
        return f"{self.number} {self.title}" if self.number else self.title


@dataclass
class Outline:
    """Foreword and summary, chapters, the figures in reading order, and prose that had to be
    left out."""

    front: list[SectionView]
    chapters: list[SectionView]
    figures: list[Figure]
    left_out: list[str]
    # Charts whose numbers are printed in 'Vedlegg: Tallgrunnlag' instead of under them
    # (report.yaml `numbers: appendix`), in reading order.
    numbers_appendix: list[Figure] = field(default_factory=list)


def build_outline(study: Study, tables: Tables, methods: MethodResults | None = None) -> Outline:
    # `methods` is the run's `DataQuality.methods`; renderers pass it on unchanged.
    """Number the chapters, fill the prose, and place each figure that has numbers."""
    methods = methods or MethodResults()
    left_out: list[str] = []
    placed: list[Figure] = []

    def printed(sections: Sequence[Section]) -> list[Section]:
        # A section about the change since another wave is printed only with --compare.
        return [s for s in sections if not s.compare or tables.comparison is not None]

    def view(section: Section, number: str, level: int, anchor: str) -> SectionView:
        result = SectionView(anchor, number, section.title, level)
        for paragraph in section.paragraphs:
            filled = fill(study, tables, paragraph)
            if filled.text is not None:
                result.paragraphs.append(filled.text)
            else:
                left_out.append(f"Et avsnitt i «{section.title}» er utelatt: tallet "
                                f"{filled.missing} finnes ikke i denne kjøringen.")
        for figure_id in section.figures:
            figure = study.figure(figure_id)
            if tables.has_figure(figure_id):
                result.figures.append(figure)
                placed.append(figure)
        for method in section.methods:
            result.tables.extend(method_tables(method, methods, tables))
            if method == "weights" and methods.weights is None and methods.supplied is None:
                result.paragraphs.append(UNWEIGHTED)
            elif method in ("nonresponse", "representativity") and methods.nonresponse is None:
                left_out.append(f"Tabellene for «{section.title}» krever medlemsregisteret "
                                "(--register).")
        for ref in section.quotes:
            found = tables.qual.quotes(ref) if tables.qual is not None else []
            if not found:
                wanted = f"segmentet «{ref.segment}»" if ref.segment else f"temaet «{ref.theme}»"
                left_out.append(f"Et sitat i «{section.title}» er utelatt: {wanted} er ikke "
                                "kodet i fokusgruppene.")
            result.quotes.extend(found)
        for index, sub in enumerate(printed(section.sections), start=1):
            sub_number = f"{number}.{index}" if number and not sub.unnumbered else ""
            result.sections.append(view(sub, sub_number, level + 1,
                                        f"{anchor}-{index}"))
        return result

    anchors = {"foreword": "forord", "summary": "sammendrag"}
    front = [view(part, "", 1, anchors[key]) for key, part in study.report.front]
    chapters = [view(chapter, "" if chapter.unnumbered else str(index), 1, f"kap-{index}")
                for index, chapter in enumerate(printed(study.report.chapters), start=1)]
    unplaced = [f for f in study.figures if f not in placed and tables.has_figure(f.id)]
    if unplaced:
        extra = SectionView("andre-figurer", "", "Andre tabeller og figurer", 1,
                            figures=unplaced)
        chapters.append(extra)
        placed.extend(unplaced)
    references = reference_list(study, [*front, *chapters], placed)
    if references:
        chapters.append(SectionView("referanser", "", "Referanser", 1, paragraphs=references))
    in_appendix = ([f for f in placed if not f.is_table]
                   if study.report.numbers == "appendix" else [])
    return Outline(front, chapters, placed, left_out, in_appendix)


def reference_list(study: Study, sections: list[SectionView], figures: list[Figure]) -> list[str]:
    """The works of the bibliography that the printed report cites — in its prose as filled
    for this run, or as a reference source of a printed figure — alphabetically."""
    texts: list[str] = []

    def visit(section: SectionView) -> None:
        texts.extend(section.paragraphs)
        for sub in section.sections:
            visit(sub)

    for section in sections:
        visit(section)
    texts.extend(source.citation for figure in figures for source in figure.references)
    printed = "\n".join(texts)
    cited = [work.entry for work in study.report.bibliography if cites(printed, work.cite)]
    return sorted(cited, key=norwegian_order)


# Norwegian alphabetical order puts æ, ø, å (and ä, ö) after z.
_AFTER_Z = str.maketrans({"æ": "{", "ä": "{", "ø": "|", "ö": "|", "å": "}"})


def norwegian_order(text: str) -> str:
    """A sort key in Norwegian alphabetical order (Aa … Z, Æ, Ø, Å), case ignored."""
    return text.casefold().translate(_AFTER_Z)
