"""The chart cache: a chart copied from it is byte for byte the chart drawn, and a change of
its data, the drawing code or the libraries draws it again — that chart and no other."""

from __future__ import annotations

from pathlib import Path

import matplotlib
import pytest

from tverrsnitt.chart import ChartCache, chart_data, render_charts
from tverrsnitt.chart import cache as chart_cache
from tverrsnitt.study import Study, load_study
from tverrsnitt.tabulate import Tables

from .conftest import edit

SOME = ("4.10", "4.1", "2.3", "3.1", "5.1")


def files(charts: dict) -> dict[str, tuple[bytes, bytes]]:
    return {key: (c.svg.read_bytes(), c.png.read_bytes()) for key, c in charts.items()}


def test_a_kept_chart_is_the_drawn_chart_and_an_edit_redraws_exactly_its_chart(
        study: Study, tables: Tables, copy: Path, tmp_path: Path) -> None:
    # Figures of each kind the example draws (stacked, grouped, bars), Figur 4.10 among them;
    # the chart data further down are compared over all figures.
    some = Tables(r for r in tables if r.figure in SOME)
    cold = ChartCache(tmp_path / "cache")  # empty: every chart is drawn
    drawn = files(render_charts(study, some, tmp_path / "cold", cache=cold))
    assert sorted(drawn) == sorted(SOME)
    assert {getattr(chart_data(study, study.figure(f), tables), "kind", None) for f in SOME} \
        == {"stacked", "grouped", "bars"}
    assert (cold.hits, cold.misses) == (0, len(drawn))
    warm = ChartCache(tmp_path / "cache")
    assert files(render_charts(study, some, tmp_path / "warm", cache=warm)) == drawn
    assert (warm.hits, warm.misses) == (len(drawn), 0)

    # A note under Figur 4.10's chart: its chart data change, no other figure's do.
    edit(copy / "figures.yaml", "    by: yrkesgruppe\n    base: analysed respondents with a valid "
         "answer to the item\n    note: Data labels survive.",
         "    by: yrkesgruppe\n    chart:\n      note: Merknad under figuren.\n    base: analysed "
         "respondents with a valid answer to the item\n    note: Data labels survive.")
    edited = load_study(copy)
    changed = {f.id for f in study.figures if not f.is_table
               and chart_data(study, f, tables) != chart_data(edited, edited.figure(f.id), tables)}
    assert changed == {"4.10"}
    again = ChartCache(tmp_path / "cache")
    after = files(render_charts(edited, some, tmp_path / "after", cache=again))
    assert (again.hits, again.misses) == (len(drawn) - 1, 1)  # only Figur 4.10 drawn again
    redrawn = files(render_charts(edited, Tables(r for r in tables if r.figure == "4.10"),
                                  tmp_path / "redrawn", cache=ChartCache(None)))
    assert after["4.10"] == redrawn["4.10"] != drawn["4.10"]
    assert {k: v for k, v in after.items() if k != "4.10"} == \
        {k: v for k, v in drawn.items() if k != "4.10"}


def test_the_key_follows_the_drawing_code_and_the_libraries(
        study: Study, tables: Tables, monkeypatch: pytest.MonkeyPatch) -> None:
    data = chart_data(study, study.figure("4.10"), tables)
    assert data is not None
    cache = ChartCache(None)
    before = cache.key(data)
    read = Path.read_bytes

    # The drawing code of a kind, and the number formatting the renderers use.
    for edited in ("stacked.py", "numbers.py"):
        def one_more_line(path: Path, edited: str = edited) -> bytes:
            return read(path) + (b"\n# edited\n" if path.name == edited else b"")

        with monkeypatch.context() as patch:
            chart_cache._code.cache_clear()
            patch.setattr(Path, "read_bytes", one_more_line)
            assert cache.key(data) != before, edited
    with monkeypatch.context() as patch:
        chart_cache._code.cache_clear()
        patch.setattr(matplotlib, "__version__", "0.0.0")
        assert cache.key(data) != before
    chart_cache._code.cache_clear()
    assert cache.key(data) == before


def test_where_the_cache_is(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("TVERRSNITT_CACHE", str(tmp_path))
    assert chart_cache.default_folder() == tmp_path / "charts"
    for off in ("off", "OFF", "0", ""):
        monkeypatch.setenv("TVERRSNITT_CACHE", off)
        assert chart_cache.default_folder() is None
    monkeypatch.delenv("TVERRSNITT_CACHE")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert chart_cache.default_folder() == tmp_path / "xdg" / "tverrsnitt" / "charts"


def test_a_folder_that_cannot_be_written_only_costs_the_speed_up(
        study: Study, tables: Tables, tmp_path: Path) -> None:
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the cache folder would be", encoding="utf-8")
    cache = ChartCache(blocked / "charts")
    only = Tables(r for r in tables if r.figure == "4.10")
    charts = render_charts(study, only, tmp_path / "out", cache=cache)
    assert charts["4.10"].svg.read_bytes().startswith(b"<?xml")
    assert (cache.hits, cache.misses) == (0, 1)
