"""Rao–Scott tests and pairwise comparisons against R's survey package (r/tests_crosscheck.R).

The fixtures in tests/data/r were written by R; the survey data are derived there from the raw
export independently of the package, and here through the package's own pipeline.
"""

from __future__ import annotations

import math
import subprocess
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from tverrsnitt.clean import AnalysisData
from tverrsnitt.errors import UsageError
from tverrsnitt.tabulate.pairwise import (
    PairDifference,
    PairwiseComparison,
    adjust_p,
    notable_differences,
    pairwise_from_sums,
    pairwise_shares,
)
from tverrsnitt.tabulate.rao_scott import RaoScott, rao_scott, rao_scott_from_sums

from .conftest import ROOT, TEST_DATA, require_program

R_DATA = TEST_DATA / "r"
STAT_TOL = 1e-7  # statistics and p-values, absolute; p-values also relative (they reach 1e-12)
DF_TOL = 1e-9  # degrees of freedom, absolute

# The two highest options of each scale (questionnaire.yaml, rules.md section 4).
TOP2 = {
    "q410_utnytte": ("I stor grad", "I svært stor grad"),
    "q41_saerskilte_behov": ("I stor grad", "I svært stor grad"),
    "q66_lonn": ("Enig", "Svært enig"),
}


def close(ours: float, r: float, tol: float, relative: bool = False) -> bool:
    if math.isnan(r):
        return math.isnan(ours)
    return abs(ours - r) <= tol and (not relative or abs(ours - r) <= STAT_TOL * abs(r))


def r_fixture(name: str) -> list[dict[str, object]]:
    return pl.read_csv(R_DATA / name, infer_schema_length=None).to_dicts()


# ---- inputs: the api example designs and the survey's bases ---------------------------------


def api_inputs(table: str) -> dict[str, object]:
    """Arrays for one api table name as written by the R script."""
    if table.startswith("apiclus1"):
        frame = pl.read_csv(R_DATA / "tests_apiclus1.csv")
        design = {"weights": frame["pw"].to_numpy(), "clusters": frame["dnum"].to_numpy(),
                  "fpc": frame["fpc"].to_numpy()}
    else:
        frame = pl.read_csv(R_DATA / "tests_apistrat.csv")
        design = {"weights": frame["pw"].to_numpy(), "strata": frame["stype"].to_numpy(),
                  "fpc": frame["fpc"].to_numpy()}
    return {"frame": frame, **design}


def survey_base(analysis: AnalysisData, item: str, by: str, weighting: str
                ) -> tuple[pl.DataFrame, np.ndarray | None, list[str]]:
    """The base of `item` by `by` (valid answers with a group), its weights and group order."""
    frame = analysis.respondents
    order = list(frame.schema[by].categories)  # type: ignore[attr-defined]
    base = (frame.filter(pl.col(item).is_not_null() & pl.col(by).is_not_null())
            .select(pl.col(item).cast(pl.String), pl.col(by).cast(pl.String),
                    pl.col("id").cast(pl.Int64)))
    # The same made-up weight as the R script: tied to the answer's ID.
    weights = None if weighting == "one" else (1 + (base["id"].to_numpy() % 5) / 4)
    return base, weights, order


def split_table(table: str) -> tuple[str, str]:
    item, by = table.removesuffix(" top2").split(" x ")
    return item, by


# ---- Rao–Scott ------------------------------------------------------------------------------

CHISQ_ROWS = r_fixture("tests_chisq.csv")


def our_test(row: dict[str, object], analysis: AnalysisData) -> RaoScott:
    table = str(row["table"])
    if table.startswith("api"):
        inputs = api_inputs(table)
        frame = inputs.pop("frame")
        assert isinstance(frame, pl.DataFrame)
        rows, cols = table.split(": ")[1].split(" x ")
        return rao_scott(frame[rows].to_numpy(), frame[cols].to_numpy(), **inputs)  # type: ignore[arg-type]
    item, by = split_table(table)
    base, weights, _ = survey_base(analysis, item, by, str(row["weighting"]))
    return rao_scott(base[item].to_numpy(), base[by].to_numpy(), weights)


@pytest.mark.parametrize("row", CHISQ_ROWS,
                         ids=[f"{r['table']}-{r['weighting']}-{r['statistic']}" for r in CHISQ_ROWS])
