"""Valid data never give an internal error: exports of 0, 1, 2 and 25 answers, everyone
answering alike, a fresh fieldwork run, and (a property test) exports of any size drawn from
the definitions, each build a report whose numbers obey the invariants of tables.csv."""

from __future__ import annotations

import csv
import functools
import random
import re
from collections import Counter, defaultdict
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tverrsnitt.chart import chart_data
from tverrsnitt.cli import main
from tverrsnitt.fieldwork.export import export
from tverrsnitt.pipeline import RunOptions, compute
from tverrsnitt.report.grids import breakdown_grids, figure_grids
from tverrsnitt.report.html import render_html
from tverrsnitt.store import Store
from tverrsnitt.study import Study, load_study
from tverrsnitt.study.statistics import category_value
from tverrsnitt.tabulate import Tables, shown_whole_percent

from .conftest import EXAMPLE, ROOT
from .synthetic import Chooser, answers, write_export

SECOND = ROOT / "examples" / "arbeidsmiljo-2025"


@functools.cache
def _definitions() -> dict[str, Study]:
    return {"skolemiljo-2023": load_study(EXAMPLE), "arbeidsmiljo-2025": load_study(SECOND)}


@pytest.fixture(scope="module")
def definitions() -> dict[str, Study]:
    return _definitions()


def draw_export(study: Study, size: int, seed: int, tmp: Path, alike: bool = False) -> Path:
    choose = Chooser(random.Random(seed), alike=alike)
    rows = [answers(study, choose, number) for number in range(1, size + 1)]
    return write_export(study, rows, tmp / f"export-{size}-{seed}.csv")


def check_invariants(study: Study, tables: Tables, html: str) -> None:
    """count <= base; a distribution's shares add up to 100; every published cell of a group
    under K is hidden; and the report prints what tables.csv holds."""
    k = tables.min_cell or 5
    sums: dict[tuple[str, str, str, str], float] = defaultdict(float)
    for row in tables:
        assert 0 <= row.count <= row.base or category_value(row.category) != "share", row
        if row.base and row.base < k and row.figure not in ("T2.1", "T3.1"):
            assert tables.is_hidden(row), row
        figure = study.figure(row.figure)
        if (figure.statistic_for(row.item) == "distribution" and row.base
                and row.category not in ("top2", "bottom2") and study.comparison(row.by) is None):
            sums[(row.figure, row.item, row.by, row.group)] += row.percent or 0.0
    for key, total in sums.items():
        assert abs(total - 100) < 1e-9, (key, total)
    # The report prints what tables.csv holds: the cells of every share figure's numbers table
    # are exactly its rows' whole percents (':' where hidden), and the HTML carries each table.
    for figure in study.figures:
        if (figure.statistic not in ("distribution", "top2", "bottom2", "selected_share")
                or figure.overrides or figure.select is not None or figure.is_table
                or not tables.has_figure(figure.id)):
            continue
        printed_grids = figure_grids(study, tables, figure)
        for by in figure.breakdowns:
            if study.comparison(by) is not None:
                continue
            # Several statements by group print a table each: all of them together.
            grids = breakdown_grids(study, tables, figure, by)
            assert all(g.rows in [p.rows for p in printed_grids] for g in grids)
            printed = Counter(cell for grid in grids for row in grid.rows
                              if row != grid.header for cell in row[1:-1])
            expected = Counter(":" if tables.is_hidden(r) else str(shown_whole_percent(r))
                               for r in tables.for_figure(figure.id) if r.by == by)
            assert printed == expected, (figure.id, by)
            for row in grids[0].rows[:2]:
                assert html_text(row[0]) in html, (figure.id, row[0])


