"""Shared fixtures: the bundled example study, read once per test session."""

from __future__ import annotations

from pathlib import Path

import pytest

from tverrsnitt.clean import AnalysisData, prepare
from tverrsnitt.ingest import Ingested, read_export, read_register
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
