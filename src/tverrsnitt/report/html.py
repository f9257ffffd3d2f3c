"""Render the report as one self-contained HTML file (styles and images inline)."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from jinja2 import Environment, PackageLoader, select_autoescape

from ..numbers import thousands
from ..study.model import Figure, Study
from ..tabulate import Tables
from ..tabulate.changes import trend_id
from .grids import Grid, figure_grids, n_text
from .outline import NUMBERS_APPENDIX, NUMBERS_THERE, build_outline
from .quality import FINDINGS_HEADING, FINDINGS_INTRO, DataQuality

if TYPE_CHECKING:
    from ..chart import Chart


@dataclass(frozen=True)
class FigureView:
    """Everything the template prints for one figure or table."""

    id: str
    anchor: str
    label: str
    title: str
    n: str
    is_table: bool
    image: str | None
    alt: str
    grids: list[Grid]
    # With --compare: the chart of both waves beside each other (trend figures only).
    trend_image: str | None = None
    trend_alt: str = ""


def _anchor(figure: Figure) -> str:
    return ("tabell-" if figure.is_table else "figur-") + figure.number.replace(".", "-")


def _data_uri(path: Path) -> str:
    kind = "image/svg+xml" if path.suffix == ".svg" else "image/png"
    return f"data:{kind};base64,{base64.b64encode(path.read_bytes()).decode('ascii')}"


def figure_view(study: Study, tables: Tables, figure: Figure, charts: dict[str, Chart]) -> FigureView:
    """Caption, N, inline image and the numbers behind it, for one figure."""
    chart = charts.get(figure.id)
    waves = charts.get(trend_id(figure.id))
    return FigureView(
        id=figure.id,
        anchor=_anchor(figure),
        label=("Tabell " if figure.is_table else "Figur ") + figure.number,
        title=figure.title,
        n=n_text(tables, figure),
        is_table=figure.is_table,
        image=_data_uri(chart.svg) if chart is not None else None,
        alt=chart.alt if chart is not None else "",
        grids=figure_grids(study, tables, figure),
        trend_image=_data_uri(waves.svg) if waves is not None else None,
        trend_alt=waves.alt if waves is not None else "",
    )


def _environment() -> Environment:
    env = Environment(loader=PackageLoader("tverrsnitt.report", "templates"),
                      autoescape=select_autoescape(["html", "j2"]), trim_blocks=True,
                      lstrip_blocks=True)
    env.filters["thousands"] = thousands
    return env


def render_html(study: Study, tables: Tables, charts: dict[str, Chart], quality: DataQuality) -> str:
    """The complete report page as a string."""
    outline = build_outline(study, tables, quality.methods)
    views = {f.id: figure_view(study, tables, f, charts) for f in outline.figures}
    template = _environment().get_template("report.html.j2")
    return template.render(
        study=study, report=study.report, outline=outline, views=views,
        figure_list=[views[f.id] for f in outline.figures if not f.is_table],
        table_list=[views[f.id] for f in outline.figures if f.is_table],
        quality=quality, notes=[*quality.notes, *outline.left_out],
        findings_heading=FINDINGS_HEADING, findings_intro=FINDINGS_INTRO,
        in_appendix={f.id for f in outline.numbers_appendix},
        numbers_appendix=NUMBERS_APPENDIX, numbers_there=NUMBERS_THERE,
        min_cell=tables.min_cell, hidden_count=len(tables.hidden),
    )


def write_html(study: Study, tables: Tables, charts: dict[str, Chart], quality: DataQuality,
               path: Path) -> None:
    """Write report.html (into the run's temporary folder, which is moved into place whole)."""
    path.write_text(render_html(study, tables, charts, quality), encoding="utf-8")
