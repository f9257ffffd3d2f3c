"""The command line's rough edges: every refusal is a message written for the user, with the
documented exit code (1), and refuses before it changes anything."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from tverrsnitt.cli import main
from tverrsnitt.fieldwork.security import password_problem
from tverrsnitt.store import Store

from .conftest import EXAMPLE, POSTGRES_ADMIN_URL
from .test_ingest import export_rows, write_rows


def failed(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    code = main(list(args))
    err = capsys.readouterr().err
    assert code == 1, err
    assert "Traceback" not in err and "Internal error" not in err
    return err


@pytest.mark.parametrize(("password", "why"), [
    ("kort", "is 4 characters; use at least 12"),
    ("Passord12345", "is one of the passwords an attacker tries first"),
    ("Fagforbundet 2026", "is one of the passwords an attacker tries first"),
    ("aaaaaaaaaaaaaaaa", "uses fewer than 5 different characters"),
    ("analytiker-hemmelig!", "contains the username"),
])
def test_add_admin_refuses_a_weak_password(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                           password: str, why: str) -> None:
    db = tmp_path / "admins.db"
    err = failed(capsys, "add-admin", str(EXAMPLE), "--db", f"sqlite:///{db}",
                 "--username", "analytiker", "--password", password)
    assert f"The password {why}" in err and "Nothing was changed" in err
    assert not db.exists()


def test_add_admin_takes_a_passphrase(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert password_problem("analytiker", "riktig hest batteri stift") is None
    db = f"sqlite:///{tmp_path / 'admins.db'}"
    assert main(["add-admin", str(EXAMPLE), "--db", db, "--username", "analytiker",
                 "--password", "riktig hest batteri stift"]) == 0
    assert "can now log in" in capsys.readouterr().out


def test_serve_on_a_busy_port(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        err = failed(capsys, "serve", str(EXAMPLE), "--db", f"sqlite:///{tmp_path / 'f.db'}",
                     "--port", str(port))
    assert f"Cannot listen on 127.0.0.1:{port}" in err and "choose another port with --port" in err
    assert not (tmp_path / "f.db").exists()


def test_database_urls(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    err = failed(capsys, "export", str(EXAMPLE), "--db", "mysql://x", "--out",
                 str(tmp_path / "a.csv"))
    assert "write sqlite:///FILE" in err and "postgresql://USER@HOST/DB" in err
    assert "plugin" not in err
    # postgres:// (as hosting services print it) means PostgreSQL.
    store = Store(POSTGRES_ADMIN_URL.replace("postgresql://", "postgres://"), migrate=False)
    try:
        assert store.engine.dialect.name == "postgresql"
    finally:
        store.close()


def test_qual_reading_commands_never_create_a_database(capsys: pytest.CaptureFixture[str],
                                                       tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    for command in (["agreement", "--coders", "a,b"], ["coders"], ["export", "--out", "x.qdpx"]):
        err = failed(capsys, "qual", command[0], str(EXAMPLE), "--db", "sqlite:///nosuch.db",
                     *command[1:])
        assert "No database at nosuch.db" in err and "qual import-codings" in err
    assert list(tmp_path.iterdir()) == []


def test_a_weight_column_that_is_not_there(capsys: pytest.CaptureFixture[str],
                                           tmp_path: Path) -> None:
    header, rows = export_rows()
    path = write_rows(tmp_path / "svar.csv", [*header, "Vekt"], [[*r, "1.5"] for r in rows])
    err = failed(capsys, "validate", str(EXAMPLE), "--data", str(path), "--weight", "vekt2")
    assert "column 'vekt2'" in err and "the header given to --weight" in err
    assert "Did you mean 'Vekt'?" in err
    assert "__weight__" not in err and "--lenient" not in err
    assert main(["validate", str(EXAMPLE), "--data", str(path), "--weight", "Vekt"]) == 0
