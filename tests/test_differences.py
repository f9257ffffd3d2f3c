"""Group tests per figure item: the same numbers as a direct (R-verified) Rao–Scott call, written
to differences.csv, used by `select:` and marked in charts and the report."""

from __future__ import annotations

import csv
import math
import shutil
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from tverrsnitt.chart import chart_data
from tverrsnitt.chart import style as chart_style
from tverrsnitt.clean import AnalysisData
from tverrsnitt.clean.expressions import base_expr
from tverrsnitt.errors import StudyDefinitionError
from tverrsnitt.pipeline import ReportResult
from tverrsnitt.report.grids import figure_grids
from tverrsnitt.study import Study, layout, load_study
from tverrsnitt.study.model import Figure, SelectRule
from tverrsnitt.tabulate import Tables
from tverrsnitt.tabulate.differences import (
    COLUMNS,
    NUMERIC_TESTED,
    TESTED_STATISTICS,
    Differences,
    GroupDifference,
    group_differences,
    write_differences_csv,
)
from tverrsnitt.tabulate.differences import tested_breakdowns as group_breakdowns
from tverrsnitt.tabulate.pairwise import PairwiseComparison, compare_pairs, pairwise_shares
from tverrsnitt.tabulate.rao_scott import RaoScott, rao_scott

from .conftest import EXAMPLE, ExampleReport


@pytest.fixture(scope="module")
def differences(study: Study, analysis: AnalysisData) -> Differences:
    return group_differences(study, analysis)


def test_figure_tests_equal_a_direct_rao_scott_call(study: Study, analysis: AnalysisData,
                                                    tables: Tables, differences: Differences) -> None:
    # Figur 4.3, bullying by yrkesgruppe: base = a valid answer and a group.
    item, by = "q41_mobbing", "yrkesgruppe"
    base = analysis.respondents.filter(pl.col(item).is_not_null() & pl.col(by).is_not_null())
    answers = base[item].cast(pl.String).to_numpy()
    groups = base[by].cast(pl.String).to_numpy()
    [result] = differences.find("4.3", item, by)
    assert_same_test(result.test, rao_scott(answers, groups))
    # The test's base is the table's: the same respondents as the printed Totalt N.
    total = tables.get("4.3", item, by, "Totalt", "top2")
    assert total is not None and result.test.n == total.base
    top2 = np.isin(answers, ["I stor grad", "I svært stor grad"]).astype(float)
    order = [g for g in study.group_labels(by) if g in set(groups.tolist())]
    assert result.share == "top2" and result.pairs is not None
    assert_same_pairs(result.pairs, pairwise_shares(top2, groups, order=order))
    # The pair estimates are the table's top2 percents.
    assert result.pairs is not None
    for group, estimate in zip(result.pairs.groups, result.pairs.estimates, strict=True):
        row = tables.get("4.3", item, by, group, "top2")
        assert row is not None and 100 * estimate == pytest.approx(row.percent, abs=1e-9)


TOL = 1e-12  # the closed form against the per-respondent reference: rounding only


def close(ours: float, reference: float) -> bool:
    """Equal to TOL, absolute for p-values and shares, relative for statistics above 1."""
    if math.isnan(reference):
        return math.isnan(ours)
    return abs(ours - reference) <= TOL * max(1.0, abs(reference))


def assert_same_test(ours: RaoScott, reference: RaoScott) -> None:
    assert (ours.rows, ours.columns, ours.n, ours.nu, ours.df) == (
        reference.rows, reference.columns, reference.n, reference.nu, reference.df)
    for name in ("pearson", "mean_deff", "f", "ndf", "ddf", "p_value", "chisq", "p_chisq"):
        assert close(getattr(ours, name), getattr(reference, name)), name


def assert_same_pairs(ours: PairwiseComparison, reference: PairwiseComparison) -> None:
    assert (ours.groups, ours.df, ours.adjustment) == (reference.groups, reference.df,
                                                       reference.adjustment)
    assert all(map(close, ours.estimates + ours.ses, reference.estimates + reference.ses))
    for mine, theirs in zip(ours.pairs, reference.pairs, strict=True):
        assert (mine.first, mine.second) == (theirs.first, theirs.second)
        for name in ("difference", "se", "t", "p_value", "p_adjusted"):
            assert close(getattr(mine, name), getattr(theirs, name)), name
    assert len(ours.pairs) == len(reference.pairs)


