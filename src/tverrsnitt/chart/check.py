"""Validation of chart declarations: every chart is built once, before any data, on tables that
have every cell the layout promises, and whatever the builder refuses becomes a located
problem of the definition.

So `validate` refuses exactly what a report run would refuse when it draws the charts, from
the same code (no second copy of the rules), with the file and line of the figure's `chart`.
"""

from __future__ import annotations

from ..errors import ChartError, DefinitionProblem
from ..study import layout
from ..study.model import Figure, Study
from ..study.statistics import STATISTICS, category_value
from ..tabulate.tables import TableRow, Tables
from .kinds import chart_data

# Statistics whose rows come from elsewhere (the register, free text, focus groups): their
# figures are tables or drawn by their own stage.
_NOT_CHARTED = ("response_status", "answers", "placement", "placement_distances")


def complete_tables(study: Study) -> Tables:
    """A cell for every figure, item, breakdown, group and category the layout has: what a run
    with answers in every cell would produce (the numbers are placeholders)."""
    rows = []
    for figure in study.figures:
        if figure.statistic in _NOT_CHARTED:
            continue
        for item in layout.figure_items(figure):
            for by in figure.breakdowns:
                for group in layout.groups(study, by):
                    for category in layout.categories(study, figure, item):
                        rows.append(_cell(figure, item, by, group, category))
    return Tables(rows)


def _cell(figure: Figure, item: str, by: str, group: str, category: str) -> TableRow:
    if category_value(category) == "share":
        return TableRow(figure.id, item, by, group, category, 1, 2, 50.0, se=1.0, ci_low=40.0,
                        ci_high=60.0, weighted_percent=50.0, weighted_base=2.0, estimate=50.0)
    return TableRow(figure.id, item, by, group, category, 2, 2, None, se=0.5, ci_low=1.0,
                    ci_high=2.0, weighted_base=2.0, estimate=1.5)


def chart_problems(study: Study) -> list[DefinitionProblem]:
    """Every chart declaration the chart builder cannot draw, located in figures.yaml."""
    tables = complete_tables(study)
    problems = []
    for figure in study.figures:
        if figure.statistic in _NOT_CHARTED or STATISTICS[figure.statistic].value == "qualitative":
            continue
        try:
            chart_data(study, figure, tables)
        except ChartError as exc:
            message = str(exc).removeprefix(f"Figure {figure.id}: ")
            problems.append(study.locate("figures.yaml", (*study.figure_path(figure.id), "chart"),
                                         message))
    return problems
