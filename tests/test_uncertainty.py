"""Every share in tables.csv carries R survey's SE and confidence interval."""

from __future__ import annotations

import csv
import math
from collections.abc import Callable
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from tverrsnitt.clean import AnalysisData, frame_weights
from tverrsnitt.clean.expressions import base_expr, condition_expr
from tverrsnitt.cli import main
from tverrsnitt.pipeline import ReportResult, build_report
from tverrsnitt.study import Study, layout
from tverrsnitt.study.conditions import parse_condition
from tverrsnitt.study.model import Figure
from tverrsnitt.study.statistics import category_value
from tverrsnitt.tabulate import Tables, write_tables_csv
from tverrsnitt.tabulate.disclosure import suppressed_cells
from tverrsnitt.tabulate.proportions import Method, Proportion, proportion, proportions_by
from tverrsnitt.tabulate.uncertainty import SHARES, add_uncertainty
from tverrsnitt.weight import Design

from .conftest import EXAMPLE, EXPORT_CSV, TEST_DATA

R_FIXTURES = TEST_DATA / "r" / "design_proportions.csv"
Key = tuple[str, str, str, str, str]


@pytest.fixture(scope="module")
def with_ci(study: Study, analysis: AnalysisData, tables: Tables) -> Tables:
    return add_uncertainty(study, analysis, tables, "logit")


def r_rows(design: str, item: str, method: str) -> dict[str, dict[str, str]]:
    with R_FIXTURES.open(encoding="utf-8") as handle:
        return {r["group"]: r for r in csv.DictReader(handle)
                if (r["design"], r["item"], r["method"]) == (design, item, method)}


def test_figure_4_3_matches_r_svyby_svyciprop(with_ci: Tables) -> None:
    # R: svyby(~y, ~yrkesgruppe, subset(svydesign(ids=~1, weights=~1), base), svyciprop,
    # method = "logit") for q41_saerskilte_behov in stor/svært stor grad (r/design_crosscheck.R).
    expected = r_rows("unweighted", "q41", "logit")
    assert len(expected) == 7
    for group, want in expected.items():
        row = with_ci.get("4.3", "q41_saerskilte_behov", "yrkesgruppe", group, "top2")
        assert row is not None and row.base == int(want["n"]), group
        assert abs(row.percent - 100 * float(want["estimate"])) < 1e-7
        assert row.se is not None and row.ci_low is not None and row.ci_high is not None
        assert abs(row.se - 100 * float(want["se"])) < 1e-7, group
        assert abs(row.ci_low - 100 * float(want["ci_low"])) < 1e-7, group
        assert abs(row.ci_high - 100 * float(want["ci_high"])) < 1e-7, group


def test_every_share_has_an_interval_around_it(with_ci: Tables) -> None:
    shares = [r for r in with_ci if r.category not in ("mean",) and r.figure not in ("T2.1",
                                                                                    "T3.1")]
    assert shares
    for row in shares:
        assert row.se is not None and row.ci_low is not None and row.ci_high is not None, row.key
        assert row.weighted_percent == row.percent and row.weighted_base == row.base
        if 0 < row.count < row.base and row.group != "Populasjon":  # the census has no error
            assert row.ci_low < row.percent < row.ci_high, row.key
            assert math.isfinite(row.se) and row.se > 0


def test_the_register_population_is_a_census(with_ci: Tables) -> None:
    row = with_ci.get("2.1", "reg_kjonn", "sample_vs_population", "Populasjon", "Kvinne")
    assert row is not None and row.se == 0.0 and row.ci_low == row.ci_high == row.percent
    sample = with_ci.get("2.1", "reg_kjonn", "sample_vs_population", "Utvalg", "Kvinne")
    assert sample is not None and sample.se is not None and sample.se > 0


def test_suppressed_marks_exactly_the_hidden_cells(study: Study, with_ci: Tables,
                                                   tmp_path: Path) -> None:
    hidden = suppressed_cells(study, with_ci, 5)
    path = tmp_path / "tables.csv"
    write_tables_csv(with_ci.published(hidden, 5), path)
    with path.open(encoding="utf-8") as handle:
        marked = {tuple(r[:5]) for r in csv.reader(handle) if r[13] == "true"}
    assert marked == hidden and len(marked) == 2


def export_with_weights(tmp_path: Path, weight_of: Callable[[int], str]) -> Path:
    """The example export plus a 'Vekt' column; the weight is the R script's made-up one."""
    with EXPORT_CSV.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    header = rows[0]
    ident = header.index("ID")
    path = tmp_path / "weighted.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow([*header, "Vekt"])
        writer.writerows([*row, weight_of(int(row[ident]))] for row in rows[1:])
    return path