def per_respondent_reference(study: Study, data: AnalysisData,
                             weights: np.ndarray | None) -> list[GroupDifference]:
    """The group tests the slow, obvious way: for each figure item and breakdown, the
    respondents of the base passed to rao_scott and pairwise_shares (what group_differences
    did before its closed form)."""
    frame = data.respondents.with_columns(pl.Series("__row__", np.arange(data.respondents.height)))
    results = []
    for figure in study.figures:
        for by in group_breakdowns(study, figure):
            for item in figure.items:
                statistic = figure.statistic_for(item)
                if (statistic not in TESTED_STATISTICS or item in figure.variables
                        or statistic in NUMERIC_TESTED):  # means: Wald, checked against R
                    continue
                based = frame.filter(base_expr(study.question(item), study)
                                     & pl.col(by).is_not_null())
                group = based[by].cast(pl.String).to_numpy()
                w = None if weights is None else weights[based["__row__"].to_numpy()]
                order = [g for g in study.group_labels(by) if g in set(group.tolist())]
                if len(order) < 2:
                    continue
                if statistic == "selected_share":
                    tests = []
                    for option in layout.categories(study, figure, item):
                        ticked = based.select(pl.col(item).list.eval(
                            pl.element().cast(pl.String) == option).list.any()).to_series()
                        tests.append((option, ticked.to_numpy().astype(float), None))
                else:
                    answers = based[item].cast(pl.String).to_numpy()
                    shares = layout.top_bottom(study, figure, item)
                    share = statistic if statistic in shares else (
                        "top2" if "top2" in shares else None)
                    tests = [(share, answers, None if share is None
                              else np.isin(answers, shares[share]).astype(float))]
                for share, answers, y in tests:
                    y = answers if statistic == "selected_share" else y
                    if len(set(answers.tolist())) < 2:
                        continue
                    pairs = None if y is None else pairwise_shares(y, group, w, order=order)
                    results.append(GroupDifference(figure.id, item, by, share,
                                                   rao_scott(answers, group, w), pairs))
    return results


@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
def test_every_test_equals_the_per_respondent_reference(study: Study, analysis: AnalysisData,
                                                        weighted: bool) -> None:
    weights = (np.random.default_rng(7).uniform(0.2, 3.0, analysis.respondents.height)
               if weighted else None)
    fast = [r for r in group_differences(study, analysis, weights) if r.method == "rao-scott"]
    reference = per_respondent_reference(study, analysis, weights)
    assert len(reference) > 100
    assert [(r.figure, r.item, r.by, r.share) for r in fast] == [
        (r.figure, r.item, r.by, r.share) for r in reference]
    for ours, theirs in zip(fast, reference, strict=True):
        assert_same_test(ours.test, theirs.test)
        assert (ours.pairs is None) == (theirs.pairs is None)
        if ours.pairs is not None and theirs.pairs is not None:
            assert_same_pairs(ours.pairs, theirs.pairs)


def test_only_group_breakdowns_are_tested(differences: Differences) -> None:
    tested = {(r.figure, r.by) for r in differences}
    assert ("4.3", "yrkesgruppe") in tested and ("4.2", "skoleslag") in tested
    assert ("3.1", "yrkesgruppe") in tested  # also_by
    assert not any(by in ("none", "sample_vs_population") for _, by in tested)
    assert not any(figure in ("T2.1", "T3.1", "4.1") for figure, _ in tested)
    # Figur 3.3's stillingsprosent is a mean: a Wald test of equal means, on the 1 200 who
    # answered it, with 6 groups: F on 5 and 1 194 degrees of freedom.
    [mean] = differences.find("3.3", "b6_stillingsprosent", "yrkesgruppe")
    assert mean.method == "wald" and mean.share == "mean" and mean.test is not None
    assert (mean.test.n, mean.test.ndf, mean.test.ddf) == (1200, 5, 1194)
    # A distribution without top2 gets the test but no pairs.
    [education] = differences.find("4.8", "q48_utdanning_innhold", "ufaglaert")
    assert education.share is None and education.pairs is None


def test_csv_has_the_documented_columns(tmp_path: Path, tables: Tables,
                                        differences: Differences) -> None:
    path = tmp_path / "differences.csv"
    write_differences_csv(differences, path)
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert tuple(rows[0]) == COLUMNS == (
        "figure", "item", "by", "share", "row", "first", "second", "n", "f", "ndf", "ddf",
        "p_value", "difference", "se", "p_adjusted", "method", "not_computable")
    assert sum(r["row"] == "test" for r in rows) == len(differences)
    assert {r["method"] for r in rows} == {"rao-scott", "wald"}
    # Figur 4.2 compares two school kinds: one pair, the difference of the table's percents.
    [pair] = [r for r in rows if (r["figure"], r["item"], r["row"]) == ("4.2", "q41_mobbing", "pair")]
    first = tables.get("4.2", "q41_mobbing", "skoleslag", pair["first"], "top2")
    second = tables.get("4.2", "q41_mobbing", "skoleslag", pair["second"], "top2")
    assert first is not None and second is not None
    assert first.percent is not None and second.percent is not None
    assert float(pair["difference"]) == pytest.approx(first.percent - second.percent, abs=1e-9)
    assert (pair["first"], pair["second"]) == ("Grunnskole", "Videregående")


def _constructed(points: float, se: float, item: str) -> GroupDifference:
    """A by-group result whose only pair differs by `points` percentage points."""
    test = rao_scott(["a", "b", "a", "b"], ["x", "x", "y", "y"])  # any valid test object
    estimate = 0.5 + points / 100
    pairs = compare_pairs([estimate, 0.5], np.diag([se**2, 0.0]), ["x", "y"], df=1000)
    return GroupDifference("S", item, "yrkesgruppe", "top2", test, pairs)


