"""The study's non-response analysis: register variables among invited and linked respondents.

`study.yaml`'s `nonresponse` section names the register variables (several codes are crossed,
as age group x gender in Figur 2.1) and which analysed respondents count as linked to the
register. The tables compare those respondents with everyone invited; the R-indicator summarises
how evenly the invited were represented. Only linked respondents can be compared, so the
"response rate" here is the share of the invited who are among the linked respondents.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from ..clean import AnalysisData
from ..clean.expressions import condition_expr
from ..errors import UsageError, WeightingError
from ..study.conditions import parse_condition
from ..study.model import Study
from .nonresponse import CategoryComparison, RIndicator, compare, r_indicator

CROSS = ", "


@dataclass(frozen=True)
class VariableComparison:
    """One entry of the non-response table (a register variable or a crossing)."""

    label: str
    categories: tuple[CategoryComparison, ...]

    @property
    def invited(self) -> int:
        """Everyone invited (the table's Totalt)."""
        return sum(c.invited for c in self.categories)

    @property
    def respondents(self) -> int:
        """Every linked respondent (the table's Totalt)."""
        return sum(c.respondents for c in self.categories)


@dataclass(frozen=True)
class NonresponseAnalysis:
    """Everything the report prints about who answered."""

    invited: int
    linked: int
    analysed: int
    variables: tuple[VariableComparison, ...]
    indicator: RIndicator | None
    indicator_problem: str | None  # why the R-indicator could not be estimated
    model_labels: tuple[str, ...] = ()  # the response model's variables, as printed


def analyse_nonresponse(study: Study, data: AnalysisData) -> NonresponseAnalysis:
    """Compare the linked respondents with the register of invited members."""
    spec = study.nonresponse
    link = study.register_link
    if spec is None or link is None:
        raise UsageError("The study defines no non-response analysis ('nonresponse' and "
                         "'register' in study.yaml).")
    if data.register is None:
        raise UsageError("The non-response analysis needs the member register (--register).")
    invited = data.register
    responded = response_flags(study, data)
    entries = []
    for entry in spec.variables:
        frame, column = _crossed(invited, entry.variables)
        entries.append(VariableComparison(entry.label, tuple(
            compare(frame, responded, column, _crossed_labels(study, entry.variables)))))
    indicator, problem = None, None
    try:
        indicator = r_indicator(invited, responded, spec.model_variables)
    except WeightingError as exc:
        problem = str(exc)
    labels = tuple(_label(study, code) for code in spec.model_variables)
    return NonresponseAnalysis(invited.height, int(responded.sum()), data.respondents.height,
                               tuple(entries), indicator, problem, labels)


def _label(study: Study, code: str) -> str:
    if study.has_question(code):
        return study.question(code).label.lower()
    return study.breakdown_label(code).lower()


def _crossed(frame: pl.DataFrame, codes: tuple[str, ...]) -> tuple[pl.DataFrame, str]:
    """The frame with one column holding the crossed category ('Kvinne, Under 30')."""
    if len(codes) == 1:
        return frame, codes[0]
    name = "__crossed__"
    crossed = pl.concat_str([pl.col(c).cast(pl.String) for c in codes], separator=CROSS)
    return frame.with_columns(crossed.alias(name)), name


def _crossed_labels(study: Study, codes: tuple[str, ...]) -> list[str]:
    labels = [""]
    for code in codes:
        labels = [f"{a}{CROSS}{b}" if a else b for a in labels
                  for b in study.variable_labels(code)]
    return labels


def response_flags(study: Study, data: AnalysisData) -> np.ndarray:
    """For each invited member: is the member among the linked respondents?"""
    spec, link = study.nonresponse, study.register_link
    assert spec is not None and link is not None and data.register is not None
    respondents = data.respondents
    if spec.respondents is not None:
        respondents = respondents.filter(condition_expr(parse_condition(spec.respondents), study))
    keys = respondents[link.respondent_key].drop_nulls().cast(pl.String)
    flags: np.ndarray = data.register[link.respondent_key].cast(pl.String).is_in(
        keys.implode()).to_numpy()
    return flags
