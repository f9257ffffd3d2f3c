"""Every share in tables.csv carries R survey's SE and confidence interval."""

from __future__ import annotations

import csv
import math
from collections.abc import Callable
from pathlib import Path

import pytest

from tverrsnitt.clean import AnalysisData
from tverrsnitt.cli import main
from tverrsnitt.pipeline import build_report
from tverrsnitt.study import Study
from tverrsnitt.tabulate import Tables, write_tables_csv
from tverrsnitt.tabulate.disclosure import suppressed_cells
from tverrsnitt.tabulate.uncertainty import add_uncertainty

from .conftest import EXAMPLE, EXPORT_CSV, TEST_DATA

R_FIXTURES = TEST_DATA / "r" / "design_proportions.csv"


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
        marked = {tuple(r[:5]) for r in csv.reader(handle) if r[-1] == "true"}
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


def test_weighted_report_matches_r(tmp_path: Path) -> None:
    result = build_report(EXAMPLE, tmp_path / "out", data=export_with_weights(tmp_path, made_up),
                          weight="Vekt")
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


def test_published_output_shows_the_weighted_shares(study: Study, tmp_path: Path) -> None:
    from tverrsnitt.chart import chart_data
    from tverrsnitt.tabulate import shown_whole_percent

    result = build_report(EXAMPLE, tmp_path / "out", data=export_with_weights(tmp_path, made_up),
                          weight="Vekt")
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
