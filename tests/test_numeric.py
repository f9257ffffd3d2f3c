"""Numbers of numbers equal R's survey package: means, totals, quantiles and net scores by
group with their SEs and intervals, and the Wald tests of equal means (r/numbers_crosscheck.R
writes the fixtures from the raw exports; the test re-runs it when R is there)."""

from __future__ import annotations

import math
import subprocess
from dataclasses import replace
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tverrsnitt.clean import AnalysisData, prepare
from tverrsnitt.ingest import read_export
from tverrsnitt.study import Study, load_study
from tverrsnitt.study.model import Figure
from tverrsnitt.tabulate.differences import mean_differences
from tverrsnitt.tabulate.numeric import domains_for, numeric_rows, quantile_rule

from .conftest import ROOT, TEST_DATA, require_program

R_DATA = TEST_DATA / "r"
SECOND = ROOT / "examples" / "arbeidsmiljo-2025"


@pytest.fixture(scope="module")
def second() -> tuple[Study, AnalysisData]:
    study = load_study(SECOND)
    export = read_export(SECOND / "data" / "export.csv", study)
    return study, prepare(study, export.frame)


def studies(study: Study, analysis: AnalysisData,
            second: tuple[Study, AnalysisData]) -> dict[str, tuple[Study, AnalysisData]]:
    return {"skolemiljo-2023": (study, analysis), "arbeidsmiljo-2025": second}


def weighted(data: AnalysisData, weighting: str) -> AnalysisData:
    """The R script's made-up weight, 1 + (id mod 5) / 4, or none."""
    if weighting == "one":
        return data
    ids = data.respondents["id"].cast(pl.Int64).to_numpy()
    return data.with_weights(1 + (ids % 5) / 4)


def close(ours: float | None, theirs: float | None, tolerance: float) -> bool:
    if theirs is None or (isinstance(theirs, float) and math.isnan(theirs)):
        return ours is None
    return ours is not None and abs(ours - theirs) <= tolerance * max(1.0, abs(theirs))


def test_estimates_equal_r(study: Study, analysis: AnalysisData,
                           second: tuple[Study, AnalysisData]) -> None:
    fixture = pl.read_csv(R_DATA / "numbers_estimates.csv", infer_schema_length=None)
    found = studies(study, analysis, second)
    checked = 0
    for key, rows in fixture.group_by(["study", "item", "by", "weighting", "statistic"],
                                      maintain_order=True):
        name, item, by, weighting, statistic = (str(k) for k in key)
        the_study, data = found[name]
        figure = Figure(id="X", title="x", items=(item,), statistic=statistic, by=by)
        ours = {(r.group, r.category): r for r in numeric_rows(the_study, weighted(data, weighting),
                                                              figure, item, by)}
        for want in rows.iter_rows(named=True):
            got = ours[(want["group"], want["category"])]
            where = (name, item, by, weighting, want["group"], want["category"])
            assert got.count == want["n"], where
            assert close(got.estimate, want["estimate"], 1e-9), where
            for column in ("se", "ci_low", "ci_high"):
                assert close(getattr(got, column), want[column], 1e-7), (where, column)
            checked += 1
    # Both studies, all statistics, two weightings; NaN bounds (Woodruff outside [0, 1]) too.
    assert checked == fixture.height > 150


def test_wald_tests_and_pairs_equal_r(study: Study, analysis: AnalysisData,
                                      second: tuple[Study, AnalysisData]) -> None:
    fixture = pl.read_csv(R_DATA / "numbers_tests.csv", infer_schema_length=None)
    found = studies(study, analysis, second)
    tested = 0
    for key, rows in fixture.group_by(["study", "item", "by", "weighting"], maintain_order=True):
        name, item, by, weighting = (str(k) for k in key)
        the_study, data = found[name]
        statistic = "net" if item == "q5_anbefale" else "mean"
        figure = Figure(id="X", title="x", items=(item,), statistic=statistic, by=by)
        result = mean_differences(figure, item, by, domains_for(
            the_study, weighted(data, weighting), figure, item, by, None))
        first = rows.row(0, named=True)
        assert result.test is not None and result.pairs is not None
        assert result.test.n == first["n"]
        assert (result.test.ndf, result.test.ddf) == (first["ndf"], float(first["ddf"]))
        assert close(result.test.f, first["f"], 1e-9)
        assert close(result.test.p_value, first["p_value"], 1e-7)
        pairs = {(p.first, p.second): p for p in result.pairs.pairs}
        for want in rows.iter_rows(named=True):
            pair = pairs[(want["group1"], want["group2"])]
            assert close(pair.difference, want["difference"], 1e-9)
            assert close(pair.se, want["pair_se"], 1e-7)
            assert close(pair.p_value, want["pair_p"], 1e-7)
            assert close(pair.p_adjusted, want["pair_holm"], 1e-7)
        tested += 1
    assert tested == 8  # 2 studies' means and a net score, unweighted and weighted


