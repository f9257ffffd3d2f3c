"""Benchmark: the full 2023 report as PDF through WeasyPrint (HTML + print CSS) and Typst.

    python bench/pdf_engines.py [--repeat 3] [--keep DIR]

Not a test: it measures and prints. Both engines get the same content: the WeasyPrint run is
`tverrsnitt.report.pdf.write_pdf` (report.html with templates/print.css); the Typst run is a
Typst source generated here from the same outline and grids (title page, contents, headings,
paragraphs, every figure as its SVG with caption and N, every table and the numbers behind each
chart, method tables, the data-quality appendix, lists of tables and figures), A4 with the same
running header and footer, compiled with the `typst` Python binding (PDF/UA-1 requested).

For each engine it prints the first and best wall time of --repeat runs, the best CPU time,
page count, file size, whether the PDF is tagged (/StructTreeRoot, /MarkInfo /Marked), the
number of structure elements, bookmark count, fonts (all embedded?), and whether the chart
labels are text (extractable) in the PDF.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STUDY = ROOT / "examples" / "skolemiljo-2023"
EXPORT = STUDY / "data" / "export.csv"
REGISTER = STUDY / "data" / "register.csv"
sys.path.insert(0, str(ROOT / "src"))

import tverrsnitt.report.pdf  # noqa: E402
from tverrsnitt.chart import Chart  # noqa: E402
from tverrsnitt.numbers import thousands  # noqa: E402
from tverrsnitt.pipeline import build_report  # noqa: E402
from tverrsnitt.report.grids import Grid, figure_grids, n_text  # noqa: E402
from tverrsnitt.report.outline import SectionView, build_outline  # noqa: E402
from tverrsnitt.report.quality import DataQuality  # noqa: E402
from tverrsnitt.study import Study  # noqa: E402
from tverrsnitt.tabulate import Tables  # noqa: E402


@dataclass
class Inputs:
    """What report.html.write_html (and so write_pdf) takes."""

    study: Study
    tables: Tables
    charts: dict[str, Chart]
    quality: DataQuality


def build_inputs(out_dir: Path) -> Inputs:
    """The example run's published tables, charts and data quality, exactly as the pipeline
    hands them to write_pdf (captured from that call, which is skipped here), with the chart
    paths moved to where the finished run put them."""
    captured: list[tuple[Study, Tables, dict[str, Chart], DataQuality]] = []
    original = tverrsnitt.report.pdf.write_pdf

    def capture(study: Study, tables: Tables, charts: dict[str, Chart], quality: DataQuality,
                path: Path) -> None:
        captured.append((study, tables, charts, quality))

    tverrsnitt.report.pdf.write_pdf = capture  # build_report imports it from the module on call
    try:
        build_report(STUDY, out_dir, data=EXPORT, register=REGISTER, formats=("html", "pdf"))
    finally:
        tverrsnitt.report.pdf.write_pdf = original
    if len(captured) != 1:
        raise RuntimeError("build_report no longer calls tverrsnitt.report.pdf.write_pdf")
    study, tables, charts, quality = captured[0]
    folder = out_dir / "figurer"
    moved = {key: replace(chart, svg=folder / chart.svg.name, png=folder / chart.png.name)
             for key, chart in charts.items()}
    return Inputs(study, tables, moved, quality)


# ----------------------------------------------------------------------------- Typst source


def _s(text: str) -> str:
    """Any text as a Typst string expression (no markup interpretation)."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ")
    return f'"{escaped}"'


def _grid(grid: Grid) -> str:
    columns = max(len(grid.header), *(len(r) for r in grid.rows)) if grid.rows else len(grid.header)
    lines = []
    if grid.title:
        lines.append(f"#text(size: 7.6pt, style: \"italic\", {_s(grid.title)})")
    cells = []
    for index, row in enumerate(grid.rows):
        strong = grid.emphasis[index]
        indent = grid.indented[index]
        for position, cell in enumerate(row + [""] * (columns - len(row))):
            body = _s(cell)
            if position == 0 and indent:
                body = f"h(4mm) + {body}"
            cells.append(f"strong({body})" if strong else f"[#({body})]")
    header = ", ".join(f"strong({_s(c)})" for c in grid.header + [""] * (columns - len(grid.header)))
    lines.append(
        f"#table(columns: {columns}, align: (x, y) => if x == 0 {{ left }} else {{ right }},\n"
        f"  table.header({header}),\n  " + ", ".join(cells) + ")")
    lines.extend(f"#text(size: 7.4pt, {_s(note)})\n" for note in grid.notes)
    return "\n".join(lines)


