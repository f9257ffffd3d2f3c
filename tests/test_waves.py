"""Two waves of one study: each wave read as its questionnaire was then, and the change of every
estimate between them equal to R's svyby + svycontrast on the stacked design (r/changes_crosscheck.R).

The bundled arbeidsmiljo-2025 example has a 2023 wave (data/make_export.py plants its changes:
less time to do the job well and less violence in 2023, helping each other unchanged, one
statement reworded, the scale's ends renamed, the satisfaction question not yet asked, the
follow-up on violence not comparable).
"""

from __future__ import annotations

import csv
import re
import shutil
import subprocess
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tverrsnitt import numbers
from tverrsnitt.chart import trend
from tverrsnitt.cli import main
from tverrsnitt.errors import UsageError
from tverrsnitt.pipeline import RunOptions, build_report, compute
from tverrsnitt.report.html import render_html
from tverrsnitt.study import Study, load_study
from tverrsnitt.study.statistics import category_value
from tverrsnitt.tabulate import Tables
from tverrsnitt.tabulate.changes import (
    COLUMNS,
    TEST_COLUMNS,
    Change,
    ChangeTest,
    Comparison,
    compare_waves,
    wave_group_tests,
)

from .conftest import ROOT, edit, problems_of, require_program
from .test_small_exports import _definitions, draw_export

STUDY = ROOT / "examples" / "arbeidsmiljo-2025"
FIXTURE = ROOT / "tests" / "data" / "r" / "changes.csv"
TEST_FIXTURE = ROOT / "tests" / "data" / "r" / "change_tests.csv"
STEM = "Hvor enig eller uenig er du i disse utsagnene om arbeidsplassen din?"


@pytest.fixture(scope="module")
def second() -> Study:
    return load_study(STUDY)


@pytest.fixture(scope="module")
def waves(second: Study) -> tuple[Tables, Tables]:
    """The published tables of 2023 and 2025."""
    return (compute(second, RunOptions(wave="2023")).tables,
            compute(second, RunOptions(wave="2025")).tables)


@pytest.fixture(scope="module")
def changes(second: Study, waves: tuple[Tables, Tables]) -> dict[tuple[str, ...], Change]:
    return {c.key: c for c in compare_waves(second, *waves, "2023", "2025")}


def r_rows(weighting: str) -> pd.DataFrame:
    frame = pd.read_csv(FIXTURE, encoding="utf-8", keep_default_na=False, na_values=["NA"],
                        dtype={"figure": str})
    return frame[frame["weighting"] == weighting]


def scale(category: str) -> float:
    """R gives shares as proportions; tverrsnitt prints percent (and changes in points)."""
    return 1.0 if category == "mean" else 100.0


def assert_equal_to_r(found: dict[tuple[str, ...], Change], expected: pd.DataFrame) -> None:
    assert len(expected) >= 30
    for _, want in expected.iterrows():
        key = (want["figure"], want["item"], want["by"], want["group"], want["category"])
        change = found[key]
        factor = scale(want["category"])
        assert change.comparable and not change.hidden, key
        for name, tolerance in (("estimate_from", 1e-9), ("estimate_to", 1e-9),
                                ("change", 1e-9), ("se", 1e-7), ("ci_low", 1e-7),
                                ("ci_high", 1e-7)):
            ours = getattr(change, name)
            assert ours is not None and abs(ours - factor * want[name]) < tolerance, (key, name)
        assert change.p_value is not None and change.p_adjusted is not None
        assert abs(change.p_value - want["p_value"]) < 1e-7, key
        assert abs(change.p_adjusted - want["p_adjusted"]) < 1e-7, key


def test_changes_equal_r_on_the_stacked_design(changes: dict[tuple[str, ...], Change]) -> None:
    assert_equal_to_r(changes, r_rows("unweighted"))


def assert_tests_equal_to_r(found: tuple[ChangeTest, ...], weighting: str) -> None:
    """Wave × group tests against R's regTermTest on svyglm(y ~ wave * group): the Rao–Scott
    LRT for shares (method = "LRT", quasibinomial), the Wald F test for the mean."""
    expected = pd.read_csv(TEST_FIXTURE, dtype={"figure": str})
    expected = expected[expected["weighting"] == weighting]
    ours = {(t.figure, t.item, t.by, t.category): t for t in found}
    assert len(expected) == 8
    for _, want in expected.iterrows():
        test = ours[(want["figure"], want["item"], want["by"], want["category"])]
        assert test.f is not None and test.p_value is not None and test.not_computable is None
        assert abs(test.f - want["f"]) < 1e-7 * max(1.0, want["f"])
        assert (test.ndf, test.ddf, test.method) == (want["ndf"], want["ddf"], want["method"])
        assert abs(test.p_value - want["p_value"]) < 1e-7


