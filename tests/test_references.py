"""Reference surveys: published values declared in figures.yaml, checked at validate time,
marked on the charts and listed under the numbers tables."""

from __future__ import annotations

import re
from pathlib import Path

import matplotlib
import pytest
from matplotlib.figure import Figure as MplFigure

from tverrsnitt.chart import ChartError, chart_data, draw, render_charts, style
from tverrsnitt.chart.canvas import PanelBox
from tverrsnitt.chart.data import ChartData, Panel
from tverrsnitt.chart.references import Mark, ReferenceKey
from tverrsnitt.errors import StudyDefinitionError
from tverrsnitt.report.grids import figure_grids
from tverrsnitt.study import Study, load_study
from tverrsnitt.study.model import ReferenceValue
from tverrsnitt.tabulate import Tables

NBSP = "\u00a0"
FIGURES_WITH_REFERENCES = ["4.8", "4.10", "4.11", "4.12", "4.14", "4.15", "5.1", "5.9", "6.1",
                           "6.6", "6.9"]


def data_for(study: Study, tables: Tables, figure_id: str) -> ChartData:
    data = chart_data(study, study.figure(figure_id), tables)
    assert data is not None
    return data


def marks_by_row(data: ChartData) -> dict[str, list[tuple[str, float, float]]]:
    return {row.label: [(m.source, round(m.low, 6), round(m.high, 6)) for m in row.marks]
            for panel in data.panels for row in panel.rows if row.marks}


# ----------------------------------------------------------------------------- definition


def test_sources_are_declared_once_and_shared_by_figures(study: Study) -> None:
    assert [f.id for f in study.figures if f.reference_values] == FIGURES_WITH_REFERENCES
    talis = study.figure("5.1").reference_source("talis2018")
    assert (talis.name, talis.population) == ("TALIS 2018", "lærere på ungdomstrinnet")
    assert talis.citation == "Throndsen, Carlsten og Björnsson 2019"
    # The same anchor gives 6.6 the very same source.
    assert study.figure("6.6").reference_source("talis2018") == talis
    society = study.figure("6.1").reference_values[0]
    assert (society.source, society.category, society.value) == ("talis_ss2018", "top2", (52, 58))
    assert society.is_range and (society.low, society.high) == (52, 58)


def edit(path: Path, old: str, new: str, nth: int = 1) -> None:
    """Replace the `nth` occurrence of `old`."""
    text = path.read_text(encoding="utf-8")
    at = -1
    for _ in range(nth):
        at = text.index(old, at + 1)
    path.write_text(text[:at] + new + text[at + len(old):], encoding="utf-8")


def problems_of(folder: Path) -> str:
    with pytest.raises(StudyDefinitionError) as caught:
        load_study(folder)
    return caught.value.message


def line_of(folder: Path, text: str) -> int:
    lines = (folder / "figures.yaml").read_text(encoding="utf-8").splitlines()
    return next(n for n, line in enumerate(lines, 1) if text in line)


def test_unknown_source_item_and_category_are_located(copy: Path) -> None:
    figures = copy / "figures.yaml"
    edit(figures, "{source: talis_ss2018, item: q66_lonn, category: top2, value: 30}",
         "{source: talis_ss2108, item: q66_lonn, category: top2, value: 30}")
    edit(figures, "{source: kandidat2021, item: q411_krever_mer, category: bottom2, value: 38}",
         "{source: kandidat2021, item: q411_krever_mindre, category: bottom2, value: 38}")
    edit(figures, "{source: kandidat2021, item: q410_utnytte, category: I stor grad, value: 37}",
         "{source: kandidat2021, item: q410_utnytte, category: I stor grader, value: 37}")
    message = problems_of(copy)
    line = line_of(copy, "source: talis_ss2108")
    assert (f"figures.yaml, line {line}, at figures[40 '6.6'].reference_values[2].source: "
            "unknown reference source of this figure 'talis_ss2108'") in message
    assert "Did you mean 'talis_ss2018'?" in message
    assert ("figures[18 '4.11'].reference_values[0].item: unknown item of this figure "
            "'q411_krever_mindre'; expected one of ['q411_krever_mer']") in message
    assert ("figures[17 '4.10'].reference_values[0].category: unknown category of "
            "'q410_utnytte' 'I stor grader'") in message
    assert "Did you mean 'I stor grad'?" in message