def typst_source(inputs: Inputs, image_dir: Path) -> str:
    """A Typst document with the same content as report.html, from the same outline and grids."""
    study, tables, charts, quality = inputs.study, inputs.tables, inputs.charts, inputs.quality
    report = study.report
    outline = build_outline(study, tables, quality.methods)
    out: list[str] = [
        f"#set document(title: {_s(report.title)}, author: ({', '.join(_s(a) for a in report.authors)},))",
        f'#set text(lang: "{report.language}", font: "DejaVu Sans", size: 9.5pt)',
        "#set par(leading: 0.6em, spacing: 0.9em)",
        "#set table(stroke: (x, y) => (bottom: 0.5pt + luma(200)), inset: (x: 1.6mm, y: 0.8mm))",
        "#show table: set text(size: 7.6pt)",
        "#show heading.where(level: 1): it => { pagebreak(weak: true); set text(size: 17pt, "
        "fill: rgb(\"#0b4f8a\")); block(below: 7mm, it) }",
        "#show heading.where(level: 2): set text(size: 12.5pt)",
        "#show heading.where(level: 3): set text(size: 10.5pt)",
        "#show figure: set block(breakable: true)",
        "#show figure.caption: set align(left)",
        "#set page(paper: \"a4\", margin: (inside: 20mm, outside: 24mm, top: 24mm, bottom: 22mm),",
        "  header: context { if here().page() > 1 { set text(size: 7.5pt, fill: luma(85));"
        "    if calc.even(here().page()) [#" + _s(report.title) + "] else {"
        "    let h = query(selector(heading.where(level: 1)).before(here())); "
        "    if h.len() > 0 { align(right, h.last().body) } } } },",
        "  footer: context { if here().page() > 1 { set text(size: 8pt);"
        "    let t = [#counter(page).display() • #" + _s(report.number or "") + "];"
        "    if calc.even(here().page()) { t } else { align(right, t) } } })",
        # title page
        "#v(50mm)",
        f"#text(size: 11pt, {_s(' '.join(x for x in (report.publisher, report.number) if x))})",
        f"#block(text(size: 22pt, fill: rgb(\"#0b4f8a\"), weight: \"bold\", {_s(report.title)}))",
    ]
    if report.subtitle:
        out.append(f"#text(size: 12.5pt, {_s(report.subtitle)})\n#v(15mm)")
    out.append(f"#{_s(', '.join(report.authors))}\n")
    if report.client:
        out.append(f"#{_s('Utført på oppdrag fra ' + report.client)}\n")
    out.append("#pagebreak()\n#outline(title: \"Innhold\", depth: 3)\n")

    def section(view: SectionView) -> None:
        level = view.level
        out.append(f"#heading(level: {level}, numbering: none, {_s(view.heading)})")
        out.extend(f"#({_s(p)})\n" for p in view.paragraphs)
        for figure in view.figures:
            caption = figure.title + (f" ({n_text(tables, figure)})" if n_text(tables, figure) else "")
            grids = figure_grids(study, tables, figure)
            chart = charts.get(figure.id)
            if figure.is_table or chart is None:
                body = "\n".join(_grid(g) for g in grids)
                out.append(f"#figure(kind: table, supplement: none, numbering: none, "
                           f"caption: figure.caption(position: top, {_s(caption)}))[\n{body}\n]")
            else:
                target = image_dir / chart.svg.name
                if not target.exists():
                    shutil.copy(chart.svg, target)
                out.append(f"#figure(kind: image, supplement: none, numbering: none, "
                           f"caption: figure.caption(position: top, {_s(caption)}), "
                           f"image({_s(target.name)}, width: 100%, alt: {_s(chart.alt)}))")
                out.append(f"#text(size: 7.6pt, weight: \"bold\", {_s('Tallgrunnlag for ' + figure.title)})")
                out.extend(_grid(g) for g in grids)
        out.extend(_grid(g) for g in view.tables)
        for sub in view.sections:
            section(sub)

    if outline.summary is not None:
        section(outline.summary)
    for chapter in outline.chapters:
        section(chapter)
    out.append("#heading(level: 1, \"Vedlegg: Datakvalitet\")")
    for file in quality.files:
        out.append(f"#heading(level: 2, {_s(f'{file.role}: {file.file.name}')})")
        out.append(f"- #{_s(f'{thousands(file.rows)} rader lest.')}")
        out.append(f"- #{_s(f'{len(file.problems)} celler passet ikke definisjonen.')}\n")
    steps = Grid("", ["Trinn", "Antall"])
    steps.add(["Svart", thousands(quality.answered)])
    for reason, count in quality.excluded:
        steps.add([f"Ekskludert: {reason}", thousands(count)])
    steps.add(["Analysert (Total N)", thousands(quality.analysed)], strong=True)
    out.append(_grid(steps))
    for title, is_table in (("Tabelloversikt", True), ("Figuroversikt", False)):
        out.append(f"#heading(level: 1, {_s(title)})")
        out.extend(f"- #{_s(f.title)}" for f in outline.figures if f.is_table == is_table)
    return "\n".join(out) + "\n"


def write_typst_pdf(inputs: Inputs, path: Path) -> None:
    import typst

    work = Path(tempfile.mkdtemp(prefix="typst-"))
    try:
        source = work / "report.typ"
        source.write_text(typst_source(inputs, work), encoding="utf-8")
        typst.compile(str(source), output=str(path), root=str(work), pdf_standards=["ua-1"])
    finally:
        shutil.rmtree(work, ignore_errors=True)


