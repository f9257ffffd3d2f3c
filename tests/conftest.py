"""Shared fixtures: the bundled example study, read once per test session."""

from __future__ import annotations

import functools
import os
import re
import shutil
import subprocess
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

import tverrsnitt.store.database
from tverrsnitt.clean import AnalysisData, prepare
from tverrsnitt.errors import StudyDefinitionError
from tverrsnitt.ingest import Ingested, read_export, read_register
from tverrsnitt.pipeline import ReportResult
from tverrsnitt.store.database import password_hasher
from tverrsnitt.study import Study, load_study
from tverrsnitt.tabulate import Tables, tabulate

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "skolemiljo-2023"
EXPORT_CSV = EXAMPLE / "data" / "export.csv"
EXPORT_XLSX = EXAMPLE / "data" / "export.xlsx"
REGISTER_CSV = EXAMPLE / "data" / "register.csv"
TEST_DATA = Path(__file__).resolve().parent / "data"


@pytest.fixture(scope="session")
def study() -> Study:
    return load_study(EXAMPLE)


@pytest.fixture(scope="session")
def export(study: Study) -> Ingested:
    return read_export(EXPORT_CSV, study)


@pytest.fixture(scope="session")
def register(study: Study) -> Ingested:
    return read_register(REGISTER_CSV, study)


@pytest.fixture(scope="session")
def analysis(study: Study, export: Ingested, register: Ingested) -> AnalysisData:
    return prepare(study, export.frame, register.frame)


@pytest.fixture(scope="session")
def tables(study: Study, analysis: AnalysisData) -> Tables:
    return tabulate(study, analysis)


POSTGRES_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"


# Tests that need a program or a server skip with the reason when it is absent, so the README's
# test command runs on a machine set up by `scripts/install-test-tools` or by hand. In CI
# (TVERRSNITT_NO_SKIPS=1, set by .ci/run) any skip fails the run: there everything must be there.
NO_SKIPS = os.environ.get("TVERRSNITT_NO_SKIPS") == "1"


def require_program(program: str, package: str) -> str:
    """The path of `program`, or a skip naming the Debian package that provides it."""
    path = shutil.which(program)
    if path is None:
        pytest.skip(f"{program} is not installed (Debian package {package}; "
                    "scripts/install-test-tools installs it)")
    return path


@functools.cache
def postgres_available() -> bool:
    """Whether the machine's PostgreSQL (127.0.0.1:5432, trust auth) answers."""
    import psycopg

    try:
        with psycopg.connect(POSTGRES_ADMIN_URL, connect_timeout=3):
            return True
    except psycopg.Error:
        return False


PRODUCTION_PASSWORD_HASHER = password_hasher


@pytest.fixture(autouse=True)
def cheap_password_hash(monkeypatch: pytest.MonkeyPatch) -> None:
    """Argon2 with its cheapest parameters in the tests (a hash takes 0.1 s on purpose, and the
    admin tests log in hundreds of times); tests/test_store.py checks the real parameters."""
    from argon2 import PasswordHasher, profiles

    cheap = PasswordHasher.from_parameters(profiles.CHEAPEST)
    monkeypatch.setattr(tverrsnitt.store.database, "password_hasher", lambda: cheap)


