"""`validate` refuses everything `report` would refuse, first and with file and line.

The proof walks every place in the chart builder that raises ChartError (found in the source,
so a new one cannot be missed): for each there is a definition that reaches it when the
definition checks are switched off, and `validate` refuses that same definition with a
located problem. Definition errors outside the chart stage come from `load_study` itself,
which `validate` and `report` both call first.
"""

from __future__ import annotations

import ast
import shutil
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from tverrsnitt import chart
from tverrsnitt.chart import chart_data
from tverrsnitt.chart.check import complete_tables
from tverrsnitt.cli import main
from tverrsnitt.errors import ChartError, StudyDefinitionError
from tverrsnitt.study import load
from tverrsnitt.study.load import load_study
from tverrsnitt.validate import validate_study

from .conftest import EXAMPLE, ROOT

SECOND = ROOT / "examples" / "arbeidsmiljo-2025"
PACKAGE = Path(chart.__file__).parent.parent
# Raise sites that no definition can reach: a run's tables have every cell the layout names
# (the property test in test_small_exports.py builds charts from thousands of drawn runs).
# Raise sites no study definition can reach: _Cells.get, and the curling diagram's (qual.yaml's
# rounds are checked when it is read and only groups with placements are drawn;
# tests/test_placements.py raises both directly).
INVARIANTS = {("chart/data.py", "get"), ("chart/curling.py", "_cups")}

Edit = Callable[[dict[str, Any]], None]


def raise_sites() -> set[tuple[str, str, int]]:
    """(module, function, line) of every `raise ChartError(...)` in the chart stage."""
    sites = set()
    for path in sorted((PACKAGE / "chart").glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.ClassDef):
                for inner in ast.walk(node):
                    if (isinstance(inner, ast.Raise) and isinstance(inner.exc, ast.Call)
                            and getattr(inner.exc.func, "id", None) == "ChartError"):
                        name = node.name
                        sites.add((f"chart/{path.name}", name, inner.lineno))
    # Methods are found under their class and their function; keep the innermost name.
    innermost: dict[tuple[str, int], str] = {}
    for module, name, line in sorted(sites):
        innermost.setdefault((module, line), name)
        if name[0].islower():
            innermost[(module, line)] = name
    return {(module, name, line) for (module, line), name in innermost.items()}


def figure(data: dict[str, Any], figure_id: str) -> dict[str, Any]:
    return next(f for f in data["figures"] if str(f["id"]) == figure_id)


# Each case: the study, the figure it breaks, and how.
CASES: dict[str, tuple[Path, str, Edit]] = {
    "kind that cannot draw a mean": (SECOND, "2.2", lambda f: f.update(chart={"kind": "stacked"})),
    "several items by group, no kind": (SECOND, "3.1", lambda f: f.update(by="yrkesgruppe")),
    "show names another item": (SECOND, "3.2", lambda f: f.update(
        chart={"kind": "grouped", "show": {"q3_vold": "Ja"}})),
    "show names no option": (SECOND, "3.2", lambda f: f.update(
        statistic="distribution", chart={"kind": "grouped", "show": {"q1_tid": "Kanskje"}})),
    "show_categories names none": (SECOND, "3.1", lambda f: f.update(
        chart={"show_categories": ["Ofte"]})),
    "show_categories leaves an item empty": (SECOND, "3.2", lambda f: f.update(
        statistic="distribution", by="none", items=["q1_tid", "q3_vold"],
        chart={"show_categories": ["Ja"]})),
    "parts outside the breakdowns": (SECOND, "2.1", lambda f: f.update(
        chart={"parts": ["aldersgruppe"]})),
    "one bar for several categories": (SECOND, "3.1", lambda f: f.update(chart={"kind": "bars"})),
    "stacked items with other categories": (SECOND, "3.2", lambda f: f.update(
        statistic="distribution", by="none", items=["q1_tid", "q3_vold"])),
    "grouped without a breakdown": (SECOND, "4.2", lambda f: f.update(chart={"kind": "grouped"})),
    "bars by group for several items": (SECOND, "3.2", lambda f: f.update(chart={"kind": "bars"})),
    "reference value not drawn": (EXAMPLE, "5.1", lambda f: f.update(
        chart={"show_categories": ["Har ikke deltatt på noen av aktivitetene"]})),
    "reference values on a cut stacked bar": (EXAMPLE, "4.10", lambda f: f.update(
        chart={"show_categories": ["I stor grad", "I svært stor grad"]})),
}


def broken(tmp_path: Path, source: Path, figure_id: str, edit: Edit) -> Path:
    folder = tmp_path / source.name
    shutil.copytree(source, folder, ignore=shutil.ignore_patterns("data", "qual"))
    shutil.copytree(source / "data", folder / "data")
    if (source / "qual").is_dir():
        shutil.copytree(source / "qual", folder / "qual")
    path = folder / "figures.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    edit(figure(data, figure_id))
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return folder


def site_of(error: BaseException) -> tuple[str, str, int]:
    """Where in the chart stage an error was raised: (module, function, line)."""
    frame = traceback.extract_tb(error.__traceback__)[-1]
    module = Path(frame.filename).relative_to(PACKAGE).as_posix()
    return module, frame.name, frame.lineno or 0


def unchecked_charts(folder: Path, monkeypatch: pytest.MonkeyPatch) -> BaseException:
    """Build every chart of the definition with the definition checks switched off: the
    ChartError a report run would hit if validation let the definition through."""
    with monkeypatch.context() as patch:
        patch.setattr(load, "check_study", lambda study, docs: [])
        study = load_study(folder)
    tables = complete_tables(study)
    for declared in study.figures:
        try:
            chart_data(study, declared, tables)
        except ChartError as exc:
            return exc
    raise AssertionError("no chart was refused")


@pytest.mark.parametrize("case", list(CASES))
def test_validate_refuses_first_what_the_charts_refuse(case: str, tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    source, figure_id, edit = CASES[case]
    folder = broken(tmp_path, source, figure_id, edit)
    site = site_of(unchecked_charts(folder, monkeypatch))
    assert site in raise_sites(), site
    with pytest.raises(StudyDefinitionError) as refused:
        validate_study(folder)
    [problem, *_] = refused.value.problems
    assert problem.file.name == "figures.yaml" and problem.line is not None, problem
    assert f"'{figure_id}'" in problem.key_path, problem
    # report runs the same validation before it reads any data: the same message, exit 1.
    assert main(["report", str(folder), "--out", str(tmp_path / "out"), "--format", "html",
                 "--quiet"]) == 1
    assert not (tmp_path / "out").exists()


def test_every_raise_site_of_the_charts_has_a_case(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    hit = set()
    for case, (source, figure_id, edit) in CASES.items():
        folder = broken(tmp_path / case.replace(" ", "-"), source, figure_id, edit)
        hit.add(site_of(unchecked_charts(folder, monkeypatch)))
    sites = raise_sites()
    missed = {s for s in sites - hit if (s[0], s[1]) not in INVARIANTS}
    assert not missed, f"raise sites no test definition reaches: {sorted(missed)}"
    assert len(sites) >= 12


@pytest.mark.parametrize("study_dir", [EXAMPLE, SECOND], ids=lambda p: p.name)
def test_the_examples_are_valid(study_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", str(study_dir)]) == 0
    assert "OK" in capsys.readouterr().out