def test_rao_scott_matches_svychisq(row: dict[str, object], analysis: AnalysisData) -> None:
    ours = our_test(row, analysis)
    assert ours.n == row["n"] and ours.nu == row["nu"]
    assert close(ours.pearson, float(row["pearson"]), STAT_TOL)  # type: ignore[arg-type]
    if row["statistic"] == "F":
        got = {"value": ours.f, "p_value": ours.p_value, "ndf": ours.ndf, "ddf": ours.ddf}
    else:
        got = {"value": ours.chisq, "p_value": ours.p_chisq, "ndf": float(ours.df)}
    for key, value in got.items():
        tol = DF_TOL if key in ("ndf", "ddf") else STAT_TOL
        assert close(value, float(row[key]), tol, key == "p_value"), (key, value, row[key])  # type: ignore[arg-type]


def test_svychisq_documented_example() -> None:
    """?svychisq's example, as printed by R: F = 5.1934, ndf = 1.4946, ddf = 20.925,
    p-value = 0.02175."""
    inputs = api_inputs("apiclus1")
    frame = inputs.pop("frame")
    assert isinstance(frame, pl.DataFrame)
    result = rao_scott(frame["sch.wide"], frame["stype"], **inputs)  # type: ignore[arg-type]
    assert (round(result.f, 4), round(result.ndf, 4), round(result.ddf, 3)) == (5.1934, 1.4946, 20.925)
    assert round(result.p_value, 5) == 0.02175


def test_rao_scott_needs_two_groups() -> None:
    with pytest.raises(UsageError, match="two groups"):
        rao_scott(["a", "b", "a"], ["g", "g", "g"])


def test_missing_values_are_refused_not_made_a_category() -> None:
    with pytest.raises(UsageError, match="1 missing"):
        rao_scott(["a", "b", None], ["g", "h", "h"])
    with pytest.raises(UsageError, match="1 missing"):
        pairwise_shares([1.0, 0.0, 1.0], ["g", None, "h"])


# ---- pairwise -------------------------------------------------------------------------------

PAIR_ROWS = r_fixture("tests_pairwise.csv")
PAIR_TABLES = sorted({(str(r["table"]), str(r["weighting"])) for r in PAIR_ROWS})


def our_pairs(table: str, weighting: str, analysis: AnalysisData) -> PairwiseComparison:
    if table.startswith("api"):
        inputs = api_inputs(table)
        frame = inputs.pop("frame")
        assert isinstance(frame, pl.DataFrame)
        by = table.split(" by ")[1]
        yes = (frame["sch.wide"] == "Yes").cast(pl.Float64).to_numpy()
        return pairwise_shares(yes, frame[by].to_numpy(), **inputs)  # type: ignore[arg-type]
    item, by = split_table(table)
    base, weights, order = survey_base(analysis, item, by, weighting)
    top2 = base[item].is_in(TOP2[item]).cast(pl.Float64).to_numpy()
    return pairwise_shares(top2, base[by].to_numpy(), weights, order=order)


@pytest.mark.parametrize(("table", "weighting"), PAIR_TABLES,
                         ids=[f"{t}-{w}" for t, w in PAIR_TABLES])
def test_pairwise_matches_svycontrast(table: str, weighting: str, analysis: AnalysisData) -> None:
    ours = our_pairs(table, weighting, analysis)
    expected = [r for r in PAIR_ROWS if r["table"] == table and r["weighting"] == weighting]
    assert [(p.first, p.second) for p in ours.pairs] == [(r["group1"], r["group2"]) for r in expected]
    by_method = {m: adjust_p([p.p_value for p in ours.pairs], m) for m in ("bonferroni", "BH")}
    for m, (pair, row) in enumerate(zip(ours.pairs, expected, strict=True)):
        assert ours.df == row["df"]
        i, j = ours.groups.index(pair.first), ours.groups.index(pair.second)
        got = {"estimate1": ours.estimates[i], "estimate2": ours.estimates[j],
               "se1": ours.ses[i], "se2": ours.ses[j],
               "difference": pair.difference, "se": pair.se, "t": pair.t,
               "p_value": pair.p_value, "p_holm": pair.p_adjusted,
               "p_bonferroni": by_method["bonferroni"][m], "p_BH": by_method["BH"][m]}
        for key, value in got.items():
            assert close(value, float(row[key]), STAT_TOL, key.startswith("p_")), (key, value,  # type: ignore[arg-type]
                                                                                   row[key])


# ---- the same tests from per-cell sums (ids = ~1, the path the report takes) -----------------


