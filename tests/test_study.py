"""The study definition: the example loads, and each kind of mistake is located and explained."""

from __future__ import annotations

from pathlib import Path

import pytest

from tverrsnitt.study import Study
from tverrsnitt.study.conditions import ConditionSyntaxError, parse_condition

from .conftest import edit, problems_of


def test_example_study_is_complete(study: Study) -> None:
    assert len(study.questions) == 114  # every column of codebook.yaml
    assert len(study.figures) == 45  # every entry of figures.yaml
    assert [s.reason for s in study.screening] == [
        "Ikke samtykket", "Ikke elevrettet arbeid", "Lærerutdannet"]
    q44 = study.question("q44_mobbing")
    assert q44.header.endswith("[Elever som har blitt utsatt for mobbing]")
    assert str(q44.asked_if) == "q41_mobbing >= 'I noen grad'"
    assert study.question("q41_mobbing").top2 == ("I stor grad", "I svært stor grad")
    assert study.group_labels("skoleslag") == ("Grunnskole", "Videregående")


def test_definition_objects_are_frozen(study: Study) -> None:
    with pytest.raises(Exception, match="frozen"):
        study.figures[0].title = "changed"  # type: ignore[misc]


def test_unknown_breakdown_names_file_line_key_and_choices(copy: Path) -> None:
    edit(copy / "figures.yaml", "  by: skoleslag\n", "  by: skoleslagg\n")
    message = problems_of(copy)
    assert "figures.yaml, line " in message
    assert "figures[9 '4.2'].by" in message
    assert "unknown breakdown 'skoleslagg'" in message
    assert "'yrkesgruppe'" in message and "Did you mean 'skoleslag'?" in message


def test_routing_condition_must_name_a_real_option(copy: Path) -> None:
    edit(copy / "questionnaire.yaml", "asked_if: q41_mobbing >= 'I noen grad'",
         "asked_if: q41_mobbing >= 'I noen grader'")
    message = problems_of(copy)
    assert "questionnaire.yaml, line" in message and "asked_if" in message
    assert "unknown option of 'q41_mobbing' 'I noen grader'" in message
    assert "Did you mean 'I noen grad'?" in message


def test_new_option_must_be_placed_in_a_group(copy: Path) -> None:
    edit(copy / "questionnaire.yaml", "      - Helsearbeider\n      - Annet\n",
         "      - Helsearbeider\n      - Tolk\n      - Annet\n")
    message = problems_of(copy)
    assert "derived.yaml" in message and "derived[0 'yrkesgruppe'].groups" in message
    assert "['Tolk']" in message and "ungrouped" in message


def test_prose_placeholder_must_point_at_a_real_cell(copy: Path) -> None:
    line = edit(copy / "report.yaml", "krever_mer: {figure: '4.11', item: q411_krever_mer,",
                "krever_mer: {figure: '4.11', item: q411_krever_mindre,")
    message = problems_of(copy)
    assert f"report.yaml, line {line}" in message and "values.krever_mer" in message
    assert "unknown item of figure 4.11 'q411_krever_mindre'" in message


def test_placeholder_without_value_is_reported(copy: Path) -> None:
    edit(copy / "report.yaml", "{krever_mer} opplever", "{krever_mer} og {ukjent} opplever")
    assert "placeholder {ukjent} has no entry under 'values'" in problems_of(copy)


def test_unknown_key_and_bad_statistic(copy: Path) -> None:
    edit(copy / "figures.yaml", "  statistic: top2\n", "  statistik: top2\n")
    message = problems_of(copy)
    assert "statistik" in message and "unknown key" in message
    assert "statistic: required key is missing" in message


def test_yaml_syntax_error_has_a_line(copy: Path) -> None:
    edit(copy / "derived.yaml", "comparisons:\n", "comparisons: [\n")
    message = problems_of(copy)
    assert "derived.yaml, line" in message and "not valid YAML" in message


def test_missing_file_and_folder(tmp_path: Path, copy: Path) -> None:
    assert "no such study folder" in problems_of(tmp_path / "nowhere")
    (copy / "figures.yaml").unlink()
    assert "figures.yaml: file not found" in problems_of(copy)


@pytest.mark.parametrize("text", ["q41 >= I noen grad", "q41 in 'a'", "q41 == 'a' 'b'", "== 'a'"])
def test_condition_syntax_errors(text: str) -> None:
    with pytest.raises(ConditionSyntaxError):
        parse_condition(text)


def test_condition_forms() -> None:
    assert parse_condition("b2_rolle in ['Annet', 'Helsearbeider']").values == (
        "Annet", "Helsearbeider")
    assert parse_condition("reg_medlemsnr is_answered").op == "is_answered"
    has = parse_condition("q51 has_any_except 'Har ikke deltatt på noen av aktivitetene'")
    assert has.op == "has_any_except"


def test_chart_declarations_are_checked(copy: Path) -> None:
    edit(copy / "figures.yaml", "show: {b4_ansettelse: Fast ansatt, b5_heltid: Heltid}",
         "show: {b4_ansettelse: Fast ansat, b5_heltid: Heltid}")
    edit(copy / "figures.yaml", "parts: [skoletype, yrkesgruppe]", "parts: [skoletype, skoleslag]")
    message = problems_of(copy)
    assert "chart.show.b4_ansettelse: unknown option 'Fast ansat'" in message
    assert "Did you mean 'Fast ansatt'?" in message
    assert "unknown breakdown of this figure 'skoleslag'" in message