def test_select_keeps_exactly_the_items_with_a_qualifying_pair() -> None:
    results = Differences([
        _constructed(12.0, 0.01, "clear"),      # t = 12: significant, 12 points
        _constructed(5.0, 0.01, "small"),       # significant, but 5 points
        _constructed(20.0, 0.2, "noisy"),       # 20 points, t = 1: not significant
        _constructed(10.0, 0.02, "exactly"),    # significant, exactly 10 points
    ])
    figure = Figure(id="S", title="S", items=("clear", "small", "noisy", "exactly"),
                    statistic="top2", by="yrkesgruppe", select=SelectRule(min_points=10))
    assert results.selected_items(figure) == ("clear", "exactly")
    looser = figure.model_copy(update={"select": SelectRule(min_points=4)})
    assert results.selected_items(looser) == ("clear", "small", "exactly")
    assert results.selected_items(figure.model_copy(update={"select": None})) == figure.items


def test_select_on_an_example_figure_keeps_chart_and_report_rows(
        study: Study, tables: Tables, differences: Differences) -> None:
    # Top-2 differences grunnskole - videregående: 7.8, 22.8, 11.1 and 20.6 points, all
    # significant after Holm; a 15-point threshold keeps the second and the fourth.
    figure = study.figure("5.12").model_copy(update={"select": SelectRule(min_points=15)})
    expected = ("q510_skolens_okonomi", "q510_nok_ansatte")
    assert differences.selected_items(figure) == expected
    tested = tables.published(frozenset(), 5, differences)
    data = chart_data(study, figure, tested)
    assert data is not None
    assert tuple(row.item for panel in data.panels for row in panel.rows) == expected
    # By group, each selected statement has a table of its own, titled with the statement.
    grids = figure_grids(study, tested, figure)
    assert [grid.title for grid in grids] == [study.question(item).label for item in expected]
    assert all(row[0] in layout.groups(study, figure.by) for g in grids for row in g.rows)
    # tables.csv keeps every statement.
    assert {r.item for r in tables.for_figure("5.12")} == set(figure.items)


def test_chart_marks_significant_items(study: Study, tables: Tables,
                                       differences: Differences) -> None:
    figure = study.figure("4.2")
    data = chart_data(study, figure, tables.published(frozenset(), 5, differences))
    assert data is not None
    rows = [row for panel in data.panels for row in panel.rows]
    significant = {r.item for r in differences if r.figure == "4.2" and r.test.p_value < 0.05}
    assert significant and significant != set(figure.items)
    for row in rows:
        label = study.question(row.item).label
        assert row.label == (f"{label} *" if row.item in significant else label)
    assert data.note == "* Signifikant forskjell mellom gruppene (p\u00a0<\u00a00,05, Rao–Scott)."
    assert data.note == chart_style.SIGNIFICANT_NOTE
    # Without test results the chart is unmarked, as before.
    plain = chart_data(study, figure, tables)
    assert plain is not None and plain.note is None


def test_select_is_validated(tmp_path: Path) -> None:
    copy = tmp_path / "study"
    shutil.copytree(EXAMPLE, copy, ignore=shutil.ignore_patterns("data"))
    path = copy / "figures.yaml"
    text = path.read_text(encoding="utf-8")
    # Figur 4.1 has no breakdown: nothing to select on.
    old = ("    statistic: distribution\n    by: none\n"
           "    base: analysed respondents with a valid answer to the item\n  - id: '4.2'")
    assert old in text
    broken = old.replace("by: none\n", "by: none\n    select: {min_points: 10}\n")
    path.write_text(text.replace(old, broken), encoding="utf-8")
    with pytest.raises(StudyDefinitionError) as caught:
        load_study(copy)
    assert "select compares the groups of 'by'" in caught.value.message
    path.write_text(text.replace("  - id: '5.12'\n", "  - id: '5.12'\n    select: {min_points: -1}\n"),
                    encoding="utf-8")
    with pytest.raises(StudyDefinitionError):
        load_study(copy)


@pytest.fixture(scope="module")
def run(example_report: ExampleReport) -> ReportResult:
    return example_report.result


def test_pipeline_writes_csv_and_marks_the_report(run: ReportResult) -> None:
    assert Path("differences.csv") in run.files
    html = (run.out_dir / "report.html").read_text(encoding="utf-8")
    assert "Forskjellen mellom gruppene er statistisk signifikant (Rao–Scott F\u00a0=\u00a0" in html
    # "p < 0,001" and "F = 4,21" never break across lines: no-break spaces only.
    assert "p\u00a0&lt;\u00a00,001" in html and "p &lt; 0" not in html and " F = " not in html
    svg = (run.out_dir / "figurer" / "figur-4-2.svg").read_text(encoding="utf-8")
    assert "Signifikant forskjell mellom gruppene (p\u00a0&lt;\u00a00,05, Rao–Scott)" in svg
