"""Outputs never destroy input: `--out` replaces only a new, empty or earlier output folder,
and a failed run leaves the earlier output as it was, with no temporary folder behind."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tverrsnitt.atomic import MANIFEST, atomic_folder, check_output_folder
from tverrsnitt.cli import main
from tverrsnitt.errors import UsageError

from .conftest import EXAMPLE, EXPORT_CSV


@pytest.fixture
def study_copy(tmp_path: Path) -> Path:
    """The example study in a folder of its own (YAML, data, transcripts)."""
    copy = tmp_path / "studycopy"
    shutil.copytree(EXAMPLE, copy, ignore=shutil.ignore_patterns("*.db", "out"))
    return copy


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def refused(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    code = main(["report", *args, "--quiet", "--format", "html"])
    message = capsys.readouterr().err
    assert code == 1, message
    assert "Internal error" not in message and "--out rapport" in message
    return message


def test_the_study_folder_is_refused(capsys: pytest.CaptureFixture[str],
                                     study_copy: Path) -> None:
    before = snapshot(study_copy)
    message = refused(capsys, str(study_copy), "--out", str(study_copy))
    assert f"this is {study_copy}, which the run reads" in message
    assert snapshot(study_copy) == before


def test_the_current_folder_and_its_parent_are_refused(
        capsys: pytest.CaptureFixture[str], study_copy: Path, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    here = tmp_path / "here"
    here.mkdir()
    (here / "notes.txt").write_text("mine", encoding="utf-8")
    monkeypatch.chdir(here)
    assert "this is the current folder" in refused(capsys, str(study_copy), "--out", ".")
    assert "holds the current folder" in refused(capsys, str(study_copy), "--out", "..")
    assert (here / "notes.txt").read_text(encoding="utf-8") == "mine"
    # Nothing stray beside either: no temporary or old folder.
    assert sorted(p.name for p in tmp_path.iterdir()) == ["here", "studycopy"]


def test_a_parent_of_the_study_and_a_folder_holding_the_data_are_refused(
        capsys: pytest.CaptureFixture[str], study_copy: Path, tmp_path: Path) -> None:
    message = refused(capsys, str(study_copy), "--out", str(tmp_path))
    assert f"this folder holds {study_copy}" in message
    data = tmp_path / "wave2" / "svar.csv"
    data.parent.mkdir()
    shutil.copy(EXPORT_CSV, data)
    message = refused(capsys, str(study_copy), "--data", str(data), "--out", str(data.parent))
    assert f"this folder holds {data}, which the run reads" in message
    assert data.read_bytes() == EXPORT_CSV.read_bytes()


def test_a_folder_that_is_not_an_earlier_output_is_refused(
        capsys: pytest.CaptureFixture[str], study_copy: Path, tmp_path: Path) -> None:
    other = tmp_path / "dokumenter"
    other.mkdir()
    for name in ("a.docx", "b.txt"):
        (other / name).write_text(name, encoding="utf-8")
    message = refused(capsys, str(study_copy), "--out", str(other))
    assert "this folder is not empty (2 entries: a.docx, b.txt) and no earlier run wrote it" \
        in message
    assert snapshot(other) == {"a.docx": b"a.docx", "b.txt": b"b.txt"}
    a_file = tmp_path / "rapport.html"
    a_file.write_text("x", encoding="utf-8")
    assert "this is a file, not a folder" in refused(capsys, str(study_copy), "--out",
                                                     str(a_file))


def test_an_earlier_output_is_replaced_but_not_a_file_someone_added(tmp_path: Path) -> None:
    out = tmp_path / "out"
    for content in ("first", "second"):
        with atomic_folder(out) as work:
            (work / "tables.csv").write_text(content, encoding="utf-8")
            (work / "figurer").mkdir()
            (work / "figurer" / "4.1.svg").write_text("<svg/>", encoding="utf-8")
        assert (out / "tables.csv").read_text(encoding="utf-8") == content
    manifest = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    assert manifest["files"] == ["figurer/4.1.svg", "tables.csv"]
    (out / "~$report.docx").write_text("Word's lock file", encoding="utf-8")
    check_output_folder(out)  # a lock file of an open document does not count
    (out / "mine.xlsx").write_text("added by hand", encoding="utf-8")
    with pytest.raises(UsageError, match=r"holds mine\.xlsx, which the earlier run did not write"):
        check_output_folder(out)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_a_failed_run_keeps_the_earlier_output_and_leaves_no_temporary_folder(
        capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    out = tmp_path / "out"
    with atomic_folder(out) as work:
        (work / "tables.csv").write_text("earlier result", encoding="utf-8")
    before = snapshot(out)
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    code = main(["report", str(EXAMPLE), "--data", str(empty), "--out", str(out), "--quiet"])
    assert code == 1 and "(empty file)" in capsys.readouterr().err
    assert snapshot(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["empty.csv", "out"]
    with pytest.raises(RuntimeError), atomic_folder(out) as work:
        (work / "tables.csv").write_text("half", encoding="utf-8")
        raise RuntimeError("a crash halfway")
    assert snapshot(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["empty.csv", "out"]


def test_qual_anonymise_refuses_the_study_folder(capsys: pytest.CaptureFixture[str],
                                                 study_copy: Path, tmp_path: Path) -> None:
    before = snapshot(study_copy)
    assert main(["qual", "anonymise", str(study_copy), "--out", str(study_copy)]) == 1
    assert "which the run reads" in capsys.readouterr().err
    assert snapshot(study_copy) == before
    out = tmp_path / "anonymisert"
    assert main(["qual", "anonymise", str(study_copy), "--out", str(out)]) == 0
    written = sorted(p.name for p in out.iterdir())
    assert "gjennomgang.csv" in written and MANIFEST in written
    # Run again: the earlier output is replaced, as a whole.
    assert main(["qual", "anonymise", str(study_copy), "--out", str(out)]) == 0
    assert sorted(p.name for p in out.iterdir()) == written


def test_export_refuses_the_study_s_own_data_and_a_folder(
        capsys: pytest.CaptureFixture[str], study_copy: Path, tmp_path: Path) -> None:
    data = study_copy / "data" / "export.csv"
    before = data.read_bytes()
    db = f"sqlite:///{tmp_path / 'wave.db'}"
    assert main(["export", str(study_copy), "--db", db, "--out", str(data)]) == 1
    assert "this is the study's own data/export.csv" in capsys.readouterr().err
    assert data.read_bytes() == before
    folder = tmp_path / "svar.csv"
    folder.mkdir()
    assert main(["export", str(study_copy), "--db", db, "--out", str(folder)]) == 1
    assert "is a folder" in capsys.readouterr().err