def cell_sums(base: pl.DataFrame, weights: np.ndarray | None, rows: str, columns: str
              ) -> tuple[np.ndarray, np.ndarray, list[str], list[str]]:
    """sum(w) and sum(w²) per (rows, columns) cell of the base, rows and columns sorted."""
    w = np.ones(base.height) if weights is None else weights
    row_labels = sorted(set(base[rows].to_list()))
    col_labels = sorted(set(base[columns].to_list()))
    r = np.array([row_labels.index(v) for v in base[rows].to_list()])
    c = np.array([col_labels.index(v) for v in base[columns].to_list()])
    shape = (len(row_labels), len(col_labels))
    sw, sw2 = (np.bincount(r * shape[1] + c, weights=x, minlength=shape[0] * shape[1])
               .reshape(shape) for x in (w, w * w))
    return sw, sw2, row_labels, col_labels


SURVEY_CHISQ_ROWS = [r for r in CHISQ_ROWS if not str(r["table"]).startswith("api")]


@pytest.mark.parametrize("row", SURVEY_CHISQ_ROWS,
                         ids=[f"{r['table']}-{r['weighting']}-{r['statistic']}"
                              for r in SURVEY_CHISQ_ROWS])
def test_rao_scott_from_sums_matches_svychisq(row: dict[str, object], analysis: AnalysisData) -> None:
    item, by = split_table(str(row["table"]))
    base, weights, _ = survey_base(analysis, item, by, str(row["weighting"]))
    sw, sw2, rows, columns = cell_sums(base, weights, item, by)
    ours = rao_scott_from_sums(sw, sw2, base.height, rows, columns)
    reference = rao_scott(base[item].to_numpy(), base[by].to_numpy(), weights)
    assert (ours.n, ours.nu, ours.rows, ours.columns) == (row["n"], row["nu"], reference.rows,
                                                          reference.columns)
    if row["statistic"] == "F":
        got = {"value": ours.f, "p_value": ours.p_value, "ndf": ours.ndf, "ddf": ours.ddf}
    else:
        got = {"value": ours.chisq, "p_value": ours.p_chisq, "ndf": float(ours.df)}
    for key, value in got.items():
        tol = DF_TOL if key in ("ndf", "ddf") else STAT_TOL
        assert close(value, float(row[key]), tol, key == "p_value"), (key, value, row[key])  # type: ignore[arg-type]
    for name in ("pearson", "f", "ndf", "ddf", "p_value", "chisq", "p_chisq"):
        assert getattr(ours, name) == pytest.approx(getattr(reference, name), rel=1e-12, abs=1e-14)


def test_rao_scott_from_sums_needs_a_matching_table() -> None:
    with pytest.raises(UsageError, match="at least 2 x 2"):
        rao_scott_from_sums(np.ones((2, 1)), np.ones((2, 1)), 2, ["a", "b"], ["g"])
    with pytest.raises(UsageError, match="3 rows"):
        rao_scott_from_sums(np.ones((2, 2)), np.ones((2, 2)), 4, ["a", "b", "c"], ["g", "h"])


SURVEY_PAIR_TABLES = [t for t in PAIR_TABLES if not t[0].startswith("api")]


@pytest.mark.parametrize(("table", "weighting"), SURVEY_PAIR_TABLES,
                         ids=[f"{t}-{w}" for t, w in SURVEY_PAIR_TABLES])
def test_pairwise_from_sums_matches_svycontrast(table: str, weighting: str,
                                                analysis: AnalysisData) -> None:
    item, by = split_table(table)
    base, weights, order = survey_base(analysis, item, by, weighting)
    w = np.ones(base.height) if weights is None else weights
    y = base[item].is_in(TOP2[item]).to_numpy()
    groups = base[by].to_numpy()
    present = [g for g in order if g in set(groups.tolist())]
    sums = [np.array([x[groups == g].sum() for g in present]) for x in (w, w * w, w * y, w * w * y)]
    ours = pairwise_from_sums(*sums, base.height, present)
    reference = our_pairs(table, weighting, analysis)
    expected = [r for r in PAIR_ROWS if r["table"] == table and r["weighting"] == weighting]
    assert ours.groups == reference.groups and ours.df == reference.df
    assert len(ours.pairs) == len(expected)
    for pair, row in zip(ours.pairs, expected, strict=True):
        assert (pair.first, pair.second) == (row["group1"], row["group2"])
        for key, value in (("difference", pair.difference), ("se", pair.se), ("t", pair.t),
                           ("p_value", pair.p_value), ("p_holm", pair.p_adjusted)):
            assert close(value, float(row[key]), STAT_TOL, key.startswith("p_")), (key, value)  # type: ignore[arg-type]
    for mine, theirs in zip(ours.pairs, reference.pairs, strict=True):
        for name in ("difference", "se", "t", "p_value", "p_adjusted"):
            assert getattr(mine, name) == pytest.approx(getattr(theirs, name), rel=1e-12, abs=1e-14)


