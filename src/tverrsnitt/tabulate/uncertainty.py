"""Standard errors and confidence intervals for every share in the tables, as R's survey does.

Each share is re-estimated on the design (`weight.Design`) with `proportions_by`, which
matches `svyby(~y, ~group, subset(design, base), svyciprop, vartype = c("se", "ci"))` to 1e-9
(tests/test_proportions.py). The design is `svydesign(ids = ~1, weights = ~w)` over the analysed
respondents, with the weights the export supplied (`--weight COLUMN`) or all 1. Rows keep their
unweighted counts; this module adds se, ci_low, ci_high (percent scale), weighted_percent and
weighted_base — equal to percent and base, to the last digit, when there are no weights.

The register side of a sample/population comparison is a census: it has no sampling error, so
its se is 0 and its interval the share itself.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

import numpy as np
import polars as pl

from ..clean import AnalysisData
from ..ingest import WEIGHT
from ..study import layout
from ..study.conditions import parse_condition
from ..study.model import Figure, Study
from ..weight import Design
from .expressions import base_expr, condition_expr
from .proportions import Method, Proportion, proportion, proportions_by
from .tables import TableRow, Tables

SHARES = ("distribution", "top2", "bottom2", "selected_share")


def add_uncertainty(study: Study, data: AnalysisData, tables: Tables,
                    method: Method = "logit") -> Tables:
    """The same rows with se, CI and weighted values filled in for every share."""
    results: dict[tuple[str, str, str, str, str], Proportion] = {}
    census: set[tuple[str, str, str, str, str]] = set()
    if data.respondents.height < 2:
        # One respondent has no sampling variance to estimate (R stops: a lonely PSU).
        return tables.with_rows(_with(row, None, False) for row in tables)
    weighted = WEIGHT in data.respondents.columns
    design = Design.create(_weights(data.respondents))
    for figure in study.figures:
        for item in layout.figure_items(figure):
            if figure.statistic_for(item) not in SHARES:
                continue
            for by in figure.breakdowns:
                comparison = study.comparison(by)
                if comparison is None:
                    results.update(_shares(study, data.respondents, design, figure, item, by,
                                           method))
                else:
                    found, register_side = _comparison(study, data, figure, item, by, method)
                    results.update(found)
                    census |= register_side
    return tables.with_rows(_with(row, results.get(row.key), row.key in census, weighted)
                            for row in tables)


def _weights(frame: pl.DataFrame) -> np.ndarray:
    """The design weights of the rows of `frame` (all 1 without a weight column)."""
    if WEIGHT in frame.columns:
        weights: np.ndarray = frame[WEIGHT].to_numpy().astype(float)
        return weights
    return np.ones(frame.height)


def _with(row: TableRow, estimate: Proportion | None, is_census: bool,
          weighted: bool = False) -> TableRow:
    if is_census:
        return replace(row, se=0.0, ci_low=row.percent, ci_high=row.percent,
                       weighted_percent=row.percent, weighted_base=float(row.base))
    if estimate is None:
        return replace(row, weighted_percent=row.percent, weighted_base=float(row.base))
    if not weighted:  # the weighted values are the unweighted ones, to the last digit
        return replace(row, se=100 * estimate.se, ci_low=100 * estimate.ci_low,
                       ci_high=100 * estimate.ci_high, weighted_percent=row.percent,
                       weighted_base=float(row.base))
    return replace(row, se=100 * estimate.se, ci_low=100 * estimate.ci_low,
                   ci_high=100 * estimate.ci_high, weighted_percent=100 * estimate.estimate,
                   weighted_base=estimate.weighted_base)


def _indicators(frame: pl.DataFrame, study: Study, figure: Figure, item: str,
                categories: Iterable[str]) -> dict[str, np.ndarray]:
    """For each category (an option, top2 or bottom2): who answered it."""
    question = study.question(item)
    column = frame[item]
    sets = layout.top_bottom(study, figure, item)
    result = {}
    for category in categories:
        labels = list(sets.get(category, (category,)))
        if question.type == "multi":
            hit = frame.select(pl.col(item).list.eval(pl.element().cast(pl.String)
                                                      .is_in(labels)).list.any()).to_series()
        else:
            hit = column.cast(pl.String).is_in(labels)
        result[category] = hit.fill_null(False).to_numpy()
    return result


def _shares(study: Study, frame: pl.DataFrame, design: Design, figure: Figure, item: str,
            by: str, method: Method) -> dict[tuple[str, str, str, str, str], Proportion]:
    question = study.question(item)
    base = frame.select(base_expr(question, study)).to_series().to_numpy()
    categories = layout.categories(study, figure, item)
    flags = _indicators(frame, study, figure, item, categories)
    found = {}
    if by == "none":
        groups = None
        in_groups = base
    else:
        labels = frame[by].cast(pl.String).to_list()
        groups = labels
        in_groups = base & np.array([g is not None for g in labels])
    for category, y in flags.items():
        key = (figure.id, item, by)
        if groups is not None:
            for estimate in proportions_by(design, y, groups, base, method=method,
                                           order=study.group_labels(by)):
                found[(*key, estimate.group, category)] = estimate
        if in_groups.any():
            found[(*key, layout.TOTAL, category)] = proportion(design, y, in_groups,
                                                               method=method)
    return found


def _comparison(study: Study, data: AnalysisData, figure: Figure, item: str, by: str,
                method: Method) -> tuple[dict[tuple[str, str, str, str, str], Proportion],
                                         set[tuple[str, str, str, str, str]]]:
    """The sample side as a design estimate; the register side is a census (no error)."""
    comparison = study.comparison(by)
    assert comparison is not None
    column = figure.variables.get(item, item)
    categories = layout.variable_categories(study, figure, item)
    found: dict[tuple[str, str, str, str, str], Proportion] = {}
    census: set[tuple[str, str, str, str, str]] = set()
    for group in comparison.groups:
        if group.source == "register":
            census |= {(figure.id, item, by, group.label, c) for c in categories}
            continue
        frame = data.respondents
        if group.when is not None:
            frame = frame.filter(condition_expr(parse_condition(group.when), study))
        values = frame[column].cast(pl.String)
        base = values.is_not_null().to_numpy()
        if base.sum() < 2:
            continue
        design = Design.create(_weights(frame))
        for category in categories:
            y = (values == category).fill_null(False).to_numpy()
            estimate = proportion(design, y, base, method=method, group=group.label)
            found[(figure.id, item, by, group.label, category)] = estimate
    return found, census
