"""`--rake`: the study's margins, R's rake() weights, the weight summary and the report tables."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import polars as pl
import pytest

from tverrsnitt.clean import AnalysisData
from tverrsnitt.errors import UsageError, WeightingError
from tverrsnitt.report.methods import MethodResults, weight_grids
from tverrsnitt.study import Study
from tverrsnitt.study.model import TrimBounds
from tverrsnitt.weight.study_raking import UNANSWERED, rake_respondents

FIXTURES = Path(__file__).resolve().parent / "data" / "r"


def test_raked_weights_equal_r_rake(study: Study, analysis: AnalysisData) -> None:
    raked = rake_respondents(study, analysis)
    expected = pd.read_csv(FIXTURES / "weighting_raked_weights.csv")
    ids = analysis.respondents["id"].cast(pl.Int64).to_numpy()
    assert np.array_equal(ids, expected["id"].to_numpy())
    assert np.max(np.abs(raked.design.weights - expected["weight"].to_numpy())) < 1e-9


def test_margins_are_met_and_summarised(study: Study, analysis: AnalysisData) -> None:
    raked = rake_respondents(study, analysis)
    by_category = {m.category: m for m in raked.margins}
    # Barne- og ungdomsarbeider: 6 419 of the 15 672 pupil-facing members in the register.
    assert by_category["Barne- og ungdomsarbeider"].population == 6419
    for margin in raked.margins:
        assert margin.weighted_percent == pytest.approx(margin.population_percent, abs=1e-9)
    # The 24 respondents without a role keep their share of the sample.
    unanswered = by_category[UNANSWERED]
    assert unanswered.respondents == 24
    assert unanswered.weighted_percent == pytest.approx(100 * 24 / 2259, abs=1e-9)
    summary = raked.summary
    w = raked.design.weights
    assert summary.n == 2259 and summary.deff == pytest.approx(len(w) * (w ** 2).sum() / w.sum() ** 2)
    grids = weight_grids(MethodResults(weights=raked))
    assert [g.title for g in grids] == ["Vekting: marginer før og etter raking",
                                        "Vekting: oppsummering av vektene"]
    assert grids[1].rows[-1] == ["Effektivt antall svar", f"{round(summary.n_eff):,}".replace(",", "\u00a0")]


def test_unclassified_respondents_are_an_error_by_default(study: Study,
                                                          analysis: AnalysisData) -> None:
    assert study.weighting is not None
    margin = study.weighting.margins[0].model_copy(update={"unanswered": "error"})
    strict = study.model_copy(update={"weighting": study.weighting.model_copy(
        update={"margins": (margin,)})})
    with pytest.raises(WeightingError, match="24 of 2259 analysed respondents have no category"):
        rake_respondents(strict, analysis)


def test_literal_totals_and_impossible_trim(study: Study, analysis: AnalysisData) -> None:
    assert study.weighting is not None
    labels = study.variable_labels("yrkesgruppe")
    margin = study.weighting.margins[0].model_copy(update={
        "register_variable": None, "totals": {label: 100.0 for label in labels}})
    spec = study.weighting.model_copy(update={"margins": (margin,)})
    raked = rake_respondents(study.model_copy(update={"weighting": spec}), analysis)
    groups = analysis.respondents["yrkesgruppe"].cast(pl.String).to_numpy()
    for label in labels:
        assert raked.design.weights[groups == label].sum() == pytest.approx(100.0, abs=1e-9)
    trimmed = spec.model_copy(update={"trim": TrimBounds(lower=0.9, upper=1.1)})
    with pytest.raises(WeightingError, match="widen the bounds"):
        rake_respondents(study.model_copy(update={"weighting": trimmed}), analysis)


def test_register_margin_needs_the_register(study: Study, analysis: AnalysisData) -> None:
    without = AnalysisData(analysis.respondents, analysis.screening, None)
    with pytest.raises(UsageError, match="--register"):
        rake_respondents(study, without)


def test_report_with_rake_equals_r_on_the_raked_design(tmp_path: Path) -> None:
    """tables.csv under --rake: svyby + svyciprop on rake(svydesign(ids = ~1, weights = ~1))."""
    import csv

    from tverrsnitt.pipeline import build_report

    from .conftest import EXAMPLE

    # The numbers alone (no charts): the report's prose and tables are checked from them below.
    result = build_report(EXAMPLE, tmp_path / "out", rake=True, tables_only=True)
    expected = pd.read_csv(FIXTURES / "weighting_raked_q41.csv")
    with (tmp_path / "out" / "tables.csv").open(encoding="utf-8", newline="") as handle:
        rows = {r["group"]: r for r in csv.DictReader(handle)
                if r["figure"] == "4.3" and r["item"] == "q41_saerskilte_behov"
                and r["category"] == "top2"}
    assert len(rows) == 7
    for _, r in expected.iterrows():
        row = rows[r["group"]]
        # R's svymean is the exact ratio; its svyciprop logit point is a fit (to ~1e-9).
        assert abs(float(row["weighted_percent"]) / 100 - r["mean"]) < 1e-9
        assert abs(float(row["se"]) / 100 - r["mean_se"]) < 1e-7
        if not np.isnan(r["ci_low"]):  # R's logit fit diverges for one group (see the R script)
            assert abs(float(row["ci_low"]) / 100 - r["ci_low"]) < 1e-7
            assert abs(float(row["ci_high"]) / 100 - r["ci_high"]) < 1e-7
    # Calibration shrinks the Totalt SE below what the same weights give as fixed weights.
    assert float(rows["Totalt"]["se"]) < 0.9256
    # The group tests on the raked design: svychisq, and pairs from svyratio (percent points).
    tests = pd.read_csv(FIXTURES / "weighting_raked_tests.csv", keep_default_na=False,
                        na_values=["NA"])
    with (tmp_path / "out" / "differences.csv").open(encoding="utf-8", newline="") as handle:
        ours = [r for r in csv.DictReader(handle) if r["figure"] == "4.3"
                and r["item"] == "q41_saerskilte_behov" and r["by"] == "yrkesgruppe"]
    test = next(r for r in ours if r["row"] == "test")
    expected_test = tests[tests["row"] == "test"].iloc[0]
    for column in ("f", "ndf", "ddf", "p_value"):
        assert float(test[column]) == pytest.approx(expected_test[column], rel=1e-9, abs=1e-12)
    pairs = {(r["first"], r["second"]): r for r in ours if r["row"] == "pair"}
    expected_pairs = tests[tests["row"] == "pair"]
    assert len(pairs) == len(expected_pairs) == 15
    for _, pair in expected_pairs.iterrows():
        row = pairs[(pair["first"], pair["second"])]
        assert abs(float(row["difference"]) / 100 - pair["difference"]) < 1e-9
        assert abs(float(row["se"]) / 100 - pair["se"]) < 1e-9
        assert abs(float(row["p_value"]) - pair["p_value"]) < 1e-9
        assert abs(float(row["p_adjusted"]) - pair["p_adjusted"]) < 1e-9
    # The report of this run prints the weighting tables (rendered without charts).
    from tverrsnitt.report.html import render_html
    from tverrsnitt.study import load_study

    html = render_html(load_study(EXAMPLE), result.tables, {}, result.quality)
    assert "Vekting: marginer før og etter raking" in html and "Designeffekt" in html
    assert result.quality.methods.weights is not None
