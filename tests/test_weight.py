"""Designs, raking and weight summaries against R's survey package (fixtures: r/design_crosscheck.R)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tverrsnitt.weight import (
    Design,
    DesignError,
    Margin,
    Trim,
    WeightingError,
    margin_gaps,
    rake,
    summarise_weights,
    trim_weights,
)

from .conftest import require_program

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "data" / "r"
ESTIMATE_TOL = 1e-9
SE_TOL = 1e-7

# The made-up population margins of r/design_crosscheck.R, section 3.
YRKE_TOTALS = {"Barne- og ungdomsarbeider": 8000, "Skoleassistent/miljøarbeider": 6200,
               "Lærer (uten godkjenning)": 700, "Miljøterapeut/spesped/BSV": 1900,
               "SFO-leder/Base-leder": 500, "Annet": 1381, "Ukjent": 200}
SLAG_TOTALS = {"Grunnskole": 14000, "Videregående": 3600, "Annet/ukjent": 1281}
TRIM = Trim(0.85, 2.0)


def read_fixture(name: str) -> pd.DataFrame:
    return pd.read_csv(FIXTURES / name, encoding="utf-8")


def respondents() -> pd.DataFrame:
    return read_fixture("design_respondents.csv")


def rake_margins(resp: pd.DataFrame) -> list[Margin]:
    return [Margin(list(resp["rake_yrke"]), YRKE_TOTALS), Margin(list(resp["rake_slag"]), SLAG_TOTALS)]


def respondent_designs(resp: pd.DataFrame) -> dict[str, Design]:
    """The designs of r/design_crosscheck.R, section 3, built the tverrsnitt way."""
    one = Design.create(resp["one"].to_numpy())
    made_up = Design.create(resp["w_made_up"].to_numpy())
    margins = rake_margins(resp)
    return {
        "unweighted": one,
        "made_up": made_up,
        "stratified": Design.create(resp["w_made_up"].to_numpy(), strata=resp["skoletype"].to_numpy()),
        "raked": rake(one, margins),
        "raked_tight": rake(made_up, margins, max_iter=50, epsilon=1e-9),
        "trimmed": rake(one, margins, trim=TRIM),
    }


@pytest.fixture(scope="module")
def api() -> pd.DataFrame:
    return read_fixture("design_apiclus1.csv")


def api_design(api: pd.DataFrame, fpc: str | None = "fpc") -> Design:
    return Design.create(api["pw"].to_numpy(), clusters=api["dnum"].to_numpy(),
                         fpc=None if fpc is None else api[fpc].to_numpy())


def api_raked(api: pd.DataFrame) -> Design:
    return rake(api_design(api), [Margin(list(api["stype"]), {"E": 4421, "H": 755, "M": 1018}),
                                  Margin(list(api["sch.wide"]), {"No": 1072, "Yes": 5122})])


def test_api_documented_numbers(api: pd.DataFrame) -> None:
    # ?svydesign and ?rake print these (rounded): svymean(~api00, dclus1) and after raking.
    plain = api_design(api).means(api["api00"].to_numpy())
    raked = api_raked(api).means(api["api00"].to_numpy())
    assert round(float(plain.estimate[0]), 2) == 644.17 and round(float(plain.se[0]), 3) == 23.542
    assert round(float(raked.estimate[0]), 2) == 641.23 and round(float(raked.se[0]), 3) == 23.704


def test_api_estimates_match_r(api: pd.DataFrame) -> None:
    api = api.assign(frac=15 / api["fpc"])
    designs = {"dclus1": api_design(api), "dclus1_fraction": api_design(api, "frac"),
               "dclus1_nofpc": api_design(api, None), "dclus1_raked": api_raked(api)}
    expected = read_fixture("design_api_estimates.csv").fillna({"group": ""})
    assert len(expected) == 12
    for row in expected.itertuples():
        design = designs[str(row.design)]
        domain = np.ones(design.n, bool) if row.group == "" else (api["stype"] == row.group).to_numpy()
        if row.what == "mean_api00":
            got = design.means(api["api00"].to_numpy(), domain)
        else:
            got = design.totals(api["enroll"].to_numpy(), domain)
        assert abs(got.estimate[0] - row.estimate) < ESTIMATE_TOL * max(1, abs(row.estimate)), row
        assert abs(got.se[0] - row.se) < SE_TOL * max(1, abs(row.se)), row
        assert design.degf(domain) == row.degf, row


def test_api_raked_weights_match_r(api: pd.DataFrame) -> None:
    expected = read_fixture("design_api_weights.csv")
    assert (expected["cds"] == api["cds"]).all()
    assert np.max(np.abs(api_raked(api).weights - expected["raked"].to_numpy())) < ESTIMATE_TOL


def test_means_of_several_columns_share_one_vcov(api: pd.DataFrame) -> None:
    # svymean(~stype, dclus1) as three indicator columns: the shares sum to one, so each row of
    # the covariance matrix sums to zero.
    design = api_design(api)
    y = np.stack([(api["stype"] == s).to_numpy(float) for s in "EHM"], axis=1)
    got = design.means(y)
    assert got.estimate.sum() == pytest.approx(1, abs=1e-12)
    assert np.abs(got.vcov.sum(axis=1)).max() < 1e-15


@pytest.mark.parametrize("name", ["raked", "raked_tight", "trimmed"])
def test_respondent_weights_match_r(name: str) -> None:
    resp = respondents()
    expected = read_fixture("design_weights.csv")
    assert (expected["id"] == resp["id"]).all()
    weights = respondent_designs(resp)[name].weights
    assert np.max(np.abs(weights - expected[name].to_numpy())) < ESTIMATE_TOL


def test_raked_weights_meet_margins() -> None:
    resp = respondents()
    raked = respondent_designs(resp)["raked_tight"]
    assert margin_gaps(raked, rake_margins(resp)) < 1e-10


def test_trimmed_weights_stay_within_bounds() -> None:
    resp = respondents()
    designs = respondent_designs(resp)
    raked, trimmed = designs["raked"].weights, designs["trimmed"].weights
    assert raked.max() > TRIM.upper * raked.mean()  # the bound binds
    assert trimmed.max() <= TRIM.upper * trimmed.mean() * 1.001
    assert trimmed.min() >= TRIM.lower * trimmed.mean() * 0.999
    assert margin_gaps(designs["trimmed"], rake_margins(resp)) < 1e-3


def test_trim_weights_is_r_trimweights() -> None:
    # trimWeights: clip, then share the trimmed amount equally among the weights inside.
    design = Design.create([1.0, 2.0, 3.0, 10.0])
    expected = [1 + 4 / 3, 2 + 4 / 3, 3 + 4 / 3, 6]
    assert trim_weights(design, 0.0, 6.0).weights.tolist() == pytest.approx(expected)
    assert trim_weights(design, 0.0, 20.0) is design


def test_raking_that_cannot_converge_raises() -> None:
    # Too few iterations for the respondents' margins: R would warn, tverrsnitt stops.
    resp = respondents()
    with pytest.raises(WeightingError, match="did not converge after 1 iterations"):
        rake(Design.create(resp["w_made_up"].to_numpy()), rake_margins(resp), max_iter=1)


def test_raking_to_contradictory_margins_raises() -> None:
    # The margins disagree about the population total (20 and 35). Each sweep ends on the second
    # margin, so the table stops changing and R's rule reports convergence; the margin check
    # does not.
    design = Design.create(np.ones(4))
    margins = [Margin(["a", "a", "b", "b"], {"a": 10, "b": 10}),
               Margin(["x", "y", "x", "y"], {"x": 5, "y": 30})]
    with pytest.raises(WeightingError, match="do not meet the margins"):
        rake(design, margins)


def test_raking_rejects_categories_without_totals() -> None:
    design = Design.create(np.ones(3))
    with pytest.raises(WeightingError, match=r"no population total for categories \['c'\]"):
        rake(design, [Margin(["a", "b", "c"], {"a": 1, "b": 2})])
    with pytest.raises(WeightingError, match="population total but no weighted respondents"):
        rake(design, [Margin(["a", "a", "a"], {"a": 1, "b": 2})])


@pytest.mark.parametrize("name", ["raked", "trimmed"])
def test_weight_summary_matches_r(name: str) -> None:
    resp = respondents()
    expected = read_fixture("design_weight_summaries.csv").set_index("design").loc[name]
    got = summarise_weights(respondent_designs(resp)[name].weights)
    assert got.n == expected["n"]
    for field in ("minimum", "maximum", "mean", "cv", "deff", "n_eff"):
        assert getattr(got, field) == pytest.approx(expected[field], rel=1e-12, abs=0), field
    assert got.deff == pytest.approx(1 + got.cv**2, rel=1e-14)


def test_lonely_psu_fails_as_in_r() -> None:
    design = Design.create(np.ones(3), strata=["a", "a", "b"])
    with pytest.raises(DesignError, match="only one PSU"):
        design.means(np.array([1.0, 2.0, 3.0]))


def test_missing_value_inside_domain_is_an_error() -> None:
    design = Design.create(np.ones(3))
    with pytest.raises(DesignError, match="missing"):
        design.means(np.array([1.0, np.nan, 3.0]))
    assert design.means(np.array([1.0, np.nan, 3.0]), [True, False, True]).estimate[0] == 2.0


def test_r_script_reproduces_fixtures(tmp_path: Path) -> None:
    require_program("Rscript", "r-base-core and r-cran-survey")
    subprocess.run(["Rscript", "r/design_crosscheck.R", str(tmp_path)], cwd=ROOT, check=True,
                   capture_output=True)
    committed = sorted(p.name for p in FIXTURES.glob("design_*.csv"))
    assert committed == sorted(p.name for p in tmp_path.glob("design_*.csv"))
    for name in committed:
        fresh = pd.read_csv(tmp_path / name, encoding="utf-8")
        pd.testing.assert_frame_equal(fresh, read_fixture(name), check_exact=False, rtol=1e-12,
                                      atol=1e-15)
