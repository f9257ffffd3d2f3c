"""Weighting: survey designs with R-identical variances, raking, and weight summaries."""

from ..errors import DesignError, WeightingError
from .design import Design, Estimates
from .raking import Margin, Trim, margin_gaps, rake, trim_weights
from .summary import WeightSummary, summarise_weights

__all__ = [
    "Design",
    "DesignError",
    "Estimates",
    "Margin",
    "Trim",
    "WeightSummary",
    "WeightingError",
    "margin_gaps",
    "rake",
    "summarise_weights",
    "trim_weights",
]
