"""Clean: screening and exclusions, derived variables; item non-response stays missing."""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from ..study.model import Study
from .derive import add_derived
from .screening import Screening, screen

__all__ = ["AnalysisData", "Screening", "add_derived", "prepare", "screen"]


@dataclass(frozen=True)
class AnalysisData:
    """What tabulation works on: analysed respondents and the register, with derived variables."""

    respondents: pl.DataFrame
    screening: Screening
    register: pl.DataFrame | None = None


def prepare(study: Study, responses: pl.DataFrame,
            register: pl.DataFrame | None = None) -> AnalysisData:
    """Screen the responses and derive the grouping variables in both frames."""
    screening = screen(responses, study)
    analysed = add_derived(screening.analysed, study)
    return AnalysisData(analysed, screening,
                        add_derived(register, study) if register is not None else None)
