"""Clean: screening and exclusions, derived variables; item non-response stays missing."""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import polars as pl

from ..ingest import WEIGHT
from ..study.model import Study
from .derive import add_derived
from .screening import Screening, screen

__all__ = ["AnalysisData", "Screening", "add_derived", "frame_weights", "prepare", "screen"]


@dataclass(frozen=True)
class AnalysisData:
    """What tabulation works on: analysed respondents and the register, with derived variables.

    A weighted run carries each respondent's weight in the frame, so that any subset of rows
    keeps its weights; `weights` and `frame_weights` are the only ways the later
    stages ask for them (none of them names the column)."""

    respondents: pl.DataFrame
    screening: Screening
    register: pl.DataFrame | None = None

    @property
    def weights(self) -> np.ndarray | None:
        """Each analysed respondent's weight (the export's design weights, or the raked ones);
        None for an unweighted run."""
        return frame_weights(self.respondents)

    def with_weights(self, weights: np.ndarray) -> AnalysisData:
        """The same respondents weighted by `weights` (one per row, in order)."""
        return replace(self, respondents=self.respondents.with_columns(
            pl.Series(WEIGHT, np.asarray(weights, dtype=float))))


def frame_weights(frame: pl.DataFrame) -> np.ndarray | None:
    """The weights of some of the analysed respondents (rows of `AnalysisData.respondents`),
    None for an unweighted run."""
    return frame[WEIGHT].to_numpy().astype(float) if WEIGHT in frame.columns else None


def prepare(study: Study, responses: pl.DataFrame,
            register: pl.DataFrame | None = None) -> AnalysisData:
    """Screen the responses and derive the grouping variables in both frames."""
    screening = screen(responses, study)
    analysed = add_derived(screening.analysed, study)
    return AnalysisData(analysed, screening,
                        add_derived(register, study) if register is not None else None)
