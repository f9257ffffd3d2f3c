"""qual.yaml: the example loads with the study, and each mistake is located by file, line and key."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tverrsnitt.errors import StudyDefinitionError
from tverrsnitt.study import Study, load_study
from tverrsnitt.study.qual import QualDefinition, load_qual

from .conftest import EXAMPLE


def test_example_focus_groups_load_with_the_study(study: Study) -> None:
    qual = study.qual
    assert qual is not None
    assert [g.id for g in qual.groups] == ["FG1", "FG2"]
    assert [g.label for g in qual.groups] == ["Fokusgruppe 1", "Fokusgruppe 2"]
    assert [p.id for p in qual.group("FG1").participants] == [f"D{i}" for i in range(1, 7)]
    assert [p.id for p in qual.group("FG2").participants] == [f"D{i}" for i in range(7, 13)]
    assert qual.group("FG1").speaker_labels[0] == "Intervjuer"
    d6 = qual.participants()["D6"][1]
    assert (d6.education, d6.job_title) == ("Fagbrev barne- og ungdomsarbeider", "SFO-leder")
    assert {p.education for _, p in qual.participants().values()} >= {
        "Ufaglært", "Vernepleier", "Helsefagarbeider", "Bachelor i spesialpedagogikk"}
    assert qual.transcript_path("FG1").is_file() and qual.transcript_path("FG2").suffix == ".docx"
    assert qual.codings_paths == (qual.root / "qual" / "codings-a.csv",
                                  qual.root / "qual" / "codings-b.csv")
    assert qual.placements_path == qual.root / "qual" / "placement.csv"


def test_codebook_is_a_tree_with_the_reports_themes(study: Study) -> None:
    assert study.qual is not None
    themes = study.qual.themes_by_code()
    names = {t.name for t in themes.values()}
    assert {"Kastet ut på dypt vann", "Brannslukking", "A- og B-lag", "Sett og hørt",
            "Samarbeid med lærerne", "Kompetanseheving"} <= names
    assert themes["dypt_vann"] in themes["kompetanse"].children
    assert len(themes) == sum(1 for top in study.qual.themes for _ in top.walk())


def test_qual_yaml_can_be_loaded_on_its_own(study: Study) -> None:
    qual = load_qual(EXAMPLE)
    assert isinstance(qual, QualDefinition)
    assert qual == study.qual


def test_study_without_qual_yaml_has_no_qual(tmp_path: Path) -> None:
    target = tmp_path / "study"
    shutil.copytree(EXAMPLE, target, ignore=shutil.ignore_patterns("data", "qual", "qual.yaml"))
    # The report's quotes and focus-group tables need qual.yaml: validate says so, located.
    with pytest.raises(StudyDefinitionError) as caught:
        load_study(target)
    assert "quotes need the focus groups' qual.yaml" in str(caught.value)
    report = target / "report.yaml"
    text = report.read_text(encoding="utf-8")
    kept = [line for line in text.splitlines()
            if "{segment:" not in line and line.strip() not in ("quotes:", "methods: [themes]")]
    report.write_text("\n".join(kept).replace(", '6.2', '6.3', '6.4', '6.5', T6.1", "")
                      .replace("figures: ['6.2', '6.3', '6.4', '6.5', T6.1]", "") + "\n",
                      encoding="utf-8")
    assert load_study(target).qual is None


def edit(path: Path, old: str, new: str) -> int:
    """Replace the first `old`; return the 1-based line where it starts."""
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return text[:text.index(old)].count("\n") + 1


def problems_of(folder: Path) -> str:
    with pytest.raises(StudyDefinitionError) as caught:
        load_study(folder)
    return caught.value.message


def test_participant_ids_are_unique_across_groups(copy: Path) -> None:
    line = edit(copy / "qual.yaml", "{id: D7,", "{id: D1,")
    message = problems_of(copy)
    assert f"qual.yaml, line {line}, at groups[1 'FG2'].participants[0 'D1'].id" in message
    assert "participant id 'D1' is already used in FG1" in message


def test_group_ids_are_unique(copy: Path) -> None:
    line = edit(copy / "qual.yaml", "id: FG2", "id: FG1")
    message = problems_of(copy)
    assert f"qual.yaml, line {line}, at groups[1 'FG1'].id" in message
    assert "focus group id 'FG1' is already used by groups[0]" in message


def test_missing_transcript_names_the_file_and_a_close_one(copy: Path) -> None:
    line = edit(copy / "qual.yaml", "transcript: qual/fg2.docx", "transcript: qual/fg3.docx")
    message = problems_of(copy)
    assert f"qual.yaml, line {line}, at groups[1 'FG2'].transcript" in message
    assert "transcript file not found" in message and "fg3.docx" in message
    assert "Did you mean 'fg2.docx'?" in message


def test_transcript_must_be_txt_or_docx(copy: Path) -> None:
    edit(copy / "qual.yaml", "transcript: qual/fg1.txt", "transcript: qual/fg1.pdf")
    message = problems_of(copy)
    assert "groups[0 'FG1'].transcript" in message
    assert "transcripts are read from ['.txt', '.docx'] files, not '.pdf'" in message


def test_theme_codes_are_unique_across_the_hierarchy(copy: Path) -> None:
    line = edit(copy / "qual.yaml", "code: brannslukking", "code: dypt_vann")
    message = problems_of(copy)
    assert f"qual.yaml, line {line}, at themes[1 'samarbeid'].children[2 'dypt_vann'].code" in message
    assert "theme code 'dypt_vann' is already used at themes[0 'kompetanse'].children[2" in message


def test_unknown_and_missing_keys_are_located(copy: Path) -> None:
    line = edit(copy / "qual.yaml", "{id: D3, education: Bachelor i spesialpedagogikk, job_title:",
                "{id: D3, education: Bachelor i spesialpedagogikk, jobtitle:")
    message = problems_of(copy)
    where = f"qual.yaml, line {line}, at groups[0 'FG1'].participants[2 'D3']"
    assert (f"{where}.jobtitle: unknown key 'jobtitle' (check the spelling). Did you mean "
            "'job_title'?") in message
    assert f"{where}.job_title: required key is missing" in message


def test_replacements_are_checked(copy: Path) -> None:
    edit(copy / "qual.yaml", "{name: Hege Solberg, replacement: D2}",
         "{name: Hege Solberg, replacement: D22}")
    edit(copy / "qual.yaml", "{name: Trond, replacement: \"[navn]\"}",
         "{name: Trond, replacement: \"rektor Berit\"}")
    message = problems_of(copy)
    assert "anonymisation.names[3].replacement: 'D22' looks like a participant id but no " \
           "focus group has it. Did you mean 'D2'?" in message
    assert "the replacement 'rektor Berit' contains the listed name 'Berit'" in message


def test_interviewer_label_must_be_able_to_start_a_turn(copy: Path) -> None:
    edit(copy / "qual.yaml", "interviewers: [Intervjuer]", "interviewers: ['Intervjuer: A']")
    message = problems_of(copy)
    assert "groups[0 'FG1'].interviewers[0]: interviewer label 'Intervjuer: A' cannot start a turn" \
        in message


def test_qual_problems_join_the_other_files_problems(copy: Path) -> None:
    edit(copy / "figures.yaml", "  statistic: top2\n", "  statistik: top2\n")
    edit(copy / "qual.yaml", "{id: D7,", "{id: D1,")
    message = problems_of(copy)
    assert "figures.yaml" in message and "statistik" in message
    assert "qual.yaml" in message and "already used in FG1" in message


def test_qual_yaml_syntax_error_has_a_line(copy: Path) -> None:
    line = edit(copy / "qual.yaml", "groups:\n", "groups: [\n")
    message = problems_of(copy)
    assert "qual.yaml, line" in message and "not valid YAML" in message
    assert line == 9


def test_load_qual_alone_reports_problems(copy: Path) -> None:
    edit(copy / "qual.yaml", "{id: D7,", "{id: D1,")
    with pytest.raises(StudyDefinitionError, match="already used in FG1"):
        load_qual(copy)