# ---- p-value adjustment ---------------------------------------------------------------------


@pytest.mark.parametrize("method", ["holm", "bonferroni", "BH"])
def test_adjust_p_matches_p_adjust(method: str) -> None:
    rows = r_fixture("tests_padjust.csv")
    ours = adjust_p([float(r["p"]) for r in rows], method)  # type: ignore[arg-type]
    expected = np.array([float(r[method]) for r in rows])  # type: ignore[arg-type]
    np.testing.assert_allclose(ours, expected, rtol=1e-15, atol=0)


def test_adjust_p_leaves_nan_out_of_the_family() -> None:
    # R: p.adjust(c(0.01, NA, 0.04), "holm") is 0.02, NA, 0.04.
    np.testing.assert_allclose(adjust_p([0.01, np.nan, 0.04], "holm"), [0.02, np.nan, 0.04])


def test_adjust_p_names_the_methods() -> None:
    with pytest.raises(UsageError, match="Did you mean 'holm'"):
        adjust_p([0.1], "hom")


# ---- selecting statements worth mentioning --------------------------------------------------


def comparison(*pairs: tuple[float, float]) -> PairwiseComparison:
    """A hand-made comparison: (difference, adjusted p) per pair; other fields irrelevant."""
    made = tuple(PairDifference(f"g{m}", f"h{m}", d, 0.01, 0.0, p, p)
                 for m, (d, p) in enumerate(pairs))
    return PairwiseComparison((), (), (), 100.0, "holm", made)


def test_notable_differences_keeps_significant_and_large() -> None:
    results = {
        "large and significant": comparison((0.12, 0.001), (0.02, 0.001)),
        "significant but small": comparison((0.05, 0.0001)),
        "large but not significant": comparison((0.30, 0.2), (-0.25, 0.05)),  # 0.05 is not < 0.05
        "negative difference counts": comparison((-0.10, 0.049)),
        "exactly the threshold in floats": comparison((0.29 - 0.19, 0.01)),  # 0.0999999...
    }
    kept = notable_differences(results, min_points=10)
    assert list(kept) == ["large and significant", "negative difference counts",
                          "exactly the threshold in floats"]
    assert [p.first for p in kept["large and significant"]] == ["g0"]
    assert notable_differences(results, min_points=10, alpha=0.3).keys() >= {
        "large but not significant"}
    assert notable_differences({}, min_points=5) == {}


# ---- the oracle reproduces itself -----------------------------------------------------------


def test_base_matches_r_derivation(analysis: AnalysisData) -> None:
    """The package's groups and answers per ID are those the R script derived from the export."""
    r_people = pl.read_csv(R_DATA / "tests_people.csv", infer_schema_length=None)
    cols = ["yrkesgruppe", "skoleslag", *TOP2]
    ours = analysis.respondents.select(pl.col("id").cast(pl.Int64),
                                       *(pl.col(c).cast(pl.String) for c in cols))
    assert ours.sort("id").equals(r_people.select("id", *cols).sort("id"))


def test_r_script_reproduces_fixtures(tmp_path: Path) -> None:
    require_program("Rscript", "r-base-core and r-cran-survey")
    subprocess.run(["Rscript", "r/tests_crosscheck.R", str(tmp_path)], cwd=ROOT, check=True,
                   capture_output=True, timeout=300)
    committed = sorted(p.name for p in R_DATA.glob("tests_*.csv"))
    assert sorted(p.name for p in tmp_path.glob("tests_*.csv")) == committed
    for name in committed:
        new = pl.read_csv(tmp_path / name, infer_schema_length=None)
        old = pl.read_csv(R_DATA / name, infer_schema_length=None)
        assert new.schema == old.schema, name
        for col in old.columns:
            if old[col].dtype == pl.Float64:
                # Another BLAS or R may move the last digits; anything beyond that is a change.
                np.testing.assert_allclose(new[col].to_numpy(), old[col].to_numpy(),
                                           rtol=1e-12, atol=1e-15, err_msg=f"{name}: {col}")
            else:
                assert new[col].to_list() == old[col].to_list(), f"{name}: {col}"
