"""Hand the benchmark's data to R's survey package and read its numbers back, keyed as ours.

bench/inference.py times tverrsnitt's SEs, CIs and group tests against `r/inference_bench.R` on
the same respondents. This module writes what the R script needs (answers as integer codes with
NA outside each item's base, group codes, weights, one row per cell and per test), runs Rscript,
and returns R's results and timings with the codes turned back into labels.
"""

from __future__ import annotations

import subprocess
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from tverrsnitt.clean import AnalysisData
from tverrsnitt.clean.expressions import base_expr, condition_expr
from tverrsnitt.ingest import WEIGHT
from tverrsnitt.study import layout
from tverrsnitt.study.conditions import parse_condition
from tverrsnitt.study.model import Figure, Study
from tverrsnitt.tabulate.differences import Differences
from tverrsnitt.tabulate.uncertainty import SHARES

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "r" / "inference_bench.R"
CELL_COLUMNS = ("figure", "item", "by", "category", "kind", "column", "codes", "base", "group",
                "sample", "total")
TEST_COLUMNS = ("figure", "item", "by", "share", "column", "group", "codes")


def _codes(column: str, labels: Iterable[str]) -> pl.Expr:
    """1-based position of each label (null for a missing value), as R will see it."""
    labels = list(labels)
    return pl.col(column).cast(pl.String).replace_strict(
        labels, list(range(1, len(labels) + 1)), default=None, return_dtype=pl.Int32)


def _code_list(labels: Iterable[str], options: list[str]) -> str:
    return ";".join(str(options.index(label) + 1) for label in labels)


@dataclass
class Exported:
    """The R input: the respondent columns and the cell and test specifications."""

    frame: pl.DataFrame
    cells: list[tuple[str, ...]]
    tests: list[tuple[str, ...]]


def export(study: Study, data: AnalysisData, differences: Differences) -> Exported:
    """Columns and specifications for every share of `study.figures` and every test found."""
    respondents = data.respondents
    columns: dict[str, pl.Expr] = {"w": pl.col(WEIGHT) if WEIGHT in respondents.columns
                                   else pl.lit(1.0)}
    cells: list[tuple[str, ...]] = []
    for figure in study.figures:
        for item in layout.figure_items(figure):
            if figure.statistic_for(item) not in SHARES:
                continue
            for by in figure.breakdowns:
                if study.comparison(by) is None:
                    cells += _group_cells(study, figure, item, by, columns)
                else:
                    cells += _comparison_cells(study, figure, item, by, columns)
    tests = [_test(study, result.figure, result.item, result.by, result.share, columns)
             for result in differences]
    return Exported(respondents.select(**columns), cells, tests)


def _item_columns(study: Study, item: str, columns: dict[str, pl.Expr]) -> None:
    question = study.question(item)
    inside = base_expr(question, study)
    if question.type == "multi":
        for k, option in enumerate(question.options, start=1):
            ticked = pl.col(item).list.eval(pl.element().cast(pl.String) == option).list.any()
            columns[f"m_{item}_{k}"] = pl.when(inside).then(ticked.cast(pl.Int32))
    else:
        columns[f"i_{item}"] = pl.when(inside).then(_codes(item, question.options))


def _group_cells(study: Study, figure: Figure, item: str, by: str,
                 columns: dict[str, pl.Expr]) -> list[tuple[str, ...]]:
    _item_columns(study, item, columns)
    if by != "none":
        columns[f"g_{by}"] = _codes(by, study.group_labels(by))
    question = study.question(item)
    sets = layout.top_bottom(study, figure, item)
    multi = question.type == "multi"
    base = f"m_{item}_1" if multi else f"i_{item}"
    rows = []
    for category in layout.categories(study, figure, item):
        if multi:
            column = f"m_{item}_{question.options.index(category) + 1}"
            codes = "1"
        else:
            column = base
            codes = _code_list(sets.get(category, (category,)), list(question.options))
        rows.append((figure.id, item, by, category, "by", column, codes, base,
                     "none" if by == "none" else f"g_{by}", "none", layout.TOTAL))
    return rows


def _comparison_cells(study: Study, figure: Figure, item: str, by: str,
                      columns: dict[str, pl.Expr]) -> list[tuple[str, ...]]:
    comparison = study.comparison(by)
    assert comparison is not None
    variable = figure.variables.get(item, item)
    categories = list(layout.variable_categories(study, figure, item))
    column = f"c_{variable}"
    columns[column] = _codes(variable, categories)
    rows = []
    for k, group in enumerate(comparison.groups):
        if group.source == "register":
            continue  # a census: no sampling error, nothing for R to estimate
        sample = f"s_{by}_{k}"
        columns[sample] = (pl.lit(1) if group.when is None else
                           condition_expr(parse_condition(group.when), study).cast(pl.Int32))
        rows += [(figure.id, item, by, category, "comparison", column,
                  _code_list([category], categories), column, "none", sample, group.label)
                 for category in categories]
    return rows