def test_wave_by_group_tests_equal_r(second: Study, waves: tuple[Tables, Tables]) -> None:
    found = wave_group_tests(second, *waves, "2023", "2025")
    assert_tests_equal_to_r(found, "unweighted")
    # Medians, quartiles and sums have no tested change, so no test of it by group either.
    assert not [t for t in found if t.category in ("median", "q1", "q3", "sum")]
    # On a raked design the groups covary within a wave: no closed-form test is given.
    raked = wave_group_tests(second, *waves, "2023", "2025", groups_covary=True)
    assert raked and all(t.f is None and "raked" in (t.not_computable or "") for t in raked)


def test_weighted_changes_equal_r(second: Study, tmp_path: Path) -> None:
    # Each wave's export with the made-up weight of r/changes_crosscheck.R in a column 'Vekt'.
    study = tmp_path / "study"
    shutil.copytree(STUDY, study)
    for name in ("export.csv", "export-2023.csv"):
        path = study / "data" / name
        with path.open(encoding="utf-8-sig", newline="") as handle:
            rows = list(csv.reader(handle))
        rows[0].append("Vekt")
        for row in rows[1:]:
            row.append(repr(0.5 + ((int(row[0]) * 7919) % 13) / 6))
        with path.open("w", encoding="utf-8-sig", newline="") as handle:
            csv.writer(handle).writerows(rows)
    result = build_report(study, tmp_path / "out", weight="Vekt", compare="2023",
                          tables_only=True)
    assert_equal_to_r({c.key: c for c in result.changes}, r_rows("made_up"))
    assert result.tables.comparison is not None
    assert_tests_equal_to_r(result.tables.comparison.tests, "made_up")
    with (tmp_path / "out" / "change_tests.csv").open(encoding="utf-8", newline="") as handle:
        written = list(csv.DictReader(handle))
    assert tuple(written[0]) == TEST_COLUMNS
    assert len(written) == len(result.tables.comparison.tests)


def test_r_script_reproduces_the_fixture(tmp_path: Path) -> None:
    require_program("Rscript", "r-base-core and r-cran-survey")
    subprocess.run(["Rscript", "r/changes_crosscheck.R", str(tmp_path)], cwd=ROOT, check=True,
                   capture_output=True)
    for fixture in (FIXTURE, TEST_FIXTURE):
        pd.testing.assert_frame_equal(pd.read_csv(tmp_path / fixture.name), pd.read_csv(fixture),
                                      check_exact=False, rtol=1e-12, atol=1e-15)


def test_a_planted_change_is_significant_and_a_planted_null_is_not(
        changes: dict[tuple[str, ...], Change]) -> None:
    time = changes[("3.1", "q1_tid", "none", "Totalt", "top2")]
    assert time.change is not None and time.change > 3 and time.significant
    violence = changes[("4.1", "q3_vold", "b2_arbeidssted", "Totalt", "Ja")]
    assert violence.change is not None and violence.change > 5 and violence.significant
    helping = changes[("3.1", "q1_kolleger", "none", "Totalt", "top2")]
    assert helping.change is not None and abs(helping.change) < 2 and not helping.significant
    assert helping.ci_low is not None and helping.ci_high is not None
    assert helping.ci_low < 0 < helping.ci_high


def test_renamed_options_and_a_reworded_statement_are_read_as_the_definition_says(
        waves: tuple[Tables, Tables]) -> None:
    earlier = pd.read_csv(STUDY / "data" / "export-2023.csv", encoding="utf-8-sig", dtype=str,
                          keep_default_na=False)
    answered = earlier[earlier["Jeg har lest informasjonen om undersøkelsen og vil delta"] == "Ja"]
    for code, header in (("q1_tid", "Jeg har nok tid til å gjøre jobben min godt"),
                         ("q1_slutte", "Jeg har tenkt på å slutte i jobben")):
        column = answered[f"{STEM} [{header}]"]
        row = waves[0].get("3.1", code, "none", "Totalt", "Helt enig")
        assert row is not None and row.count == (column == "Svært enig").sum() > 0, code
        assert row.base == (column != "").sum()


