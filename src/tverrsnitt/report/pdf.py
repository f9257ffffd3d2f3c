"""Render the report as a print PDF: report.html itself, laid out by WeasyPrint with print CSS.

Engine: WeasyPrint, chosen by `python bench/pdf_engines.py` (full 2023 example, the same
content in both engines, best of 3 on the 2-core machine shared with other jobs, load ~2.9,
2026-11-28; earlier runs at load 2.6-3.4 gave WeasyPrint 8.1-10.9 s, Typst 0.6-1.0 s cold):

    engine      wall (CPU)        pages  size     tagged (elements)       bookmarks  fonts
    WeasyPrint  8.1 s (7.8 s)     59     976 KB   yes, PDF/UA-1 (11 888)  50         3/3 embedded
    Typst       0.61 s cold,      63     1417 KB  yes, PDF/UA-1 (6 859)   46         3/3 embedded
                0.12 s warm

Both embed subset fonts, keep the charts as vector SVG with searchable text, and tag; Typst
checks PDF/UA-1 while compiling (it refused a skipped heading level), WeasyPrint calls its
PDF/UA support experimental and tags page by page (hence more elements). Typst is more than
10x faster, but it needs a second renderer: a Typst source generated from the outline that must
repeat what report.html.j2 prints beyond the outline (title page, the data-quality appendix and
its prose, method and free-text tables, lists), and it was only a test dependency. WeasyPrint
prints the HTML report itself: the PDF cannot drift from report.html, and parts added to the
HTML (the non-response and free-text tables arrived while this was written) appear in the PDF
with no PDF work. The cost is time: about 45 % table and text layout, 30 % drawing the 43 SVG
charts, 20 % tagging (untagged is ~2 s faster) - too slow to hide inside the report run's 10 s
target if the PDF is always made.

Layout (templates/print.css): A4, title page without running header or footer, contents with
page numbers, every part on a new page, running header (report title on left-hand pages,
current part on right-hand pages), footer '37 • Rapport 2023:15' at the outer edge, bookmarks
from h2-h4 (chapters, sections, subsections), captions kept with their figure, charts taller
than a page scaled to fit under their caption, numbers behind each chart printed under it,
table headers repeated on every page, wide tables hyphenated and set smaller, never clipped.
Fonts: DejaVu Sans, the charts' font, from matplotlib's own copy when the system has none
(Debian's fonts-dejavu-core + fonts-dejavu-extra give the same faces), so the PDF looks the
same everywhere; WeasyPrint itself needs Pango (Debian: libpango-1.0-0, libpangoft2-1.0-0).
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

from ..study import Study
from ..tabulate import Tables
from .html import render_html
from .quality import DataQuality

if TYPE_CHECKING:
    from ..chart import Chart

# The PDF variant asked of WeasyPrint: tagged (structure tree, /MarkInfo, /Lang) with PDF/UA-1
# metadata. WeasyPrint calls its PDF/UA support experimental; the output is tagged, not certified.
PDF_VARIANT = "pdf/ua-1"


def _css_string(text: str) -> str:
    """A CSS string literal for any text (quotes, backslashes and line breaks escaped)."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\A ")
    return f'"{escaped}"'


def _font_faces() -> str:
    """@font-face rules for DejaVu Sans from matplotlib's own copy.

    The charts are measured and drawn in DejaVu Sans, and matplotlib (a dependency) ships the
    four faces; loading them from there makes the PDF look the same on every machine, whatever
    fonts the system has. WeasyPrint embeds the used glyphs (subset) in the PDF.
    """
    import matplotlib

    folder = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
    faces = [("DejaVuSans.ttf", "normal", "normal"), ("DejaVuSans-Bold.ttf", "bold", "normal"),
             ("DejaVuSans-Oblique.ttf", "normal", "italic"),
             ("DejaVuSans-BoldOblique.ttf", "bold", "italic")]
    rules = []
    for name, weight, style in faces:
        path = folder / name
        if path.is_file():
            rules.append(f'@font-face {{ font-family: "DejaVu Sans"; src: url({_css_string(path.as_uri())}); '
                         f"font-weight: {weight}; font-style: {style}; }}")
    return "\n".join(rules)


def print_css(study: Study) -> str:
    """The print stylesheet: fonts, templates/print.css, and the report's running strings."""
    report = study.report
    sheet = resources.files("tverrsnitt.report").joinpath("templates/print.css").read_text("utf-8")
    rules = [_font_faces(), sheet,
             f"html {{ string-set: report-title {_css_string(report.title)}, "
             f"report-number {_css_string(report.number or '')}; }}"]
    if not report.number:  # the footer is then the page number alone, without the bullet
        rules.append("@page :left { @bottom-left { content: counter(page); } }\n"
                     "@page :right { @bottom-right { content: counter(page); } }")
    return "\n".join(rules)


def print_html(study: Study, tables: Tables, charts: dict[str, Chart], quality: DataQuality) -> str:
    """report.html with the print stylesheet and document metadata added to its <head>.

    The print rules go in as a second <style> element after the page's own, so they win by
    source order (WeasyPrint ranks stylesheets passed to it as user styles, below the page's).
    """
    html = render_html(study, tables, charts, quality)
    report = study.report
    head = []
    if report.authors:
        head.append(f'<meta name="author" content="{_attr(", ".join(report.authors))}">')
    if report.subtitle:
        head.append(f'<meta name="description" content="{_attr(report.subtitle)}">')
    if report.date:
        head.append(f'<meta name="dcterms.created" content="{report.date.isoformat()}">')
    head.append(f"<style>\n{print_css(study)}\n</style>")
    if html.count("</head>") != 1:
        raise ValueError("report.html must have exactly one </head> for the print styles")
    return html.replace("</head>", "\n".join(head) + "\n</head>", 1)


def _attr(text: str) -> str:
    return (text.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")
            .replace(">", "&gt;"))


class _Quiet(logging.Filter):
    """Drop WeasyPrint's note about the one screen-only property of report.html it does not
    know (`overflow-x` on the scrolling table wrapper); every other message passes."""

    IGNORED = ("overflow-x",)

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        return not any(f"`{name}:" in message for name in self.IGNORED)


@contextmanager
def _quiet_weasyprint() -> Iterator[None]:
    logger = logging.getLogger("weasyprint")
    quiet = _Quiet()
    logger.addFilter(quiet)
    try:
        yield
    finally:
        logger.removeFilter(quiet)


def write_pdf(study: Study, tables: Tables, charts: dict[str, Chart], quality: DataQuality,
              path: Path) -> None:
    """Write report.pdf: A4, title page, contents with page numbers, running header and footer
    ('37 • Rapport 2023:15'), bookmarks from the headings, embedded fonts, tagged (PDF/UA-1)."""
    html = print_html(study, tables, charts, quality)
    with warnings.catch_warnings():
        # WeasyPrint warns on import when the system has no fonts at all; that is fine here,
        # every face the report uses is loaded from matplotlib's copy (see _font_faces).
        warnings.filterwarnings("ignore", "No fonts configured in FontConfig", UserWarning)
        from weasyprint import HTML
        from weasyprint.text.fonts import FontConfiguration

        fonts = FontConfiguration()
    with _quiet_weasyprint():
        # Without a FontConfiguration WeasyPrint ignores @font-face.
        document = HTML(string=html, base_url=str(Path(path).parent)).render(font_config=fonts)
        document.write_pdf(Path(path), pdf_variant=PDF_VARIANT)