def _test(study: Study, figure_id: str, item: str, by: str, share: str | None,
          columns: dict[str, pl.Expr]) -> tuple[str, ...]:
    _item_columns(study, item, columns)
    columns[f"g_{by}"] = _codes(by, study.group_labels(by))
    question = study.question(item)
    if question.type == "multi":  # share is the option: ticked (1) vs not (0)
        assert share is not None
        return (figure_id, item, by, share, f"m_{item}_{question.options.index(share) + 1}",
                f"g_{by}", "1")
    figure = study.figure(figure_id)
    sets = layout.top_bottom(study, figure, item)
    codes = "none" if share is None else _code_list(sets[share], list(question.options))
    return (figure_id, item, by, share or "", f"i_{item}", f"g_{by}", codes)


@dataclass
class RResult:
    """R's numbers keyed like ours, and how long R took (computing only, and the whole run)."""

    cells: dict[tuple[str, str, str, str, str], tuple[float, float, float, float]]
    tests: dict[tuple[str, str, str, str], tuple[float, float, float, float]]
    pairs: dict[tuple[str, str, str, str, str, str], tuple[float, float, float, float]]
    compute_seconds: float
    cell_seconds: float
    test_seconds: float
    calls: int
    wall_seconds: float


def run_r(study: Study, exported: Exported, folder: Path, timeout: float) -> RResult:
    """Write the inputs to `folder`, run the R script, and read its results back."""
    exported.frame.write_csv(folder / "data.csv")
    pl.DataFrame(exported.cells, schema=CELL_COLUMNS, orient="row").write_csv(folder / "cells.csv")
    pl.DataFrame(exported.tests, schema=TEST_COLUMNS, orient="row").write_csv(folder / "tests.csv")
    start = time.perf_counter()
    subprocess.run(["Rscript", str(SCRIPT), str(folder / "data.csv"), str(folder / "cells.csv"),
                    str(folder / "tests.csv"), str(folder)], check=True, timeout=timeout)
    wall = time.perf_counter() - start
    timing = pl.read_csv(folder / "r_timing.csv", schema_overrides={"figure": pl.String})
    seconds = dict(timing.group_by("what").agg(pl.col("seconds").sum()).iter_rows())
    calls = int(timing.filter(pl.col("what") == "cells")["calls"].sum())
    return RResult(_cells(study, folder), _tests(folder), _pairs(study, folder),
                   seconds["total"], seconds.get("cells", 0.0), seconds.get("test", 0.0), calls,
                   wall)


def _read(path: Path) -> pl.DataFrame:
    return pl.read_csv(path, infer_schema_length=0)  # all strings; numbers parsed below


def _label(study: Study, by: str, code: str) -> str:
    """R's group code back to the group's label (totals and samples come as labels)."""
    labels = study.group_labels(by)
    return labels[int(code) - 1] if code.isdigit() and study.comparison(by) is None else code


def _numbers(row: dict[str, str | None], names: Iterable[str]) -> tuple[float, ...]:
    return tuple(float(row[n]) if row[n] not in (None, "", "NA") else float("nan") for n in names)


def _cells(study: Study, folder: Path) -> dict:
    return {(r["figure"], r["item"], r["by"], _label(study, r["by"], r["code"]), r["category"]):
            _numbers(r, ("estimate", "se", "ci_low", "ci_high"))
            for r in _read(folder / "r_cells.csv").iter_rows(named=True)}


def _tests(folder: Path) -> dict:
    path = folder / "r_tests.csv"
    if path.stat().st_size == 0:
        return {}
    return {(r["figure"], r["item"], r["by"], r["share"] or ""): _numbers(r, ("f", "ndf", "ddf",
                                                                            "p_value"))
            for r in _read(path).iter_rows(named=True)}


def _pairs(study: Study, folder: Path) -> dict:
    path = folder / "r_pairs.csv"
    if path.stat().st_size == 0:
        return {}
    return {(r["figure"], r["item"], r["by"], r["share"] or "", _label(study, r["by"], r["first"]),
             _label(study, r["by"], r["second"])):
            _numbers(r, ("difference", "se", "p_value", "p_adjusted"))
            for r in _read(path).iter_rows(named=True)}
