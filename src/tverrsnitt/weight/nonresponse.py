"""Non-response analysis: who answered, compared with everyone invited (Figur 2.1-2.3).

For each register variable: the distribution among the invited (the population) and among
the respondents linked to the register, the difference in percentage points, and the response
rate in each category. The representativity summary is the R-indicator of Schouten, Cobben and
Bethlehem (2009): R = 1 - 2 S(rho), where rho are response propensities estimated by a logistic
regression on the register variables (main effects) over everyone invited, and S their
standard deviation; R = 1 means everyone was equally likely to answer.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import polars as pl

from ..errors import WeightingError

MAX_ITERATIONS = 50
TOLERANCE = 1e-10


@dataclass(frozen=True)
class CategoryComparison:
    """One category of one register variable among the invited and the respondents."""

    variable: str
    category: str
    invited: int
    respondents: int
    invited_percent: float
    respondent_percent: float
    difference: float  # percentage points, respondents minus invited
    response_rate: float  # percent of the invited in the category who answered


@dataclass(frozen=True)
class RIndicator:
    """R = 1 - 2 S(rho) with the propensities' mean and standard deviation."""

    r: float
    mean_propensity: float
    sd_propensity: float
    variables: tuple[str, ...]
    invited: int
    respondents: int


def compare(invited: pl.DataFrame, responded: Sequence[bool] | np.ndarray, variable: str,
            categories: Sequence[str]) -> list[CategoryComparison]:
    """Distribution of `variable` among all invited and among those who answered."""
    answered = np.asarray(responded, dtype=bool)
    values = invited[variable].cast(pl.String).to_numpy()
    known = np.array([v is not None for v in values])
    total_invited = int(known.sum())
    total_answered = int((known & answered).sum())
    rows = []
    for category in categories:
        in_category = values == category
        n_invited = int(in_category.sum())
        n_answered = int((in_category & answered).sum())
        invited_percent = 100 * n_invited / total_invited if total_invited else 0.0
        respondent_percent = 100 * n_answered / total_answered if total_answered else 0.0
        rows.append(CategoryComparison(
            variable, category, n_invited, n_answered, invited_percent, respondent_percent,
            respondent_percent - invited_percent,
            100 * n_answered / n_invited if n_invited else 0.0))
    return rows


def _dummies(invited: pl.DataFrame, answered: np.ndarray,
             variables: Sequence[str]) -> np.ndarray:
    """Intercept plus one indicator per category but the first (main effects)."""
    columns = [np.ones(invited.height)]
    for variable in variables:
        values = invited[variable].cast(pl.String).to_numpy()
        if any(v is None for v in values):
            raise WeightingError(f"Register variable {variable!r} has missing values; the "
                                 "R-indicator needs every invited member classified.")
        for category in sorted(set(values)):
            rate = answered[values == category].mean()
            if rate in (0.0, 1.0):
                # The propensity would be exactly 0 or 1: the model has no finite estimate.
                raise WeightingError(
                    f"In {variable!r}, every invited member in {category!r} "
                    f"{'answered' if rate else 'failed to answer'}; merge it with a "
                    "neighbouring category or leave the variable out of the R-indicator.")
        for category in sorted(set(values))[1:]:
            columns.append((values == category).astype(float))
    return np.column_stack(columns)


def propensities(invited: pl.DataFrame, responded: Sequence[bool] | np.ndarray,
                 variables: Sequence[str]) -> np.ndarray:
    """Response propensities from a main-effects logistic regression (IRLS)."""
    answered = np.asarray(responded, dtype=bool)
    x = _dummies(invited, answered, variables)
    y = answered.astype(float)
    beta = np.zeros(x.shape[1])
    for _ in range(MAX_ITERATIONS):
        rho = 1 / (1 + np.exp(-(x @ beta)))
        weight = rho * (1 - rho)
        step = np.linalg.lstsq(x.T @ (weight[:, None] * x), x.T @ (y - rho), rcond=None)[0]
        beta += step
        if np.max(np.abs(step)) < TOLERANCE:
            break
    else:
        raise WeightingError("The response-propensity model did not converge; a register "
                             "category may have no respondents at all.")
    result: np.ndarray = 1 / (1 + np.exp(-(x @ beta)))
    return result


def r_indicator(invited: pl.DataFrame, responded: Sequence[bool] | np.ndarray,
                variables: Sequence[str]) -> RIndicator:
    """The R-indicator over everyone invited, with propensities from `variables`."""
    rho = propensities(invited, responded, variables)
    sd = float(np.std(rho, ddof=1))
    answered = np.asarray(responded, dtype=bool)
    return RIndicator(1 - 2 * sd, float(rho.mean()), sd, tuple(variables), invited.height,
                      int(answered.sum()))
