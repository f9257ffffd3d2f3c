"""`--rake`: rake the analysed respondents to the margins the study definition declares.

Population totals come from the register of invited members (counted over a register code) or
are given as numbers with their source. Every analysed respondent must fall in a category of
every margin: a respondent outside all of them would keep an arbitrary weight, so that is an
error naming how many are missing, not a silent drop.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from ..clean import AnalysisData
from ..errors import UsageError, WeightingError
from ..study.model import RakingMargin, Study
from .design import Design
from .raking import Margin, Trim, rake
from .summary import WeightSummary, summarise_weights


@dataclass(frozen=True)
class MarginCheck:
    """One category of a margin: population, respondents, and the shares before and after."""

    variable: str
    category: str
    population: float
    respondents: int
    population_percent: float
    unweighted_percent: float
    weighted_percent: float


@dataclass(frozen=True)
class StudyWeights:
    """The raked design, its weight summary and the margins it was raked to."""

    design: Design
    summary: WeightSummary
    margins: tuple[MarginCheck, ...]
    trim: Trim | None
    note: str | None


def rake_respondents(study: Study, data: AnalysisData) -> StudyWeights:
    """Rake the analysed respondents (from their design weights, or 1) to the study's margins."""
    spec = study.weighting
    if spec is None:
        raise UsageError("--rake needs a 'weighting' section with margins in study.yaml.")
    frame = data.respondents
    supplied = data.weights
    start = supplied if supplied is not None else np.ones(frame.height)
    margins = [_margin(study, data, m, start) for m in spec.margins]
    trim = Trim(spec.trim.lower, spec.trim.upper) if spec.trim is not None else None
    design = rake(Design.create(start), margins, max_iter=spec.max_iter, epsilon=spec.epsilon,
                  trim=trim)
    checks = tuple(check for m, margin in zip(spec.margins, margins, strict=True)
                   for check in _checks(study, m.variable, margin, design.weights))
    return StudyWeights(design, summarise_weights(design.weights), checks, trim, spec.note)


UNANSWERED = "Uoppgitt"


def _margin(study: Study, data: AnalysisData, margin: RakingMargin,
            start: np.ndarray) -> Margin:
    labels = study.variable_labels(margin.variable)
    categories = data.respondents[margin.variable].cast(pl.String)
    missing = int(categories.is_null().sum())
    if missing and margin.unanswered == "error":
        raise WeightingError(
            f"Raking margin {margin.variable!r}: {missing} of {categories.len()} analysed "
            f"respondents have no category (expected one of {list(labels)}). Raking needs every "
            "respondent classified: choose a margin everyone has, or set 'unanswered: "
            "keep_share' on the margin to give them a category of their own.")
    if margin.totals is not None:
        totals = {label: float(margin.totals[label]) for label in labels}
    else:
        assert margin.register_variable is not None
        if data.register is None:
            raise UsageError(f"Raking margin {margin.variable!r} takes its population totals "
                             "from the member register: pass --register.")
        counts = data.register[margin.register_variable].cast(pl.String).drop_nulls().value_counts()
        found = dict(zip(counts[margin.register_variable].to_list(), counts["count"].to_list(),
                         strict=True))
        totals = {label: float(found.get(label, 0)) for label in labels}
    values = categories.to_list()
    if missing:
        # Their population share is taken to be their (weighted) share of the sample.
        unanswered = categories.is_null().to_numpy()
        share = start[unanswered].sum() / start.sum()
        totals[UNANSWERED] = share / (1 - share) * sum(totals.values())
        values = [UNANSWERED if v is None else v for v in values]
    return Margin(values, totals)


def _checks(study: Study, variable: str, margin: Margin,
            weights: np.ndarray) -> list[MarginCheck]:
    categories = np.asarray(margin.categories, dtype=object)
    population = sum(margin.totals.values())
    rows = []
    for label, total in margin.totals.items():
        inside = categories == label
        rows.append(MarginCheck(
            study.breakdown_label(variable) if not study.has_question(variable)
            else study.question(variable).label,
            label, float(total), int(inside.sum()),
            float(100 * total / population) if population else 0.0,
            float(100 * inside.mean()) if inside.size else 0.0,
            float(100 * weights[inside].sum() / weights.sum())))
    return rows