def write_weasyprint_pdf(inputs: Inputs, path: Path) -> None:
    from tverrsnitt.report.pdf import write_pdf

    write_pdf(inputs.study, inputs.tables, inputs.charts, inputs.quality, path)


# ----------------------------------------------------------------------------- inspection


@dataclass
class Inspection:
    pages: int
    size: int
    tagged: bool
    struct_elements: int
    bookmarks: int
    fonts: list[tuple[str, bool]]
    chart_text: bool


def _count_struct(node: object, seen: set[int]) -> int:
    from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

    if isinstance(node, IndirectObject):
        if node.idnum in seen:
            return 0
        seen.add(node.idnum)
        node = node.get_object()
    if isinstance(node, ArrayObject):
        return sum(_count_struct(child, seen) for child in node)
    if isinstance(node, DictionaryObject) and node.get("/Type") in ("/StructElem", None) and "/S" in node:
        return 1 + _count_struct(node.get("/K"), seen)
    return 0


def _fonts(reader: object) -> list[tuple[str, bool]]:
    """(name, embedded) for every font resource on every page (Type0 descendants included)."""
    found: dict[str, bool] = {}
    for page in reader.pages:  # type: ignore[attr-defined]
        resources = page.get("/Resources")
        fonts = resources.get_object().get("/Font") if resources is not None else None
        if fonts is None:
            continue
        for ref in fonts.get_object().values():
            font = ref.get_object()
            descendants = font.get("/DescendantFonts")
            target = descendants.get_object()[0].get_object() if descendants is not None else font
            descriptor = target.get("/FontDescriptor")
            embedded = descriptor is not None and any(
                k in descriptor.get_object() for k in ("/FontFile", "/FontFile2", "/FontFile3"))
            found[str(font.get("/BaseFont"))] = embedded
    return sorted(found.items())


def inspect(path: Path, probe: str) -> Inspection:
    from pypdf import PdfReader

    reader = PdfReader(str(path))
    root = reader.trailer["/Root"]
    mark = root.get("/MarkInfo")
    tagged = "/StructTreeRoot" in root and mark is not None and bool(mark.get_object().get("/Marked"))
    elements = _count_struct(root["/StructTreeRoot"].get_object().get("/K"), set()) if tagged else 0

    def count(items: list[object]) -> int:
        return sum(count(i) if isinstance(i, list) else 1 for i in items)

    text = "".join(page.extract_text() or "" for page in reader.pages)
    return Inspection(len(reader.pages), path.stat().st_size, tagged, elements,
                      count(reader.outline), _fonts(reader), probe in text)


def timed(run: Callable[[Path], None], path: Path, repeat: int) -> tuple[float, float, float]:
    """(first, best) wall time and best CPU time (this process, all threads) of `repeat` runs.
    CPU time is the steadier number on a shared machine. The first run matters for Typst: the
    binding memoizes compilation in-process, so an identical second compile is not a fair
    repeat."""
    times, cpu = [], []
    for _ in range(repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        run(path)
        times.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    return times[0], min(times), min(cpu)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--keep", type=Path, help="write the PDFs (and Typst source) here")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="pdf-bench-"))
    out = args.keep or work
    out.mkdir(parents=True, exist_ok=True)
    try:
        start = time.perf_counter()
        inputs = build_inputs(work / "run")
        print(f"inputs (tables, charts): {time.perf_counter() - start:.1f} s")
        if args.keep:
            (out / "report.typ").write_text(typst_source(inputs, out), encoding="utf-8")
        # A row label of Figur 4.2: found only if the chart's text is text in the PDF.
        probe = "Elever med psykiske vansker"
        engines = {"weasyprint": write_weasyprint_pdf, "typst": write_typst_pdf}
        print(f"load average before: {os.getloadavg()[0]:.2f} ({os.cpu_count()} cores)")
        print(f"{'engine':<11} {'first s':>7} {'best s':>7} {'cpu s':>6} {'pages':>5} "
              f"{'size KB':>8} {'tagged':>6} {'struct':>6} {'bkmk':>5} {'fonts embedded':<16} chart text")
        for name, run in engines.items():
            path = out / f"report-{name}.pdf"
            first, best, cpu = timed(lambda p, run=run: run(inputs, p), path, args.repeat)
            info = inspect(path, probe)
            embedded = f"{sum(e for _, e in info.fonts)}/{len(info.fonts)}"
            print(f"{name:<11} {first:7.2f} {best:7.2f} {cpu:6.2f} {info.pages:5d} {info.size / 1024:8.0f} "
                  f"{'yes' if info.tagged else 'no':>6} {info.struct_elements:6d} "
                  f"{info.bookmarks:5d} {embedded:<16} {'yes' if info.chart_text else 'no'}")
            print("            fonts: " + ", ".join(f.lstrip("/") for f, _ in info.fonts))
        print(f"load average after: {os.getloadavg()[0]:.2f}")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
