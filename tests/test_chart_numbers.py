"""Charts of numbers: a dot per group or statement at its mean, median or net score, with the
95 % interval as whiskers, on the number's own axis; every dot is a table cell."""

from __future__ import annotations

from pathlib import Path

import matplotlib
import pytest

from tverrsnitt.chart import chart_data, draw, style
from tverrsnitt.chart.describe import alt_text
from tverrsnitt.numbers import n_text
from tverrsnitt.pipeline import RunOptions, compute
from tverrsnitt.study import Study, load_study
from tverrsnitt.tabulate import Tables

from .conftest import ROOT

SECOND = ROOT / "examples" / "arbeidsmiljo-2025"


@pytest.fixture(scope="module")
def run() -> tuple[Study, Tables]:
    study = load_study(SECOND)
    return study, compute(study, RunOptions()).tables


def test_a_mean_by_group_is_a_dot_per_group_with_its_interval(run: tuple[Study, Tables]) -> None:
    study, tables = run
    data = chart_data(study, study.figure("2.2"), tables)
    assert data is not None and data.kind == "dots" and data.rows_are == "groups"
    rows = data.panels[0].rows
    assert [r.group for r in rows] == [*study.group_labels("yrkesgruppe"), "Totalt"]
    for row in rows:
        [value] = row.values
        cell = tables.get("2.2", "b4_timer", "yrkesgruppe", row.group or "", "mean")
        assert cell is not None and cell.estimate is not None
        assert (value.percent, value.low, value.high) == (cell.estimate, cell.ci_low, cell.ci_high)
        assert value.label == f"{cell.estimate:.1f}".replace(".", ",")
        assert row.label.endswith(f"({n_text([cell.base])})")
    assert data.axis.low == 0 and data.axis.high >= max(r.values[0].high or 0 for r in rows)
    assert data.axis_label == "Gjennomsnitt, timer" and "95 prosent" in (data.note or "")
    assert "Punktdiagram med 95 prosent konfidensintervall: gjennomsnittet" in alt_text(
        study, study.figure("2.2"), data)


def test_a_net_score_has_its_own_axis_and_signed_labels(run: tuple[Study, Tables]) -> None:
    study, tables = run
    data = chart_data(study, study.figure("5.2"), tables)
    assert data is not None
    assert (data.axis.low, data.axis.high) == (-100, 100)
    assert data.axis.labels == ("\u2212100", "\u221250", "0", "50", "100")
    total = tables.get("5.2", "q5_anbefale", "yrkesgruppe", "Totalt", "net")
    assert total is not None and total.estimate is not None
    [value] = data.panels[0].rows[-1].values
    assert value.label == ("+" if total.estimate > 0 else "\u2212") + str(abs(round(total.estimate)))


def test_several_items_by_group_are_clusters_on_the_scale_axis(run: tuple[Study, Tables]) -> None:
    study, tables = run
    data = chart_data(study, study.figure("5.4"), tables)
    assert data is not None and data.rows_are == "items" and len(data.series) == 6
    assert (data.axis.low, data.axis.high) == (0, 10)  # the 0–10 scale's own range
    assert [r.item for r in data.panels[0].rows] == ["q5_anbefale", "q6_fornoyd"]


def test_the_svg_prints_every_dot_and_whisker(run: tuple[Study, Tables], tmp_path: Path) -> None:
    study, tables = run
    data = chart_data(study, study.figure("2.2"), tables)
    assert data is not None
    with matplotlib.rc_context(style.RC):
        figure = draw(data)
        figure.savefig(tmp_path / "dots.svg", format="svg", metadata=style.SVG_METADATA)
    svg = (tmp_path / "dots.svg").read_text(encoding="utf-8")
    for row in data.panels[0].rows:
        assert f">{row.values[0].label}<" in svg
    assert "Gjennomsnitt, timer" in svg


def test_a_group_without_answers_gets_no_dot_at_zero(run: tuple[Study, Tables]) -> None:
    study, tables = run
    figure = study.figure("2.2")
    emptied = Tables([r if r.group != "Assistent" else
                      r.__class__(r.figure, r.item, r.by, r.group, r.category, 0, 0, None)
                      for r in tables.rows], min_cell=None)
    data = chart_data(study, figure, emptied)
    assert data is not None and "Assistent" not in [r.group for r in data.panels[0].rows]
