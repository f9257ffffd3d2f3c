"""Chart: tables -> one SVG and one PNG per figure, in the report's style.

`render_charts` is the stage's one entry point. For each figure it asks `data` what to draw
(rows, series, order, labels — all cells of `Tables`), hands that to the renderer of the
figure's kind (`kinds.KINDS`) and writes both files through `canvas.save`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import matplotlib
from matplotlib.figure import Figure

from ..study.model import Study
from ..tabulate import Tables
from . import canvas, style, trend
from .cache import ChartCache, default_folder
from .data import ChartData, ChartError
from .describe import alt_text
from .kinds import KINDS, chart_data

__all__ = ["KINDS", "Chart", "ChartCache", "ChartData", "ChartError", "chart_data", "draw",
           "render_charts"]



@dataclass(frozen=True)
class Chart:
    """The files and alt text of one rendered figure."""

    figure_id: str
    svg: Path  # absolute path of the written SVG
    png: Path  # absolute path of the written PNG
    alt: str  # short Norwegian alt text for the image


def file_stem(figure_id: str) -> str:
    """'4.10' -> 'figur-4-10'."""
    return f"figur-{figure_id.replace('.', '-')}"


def render_charts(study: Study, tables: Tables, out_dir: Path,
                  progress: Callable[[str], None] | None = None,
                  cache: ChartCache | None = None) -> dict[str, Chart]:
    """Write `out_dir/figurer/figur-<id>.svg|.png` for every chart figure with rows in `tables`;
    a chart whose data and drawing code are unchanged is copied from `cache` (by default the
    user's chart cache, see chart.cache)."""
    cache = cache if cache is not None else ChartCache(default_folder())
    folder = Path(out_dir).resolve() / "figurer"
    folder.mkdir(parents=True, exist_ok=True)
    drawn = {row.figure for row in tables}
    charts: dict[str, Chart] = {}
    # rc_context scopes the style (and the SVG hash salt) to this call; figures are created with
    # matplotlib.figure.Figure, never pyplot, so no global figure manager is involved.
    with matplotlib.rc_context(style.RC):
        for figure in study.figures:
            # Figures needing the register have no rows when it was not given.
            if figure.is_table or figure.id not in drawn:
                continue
            data = chart_data(study, figure, tables)
            if data is None:
                continue
            charts[figure.id] = _render(folder, data, alt_text(study, figure, data), cache)
            if tables.comparison is not None:
                # With --compare: both waves' shares beside each other, a second chart.
                waves = trend.build(study, figure, tables.comparison)
                if waves is not None:
                    alt = trend.alt_text(study, figure, tables.comparison, waves)
                    charts[waves.figure_id] = _render(folder, waves, alt, cache)
            if progress is not None:
                progress(figure.id)
    return charts


def draw(data: ChartData) -> Figure:
    """The matplotlib figure of one chart (call inside `matplotlib.rc_context(style.RC)`)."""
    return KINDS[data.kind].draw(data)


def _render(folder: Path, data: ChartData, alt: str, cache: ChartCache) -> Chart:
    svg = folder / f"{file_stem(data.figure_id)}.svg"
    png = folder / f"{file_stem(data.figure_id)}.png"
    key = cache.key(data)
    if not cache.fetch(key, svg, png):
        figure = draw(data)
        canvas.save(figure, svg, png)
        # Without pyplot nothing else holds the figure; clearing it frees its artists at once.
        figure.clear()
        cache.keep(key, svg, png)
    return Chart(data.figure_id, svg, png, alt)