def made_up(ident: int) -> str:
    # r/design_crosscheck.R: w_made_up <- 0.5 + ((id * 7919) %% 13) / 6
    return repr(0.5 + ((ident * 7919) % 13) / 6)


@pytest.fixture(scope="module")
def weighted(tmp_path_factory: pytest.TempPathFactory) -> ReportResult:
    """The example run with the made-up weights of r/design_crosscheck.R (--weight Vekt)."""
    folder = tmp_path_factory.mktemp("weighted")
    return build_report(EXAMPLE, folder / "out", data=export_with_weights(folder, made_up),
                        weight="Vekt", tables_only=True)


def test_weighted_report_matches_r(weighted: ReportResult) -> None:
    result = weighted
    expected = r_rows("made_up", "q41", "logit")
    assert len(expected) == 7
    for group, want in expected.items():
        row = result.tables.get("4.3", "q41_saerskilte_behov", "yrkesgruppe", group, "top2")
        assert row is not None and row.base == int(want["n"]), group
        assert row.weighted_percent is not None and row.se is not None
        assert abs(row.weighted_percent - 100 * float(want["estimate"])) < 1e-7, group
        assert abs(row.se - 100 * float(want["se"])) < 1e-7, group
        assert row.ci_low is not None and row.ci_high is not None
        assert abs(row.ci_low - 100 * float(want["ci_low"])) < 1e-7, group
        assert abs(row.ci_high - 100 * float(want["ci_high"])) < 1e-7, group
        # Counts stay unweighted; the weighted share differs from the unweighted one.
        assert row.percent == 100 * row.count / row.base
        assert row.weighted_percent != row.percent


def test_bad_weights_are_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = export_with_weights(tmp_path, lambda ident: "0" if ident == 7 else "1")
    code = main(["report", str(EXAMPLE), "--data", str(path), "--weight", "Vekt", "--out",
                 str(tmp_path / "out"), "--quiet"])
    message = capsys.readouterr().err
    assert code == 1 and "column 'Vekt'" in message and "found '0'" in message
    assert "a positive number" in message and not (tmp_path / "out").exists()
    code = main(["report", str(EXAMPLE), "--data", str(EXPORT_CSV), "--weight", "Vekt", "--out",
                 str(tmp_path / "out"), "--quiet"])
    assert code == 1 and "column 'Vekt'" in capsys.readouterr().err


def test_published_output_shows_the_weighted_shares(study: Study,
                                                    weighted: ReportResult) -> None:
    from tverrsnitt.chart import chart_data
    from tverrsnitt.tabulate import shown_whole_percent

    result = weighted
    data = chart_data(study, study.figure("4.3"), result.tables)
    assert data is not None
    row = result.tables.get("4.3", "q41_saerskilte_behov", "yrkesgruppe", "Annet", "top2")
    assert row is not None and row.weighted_percent is not None
    drawn = [value for panel in data.panels for chart_row in panel.rows
             for value in chart_row.values
             if chart_row.item == "q41_saerskilte_behov" and value.series == "Annet"]
    assert [v.percent for v in drawn] == [row.weighted_percent]
    assert [v.label for v in drawn] == [shown_whole_percent(row)]
    assert shown_whole_percent(row) == math.floor(row.weighted_percent + 0.5)


# ---- the fast path equals the per-cell reference -------------------------------------------


def per_cell_reference(study: Study, data: AnalysisData, method: Method) -> dict[Key, Proportion]:
    """Every share estimated the slow, obvious way: one svyby-like `proportions_by` call per
    figure, item, breakdown and category on the design over all respondents (the code
    add_uncertainty used before its closed form)."""
    weights = data.weights if data.weights is not None else np.ones(data.respondents.height)
    design = Design.create(weights)
    found: dict[Key, Proportion] = {}
    for figure in study.figures:
        for item in layout.figure_items(figure):
            if figure.statistic_for(item) not in SHARES:
                continue
            for by in figure.breakdowns:
                if study.comparison(by) is not None:
                    found.update(comparison_reference(study, data, figure, item, by, method))
                    continue
                frame = data.respondents
                base = frame.select(base_expr(study.question(item), study)).to_series().to_numpy()
                groups = None if by == "none" else frame[by].cast(pl.String).to_list()
                in_groups = base if groups is None else base & np.array([g is not None for g in groups])
                sets = layout.top_bottom(study, figure, item)
                for category in layout.categories(study, figure, item):
                    labels = list(sets.get(category, (category,)))
                    if study.question(item).type == "multi":
                        hit = frame.select(pl.col(item).list.eval(
                            pl.element().cast(pl.String).is_in(labels)).list.any()).to_series()
                    else:
                        hit = frame[item].cast(pl.String).is_in(labels)
                    y = hit.fill_null(False).to_numpy()
                    key = (figure.id, item, by)
                    if groups is not None:
                        for estimate in proportions_by(design, y, groups, base, method=method,
                                                       order=study.group_labels(by)):
                            found[(*key, estimate.group, category)] = estimate
                    if in_groups.any():
                        found[(*key, "Totalt", category)] = proportion(design, y, in_groups,
                                                                       method=method)
    return found