def test_r_script_reproduces_fixtures(tmp_path: Path) -> None:
    require_program("Rscript", "r-base-core and r-cran-survey")
    subprocess.run(["Rscript", "r/numbers_crosscheck.R", str(tmp_path)], cwd=ROOT, check=True,
                   capture_output=True, timeout=300)
    for name in ("numbers_estimates.csv", "numbers_tests.csv"):
        new = pl.read_csv(tmp_path / name, infer_schema_length=None)
        old = pl.read_csv(R_DATA / name, infer_schema_length=None)
        assert new.schema == old.schema, name
        for column in old.columns:
            if old[column].dtype == pl.Float64:
                np.testing.assert_allclose(new[column].to_numpy(), old[column].to_numpy(),
                                           rtol=1e-12, atol=1e-15, err_msg=f"{name}: {column}")
            else:
                assert new[column].to_list() == old[column].to_list(), f"{name}: {column}"


# ---- the quantile rule ------------------------------------------------------------------------


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 10), st.integers(1, 5)), min_size=1, max_size=40),
       st.sampled_from([0.25, 0.5, 0.75, 0.1, 0.9]))
def test_quantile_is_the_inverse_distribution_function(pairs: list[tuple[int, int]],
                                                        p: float) -> None:
    # Whole-number weights keep every cumulative share exact, so survey's qs() and the inverse
    # of the weighted distribution function agree -- except where the lowest value alone
    # carries more than p of the weight, where R takes the second value (next test).
    x = np.array([float(v) for v, _ in pairs])
    w = np.array([float(k) for _, k in pairs])
    values = np.unique(x)
    expected = min(v for v in values if w[x <= v].sum() >= p * w.sum())
    if w[x == values[0]].sum() > p * w.sum() and values.size > 1:
        lowest_first = np.argsort(x, kind="stable")[0]
        if w[lowest_first] > p * w.sum():
            expected = float(np.sort(x, kind="stable")[1])
    assert quantile_rule(x, w, p) == expected


def test_quantiles_follow_r_where_the_lowest_value_carries_more_than_p() -> None:
    # R's survey 4.1: svyquantile(~x, q = 0.25) of x = (0, 1) is 1 while the median is 0 (its
    # qs() starts from position 1 when no cumulative share is <= p); we give R's numbers.
    x, w = np.array([0.0, 1.0]), np.ones(2)
    assert [quantile_rule(x, w, p) for p in (0.25, 0.5, 0.75)] == [1.0, 0.0, 1.0]
    assert quantile_rule(np.array([1.0, 5.0, 9.0]), np.ones(3), 0.25) == 5.0


def test_one_respondent_has_no_interval(study: Study, analysis: AnalysisData) -> None:
    # R: svymean on one unit has SE 0 and confint(df = 0) gives NaN; we say why instead.
    one = replace(analysis, respondents=analysis.respondents.filter(
        pl.col("b6_stillingsprosent").is_not_null()).head(1))
    figure = Figure(id="X", title="x", items=("b6_stillingsprosent",), statistic="mean")
    [row] = numeric_rows(study, one, figure, "b6_stillingsprosent", "none")
    assert row.count == 1 and row.estimate is not None
    assert row.se is None and row.ci_low is None and row.ci_high is None
    assert row.note is not None and "frihetsgrader" in row.note
