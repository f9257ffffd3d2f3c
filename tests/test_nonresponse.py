"""Non-response analysis on the 2023 register: distributions, response rates, R-indicator."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from tverrsnitt.clean import AnalysisData
from tverrsnitt.errors import WeightingError
from tverrsnitt.weight.nonresponse import compare, propensities, r_indicator


@pytest.fixture(scope="module")
def invited(analysis: AnalysisData) -> tuple[pl.DataFrame, np.ndarray]:
    assert analysis.register is not None
    register = analysis.register
    linked = set(analysis.respondents["reg_medlemsnr"].drop_nulls().to_list())
    responded = register["reg_medlemsnr"].is_in(list(linked)).to_numpy()
    return register, responded


def test_gender_matches_figur_2_1(invited: tuple[pl.DataFrame, np.ndarray]) -> None:
    register, responded = invited
    assert register.height == 18881 and int(responded.sum()) == 468
    women, men = compare(register, responded, "reg_kjonn", ["Kvinne", "Mann"])
    assert (women.invited, women.respondents) == (15482, 393)  # Figur 2.1, Populasjon/Utvalg
    assert women.difference == pytest.approx(100 * 393 / 468 - 100 * 15482 / 18881, abs=1e-12)
    assert round(women.difference) == 2  # "Kvinner er overrepresentert med to prosentpoeng"
    assert women.response_rate == pytest.approx(100 * 393 / 15482, abs=1e-12)
    assert men.response_rate == pytest.approx(100 * 75 / 3399, abs=1e-12)


def test_oslo_is_the_largest_gap_in_figur_2_2(invited: tuple[pl.DataFrame, np.ndarray],
                                               analysis: AnalysisData) -> None:
    register, responded = invited
    counties = sorted(set(register["reg_fylke"].cast(pl.String).to_list()))
    rows = compare(register, responded, "reg_fylke", counties)
    largest = max(rows, key=lambda r: abs(r.difference))
    assert largest.category == "Oslo" and round(largest.difference) == -4  # the report's text


def test_one_variable_gives_the_category_response_rates(
        invited: tuple[pl.DataFrame, np.ndarray]) -> None:
    register, responded = invited
    rho = propensities(register, responded, ["reg_kjonn"])
    gender = register["reg_kjonn"].cast(pl.String).to_numpy()
    for category in ("Kvinne", "Mann"):
        rate = responded[gender == category].mean()
        assert np.allclose(rho[gender == category], rate, atol=1e-12, rtol=0)


def test_r_indicator(invited: tuple[pl.DataFrame, np.ndarray]) -> None:
    register, responded = invited
    variables = ["aldersgruppe", "reg_kjonn", "reg_fylke", "reg_tillitsvalgt"]
    result = r_indicator(register, responded, variables)
    # A logistic model with an intercept reproduces the overall response rate exactly.
    assert result.mean_propensity == pytest.approx(468 / 18881, abs=1e-12)
    rho = propensities(register, responded, variables)
    assert result.r == pytest.approx(1 - 2 * np.std(rho, ddof=1), abs=1e-15)
    assert 0.9 < result.r < 1  # a small response rate leaves little room for spread


def test_a_category_without_respondents_is_refused(
        invited: tuple[pl.DataFrame, np.ndarray]) -> None:
    register, responded = invited
    # Cleaners were screened out of the survey: nobody in 'Renholder' answered.
    with pytest.raises(WeightingError, match="'Bibliotekar' failed to answer; merge it"):
        propensities(register, responded, ["reg_yrke"])