def html_text(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def build(study_dir: Path, export_path: Path, tmp: Path, formats: str = "html") -> int:
    return main(["report", str(study_dir), "--data", str(export_path), "--out", str(tmp / "out"),
                 "--format", formats, "--quiet"])


@pytest.mark.parametrize("name", ["skolemiljo-2023", "arbeidsmiljo-2025"])
@pytest.mark.parametrize("size", [0, 1, 2, 25])
def test_tiny_exports_build_a_report(definitions: dict[str, Study], tmp_path: Path, name: str,
                                     size: int) -> None:
    study = definitions[name]
    path = draw_export(study, size, seed=size, tmp=tmp_path)
    assert build(study.root, path, tmp_path) == 0
    html = (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    assert "Vedlegg: Datakvalitet" in html
    with (tmp_path / "out" / "tables.csv").open(encoding="utf-8") as handle:
        assert sum(1 for _ in csv.reader(handle)) > 1


def test_everyone_answering_alike_gives_tests_that_are_not_computable(
        definitions: dict[str, Study], tmp_path: Path) -> None:
    study = definitions["arbeidsmiljo-2025"]
    path = draw_export(study, 40, seed=1, tmp=tmp_path, alike=True)
    assert build(study.root, path, tmp_path) == 0
    with (tmp_path / "out" / "differences.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert rows and all(r["not_computable"] for r in rows if r["row"] == "test")
    html = (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    assert "kan ikke testes" in html


@pytest.mark.parametrize("name", ["skolemiljo-2023", "arbeidsmiljo-2025"])
def test_a_fresh_fieldwork_run_of_25_answers_builds_a_report(definitions: dict[str, Study],
                                                              tmp_path: Path, name: str) -> None:
    # 25 people answer the web questionnaire (saved page by page, as the server saves them),
    # the answers are exported, and the report is built from the export: mid-fieldwork is when
    # analysts look first. (The 2023 export of such a run once ended in 'Internal error'.)
    study = definitions[name]
    assert study.fieldwork is not None
    url = f"sqlite:///{tmp_path / 'fieldwork.db'}"
    store = Store(url)
    try:
        store.import_members([{"member_no": str(1000 + i), "email": f"m{i}@example.org",
                               "background": {}} for i in range(25)])
        choose = Chooser(random.Random(25))
        for number, member in enumerate(store.members(), start=1):
            respondent = store.respondent_for_token(store.issue_token(member.id, "invitation"))
            assert respondent is not None
            given = answers(study, choose, number)
            pages = study.fieldwork.pages
            for page_number, page in enumerate(pages, start=1):
                codes = {q.code for q in study.questions if q.code in page.questions
                         or q.battery in page.questions}
                store.save_page(respondent.id, {c: v for c, v in given.items() if c in codes},
                                [], page=page_number,
                                status="completed" if page_number == len(pages) else "started")
    finally:
        store.close()
    out = tmp_path / "svar.csv"
    export(study.root, out, db_url=url)
    assert build(study.root, out, tmp_path, "html,docx") == 0
    assert (tmp_path / "out" / "report.docx").is_file()


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                 HealthCheck.function_scoped_fixture])
@given(size=st.one_of(st.integers(0, 30), st.integers(31, 3000)), seed=st.integers(0, 10**6),
       alike=st.booleans(), name=st.sampled_from(["skolemiljo-2023", "arbeidsmiljo-2025"]))
def test_any_valid_export_gives_consistent_tables_and_report(
        tmp_path_factory: pytest.TempPathFactory, size: int, seed: int, alike: bool,
        name: str) -> None:
    study = _definitions()[name]
    tmp = tmp_path_factory.mktemp("drawn")
    path = draw_export(study, size, seed, tmp, alike=alike)
    computed = compute(study, RunOptions(data=path))
    tables = computed.tables
    for figure in study.figures:  # every chart can be built from what the run produced
        if tables.has_figure(figure.id) and not figure.is_table:
            chart_data(study, figure, tables)
    html = render_html(study, tables, {}, computed.quality)
    assert not re.search(r"\bnan\b|\binf\b", html, flags=re.IGNORECASE)
    check_invariants(study, tables, html)
