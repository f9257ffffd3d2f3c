"""The chart stage: files, chart data (order, labels, N) and layout, checked against the report."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import matplotlib
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg

from tverrsnitt.chart import Chart, ChartCache, ChartError, chart_data, draw, render_charts, stacked, style
from tverrsnitt.chart.data import ChartData
from tverrsnitt.study import Study
from tverrsnitt.study.model import ChartSpec
from tverrsnitt.tabulate import Tables, whole_percent

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "skolemiljo-2023"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def rendered(study: Study, tables: Tables, tmp_path_factory: pytest.TempPathFactory
             ) -> tuple[dict[str, Chart], list[str]]:
    """Every chart of the example (from the run's chart cache where another test drew it:
    byte for byte the drawn chart, tests/test_chart_cache.py)."""
    seen: list[str] = []
    charts = render_charts(study, tables, tmp_path_factory.mktemp("report"), progress=seen.append)
    return charts, seen


@pytest.fixture(scope="module")
def charts(rendered: tuple[dict[str, Chart], list[str]]) -> dict[str, Chart]:
    return rendered[0]


def data_for(study: Study, tables: Tables, figure_id: str) -> ChartData:
    data = chart_data(study, study.figure(figure_id), tables)
    assert data is not None
    return data


def only(tables: Tables, *figure_ids: str) -> Tables:
    return Tables(row for row in tables if row.figure in figure_ids)


# ----------------------------------------------------------------------------- files


def test_every_chart_figure_gets_a_valid_svg_and_png(study: Study, tables: Tables,
                                                      charts: dict[str, Chart]) -> None:
    expected = [f.id for f in study.figures if not f.is_table and tables.has_figure(f.id)]
    assert list(charts) == expected
    assert len(expected) == 43
    for figure_id, chart in charts.items():
        stem = "figur-" + figure_id.replace(".", "-")
        assert chart.figure_id == figure_id
        assert chart.svg.is_absolute() and chart.png.is_absolute()
        assert (chart.svg.parent.name, chart.svg.name) == ("figurer", f"{stem}.svg")
        assert chart.png.name == f"{stem}.png"
        assert chart.png.read_bytes()[:8] == PNG_SIGNATURE
        root = ET.parse(chart.svg).getroot()
        assert root.tag == "{http://www.w3.org/2000/svg}svg"
        assert chart.alt.startswith("Liggende") and chart.alt.endswith(".")


def test_tables_get_no_chart(charts: dict[str, Chart]) -> None:
    assert not [figure_id for figure_id in charts if figure_id.startswith("T")]


def test_progress_is_reported_once_per_chart_in_order(rendered: tuple[dict[str, Chart], list[str]]) -> None:
    charts, seen = rendered
    assert seen == list(charts)


def test_figures_without_rows_are_skipped(study: Study, tables: Tables, tmp_path: Path) -> None:
    # As when the register is missing: the 2.x figures have no rows and get no chart.
    charts = render_charts(study, only(tables, "4.10", "5.2"), tmp_path)
    assert list(charts) == ["4.10", "5.2"]
    assert sorted(p.name for p in (tmp_path / "figurer").iterdir()) == [
        "figur-4-10.png", "figur-4-10.svg", "figur-5-2.png", "figur-5-2.svg"]


def test_rendering_is_byte_identical(study: Study, tables: Tables, charts: dict[str, Chart],
                                     tmp_path: Path) -> None:
    again = render_charts(study, only(tables, "4.3", "4.10", "2.3"), tmp_path, cache=ChartCache(None))
    for figure_id, chart in again.items():
        assert chart.svg.read_bytes() == charts[figure_id].svg.read_bytes()
        assert chart.png.read_bytes() == charts[figure_id].png.read_bytes()


def test_svg_keeps_text_norwegian_labels_and_n(charts: dict[str, Chart]) -> None:
    svg = charts["4.10"].svg.read_text(encoding="utf-8")
    # N as every caption and table writes it: "N = 2 226", no-break spaces.
    for text in ("Totalt (N\u00a0=\u00a02\u00a0226)",
                 "Barne- og ungdomsarbeider (N\u00a0=\u00a01\u00a0082)", "I svært liten grad",
                 "I svært stor grad", "Prosent"):
        assert text in svg
    assert "Utvalg (N\u00a0=\u00a0468)" in charts["2.1"].svg.read_text(encoding="utf-8")
    # No chart title inside the image: the report prints the caption.
    assert "Figur 4.10" not in svg


# ----------------------------------------------------------------------------- stacked


def test_stacked_totalt_row_of_figure_4_10(study: Study, tables: Tables) -> None:
    data = data_for(study, tables, "4.10")
    assert data.kind == "stacked"
    rows = data.panels[0].rows
    assert rows[-1].group == "Totalt"
    total = rows[-1]
    assert total.label == "Totalt (N\u00a0=\u00a02\u00a0226)"
    assert total.base == 2226
    # Report, section 4.2: 'bare syv prosent' (2 + 5) and '20 prosent ... i svært stor grad'.
    assert [v.label for v in total.values] == [2, 5, 25, 48, 20]
    for value in total.values:
        cell = tables.get("4.10", "q410_utnytte", "yrkesgruppe", "Totalt", value.series)
        assert cell is not None
        assert value.label == whole_percent(cell.count, cell.base)
        assert value.percent == cell.percent


def test_stacked_categories_are_the_options_low_to_high_without_top2(study: Study, tables: Tables) -> None:
    data = data_for(study, tables, "4.1")
    assert [s.name for s in data.series] == list(study.question("q41_saerskilte_behov").options)
    assert data.ordinal
    rows = data.panels[0].rows
    assert [r.item for r in rows] == list(study.figure("4.1").items)
    assert rows[0].label == "Elever med særskilte behov (N\u00a0=\u00a02\u00a0247)"
    for row in rows:
        assert len(row.values) == 5
        assert round(sum(v.percent for v in row.values), 6) == 100


def test_segment_labels_under_three_are_hidden(study: Study, tables: Tables) -> None:
    rows = {r.group: r for r in data_for(study, tables, "4.10").panels[0].rows}
    # Barne- og ungdomsarbeider: 'I svært liten grad' is 1 % -> no label; 'I liten grad' 5 %.
    labels = [stacked.segment_text(v) for v in rows["Barne- og ungdomsarbeider"].values]
    assert labels == ["", "5", "25", "48", "22"]
    # Skoleassistent/miljøarbeider: 3 % is the smallest label still printed.
    assert stacked.segment_text(rows["Skoleassistent/miljøarbeider"].values[0]) == "3"
    # Lærer (uten godkjenning): two empty categories.
    assert [stacked.segment_text(v) for v in rows["Lærer (uten godkjenning)"].values][:2] == ["", ""]


def test_figure_4_13_is_sorted_by_same_level_with_totalt_last(study: Study, tables: Tables) -> None:
    data = data_for(study, tables, "4.13")
    rows = data.panels[0].rows
    assert [r.group for r in rows] == [
        "Miljøterapeut/spesped/BSV", "Barne- og ungdomsarbeider", "SFO-leder/Base-leder", "Annet",
        "Skoleassistent/miljøarbeider", "Lærer (uten godkjenning)", "Totalt",
    ]
    same = "Arbeidsoppgavene krever utdanning på samme nivå"
    shares = [tables.get("4.13", "q412_niva", "yrkesgruppe", r.group or "", same) for r in rows[:-1]]
    percents = [c.percent for c in shares if c is not None]
    assert percents == sorted(percents, reverse=True)
    by_group = {r.group: {v.series: v.label for v in r.values} for r in rows}
    # Report, section 4.3: 67 % (miljøterapeuter ...), 40 % (skoleassistenter), 32 % and 64 %
    # 'høyere nivå' (lærere uten godkjenning).
    assert by_group["Miljøterapeut/spesped/BSV"][same] == 67
    assert by_group["Skoleassistent/miljøarbeider"][same] == 40
    assert by_group["Lærer (uten godkjenning)"][same] == 32
    assert by_group["Lærer (uten godkjenning)"]["Arbeidsoppgavene krever utdanning på et høyere nivå"] == 64


def test_figure_5_5_is_sorted_by_agreement(study: Study, tables: Tables) -> None:
    rows = data_for(study, tables, "5.5").panels[0].rows
    assert [r.item for r in rows] == ["q55_familie", "q55_transport", "q55_sprak", "q55_mestringstro"]


def test_battery_order_is_kept_without_sort(study: Study, tables: Tables) -> None:
    rows = data_for(study, tables, "6.9").panels[0].rows
    assert [r.item for r in rows] == list(study.figure("6.9").items)


# ----------------------------------------------------------------------------- grouped and bars


def test_top2_by_group_is_grouped_with_n_ranges_in_the_legend(study: Study, tables: Tables) -> None:
    data = data_for(study, tables, "4.3")
    assert data.kind == "grouped"
    assert [s.name for s in data.series][-1] == "Totalt"
    assert len(data.series) == 7
    legends = {s.name: s.legend for s in data.series}
    assert legends["SFO-leder/Base-leder"] == "SFO-leder/Base-leder (N\u00a0=\u00a052–54)"
    rows = data.panels[0].rows
    assert rows[0].label == "Elever med særskilte behov"
    cell = tables.get("4.3", "q41_saerskilte_behov", "yrkesgruppe", "Totalt", "top2")
    assert cell is not None
    assert rows[0].values[-1].label == whole_percent(cell.count, cell.base)


def test_figure_3_3_shows_fast_ansatt_and_heltid_but_not_the_mean(study: Study, tables: Tables) -> None:
    data = data_for(study, tables, "3.3")
    assert data.kind == "grouped"
    rows = data.panels[0].rows
    assert [r.item for r in rows] == ["b4_ansettelse", "b5_heltid"]
    heltid = {v.series: v.label for v in rows[1].values}
    # Report, section 3.3: 74 % (SFO), 69 % (lærere uten godkjenning), 59 % (miljøterapeuter) heltid.
    assert (heltid["SFO-leder/Base-leder"], heltid["Lærer (uten godkjenning)"],
            heltid["Miljøterapeut/spesped/BSV"]) == (74, 69, 59)


def test_figure_2_3_shows_only_the_declared_occupations(study: Study, tables: Tables) -> None:
    data = data_for(study, tables, "2.3")
    occupations, union = data.panels
    assert occupations.title == "Yrke" and union.title == "Tillitsvalgt"
    assert [r.label for r in occupations.rows] == [
        "Barne- og ungdomsarbeider", "Assistent", "Miljøarbeider", "Fagarbeider", "Miljøterapeut",
        "Helsefagarbeider", "SFO-leder", "Vernepleier", "Spesialpedagog", "Lærer",
    ]
    assert [r.label for r in union.rows] == ["Ja"]
    assert [s.legend for s in data.series] == ["Utvalg (N\u00a0=\u00a0468)",
                                               "Populasjon (N\u00a0=\u00a018\u00a0881)"]


def test_figure_4_19_is_one_bar_per_partner_with_the_share_ja(study: Study, tables: Tables) -> None:
    data = data_for(study, tables, "4.19")
    assert data.kind == "bars"
    rows = data.panels[0].rows
    assert len(rows) == 10
    # Report, section 4.4: kontaktlærer 97, rektor 82, andre fagpersoner ved skolen 73, PPT 49.
    labels = {r.item: r.values[0].label for r in rows}
    assert (labels["q419_kontaktlaerer"], labels["q419_rektor"], labels["q419_andre_fagpersoner_skolen"],
            labels["q419_ppt"]) == (97, 82, 73, 49)
    assert rows[0].label == "Kontaktlærer (N\u00a0=\u00a02\u00a0232)"


def test_selected_share_bars(study: Study, tables: Tables) -> None:
    activities = data_for(study, tables, "5.1")
    assert activities.kind == "bars"
    assert activities.axis_label == "Prosent (N\u00a0=\u00a02\u00a0022)"
    shares = {r.label: r.values[0].label for r in activities.panels[0].rows}
    # Report, section 5.1: 47 % took part in none, 35 % in courses/seminars.
    assert shares["Har ikke deltatt på noen av aktivitetene"] == 47
    assert shares["Kurs/seminarer"] == 35

    parts = data_for(study, tables, "5.2")
    assert [p.title for p in parts.panels] == ["Skoletype", "Yrkesgruppe"]
    assert [r.group for r in parts.panels[1].rows][-1] == "Totalt"
    # Report, section 5.1: 37, 30 and 13 % of three groups took part in none.
    lower = {r.group: r.values[0].label for r in parts.panels[1].rows}
    assert (lower["Lærer (uten godkjenning)"], lower["Miljøterapeut/spesped/BSV"],
            lower["SFO-leder/Base-leder"]) == (37, 30, 13)

    by_group = data_for(study, tables, "5.3")
    assert by_group.kind == "grouped"
    assert [r.label for r in by_group.panels[0].rows] == list(study.figure("5.3").options or ())


# ----------------------------------------------------------------------------- layout


def test_every_chart_fits_its_page(study: Study, tables: Tables) -> None:
    """Nothing is clipped: every label, legend entry and note lies inside the saved image."""
    with matplotlib.rc_context(style.RC):
        for figure in study.figures:
            if figure.is_table or not tables.has_figure(figure.id):
                continue
            page = draw(data_for(study, tables, figure.id))
            width, height = page.get_size_inches()
            used = page.get_tightbbox(FigureCanvasAgg(page).get_renderer())
            assert used.x0 >= 0 and used.y0 >= 0, figure.id
            assert used.x1 <= width and used.y1 <= height, figure.id
            assert width == style.FIGURE_WIDTH


def test_text_colour_follows_the_fill() -> None:
    light, *_, dark = style.sequential(5)
    assert style.text_colour(light) == style.TEXT
    assert style.text_colour(dark) == style.TEXT_ON_DARK
    assert style.text_colour("#F0E442") == style.TEXT  # Okabe–Ito yellow


# ----------------------------------------------------------------------------- declarations


def test_misspelt_chart_declarations_are_reported(study: Study, tables: Tables) -> None:
    partners = study.figure("4.19")
    typo = partners.model_copy(update={"chart": ChartSpec(kind="bars", show_categories=("Jaa",))})
    with pytest.raises(ChartError, match="Did you mean 'Ja'"):
        chart_data(study, typo, tables)
    parts = study.figure("5.2").model_copy(update={"chart": ChartSpec(parts=("skoletype", "skoleslag"))})
    with pytest.raises(ChartError, match="not the figure's by or also_by"):
        chart_data(study, parts, tables)


def test_without_the_register_the_comparison_shows_the_sample_alone(study: Study, tables: Tables) -> None:
    # Tabulate leaves the population side out (with a note) when the register is missing.
    sample_only = Tables(row for row in only(tables, "2.1") if row.group != "Populasjon")
    data = data_for(study, sample_only, "2.1")
    assert [s.legend for s in data.series] == ["Utvalg (N\u00a0=\u00a0468)"]
    assert chart_data(study, study.figure("2.1"), only(tables, "4.10")) is None


def test_every_chart_kind_the_definition_allows_has_a_renderer() -> None:
    """study/charts.py lists the kinds validation accepts; the chart stage draws each of them
    (a new kind added to one list and not the other fails here), and each has alt-text words
    for what it can draw."""
    from tverrsnitt.chart import KINDS
    from tverrsnitt.study.charts import CHART_KINDS, DRAWN

    assert sorted(KINDS) == sorted(DRAWN)
    for name, kind in KINDS.items():
        values = CHART_KINDS[name].values
        assert ("share" in values) == (kind.shares is not None) == (kind.shares_words is not None)
        assert ("number" in values) == (kind.numbers_words is not None)