def test_a_question_not_asked_or_not_comparable_has_no_change(
        changes: dict[tuple[str, ...], Change], waves: tuple[Tables, Tables]) -> None:
    new = [c for c in changes.values() if c.item == "q6_fornoyd"]
    assert new and all(not c.comparable and c.change is None for c in new)
    not_asked = waves[0].get("5.4", "q6_fornoyd", "ansiennitet", "Totalt", "mean")
    assert not_asked is None or not_asked.base == 0
    follow_up = [c for c in changes.values() if c.item == "q4_meldt"]
    assert follow_up and all(not c.comparable and c.estimate_from is None for c in follow_up)


def test_a_cell_hidden_in_either_wave_is_hidden_in_the_comparison(
        second: Study, waves: tuple[Tables, Tables]) -> None:
    before, after = waves
    key = ("3.2", "q1_tid", "yrkesgruppe", "Annen stilling", "top2")
    hidden_then = before.published({key}, second.meta.min_cell)
    for pair in ((hidden_then, after), (before, after.published({key}, 5))):
        found = {c.key: c for c in compare_waves(second, *pair, "2023", "2025")}
        change = found[key]
        assert change.hidden and change.comparable
        assert (change.estimate_from, change.estimate_to, change.change, change.se,
                change.p_value) == (None, None, None, None, None)
        # The other groups keep their numbers.
        assert found[(*key[:3], "Assistent", "top2")].change is not None