def test_a_share_figure_takes_only_its_own_share(copy: Path) -> None:
    # Figur 4.15 shows top2 only: a single option has no bar to sit on.
    edit(copy / "figures.yaml", "item: q414_roller, category: top2,",
         "item: q414_roller, category: I stor grad,", nth=2)
    message = problems_of(copy)
    assert ("figures[22 '4.15'].reference_values[1].category: unknown category of 'q414_roller' "
            "'I stor grad'; expected one of ['top2']") in message


def test_values_must_be_percents_and_ranges_low_to_high(copy: Path) -> None:
    figures = copy / "figures.yaml"
    edit(figures, "item: q59_insentiver, category: top2, value: 33}",
         "item: q59_insentiver, category: top2, value: 133}")
    edit(figures, "item: q61_samfunnet, category: top2, value: [52, 58]}",
         "item: q61_samfunnet, category: top2, value: [58, 52]}")
    message = problems_of(copy)
    assert (f"line {line_of(copy, 'value: 133')}, at figures[35 '5.9'].reference_values[0]"
            ".value: reference value 133 is not a percent between 0 and 100") in message
    assert (f"line {line_of(copy, 'value: [58, 52]')}, at figures[39 '6.1'].reference_values[0]"
            ".value: range [58, 52] has its low end above its high end") in message


def test_a_source_defined_at_the_top_must_be_listed_by_the_figure(copy: Path) -> None:
    edit(copy / "figures.yaml", "{source: talis2018_flere, item: q59_insentiver",
         "{source: talis2018, item: q59_insentiver")
    message = problems_of(copy)
    assert "figures[35 '5.9'].reference_values[0].source: unknown reference source" in message
    assert "add *talis2018 to this figure's 'references'" in message


def test_source_fields_and_duplicates(copy: Path) -> None:
    figures = copy / "figures.yaml"
    edit(figures, "    references: [*kandidat2021]\n    reference_values:\n"
         "      - {source: kandidat2021, item: q411_krever_mer",
         "    references: [*kandidat2021, *kandidat2021]\n    reference_values:\n"
         "      - {source: kandidat2021, item: q411_krever_mer")
    edit(figures, "      - {source: talis_ss2018, item: q69_velge_igjen, category: top2, value: 96}",
         "      - {source: talis_ss2018, item: q69_velge_igjen, category: top2, value: 96}\n"
         "      - {source: talis_ss2018, item: q69_velge_igjen, category: top2, value: 95}")
    message = problems_of(copy)
    assert ("figures[18 '4.11'].references[1 'kandidat2021'].id: reference source 'kandidat2021' is listed "
            "more than once") in message
    assert ("figures[43 '6.9'].reference_values[3]: 'talis_ss2018' gives 'q69_velge_igjen' / "
            "'top2' twice; tell the values apart with a 'note'") in message


def test_a_broken_source_is_reported_where_figures_use_it(copy: Path) -> None:
    edit(copy / "figures.yaml", "    population: fagskoleutdannede\n",
         "    populasjon: fagskoleutdannede\n")
    message = problems_of(copy)
    # The alias resolves to the anchor: the line is the source's, the key path the figure's.
    line = line_of(copy, "populasjon: fagskoleutdannede")
    assert (f"line {line}, at figures[15 '4.8'].references[1 'fagskole2023'].populasjon: "
            "unknown key") in message
    assert "figures[19 '4.12'].references[0 'fagskole2023'].population: required key" in message


def test_an_inner_option_needs_the_values_on_one_side(copy: Path) -> None:
    edit(copy / "figures.yaml",
         "      - {source: kandidat2021, item: q410_utnytte, category: I svært stor grad, value: 35}\n",
         "")
    message = problems_of(copy)
    assert ("figures[17 '4.10'].reference_values[0].category: 'I stor grad' lies inside the "
            "scale of 'q410_utnytte'") in message
    assert "['I svært stor grad'] as well, or use top2/bottom2" in message


# ----------------------------------------------------------------------------- chart data


