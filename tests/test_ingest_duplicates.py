"""Respondents on several rows: an error naming the rows, or dropped by the user's --dedupe rule
and counted in the appendix of every report format."""

from __future__ import annotations

from pathlib import Path

import docx
import pytest

from tverrsnitt.cli import main
from tverrsnitt.errors import InputDataError
from tverrsnitt.ingest import read_export, read_register
from tverrsnitt.numbers import thousands
from tverrsnitt.pipeline import RunOptions, build_report, compute
from tverrsnitt.study import Study

from .conftest import EXAMPLE, REGISTER_CSV
from .test_ingest import export_rows, write_rows

MEMBER = "Medlemsnummer"


def keyed(options: RunOptions, study: Study) -> dict[tuple[str, ...], tuple[int, int]]:
    return {row.key: (row.count, row.base) for row in compute(study, options).tables}


@pytest.fixture(scope="module")
def pasted_twice(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The export with ten of its rows pasted in again at the end (file rows 3149-3158)."""
    header, rows = export_rows()
    return write_rows(tmp_path_factory.mktemp("dup") / "svar.csv", header, rows + rows[100:110])


def three_answers_one_member(tmp_path: Path) -> tuple[Path, list[str]]:
    """One member number on three rows (file rows 8, 11, 23) whose answers differ."""
    header, rows = export_rows()
    member = header.index(MEMBER)
    assert [rows[i][member] != "" for i in (6, 9, 21)] == [True] * 3
    for index in (9, 21):
        rows[index][member] = rows[6][member]
    return write_rows(tmp_path / "svar.csv", header, rows), [rows[i][0] for i in (6, 9, 21)]


def test_pasted_rows_are_an_error_naming_every_row(study: Study, pasted_twice: Path) -> None:
    with pytest.raises(InputDataError) as caught:
        read_export(pasted_twice, study)
    problems = caught.value.problems
    # The response id repeats on 10 rows; the member number only where a pasted row had one.
    ids = [p for p in problems if p.column == "ID"]
    assert [(p.row, p.value) for p in ids] == [(102 + i, str(101 + i)) for i in range(10)]
    assert ids[0].expected == ("one row per respondent; this id is on rows 102, 3149 "
                               "(the same answers)")
    assert "--dedupe first" in str(caught.value) and "--dedupe last" in str(caught.value)


def test_one_member_on_three_rows_with_other_answers(study: Study, tmp_path: Path) -> None:
    path, _ = three_answers_one_member(tmp_path)
    with pytest.raises(InputDataError) as caught:
        read_export(path, study)
    [problem] = caught.value.problems
    assert (problem.file, problem.row, problem.column, problem.value) == (
        path, 8, MEMBER, "1309475")
    assert problem.expected == ("one row per respondent; this id is on rows 8, 11, 23 "
                                "(with different answers)")


@pytest.mark.parametrize(("rule", "kept"), [("first", 0), ("last", 2)])
def test_dedupe_keeps_the_row_the_user_chose(study: Study, tmp_path: Path, rule: str,
                                             kept: int) -> None:
    path, response_ids = three_answers_one_member(tmp_path)
    ingested = read_export(path, study, dedupe=rule)  # type: ignore[arg-type]
    assert ingested.rows == 3147 - 2
    member = ingested.frame.filter(ingested.frame["reg_medlemsnr"] == "1309475")
    assert member["id"].to_list() == [response_ids[kept]]
    assert ingested.deduplicated is not None
    assert (ingested.deduplicated.dropped, ingested.deduplicated.conflicting) == (2, 1)


def test_dedupe_of_pasted_rows_gives_the_clean_file_s_tables(study: Study,
                                                             pasted_twice: Path) -> None:
    clean = keyed(RunOptions(EXAMPLE / "data" / "export.csv"), study)
    assert keyed(RunOptions(pasted_twice, dedupe="last"), study) == clean
    with pytest.raises(InputDataError):
        compute(study, RunOptions(pasted_twice))


def test_appendix_counts_what_was_dropped_in_html_and_word(pasted_twice: Path,
                                                           tmp_path: Path) -> None:
    result = build_report(EXAMPLE, tmp_path / "out", data=pasted_twice, dedupe="first",
                          formats=["html", "docx"])
    [export] = result.quality.files
    assert export.rows == 3147
    lines = export.summary()
    assert lines[0] == f"{thousands(3157)} rader lest."
    assert lines[-1].startswith(
        "10 rader er utelatt fordi samme respondent står på flere rader (--dedupe first: den "
        "første raden i filen er beholdt); 0 av 10 gjentatte ID-er hadde ulike svar: "
        "ID 101 (rad 102, 3149); ID 102 (rad 103, 3150);")
    html = (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    word = "\n".join(p.text for p in docx.Document(str(tmp_path / "out" / "report.docx"))
                     .paragraphs)
    for text in (html, word):
        assert lines[0] in text and lines[-1] in text


def test_register_with_a_member_twice(study: Study, tmp_path: Path) -> None:
    lines = REGISTER_CSV.read_text(encoding="utf-8-sig").splitlines()
    path = tmp_path / "register.csv"
    path.write_text("\n".join([*lines, lines[5]]) + "\n", encoding="utf-8")
    with pytest.raises(InputDataError) as caught:
        read_register(path, study)
    [problem] = caught.value.problems
    assert problem.row == 6 and str(len(lines) + 1) in problem.expected
    assert read_register(path, study, dedupe="first").rows == len(lines) - 1


def test_validate_and_report_refuse_duplicates(capsys: pytest.CaptureFixture[str],
                                               pasted_twice: Path, tmp_path: Path) -> None:
    assert main(["validate", str(EXAMPLE), "--data", str(pasted_twice)]) == 1
    message = capsys.readouterr().err
    assert str(pasted_twice) in message and "3149" in message and "--dedupe" in message
    out = tmp_path / "out"
    assert main(["report", str(EXAMPLE), "--data", str(pasted_twice), "--out", str(out),
                 "--quiet", "--format", "html"]) == 1
    assert "3149" in capsys.readouterr().err and not out.exists()
    assert main(["validate", str(EXAMPLE), "--data", str(pasted_twice), "--dedupe", "first"]) == 0