def test_report_compare_writes_changes_csv_and_both_waves_in_tables_csv(
        tmp_path: Path, capsys: pytest.CaptureFixture[str],
        changes: dict[tuple[str, ...], Change]) -> None:
    out = tmp_path / "out"
    assert main(["report", str(STUDY), "--out", str(out), "--compare", "2023",
                 "--tables-only"]) == 0
    assert "Compared with wave 2023:" in capsys.readouterr().out
    with (out / "changes.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert tuple(rows[0]) == COLUMNS and len(rows) == len(changes)
    time = next(r for r in rows if (r["figure"], r["item"], r["by"], r["group"],
                                    r["category"]) == ("3.1", "q1_tid", "none", "Totalt", "top2"))
    assert float(time["change"]) == changes[("3.1", "q1_tid", "none", "Totalt", "top2")].change
    assert time["comparable"] == "true" and time["wave_from"] == "2023"
    with (out / "tables.csv").open(encoding="utf-8", newline="") as handle:
        table = list(csv.DictReader(handle))
    assert list(table[0])[-1] == "wave"
    assert {r["wave"] for r in table} == {"2023", "2025"}
    # The 2025 rows come first, as a single-wave run of 2025 writes them.
    single = tmp_path / "single"
    assert main(["report", str(STUDY), "--out", str(single), "--tables-only", "--quiet"]) == 0
    with (single / "tables.csv").open(encoding="utf-8", newline="") as handle:
        alone = list(csv.DictReader(handle))
    assert {r["wave"] for r in alone} == {"2025"} and table[:len(alone)] == alone


def test_wave_options_that_cannot_work_are_refused(tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    for args, message in (
            (["--wave", "2024"], "Unknown wave '2024'; the study's waves"),
            (["--compare", "2025"], "--compare 2025 names the wave the report is of"),
    ):
        assert main(["report", str(STUDY), "--out", str(tmp_path / "x"), *args]) == 1
        assert message in capsys.readouterr().err
    single = ROOT / "examples" / "skolemiljo-2023"
    assert main(["report", str(single), "--out", str(tmp_path / "x"), "--compare", "2021"]) == 1
    assert "--compare needs the study's waves" in capsys.readouterr().err
    assert not (tmp_path / "x").exists()
    with pytest.raises(UsageError, match="Unknown wave"):
        compute(load_study(STUDY), RunOptions(wave="1999"))


def test_a_study_without_waves_fills_the_wave_column_with_its_year(tmp_path: Path) -> None:
    single = ROOT / "examples" / "skolemiljo-2023"
    build_report(single, tmp_path / "out", tables_only=True)
    with (tmp_path / "out" / "tables.csv").open(encoding="utf-8", newline="") as handle:
        assert {r["wave"] for r in csv.DictReader(handle)} == {"2023"}


@pytest.mark.parametrize(("where", "old", "new", "expected"), [
    ("questionnaire.yaml", '"2023": {asked: false}', '"2021": {asked: false}',
     "unknown wave '2021'; expected one of ['2023', '2025']"),
    ("questionnaire.yaml", "Svært uenig: Helt uenig, Svært enig: Helt enig}}",
     "Svært uenig: Helt uenig, Svært enig: Aldeles enig}}",
     "unknown option of 'q1_tid' 'Aldeles enig'"),
    ("questionnaire.yaml", '"2023": {asked: false}', '"2023": {asked: false, comparable: false}',
     "a question that was not asked (asked: false) has no header"),
    ("study.yaml", "min_cell: 5", "min_cell: 5\ndefault_data: data/export.csv",
     "with 'waves', each wave names its own files"),
    ("study.yaml", "start: 2025-03-03, end: 2025-03-23", "start: 2025-03-03, end: 2025-02-23",
     "wave '2025' ends (2025-02-23) before it starts (2025-03-03)"),
    ("study.yaml", "start: 2025-03-03, end: 2025-03-23", "start: 2022-03-03, end: 2022-03-23",
     "wave '2025' starts before wave '2023', listed above it; list the waves oldest first"),
])
def test_wave_settings_that_cannot_be_right_are_refused(tmp_path: Path, where: str, old: str,
                                                        new: str, expected: str) -> None:
    study = tmp_path / "study"
    shutil.copytree(STUDY, study, ignore=shutil.ignore_patterns("data"))
    edit(study / where, old, new)
    message = problems_of(study)
    assert expected in message and f"{where}, line " in message


def test_validate_with_data_checks_every_wave(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", str(STUDY), "--with-data"]) == 0
    printed = capsys.readouterr()
    assert "the data: 1354 analysed respondents" in printed.out
    assert "wave 2023: 1060 analysed respondents, 1 warning" in printed.out
    # Routing broken by the answers is reported for each wave (7 planted in 2025, and both
    # waves have a few follow-ups answered after a blank filter question); the question 2023
    # did not ask is no warning there.
    assert "9 respondents answered 'q4_meldt'" in printed.err
    assert "wave 2023: " + str(STUDY) in printed.err and "q6_fornoyd" not in printed.err


def test_the_compared_report_says_what_changed_in_words_and_tables(tmp_path: Path) -> None:
    import docx

    result = build_report(STUDY, tmp_path / "out", compare="2023", formats=["html", "docx"])
    html = (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    comparison = result.tables.comparison
    assert comparison is not None
    time = comparison.get(("3.1", "q1_tid", "none", "Totalt", "top2"))
    assert time is not None and time.change is not None and time.significant
    # A significant rise in words with its rounded size; a change that is not significant is
    # never called a rise or a fall.
    rise = f"(opp {round(time.change)}\u00a0prosentpoeng fra 2023)"
    assert rise in html
    assert "At de hjelper hverandre i arbeidsmiljøet, sier 64\u00a0prosent (om lag som i 2023)" \
        in html
    # Each of the five trend figures has its table of changes (and the chapter's last sentence
    # names them); Figur 3.1's first row is the planted rise.
    assert html.count("Endring fra 2023 til 2025") == 5 + 1
    assert "<td>+4,7*</td>" in html and "<td>+2,1 til +7,4</td>" in html
    # Under Figur 3.2's (by yrkesgruppe): whether each statement's change differed by group.
    assert ("Jeg har nok tid til å gjøre jobben min godt: Endringen er ikke statistisk "
            "signifikant forskjellig mellom gruppene (Rao–Scott F\u00a0=\u00a01,62, "
            "p\u00a0=\u00a00,184).") in html
    # A chart of both waves beside each other for every trend figure (bars for shares, dots
    # for the mean of Figur 2.2 and the net score of 5.2), its alt text naming the
    # significant changes.
    drawn = sorted(p.name for p in (tmp_path / "out" / "figurer").glob("*-endring.svg"))
    assert drawn == [f"figur-{n}-endring.svg" for n in ("2-2", "3-1", "3-2", "4-1", "5-2")]
    assert Path("figurer/figur-3-1-endring.png") in result.files
    assert html.count('<img class="trend"') == 5
    assert 'alt="Punktdiagram: Figur 2.2 Arbeidstimer per uke' in html
    assert ('alt="Gruppert stolpediagram i prosent: Figur 3.1 Utsagn om arbeidsplassen, prosent '
            'i 2023 og 2025, en stolpe per runde. Signifikant endring for Jeg har nok tid til å '
            'gjøre jobben min godt."') in html
    document = docx.Document(str(tmp_path / "out" / "report.docx"))
    texts = [p.text for p in document.paragraphs]
    assert any(rise in t for t in texts)
    # Every chart drawn is in the document once: the figures' own and the five of both waves.
    drawn_png = [f for f in result.files if f.suffix == ".png"]
    assert len(document.inline_shapes) == len(drawn_png)
    cells = {cell.text for table in document.tables for row in table.rows for cell in row.cells}
    assert "+4,7*" in cells and "+2,1 til +7,4" in cells


def test_without_compare_the_change_chapter_is_left_out_quietly(tmp_path: Path) -> None:
    result = build_report(STUDY, tmp_path / "out", formats=["html"])
    html = (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    assert result.tables.comparison is None
    assert "Endring siden 2023" not in html and "Endring fra 2023" not in html
    assert "Et avsnitt i" not in html  # no paragraph was left out for want of a number


@pytest.mark.parametrize(("new", "expected"), [
    ("tid_endring: {figure: '3.1', item: [q1_tid, q1_leder], category: top2, format: change}",
     "format 'change' prints the change of one item"),
    ("tid_endring: {figure: T2.2, item: b3_ar, category: median, format: change}",
     "'median' has no standard error, so its change has no test"),
])
def test_a_change_placeholder_that_cannot_be_printed_is_refused(tmp_path: Path, new: str,
                                                                 expected: str) -> None:
    study = tmp_path / "study"
    shutil.copytree(STUDY, study, ignore=shutil.ignore_patterns("data"))
    edit(study / "report.yaml",
         "tid_endring: {figure: '3.1', item: q1_tid, category: top2, format: change}", new)
    message = problems_of(study)
    assert expected in message and "report.yaml, line " in message


def test_a_quantile_changes_without_a_test(changes: dict[tuple[str, ...], Change]) -> None:
    median = changes[("T2.2", "b3_ar", "yrkesgruppe", "Totalt", "median")]
    assert median.estimate_from is not None and median.change is not None
    assert (median.se, median.ci_low, median.p_value) == (None, None, None)
    assert median.note is not None and "medianer" in median.note


@settings(max_examples=8, deadline=None, suppress_health_check=[
    HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(sizes=st.tuples(st.one_of(st.integers(0, 12), st.integers(13, 400)),
                       st.one_of(st.integers(0, 12), st.integers(13, 400))),
       seeds=st.tuples(st.integers(0, 10**6), st.integers(0, 10**6)), alike=st.booleans())
def test_any_two_valid_waves_give_consistent_changes(
        tmp_path_factory: pytest.TempPathFactory, sizes: tuple[int, int],
        seeds: tuple[int, int], alike: bool) -> None:
    """Two exports drawn at random (tiny ones included, where cells are empty or hidden): the
    comparison never fails and never prints a number it cannot stand behind."""
    study = _definitions()["arbeidsmiljo-2025"]
    tmp = tmp_path_factory.mktemp("waves")
    first, second_wave = (compute(study, RunOptions(data=draw_export(study, n, seed, tmp,
                                                                     alike=alike)))
                          for n, seed in zip(sizes, seeds, strict=True))
    before, after = first.tables, second_wave.tables
    changes = compare_waves(study, before, after, "2023", "2025")
    for c in changes:
        old, new = before.get(*c.key), after.get(*c.key)
        assert old is not None and new is not None
        if before.is_hidden(old) or after.is_hidden(new):
            assert c.hidden and c.change is None and c.estimate_to is None
        if c.change is None:
            assert c.se is None and c.p_value is None
            continue
        assert c.estimate_from is not None and c.estimate_to is not None
        assert c.change == c.estimate_to - c.estimate_from
        assert old.base > 0 and new.base > 0, "a change needs answers in both waves"
        if category_value(c.category) == "share":
            assert 0 <= c.estimate_from <= 100 and 0 <= c.estimate_to <= 100
        if c.se is not None:
            assert c.ci_low is not None and c.ci_high is not None and c.se >= 0
            assert c.ci_low <= c.change <= c.ci_high
            if c.p_value is not None:
                assert c.p_adjusted is not None and 0 <= c.p_value <= c.p_adjusted <= 1
    for test in wave_group_tests(study, before, after, "2023", "2025"):
        if test.f is None:
            assert test.not_computable and test.p_value is None
        else:
            assert test.f >= 0 and test.p_value is not None and 0 <= test.p_value <= 1
    # The report with these changes prints no NaN or infinity anywhere.
    comparison = Comparison("2023", "2025", changes)
    for figure in study.figures:  # every chart of both waves can be built from them
        if not figure.is_table:
            waves = trend.build(study, figure, comparison)
            assert waves is None or all(v.base > 0 for p in waves.panels for r in p.rows
                                        for v in r.values)
    compared = after.with_comparison(comparison)
    html = render_html(study, compared, {}, second_wave.quality)
    assert not re.search(r"\bnan\b|\binf\b", html, flags=re.IGNORECASE)


def test_an_earlier_wave_s_export_is_read_with_wave_and_a_hint_says_so(
        capsys: pytest.CaptureFixture[str]) -> None:
    earlier = str(STUDY / "data" / "export-2023.csv")
    assert main(["validate", str(STUDY), "--data", earlier]) == 1
    message = capsys.readouterr().err
    assert "column 'Alt i alt, hvor fornøyd er du med jobben din?'" in message
    assert "If this is the export of another wave, say which with --wave (2023)" in message
    assert main(["validate", str(STUDY), "--data", earlier, "--wave", "2023"]) == 0
    assert "the data: 1060 analysed respondents" in capsys.readouterr().out


def test_a_wave_s_own_report_says_what_that_wave_did_not_ask(tmp_path: Path) -> None:
    result = build_report(STUDY, tmp_path / "out", wave="2023", formats=["html"])
    assert not [row for row in result.tables if row.item == "q6_fornoyd"]
    assert not result.tables.has_figure("T5.1")  # a table of q6 alone is not printed
    assert result.tables.has_figure("5.4")  # … a figure with another item keeps that one
    html = (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    assert "«Fornøyd med jobben» ble ikke spurt i 2023; det er utelatt" in html
    assert 'id="tabell-5-1"' not in html
    with (tmp_path / "out" / "tables.csv").open(encoding="utf-8", newline="") as handle:
        assert {r["wave"] for r in csv.DictReader(handle)} == {"2023"}


def test_wave_ids_may_be_written_as_numbers(tmp_path: Path) -> None:
    # YAML reads an unquoted 2023 as a number; it names the same wave as '2023'.
    study = tmp_path / "study"
    shutil.copytree(STUDY, study)
    edit(study / "study.yaml", '{id: "2023"', "{id: 2023")
    edit(study / "questionnaire.yaml", '"2023": {asked: false}', "2023: {asked: false}")
    loaded = load_study(study)
    assert loaded.meta.wave_ids() == ("2023", "2025")
    assert not loaded.question("q6_fornoyd").in_wave("2023").asked


def test_response_rates_and_nonresponse_tables_of_both_waves(tmp_path: Path) -> None:
    """A two-wave copy of the 2023 school study (its 'wave 2021' is the first 1 500 answers
    with the same register): Tabell 2.1 in both waves, and the non-response tables of each."""
    school = ROOT / "examples" / "skolemiljo-2023"
    study = tmp_path / "study"
    shutil.copytree(school, study)
    with (school / "data" / "export.csv").open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    with (study / "data" / "export-2021.csv").open("w", encoding="utf-8-sig",
                                                  newline="") as handle:
        csv.writer(handle).writerows(rows[:1501])
    edit(study / "study.yaml", "default_data: data/export.csv\ndefault_register: data/register.csv\n",
         "waves:\n  - {id: 2021, data: data/export-2021.csv, register_data: data/register.csv}\n"
         "  - {id: 2023, data: data/export.csv, register_data: data/register.csv}\n")
    edit(study / "figures.yaml", "    statistic: response_status\n    by: none\n",
         "    statistic: response_status\n    by: none\n    trend: true\n")
    result = build_report(study, tmp_path / "out", compare="2021", formats=["html"])
    comparison = result.tables.comparison
    assert comparison is not None
    answered = comparison.get(("T2.1", "svarstatus", "none", "Totalt", "Svart"))
    assert answered is not None and answered.p_value is None  # counts of all invited: no test
    assert answered.estimate_to is not None and answered.estimate_from is not None
    assert answered.base_from == answered.base_to == 18881
    assert answered.change == answered.estimate_to - answered.estimate_from > 0
    html = (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    assert html.count("Endring fra 2021 til 2023") == 1  # Tabell 2.1 only declares trend
    # Both waves' response in whole percent of the invited, the change in points, no interval.
    shown = [numbers.whole(answered.estimate_from), numbers.whole(answered.estimate_to)]
    assert (f"<th scope=\"row\">Svart</th><td>{shown[0]}</td><td>{shown[1]}</td>"
            f"<td>{numbers.signed(answered.change)}</td><td>–</td>") in html
    assert "opptellinger av alle inviterte, ikke utvalgsanslag, og testes ikke" in html
    # In words, the change of a count of everyone invited needs no test to have a direction.
    from tverrsnitt.report.narrative import change_words
    from tverrsnitt.study.model import NumberRef

    words = change_words(load_study(study), result.tables, NumberRef(
        figure="T2.1", item="svarstatus", category="Svart", format="change"))
    assert words == f"opp {round(answered.change)}\u00a0prosentpoeng fra 2021"
    for wave in ("2021", "2023"):
        assert f"Frafallsanalyse: alder og kjønn ({wave})" in html
    assert load_study(study).meta.wave_ids() == ("2021", "2023")


def test_a_cell_without_answers_in_a_wave_prints_no_numbers(second: Study,
                                                            waves: tuple[Tables, Tables]) -> None:
    from tverrsnitt.report.grids import NOT_COMPUTABLE, change_grid

    empty = Change("4.1", "q3_vold", "b2_arbeidssted", "Sykehjem", "Ja", "2023", "2025", None,
                   None, None, None, None, None, None, None, True, False, "ingen svar")
    tables = waves[1].with_comparison(Comparison("2023", "2025", (empty,)))
    grid = change_grid(second, tables, second.figure("4.1"))
    assert grid is not None
    assert grid.rows == [["Ja – Sykehjem", *[NOT_COMPUTABLE] * 4]]


def test_the_lrt_p_value_has_an_answer_at_the_edges() -> None:
    from tverrsnitt.tabulate.rao_scott import lrt_p_value

    # R: pFsum(4.855…, rep(1, 3), λ, ddf = 2325, method = "saddlepoint", lower.tail = FALSE)
    lam = [1.0008730358588, 1.00086957273325, 1.0008637050199]
    assert abs(lrt_p_value(4.85536236194093, lam, 2325) - 0.184353086924367) < 1e-8
    assert lrt_p_value(0.0, lam, 2325) == 1.0
    tiny = lrt_p_value(1e-9, lam, 2325)
    assert 0.99 < tiny <= 1.0


@given(chisq=st.floats(1e-12, 1e4), lam=st.lists(st.floats(0.05, 20.0), min_size=1, max_size=8),
       ddf=st.integers(1, 100_000))
def test_the_lrt_p_value_is_a_probability_for_any_design_effects(
        chisq: float, lam: list[float], ddf: int) -> None:
    from tverrsnitt.tabulate.rao_scott import lrt_p_value

    p = lrt_p_value(chisq, lam, ddf)
    assert 0.0 <= p <= 1.0


def test_wave_settings_in_a_study_of_one_wave_are_refused(tmp_path: Path) -> None:
    study = tmp_path / "study"
    shutil.copytree(STUDY, study, ignore=shutil.ignore_patterns("data"))
    edit(study / "study.yaml",
         '  - {id: "2023", data: data/export-2023.csv, start: 2023-03-06, end: 2023-03-26}\n', "")
    message = problems_of(study)
    assert "the section 'Endring siden 2023' (compare: true) would never be printed" in message
    assert "figure '3.1' has no other wave to show its change against (trend: true)" in message
    assert "study.yaml lists fewer than two waves" in message
    assert "report.yaml, line " in message and "figures.yaml, line " in message
    # A change placeholder in a study of one wave (checked with the prose, once the rest is
    # sound).
    from tverrsnitt.study.check import number_ref_problems
    from tverrsnitt.study.model import NumberRef

    school = load_study(ROOT / "examples" / "skolemiljo-2023")
    problems = number_ref_problems(school, NumberRef(figure="4.10", item="q410_utnytte",
                                                     category="I stor grad", format="change"))
    assert any("format 'change' has no earlier wave to say the change since" in p
               for p in problems)