def pytest_configure(config: pytest.Config) -> None:
    """One chart cache for the run (all workers), in a folder of its own rather than the
    user's: the report-building tests then draw each unchanged chart once."""
    if not hasattr(config, "workerinput") and "TVERRSNITT_CACHE" not in os.environ:
        import tempfile

        folder = tempfile.mkdtemp(prefix="tverrsnitt-test-cache-")
        os.environ["TVERRSNITT_CACHE"] = folder
        config.add_cleanup(lambda: shutil.rmtree(folder, ignore_errors=True))


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    """Under pytest-xdist (`-n auto --dist loadscope`, the default in pyproject.toml) a test
    module runs on one worker, so its module fixtures are built once; the modules that use
    the session's example report run on one worker too, so the report is built once."""
    if config.getvalue("dist") != "loadscope":
        return None
    from xdist.scheduler import LoadScopeScheduling

    shared = {f"tests/{path.name}" for path in Path(__file__).parent.glob("test_*.py")
              if "example_report" in path.read_text(encoding="utf-8")}

    class ByModule(LoadScopeScheduling):  # type: ignore[misc]
        def _split_scope(self, nodeid: str) -> str:
            module = nodeid.split("::")[0]
            return "example report" if module in shared else module

    return ByModule(config, log)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = len(reporter.stats.get("skipped", [])) if reporter is not None else 0
    if NO_SKIPS and skipped and exitstatus == 0:
        if reporter is not None:
            reporter.write_line(f"TVERRSNITT_NO_SKIPS=1: {skipped} tests were skipped; in CI "
                                "every program and server the tests need must be installed.",
                                red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty fieldwork database URL: an SQLite file, or a new PostgreSQL database on
    the machine's server (127.0.0.1:5432, which .ci/run makes sure is up)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'fieldwork.db'}"
        return
    import psycopg

    if not postgres_available():
        pytest.skip("PostgreSQL is not running on 127.0.0.1:5432 (trust auth for user "
                    "postgres); scripts/install-test-tools starts it")
    name = f"tverrsnitt_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(POSTGRES_ADMIN_URL,
                         autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
        # A commit returns before its WAL reaches the disk: what other sessions see is the
        # same, only a crash of PostgreSQL itself could lose the last commits of a test.
        admin.execute(f'ALTER DATABASE "{name}" SET synchronous_commit = off')
    try:
        yield f"postgresql://postgres@127.0.0.1:5432/{name}"
    finally:
        with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def edit(path: Path, old: str, new: str) -> int:
    """Replace the first `old` in a definition file (which must contain it) by `new`; return
    the 1-based line where it starts."""
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return text[:text.index(old)].count("\n") + 1


@pytest.fixture
def copy(tmp_path: Path) -> Path:
    """The example study without its data, in a folder of its own to edit."""
    target = tmp_path / "study"
    shutil.copytree(EXAMPLE, target, ignore=shutil.ignore_patterns("data"))
    return target


def problems_of(folder: Path) -> str:
    """The message of the StudyDefinitionError loading `folder` must raise."""
    with pytest.raises(StudyDefinitionError) as caught:
        load_study(folder)
    return caught.value.message


def pdf_page_texts(pdf: Path) -> list[str]:
    """The text of each page of a PDF, as poppler's pdftotext reads it (one run for the whole
    file: pypdf's text extraction takes half a second a page)."""
    pdftotext = require_program("pdftotext", "poppler-utils")
    text = subprocess.run([pdftotext, "-enc", "UTF-8", str(pdf), "-"], check=True,
                          capture_output=True, text=True, encoding="utf-8").stdout
    pages = text.split("\f")
    return pages[:-1] if pages and not pages[-1].strip() else pages


def page_filled(png: Path) -> float:
    """How much of a rendered page's body (A4 without the bands of the running header and
    footer) is used: from the first inked line to the last, as a share of its height."""
    import numpy as np
    from PIL import Image

    with Image.open(png) as image:
        gray = image.convert("L")
    width, height = gray.size
    body = np.asarray(gray.crop((0, round(height * 25 / 297), width, round(height * 275 / 297))))
    # A line is inked when any pixel of every second column is darker than 200.
    inked = np.flatnonzero((body[:, ::2] < 200).any(axis=1))
    return (inked[-1] - inked[0] + 1) / body.shape[0] if inked.size else 0.0


def sparse_pages(pngs: list[Path], part_starts: set[int]) -> list[tuple[int, float]]:
    """Pages (1-based, with their fill) under 20 % filled that are not the title page, the last
    page, or the last page of a part (the page before one of `part_starts`, 1-based)."""
    sparse = []
    for number, png in enumerate(pngs, start=1):
        if number == 1 or number == len(pngs) or number + 1 in part_starts:
            continue
        filled = page_filled(png)
        if filled < 0.20:
            sparse.append((number, round(filled, 2)))
    return sparse


# The report's one number style, as faults to look for in any printed text: a base is
# 'N = 2 247' and a p-value 'p < 0,001' with no-break spaces (a line never breaks inside them),
# thousands are grouped with a no-break space, decimals take a comma.
NUMBER_STYLE_FAULTS = {
    "N= without no-break spaces": re.compile(r"\bN(?:=| =|= )"),
    "a p-value a line can break": re.compile(r"\bp(?: [<=>]|[<=>] ?\d)"),
    "thousands grouped with a breaking space": re.compile(r"(?<![\d,.])\d{1,3} \d{3}(?![\d,])"),
    "a long number without grouping": re.compile(r"(?<![\d,.:/])\d{5,}(?![\d:])"),
    "thousands grouped with a comma or point": re.compile(
        r"(?<![\d,.])\d{1,3}[.,]\d{3}[.,]\d{3}(?!\d)"),
    "a decimal point": re.compile(r"^\s*[−-]?\d+\.\d+\s*(?:%|prosent)?\s*$"),
}
_URL = re.compile(r"https?://\S+")


def number_style_faults(texts: Iterable[str]) -> list[tuple[str, str]]:
    """(fault, text) for every printed text (a paragraph, a cell, a chart label) that breaks the
    number style; web addresses are skipped."""
    found = []
    for text in texts:
        bare = _URL.sub("", text)
        found.extend((fault, text) for fault, pattern in NUMBER_STYLE_FAULTS.items()
                     if pattern.search(bare))
    return found


@dataclass(frozen=True)
class ExampleReport:
    """The example report, built once for the whole session (every format, with the
    register), and what the pipeline handed the PDF renderer (study, published tables,
    charts, data quality) — the tests compare the outputs with those."""

    result: ReportResult
    rendered: tuple[Any, ...]


@pytest.fixture(scope="session")
def example_report(tmp_path_factory: pytest.TempPathFactory) -> ExampleReport:
    import tverrsnitt.report.pdf
    from tverrsnitt.pipeline import build_report

    out = tmp_path_factory.mktemp("example") / "out"
    captured: list[tuple[Any, ...]] = []
    original = tverrsnitt.report.pdf.write_pdf

    def capture(*args: Any) -> None:
        captured.append(args[:4])
        original(*args)

    with pytest.MonkeyPatch.context() as patch:
        # build_report imports write_pdf from its module when it renders the PDF.
        patch.setattr(tverrsnitt.report.pdf, "write_pdf", capture)
        result = build_report(EXAMPLE, out, data=EXPORT_CSV, register=REGISTER_CSV)
    assert len(captured) == 1, "build_report no longer calls tverrsnitt.report.pdf.write_pdf"
    return ExampleReport(result, captured[0])

