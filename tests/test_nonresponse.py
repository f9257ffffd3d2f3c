"""Non-response analysis on the 2023 register: distributions, response rates, R-indicator."""

from __future__ import annotations

import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import polars as pl
import pytest

from tverrsnitt.clean import AnalysisData
from tverrsnitt.errors import WeightingError
from tverrsnitt.report.methods import nonresponse_grids
from tverrsnitt.study import Study
from tverrsnitt.tabulate.disclosure import withheld_parts
from tverrsnitt.weight.nonresponse import compare, propensities, r_indicator
from tverrsnitt.weight.representativity import analyse_nonresponse

from .conftest import require_program


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


# ---- the study's non-response analysis (study.yaml 'nonresponse') ----------------------------

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "data" / "r"


def test_study_analysis_crosses_age_and_gender(study: Study, analysis: AnalysisData) -> None:
    result = analyse_nonresponse(study, analysis)
    assert (result.invited, result.linked, result.analysed) == (18881, 468, 2259)
    age_gender = result.variables[0]
    assert age_gender.label == "Alder og kjønn" and len(age_gender.categories) == 10
    women = [c for c in age_gender.categories if c.category.startswith("Kvinne, ")]
    # The crossing adds up to the gender margin of Figur 2.1.
    assert sum(c.invited for c in women) == 15482 and sum(c.respondents for c in women) == 393
    young = next(c for c in age_gender.categories if c.category == "Kvinne, Under 30")
    register = analysis.register
    assert register is not None
    linked = set(analysis.respondents["reg_medlemsnr"].drop_nulls().to_list())
    rows = register.filter((pl.col("reg_kjonn") == "Kvinne")
                           & (pl.col("aldersgruppe") == "Under 30"))
    assert young.invited == rows.height
    assert young.respondents == rows["reg_medlemsnr"].is_in(list(linked)).sum()


def test_study_r_indicator_equals_r_glm(study: Study, analysis: AnalysisData) -> None:
    result = analyse_nonresponse(study, analysis)
    expected = pd.read_csv(FIXTURES / "weighting_rindicator.csv").iloc[0]
    assert result.indicator is not None and result.indicator_problem is None
    assert result.indicator.respondents == expected["linked"] == 468
    assert abs(result.indicator.r - expected["r"]) < 1e-9
    assert abs(result.indicator.sd_propensity - expected["sd"]) < 1e-9
    assert abs(result.indicator.mean_propensity - expected["mean"]) < 1e-12


def test_r_indicator_problem_is_reported_not_raised(study: Study,
                                                    analysis: AnalysisData) -> None:
    # Occupation includes the screened-out occupations, which have no respondents at all.
    assert study.nonresponse is not None
    spec = study.nonresponse.model_copy(update={"propensity": ("reg_yrke",)})
    result = analyse_nonresponse(study.model_copy(update={"nonresponse": spec}), analysis)
    assert result.indicator is None
    assert result.indicator_problem is not None and "reg_yrke" in result.indicator_problem


def test_small_cells_are_withheld_with_a_second_cell(study: Study,
                                                     analysis: AnalysisData) -> None:
    occupations = analyse_nonresponse(study, analysis).variables[2]
    hidden = withheld_parts([(c.category, (c.respondents, c.invited))
                             for c in occupations.categories], 5)
    # Vernepleier has 3 linked respondents; Spesialpedagog (5) is the smallest other cell.
    assert hidden == {"Vernepleier", "Spesialpedagog"}
    grid = nonresponse_grids(analyse_nonresponse(study, analysis), 5)[2]
    rows = {row[0]: row for row in grid.rows}
    assert rows["Vernepleier"][1:] == [":"] * 6 and rows["Spesialpedagog"][3] == ":"
    assert rows["Lærer"][3] == "8" and rows["Barne- og ungdomsarbeider"][5] == "+13,0"
    assert any("færre enn 5" in note for note in grid.notes)


def test_r_script_reproduces_weighting_fixtures(tmp_path: Path) -> None:
    require_program("Rscript", "r-base-core and r-cran-survey")
    subprocess.run(["Rscript", "r/weighting_crosscheck.R", str(tmp_path)], cwd=ROOT, check=True,
                   capture_output=True)
    committed = sorted(p.name for p in FIXTURES.glob("weighting_*.csv"))
    assert committed == sorted(p.name for p in tmp_path.glob("weighting_*.csv"))
    for name in committed:
        pd.testing.assert_frame_equal(pd.read_csv(tmp_path / name),
                                      pd.read_csv(FIXTURES / name), check_exact=False,
                                      rtol=1e-12, atol=1e-15)
