"""Free text in the report: the answers by group, withheld where a group has fewer than K."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest

from tverrsnitt.errors import StudyDefinitionError
from tverrsnitt.pipeline import build_report
from tverrsnitt.study import load_study

from .conftest import EXAMPLE

ENTRY = """
  - id: T3.9
    title: Tabell 3.9 Annen yrkesbakgrunn eller rolle, fritekst
    items: [b2_rolle_annet]
    statistic: answers
    by: skoletype
"""
SMALL_GROUP_ANSWERS = {"Ungdomstrinn": 3, "Uavhengig av trinn": 4}  # both under K = 5


@pytest.fixture(scope="module")
def study_with_free_text(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("study") / "skolemiljo"
    shutil.copytree(EXAMPLE, folder)
    figures = folder / "figures.yaml"
    figures.write_text(figures.read_text(encoding="utf-8") + ENTRY, encoding="utf-8")
    return folder


def _export_rows() -> list[dict[str, str]]:
    with (EXAMPLE / "data" / "export.csv").open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def test_answers_of_small_groups_are_withheld(study_with_free_text: Path,
                                              tmp_path: Path) -> None:
    result = build_report(study_with_free_text, tmp_path / "out", formats=["html"])
    html = (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    assert "Tabell 3.9 Annen yrkesbakgrunn eller rolle, fritekst" in html
    role = "Hvilken yrkesbakgrunn eller rolle har du i skolen?"
    other = "Annet – oppgi yrkesbakgrunn eller rolle"
    level = "Hvilket skoletrinn jobber du hovedsakelig på?"
    answers: dict[str, list[str]] = {}
    for row in _export_rows():
        if row[other].strip() and row[role] == "Annet":
            answers.setdefault(row[level], []).append(row[other].strip())
    for group, count in SMALL_GROUP_ANSWERS.items():
        assert len(answers[group]) == count
    shown = {text for group, texts in answers.items() if group not in SMALL_GROUP_ANSWERS
             for text in texts}
    only_in_small = {text for group in SMALL_GROUP_ANSWERS for text in answers[group]} - shown
    assert only_in_small, "the example has answers only a small group gave"
    for text in shown:
        assert text in html
    for text in only_in_small:
        assert text not in html, f"{text!r} comes from a group under K"
    assert "Svarene fra 2 grupper er holdt tilbake" in html
    rows = [r for r in result.tables if r.figure == "T3.9"]  # the analyst's view: all counts
    with (tmp_path / "out" / "tables.csv").open(encoding="utf-8", newline="") as handle:
        marked = {r["group"]: r["suppressed"] for r in csv.DictReader(handle)
                  if r["figure"] == "T3.9"}
    assert {g for g, s in marked.items() if s == "true"} == set(SMALL_GROUP_ANSWERS)
    assert int(next(r.count for r in rows if r.group == "Totalt")) == sum(
        len(t) for g, t in answers.items() if g != "")


def test_answers_need_a_text_question_in_a_table(study_with_free_text: Path,
                                                tmp_path: Path) -> None:
    folder = tmp_path / "bad"
    shutil.copytree(study_with_free_text, folder)
    figures = folder / "figures.yaml"
    text = figures.read_text(encoding="utf-8").replace(
        "  - id: T3.9\n", "  - id: '3.9'\n").replace("items: [b2_rolle_annet]", "items: [b2_rolle]")
    figures.write_text(text, encoding="utf-8")
    with pytest.raises(StudyDefinitionError) as caught:
        load_study(folder)
    message = str(caught.value)
    assert "'answers' needs a text question" in message
    assert "give the entry an id starting with 'T'" in message