def test_stacked_top2_and_end_options_are_counted_from_their_end(study: Study,
                                                                 tables: Tables) -> None:
    # 4.10: 35 % 'I svært stor grad' is the last 35 % of the bar; with 37 % 'I stor grad' the
    # two start 72 % from the right end. Only the Totalt row is compared.
    assert marks_by_row(data_for(study, tables, "4.10")) == {
        "Totalt (N\u00a0=\u00a02\u00a0226)": [("kandidat2021", 28, 28), ("kandidat2021", 65, 65)]}
    # 4.11: bottom2 from the left; 6.1: top2 from the right, a range reversed.
    assert marks_by_row(data_for(study, tables, "4.11")) == {
        "Totalt (N\u00a0=\u00a02\u00a0217)": [("kandidat2021", 38, 38)]}
    [(row, marks)] = marks_by_row(data_for(study, tables, "6.1")).items()
    assert row.startswith("Skoleansatte som ikke er lærere, er verdsatt i samfunnet")
    assert marks == [("talis_ss2018", 42, 48), ("talis2018_flere", 65, 65)]


def test_a_full_distribution_marks_each_boundary_once(study: Study, tables: Tables) -> None:
    # 4.8 gives Dårlig / Middels godt / Godt for each source: the middle share would repeat a
    # boundary already marked by its neighbour, so each source marks two boundaries.
    assert marks_by_row(data_for(study, tables, "4.8")) == {"Totalt (N\u00a0=\u00a02\u00a0238)": [
        ("kandidat2021", 50, 50), ("kandidat2021", 9, 9),
        ("fagskole2023", 46, 46), ("fagskole2023", 5, 5)]}


def test_share_charts_mark_the_share_on_the_totalt_bar(study: Study, tables: Tables) -> None:
    grouped = data_for(study, tables, "4.15")
    marks = [m for p in grouped.panels for r in p.rows for m in r.marks]
    assert marks == [Mark("skolenorge2021", 36, 45, "Totalt"), Mark("skolenorge2021", 73, 85, "Totalt"),
                     Mark("skolenorge2021", 63, 86, "Totalt")]
    bars = marks_by_row(data_for(study, tables, "5.1"))
    assert bars == {"Introduksjonsprogram for nytilsatte": [("talis2018", 22, 22)],
                    "Utdanning som gir studiepoeng": [("talis2018", 24, 24)],
                    "Har ikke deltatt på noen av aktivitetene": [("talis2018", 7, 7)]}


def test_legend_keys_and_footnote(study: Study, tables: Tables) -> None:
    data = data_for(study, tables, "6.1")
    assert data.references == (
        ReferenceKey("talis_ss2018", "TALIS Starting Strong 2018: ansatte i barnehager", None,
                     points=False, ranges=True),
        ReferenceKey("talis2018_flere", "TALIS 2018: lærere på ungdomstrinnet", "diamond",
                     points=True, ranges=False),
    )
    assert data.note == ("Referanseverdier: TALIS Starting Strong 2018 (Gjerustad m.fl. 2020), "
                         "TALIS 2018 (Carlsten, Throndsen og Björnsson 2020).")
    # After the figure's own note, on a line of its own.
    figure = study.figure("4.15")
    noted = figure.model_copy(update={"chart": figure.chart.model_copy(update={"note": "Merk."})})
    data = chart_data(study, noted, tables)
    assert data is not None and data.note == (
        "Merk.\nReferanseverdier: Spørsmål til Skole-Norge 2021 (Bergene m.fl. 2021).")


def test_figures_without_references_are_unchanged(study: Study, tables: Tables) -> None:
    for figure in study.figures:
        if figure.reference_values or figure.is_table or not tables.has_figure(figure.id):
            continue
        data = chart_data(study, figure, tables)
        if data is None:
            continue
        assert data.references == ()
        assert not [r for p in data.panels for r in p.rows if r.marks]
        assert "Referanseverdier" not in (data.note or "")
    # Taking the values away gives the chart it had before them.
    figure = study.figure("6.6")
    bare = chart_data(study, figure.model_copy(update={"reference_values": ()}), tables)
    assert bare is not None and bare.references == () and bare.note is None