def test_unknown_kind_of_derived_variable(copy: Path) -> None:
    edit(copy / "derived.yaml", "kind: recode\n", "kind: recodee\n")
    message = problems_of(copy)
    assert "derived.yaml, line 7, at derived[0 'yrkesgruppe']" in message
    assert "unknown 'kind' 'recodee'; expected one of 'recode', 'age_bands'" in message


def test_fieldwork_pages_cover_every_question_once(study: Study, copy: Path) -> None:
    assert study.fieldwork is not None and len(study.fieldwork.pages) == 18
    edit(copy / "fieldwork.yaml", "q411_krever_mer, q412_niva]", "q411_krever_mer, q44]")
    message = problems_of(copy)
    assert "fieldwork.yaml" in message
    assert "'q44_mobbing' is already on page 7" in message
    assert "questions on no page: ['q412_niva']" in message


def test_fieldwork_routing_needs_an_earlier_page(copy: Path) -> None:
    edit(copy / "fieldwork.yaml", "questions: [b2_rolle_annet, b6_stillingsprosent]",
         "questions: [b6_stillingsprosent]")
    edit(copy / "fieldwork.yaml", "questions: [b1_utdanning, b2_rolle,",
         "questions: [b1_utdanning, b2_rolle, b2_rolle_annet,")
    message = problems_of(copy)
    assert ("'b2_rolle_annet' is asked if b2_rolle == 'Annet', so 'b2_rolle' must be on an "
            "earlier page") in message


def test_a_load_error_in_one_file_does_not_hide_problems_in_another(copy: Path) -> None:
    edit(copy / "study.yaml", "min_cell: 5", "min_cell: 2")
    item = edit(copy / "figures.yaml", "      - reg_fodselsar\n", "      - reg_fodselsaar\n")
    message = problems_of(copy)
    assert "The study definition has 3 problems" in message
    assert ("study.yaml, line 13, at min_cell: expected a number of at least 3, got 2: write "
            "min_cell: 3 or more") in message
    assert "unknown question 'reg_fodselsaar'" in message and "Did you mean 'reg_fodselsar'" \
        in message
    assert f"figures.yaml, line {item - 1}, at figures[2 '2.1'].items" in message


def test_an_entry_that_failed_to_load_is_reported_once(copy: Path) -> None:
    # A question with an unknown type does not load; the figures that use it must not add
    # "unknown question" for it on top of the real problem.
    edit(copy / "questionnaire.yaml", "code: b5_heltid\n    header: Jobber du heltid eller "
         "deltid?\n    type: single", "code: b5_heltid\n    header: Jobber du heltid eller "
         "deltid?\n    type: singel")
    edit(copy / "study.yaml", "min_cell: 5", "min_cel: 5")
    message = problems_of(copy)
    assert "The study definition has 2 problems" in message, message
    assert "got 'singel'" in message and "Did you mean 'min_cell'?" in message
    assert "unknown question 'b5_heltid'" not in message


def test_a_title_with_its_own_n_is_refused(copy: Path) -> None:
    line = edit(copy / "figures.yaml", "title: Figur 4.19 Andelen som oppgir å ha samarbeidet, "
                "prosent", "title: Figur 4.19 Andelen som oppgir å ha samarbeidet, prosent "
                "(N = 2 186-2 232)")
    message = problems_of(copy)
    assert f"figures.yaml, line {line}, at figures[25 '4.19'].title: the title gives its own N " \
        "('(N = 2 186-2 232)'); the caption prints the N counted from the data" in message


def test_a_section_with_nothing_under_its_heading_is_refused(copy: Path) -> None:
    line = edit(copy / "report.yaml", "      - title: Jobbtilfredshet\n",
                "      - title: Oppsummering av alt\n      - title: Jobbtilfredshet\n")
    message = problems_of(copy)
    assert (f"report.yaml, line {line}, at chapters[5].sections[4].title: the section "
            "'Oppsummering av alt' has nothing under its heading") in message
    assert "a report never prints an empty heading" in message


def test_a_comma_in_an_unquoted_flow_title_is_explained(copy: Path) -> None:
    # Written as {id: '2.2', title: Figur 2.2 Fylker, prosent, …} the comma ends the title.
    line = edit(copy / "figures.yaml", "  - id: '2.1'\n", "  - {id: '9.9', title: Figur 9.9 "
                "Rolle, prosent, items: [reg_kjonn], statistic: distribution}\n  - id: '2.1'\n")
    message = problems_of(copy)
    assert (f"figures.yaml, line {line}, at figures[2 '9.9'].prosent: unknown key 'prosent' "
            "without a value: in a {…} mapping a comma ends the text before it, so put text "
            "that holds a comma in quotes") in message
    assert "propensity" not in message  # no near miss from another file's keys


def test_a_missing_file_says_what_to_write(copy: Path) -> None:
    (copy / "derived.yaml").unlink()
    message = problems_of(copy)
    assert "derived.yaml: file not found: a study without derived variables" in message
    assert "writes `derived: []` in it" in message


def test_a_misspelt_value_gets_its_near_match(copy: Path) -> None:
    line = edit(copy / "figures.yaml", "statistic: top2\n", "statistic: topp2\n")
    message = problems_of(copy)
    assert (f"figures.yaml, line {line}, at figures[9 '4.2'].statistic: got 'topp2'; expected one "
            "of 'distribution', 'top2'") in message
    assert "or 'placement_distances'. Did you mean 'top2'?" in message