def comparison_reference(study: Study, data: AnalysisData, figure: Figure, item: str, by: str,
                         method: Method) -> dict[Key, Proportion]:
    """The sample side of a sample/population figure: a design over its own rows."""
    comparison = study.comparison(by)
    assert comparison is not None
    found = {}
    for group in comparison.groups:
        if group.source == "register":
            continue
        frame = data.respondents
        if group.when is not None:
            frame = frame.filter(condition_expr(parse_condition(group.when), study))
        values = frame[figure.variables.get(item, item)].cast(pl.String)
        base = values.is_not_null().to_numpy()
        if base.sum() < 2:
            continue
        found_weights = frame_weights(frame)
        weights = found_weights if found_weights is not None else np.ones(frame.height)
        for category in layout.variable_categories(study, figure, item):
            y = (values == category).fill_null(False).to_numpy()
            found[(figure.id, item, by, group.label, category)] = proportion(
                Design.create(weights), y, base, method=method, group=group.label)
    return found


def with_random_weights(data: AnalysisData) -> AnalysisData:
    weights = np.random.default_rng(4).uniform(0.2, 3.0, data.respondents.height)
    return data.with_weights(weights)


@pytest.mark.parametrize("method", ["logit", "beta", "wilson"])
@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
def test_every_share_equals_the_per_cell_reference(study: Study, analysis: AnalysisData,
                                                   tables: Tables, weighted: bool,
                                                   method: Method) -> None:
    data = with_random_weights(analysis) if weighted else analysis
    fast = add_uncertainty(study, data, tables, method)
    reference = per_cell_reference(study, data, method)
    census = {r.key for r in fast if r.group == "Populasjon"}
    shares = {r.key for r in fast if r.se is not None and category_value(r.category) == "share"}
    assert reference and shares == set(reference) | census
    for row in fast:
        want = reference.get(row.key)
        if want is None:
            continue
        assert row.se is not None and row.ci_low is not None and row.ci_high is not None
        assert row.weighted_percent is not None and row.weighted_base is not None
        pairs = [(row.se, 100 * want.se), (row.ci_low, 100 * want.ci_low),
                 (row.ci_high, 100 * want.ci_high)]
        if weighted:
            pairs.append((row.weighted_percent, 100 * want.estimate))
            assert row.weighted_base == pytest.approx(want.weighted_base, rel=1e-13, abs=0)
        else:
            assert 100 * want.estimate == pytest.approx(row.percent, abs=1e-12)
        for got, ref in pairs:  # percent scale, absolute
            assert (math.isnan(got) and math.isnan(ref)) or abs(got - ref) <= 1e-12, \
                (row.key, got, ref)


def test_weighted_comparisons_are_the_same_number_in_every_run(study: Study,
                                                               analysis: AnalysisData,
                                                               tables: Tables) -> None:
    # The sample-vs-population shares sum weights per category; summed in a group_by, the last
    # digit (and so tables.csv) changed from run to run.
    data = with_random_weights(analysis)
    runs = [[(r.key, r.weighted_percent, r.weighted_base, r.se, r.ci_low, r.ci_high)
             for r in add_uncertainty(study, data, tables, "logit")
             if study.comparison(r.by) is not None] for _ in range(4)]
    assert runs[0] and all(run == runs[0] for run in runs[1:])


def test_a_weighted_share_of_100_percent_has_se_0_as_in_r() -> None:
    # Every respondent said yes: R's residuals are all 0, so its SE is 0. The sums of squared
    # weights of all and of the yes-sayers can differ in the last bit by rounding; that is no
    # variance below 0 (and no NaN).
    import warnings

    from tverrsnitt.tabulate.closed_form import share_and_se

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        p, se = share_and_se(3, 1.0, 0.54, 1.0, 0.5400000000000001)
    assert float(p) == 1.0 and float(se) == 0.0