def test_a_value_the_chart_cannot_show_is_an_error(study: Study, tables: Tables) -> None:
    # Validation rejects this (chart.show draws 'Fast ansatt' only); built by hand it must not
    # vanish silently.
    figure = study.figure("3.3").model_copy(update={
        "references": study.figure("5.1").references,
        "reference_values": (ReferenceValue(source="talis2018", item="b4_ansettelse",
                                            category="Midlertidig ansatt", value=20),)})
    with pytest.raises(ChartError, match="has no place on this chart"):
        chart_data(study, figure, tables)


# ----------------------------------------------------------------------------- drawing


@pytest.fixture(scope="module")
def svgs(study: Study, tables: Tables, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    wanted = {"4.9", "4.10", "4.15", "5.1", "6.1", "6.6"}
    only = study.model_copy(update={"figures": tuple(f for f in study.figures if f.id in wanted)})
    charts = render_charts(only, tables, tmp_path_factory.mktemp("charts"))
    return {figure_id: chart.svg.read_text(encoding="utf-8") for figure_id, chart in charts.items()}


def mark_ids(svg: str) -> list[str]:
    return re.findall(r'<g id="referanse-([a-z0-9_]+)-\d+"', svg)


def test_svg_has_one_mark_per_value_and_the_legend(svgs: dict[str, str]) -> None:
    assert mark_ids(svgs["6.6"]) == ["talis_ss2018", "talis2018", "talis_ss2018", "talis2018",
                                     "talis2018"]
    assert mark_ids(svgs["4.10"]) == ["kandidat2021"] * 2
    assert mark_ids(svgs["4.15"]) == ["skolenorge2021"] * 3
    assert mark_ids(svgs["5.1"]) == ["talis2018"] * 3
    assert mark_ids(svgs["6.1"]) == ["talis_ss2018", "talis2018_flere"]
    six = svgs["6.6"]
    assert "TALIS 2018: lærere på ungdomstrinnet" in six
    assert "TALIS Starting Strong 2018: ansatte i barnehager" in six
    assert "Referanseverdier: TALIS Starting Strong 2018 (Gjerustad m.fl. 2020), TALIS 2018" in six
    assert "Spørsmål til Skole-Norge 2021: skoleledere" in svgs["4.15"]
    assert "referanse-" not in svgs["4.9"] and "Referanseverdier" not in svgs["4.9"]


def test_marks_make_room_on_stacked_bars(study: Study, tables: Tables) -> None:
    figure = study.figure("4.10")
    with matplotlib.rc_context(style.RC):
        marked = draw(data_for(study, tables, "4.10"))
        bare_data = chart_data(study, figure.model_copy(update={"reference_values": ()}), tables)
        assert bare_data is not None
        bare = draw(bare_data)
    # The Totalt row grows by MARK_ROOM; the legend and footnote add the rest.
    extra = marked.get_figheight() - bare.get_figheight()
    assert extra > style.MARK_ROOM


def test_value_labels_move_past_a_mark_they_would_cover() -> None:
    figure = MplFigure(figsize=(7, 2))
    box = PanelBox(figure, Panel(None, ()), left=2.0, width=4.0, top=1.8, centres=[], heights=[])
    plain = box.label_start(35.0, "35", [])
    assert plain == 35.0 + style.VALUE_GAP
    # A mark just past the bar end: the label starts after it, clear of its half width.
    moved = box.label_start(35.0, "35", [Mark("s", 37.0, 37.0)])
    assert moved == pytest.approx(37.0 + 100 * style.MARK_SIZE / 4.0 + style.MARK_LABEL_GAP)
    # A mark well beyond the label, or inside the bar, leaves it where it was.
    assert box.label_start(35.0, "35", [Mark("s", 60.0, 60.0), Mark("s", 20, 20)]) == plain
    # A range that starts under the label pushes it past the range's end.
    assert box.label_start(35.0, "35", [Mark("s", 36.0, 45.0)]) > 45.0


# ----------------------------------------------------------------------------- grid notes


def notes_of(study: Study, tables: Tables, figure_id: str) -> list[str]:
    return [n for n in figure_grids(study, tables, study.figure(figure_id))[0].notes
            if n.startswith("Referanseverdier")]


def test_grid_notes_list_values_with_source_population_and_citation(study: Study,
                                                                     tables: Tables) -> None:
    assert notes_of(study, tables, "5.1")[0] == (
        "Referanseverdier, «Har ikke deltatt på noen av aktivitetene»: TALIS 2018, lærere på "
        f"ungdomstrinnet: 7{NBSP}prosent (Throndsen, Carlsten og Björnsson 2019).")
    [society] = notes_of(study, tables, "6.1")
    assert society == (
        "Referanseverdier, «Skoleansatte som ikke er lærere, er verdsatt i samfunnet», enig eller "
        f"svært enig: TALIS Starting Strong 2018, ansatte i barnehager: mellom 52 og 58{NBSP}"
        "prosent (Gjerustad m.fl. 2020); TALIS 2018, lærere på ungdomstrinnet: 35"
        f"{NBSP}prosent, spørsmålet gjaldt lærerprofesjonen (Carlsten, Throndsen og Björnsson 2020).")
    salary = notes_of(study, tables, "6.6")[1]
    assert f"TALIS 2018, lærere på ungdomstrinnet: 56{NBSP}prosent, med fem års erfaring" in salary
    assert "bottom2" not in " ".join(notes_of(study, tables, "4.11"))
    assert "i svært liten grad eller i liten grad: Kandidatundersøkelsen 2021" in (
        notes_of(study, tables, "4.11")[0])
    # One line per category of a distribution (three for 4.8), under the figure's own table only.
    assert len(notes_of(study, tables, "4.8")) == 3
    grids = figure_grids(study, tables, study.figure("4.14"))
    # The figure's own table, then one table per statement by the extra breakdown.
    assert len(grids) == 4 and not [n for g in grids[1:] for n in g.notes
                                    if "Referanseverdier" in n]


def test_figures_without_references_get_no_reference_notes(study: Study, tables: Tables) -> None:
    for figure in study.figures:
        if figure.reference_values or not tables.has_figure(figure.id):
            continue
        for grid in figure_grids(study, tables, figure):
            assert not [n for n in grid.notes if "Referanseverdier" in n]


def test_sources_at_the_top_are_checked_even_when_unused(copy: Path) -> None:
    edit(copy / "figures.yaml", "figures:\n  - id: T2.1\n",
         "  - {id: ubrukt, name: Ubrukt, citation: X 2020, populasjon: alle}\n"
         "  - {id: talis2018, name: TALIS 2018, citation: Y 2019, population: lærere}\n"
         "figures:\n  - id: T2.1\n")
    message = problems_of(copy)
    assert (f"line {line_of(copy, 'id: ubrukt')}, at references[6 'ubrukt'].populasjon: "
            "unknown key") in message
    assert "references[6 'ubrukt'].population: required key is missing" in message
    assert "references[7 'talis2018'].id: reference source 'talis2018' is defined more than once" in (
        message)


def test_a_copied_source_must_match_the_one_at_the_top(copy: Path) -> None:
    edit(copy / "figures.yaml", "    references: [*talis2018_flere]\n",
         "    references: [{id: talis2018_flere, name: TALIS 2018, citation: Carlsten m.fl. 2020,\n"
         "                  population: lærere på ungdomstrinnet}]\n")
    message = problems_of(copy)
    assert ("figures[35 '5.9'].references[0 'talis2018_flere']: reference source "
            "'talis2018_flere' differs from the one defined at the top of figures.yaml; use the "
            "alias *talis2018_flere") in message


def test_a_value_needs_a_bar_of_its_category(copy: Path) -> None:
    # Figur 4.19 draws the share 'Ja' of each partner: 'Nei' has no bar, and neither has top2
    # on a chart of one bar per option.
    edit(copy / "figures.yaml", "      show_categories: [Ja]\n",
         "      show_categories: [Ja]\n    references: [*talis2018]\n    reference_values:\n"
         "      - {source: talis2018, item: q419_rektor, category: Nei, value: 10}\n")
    edit(copy / "figures.yaml", "    references: [*talis_ss2018, *talis2018_flere]\n",
         "    references: [*talis_ss2018, *talis2018_flere]\n    chart: {kind: bars, "
         "show_categories: [Enig]}\n")
    message = problems_of(copy)
    assert ("reference_values[0].category: unknown category of 'q419_rektor' 'Nei'; expected "
            "one of ['Ja']") in message
    assert "figures[39 '6.1'].reference_values[0].category: unknown category of 'q61_samfunnet' " \
           "'top2'; expected one of ['Enig']" in message
