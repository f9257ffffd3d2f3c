"""The definition language beyond the 2023 example, on the second bundled study: numbers,
0–10 scales, bands, net scores, questions as breakdowns — and every setting that could print a
wrong number is refused with its file, line and what to write instead."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tverrsnitt.study import Study, layout, load_study

from .conftest import ROOT, edit, problems_of

SECOND = ROOT / "examples" / "arbeidsmiljo-2025"


@pytest.fixture(scope="module")
def second() -> Study:
    return load_study(SECOND)


@pytest.fixture
def copy(tmp_path: Path) -> Path:
    target = tmp_path / "study"
    shutil.copytree(SECOND, target, ignore=shutil.ignore_patterns("data"))
    return target


def test_the_second_study_reads_as_the_definition_says(second: Study) -> None:
    q5 = second.question("q5_anbefale")
    assert q5.type == "scale" and q5.options == tuple(str(p) for p in range(11))
    assert q5.ordinal and q5.labels == {"0": "Svært lite sannsynlig", "10": "Svært sannsynlig"}
    fig = second.figure("5.2")
    assert layout.net_sets(second, fig, "q5_anbefale") == (("9", "10"), tuple(str(p) for p in range(7)))
    assert second.group_labels("ansiennitet") == ("0–2", "3–5", "6–10", "11–20", "21 eller mer")
    assert second.group_labels("arbeidstid")[-1] == "35,5 timer eller mer"
    # A question used directly as a breakdown: its options are the groups, in their order.
    assert second.group_labels("b2_arbeidssted") == ("Sykehjem", "Hjemmetjenesten",
                                                     "Bolig med heldøgns omsorg")
    assert layout.groups(second, "b2_arbeidssted")[-1] == "Totalt"
    # Numbers in a recode are labels: the 0–10 points grouped as critics, neutrals, ambassadors.
    assert second.derived_variable("anbefaler").groups[2].values == ("9", "10")
    assert second.is_ordinal("anbefaler") and second.is_ordinal("ansiennitet")


@pytest.mark.parametrize(("where", "old", "new", "expected"), [
    # A figure counted through a derived variable made from another question: every share 0.
    ("figures.yaml", "variables: {b3_ar: ansiennitet}", "variables: {b3_ar: arbeidstid}",
     "'b3_ar' is counted through 'arbeidstid', but 'arbeidstid' is made from 'b4_timer'"),
    # A mean printed as a percent, or as the number of respondents.
    ("report.yaml", "timer: {figure: '2.2', item: b4_timer, category: mean}",
     "timer: {figure: '2.2', item: b4_timer, category: mean, format: prosent}",
     "'mean' is a mean, which format 'prosent' cannot print"),
    ("report.yaml", "timer: {figure: '2.2', item: b4_timer, category: mean}",
     "timer: {figure: '2.2', item: b4_timer, category: mean, format: count}",
     "use format: number or change, or leave format out (auto)"),
    ("report.yaml", "enps: {figure: '5.2', item: q5_anbefale, category: net}",
     "enps: {figure: '5.2', item: q5_anbefale, category: net, decimals: 1}",
     "'decimals' sets the decimals of format: number"),
    # A placeholder's value that the text never prints.
    ("report.yaml", "vold: {figure: '4.1', item: q3_vold, category: Ja}",
     "vold: {figure: '4.1', item: q3_vold, category: Ja}\n"
     "        stray: {figure: '4.1', item: q3_vold, category: Nei}",
     "'values' has 'stray', but the text has no {stray}"),
    # A net score needs an ordered scale.
    ("figures.yaml", "    items: [q3_vold]\n    statistic: distribution",
     "    items: [q3_vold]\n    statistic: net\n    net: {plus: [Ja], minus: [Nei]}",
     "add 'ordinal: true' to its scale or question"),
    ("figures.yaml", "    items: [q4_meldt]\n    statistic: distribution",
     "    items: [q4_meldt]\n    statistic: net", "has no net score: declare"),
    # Numbers are grouped by bands, not recodes; bands must meet.
    ("derived.yaml", "    source: q5_anbefale\n    groups:", "    source: b3_ar\n    groups:",
     "'b3_ar' is a number: group numbers with 'kind: bands'"),
    ("derived.yaml", "    cuts: [3, 6, 11, 21]",
     "    bands: [{label: Nye, max: 2}, {label: Erfarne, min: 4}]",
     "answers 3 fall in no band (between 'Nye' and 'Erfarne')"),
    ("derived.yaml", "    cuts: [3, 6, 11, 21]", "    cuts: [3, 3, 11]",
     "cuts must be strictly increasing"),
    ("derived.yaml",
     "    labels: [Under 20 timer, '20–29,5 timer', '30–35,4 timer', '35,5 timer eller mer']",
     "    labels: [Under 20 timer, 20–29,5 timer, 30–35,4 timer, 35,5 timer eller mer]",
     "put a label with a comma in quotes"),
    # An age band on a number that is no year of birth.
    ("derived.yaml", "    birth_year: b5_fodt", "    birth_year: b3_ar",
     "which are not years of birth"),
    # A 0–10 scale is points of a range.
    ("questionnaire.yaml", "    type: scale\n    label: Fornøyd med jobben\n    range: [0, 10]",
     "    type: scale\n    label: Fornøyd med jobben", "a 'scale' question needs 'range"),
    ("questionnaire.yaml", "    type: scale\n    label: Fornøyd med jobben\n    range: [0, 10]",
     "    type: scale\n    label: Fornøyd med jobben\n    range: [0, 10]\n    options: [a, b]",
     "a 'scale' question takes no 'options'"),
    ("questionnaire.yaml", "labels: {0: Svært misfornøyd, 10: Svært fornøyd}",
     "labels: {0: Svært misfornøyd, 11: Svært fornøyd}", "'11' is not a point of the scale"),
    # YAML's yes/no is true/false, never an option label.
    ("questionnaire.yaml", "    options: [Ja, Nei]\n", "    options: [yes, no]\n",
     "put the label in quotes, e.g. 'No'"),
    # An option named like a computed row of tables.csv.
    ("questionnaire.yaml", "options: [Ja, Nei, Vet ikke]", "options: [Ja, Nei, mean]",
     "option 'mean' has the name of a computed row"),
    # A group or a broken-down option called 'Totalt' would merge with the total row.
    ("derived.yaml", "{label: Annen stilling, values: [Annen stilling]}",
     "{label: Totalt, values: [Annen stilling]}",
     "'Totalt' is the name of the total row beside every breakdown, so a group of "
     "'yrkesgruppe' may not be called that"),
    ("questionnaire.yaml", "options: [Sykehjem, Hjemmetjenesten, Bolig med heldøgns omsorg]",
     "options: [Sykehjem, Totalt, Bolig med heldøgns omsorg]",
     "so an option of 'b2_arbeidssted', which a figure breaks down by or counts, may not"),
    # A misspelt key at the top of a file, and inside an entry.
    ("figures.yaml", "\nfigures:\n", "\nfigurs:\n", "Did you mean 'figures'?"),
    ("questionnaire.yaml", "    asked_if: q3_vold == 'Ja'", "    asked_iff: q3_vold == 'Ja'",
     "unknown key 'asked_iff' (check the spelling). Did you mean 'asked_if'?"),
    # A statistic the question type cannot have, with what it can.
    ("figures.yaml", "    items: [b4_timer]\n    statistic: mean",
     "    items: [b4_timer]\n    statistic: top2",
     "'top2' needs a single or scale question; 'b4_timer' is 'number' (it can have: mean"),
])
def test_a_setting_that_could_print_a_wrong_number_is_refused(
        copy: Path, where: str, old: str, new: str, expected: str) -> None:
    edit(copy / where, old, new)
    message = problems_of(copy)
    assert expected in message
    assert f"{where}, line " in message


def test_a_routed_follow_up_and_the_breaking_answers(second: Study) -> None:
    from tverrsnitt.clean import prepare
    from tverrsnitt.clean.checks import routing_findings
    from tverrsnitt.ingest import read_export

    data = prepare(second, read_export(SECOND / "data" / "export.csv", second).frame)
    [finding] = routing_findings(second, data.respondents)
    # 7 planted answers where the filter says Nei, and 2 where it is unanswered.
    assert finding.count == 9 and finding.kind == "routing"
    assert finding.where.file.name == "questionnaire.yaml" and finding.where.line is not None
    assert "asked only if q3_vold == 'Ja'" in str(finding)
