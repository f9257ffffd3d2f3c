"""Tabulation against the two oracles: the expected tables.csv and the report's printed numbers."""

from __future__ import annotations

import csv
import math
from pathlib import Path

import pytest

from tverrsnitt.study import Study, layout
from tverrsnitt.tabulate import Tables, whole_percent, write_tables_csv

from .conftest import TEST_DATA


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


KEY = ("figure", "item", "by", "group", "category")


def test_every_expected_row_is_reproduced(tables: Tables) -> None:
    expected = {tuple(r[k] for k in KEY): r for r in read_csv(TEST_DATA / "expected-tables-2023.csv")}
    produced = {row.key: row for row in tables}
    assert set(produced) == set(expected), (
        f"missing {sorted(set(expected) - set(produced))[:5]}, "
        f"extra {sorted(set(produced) - set(expected))[:5]}"
    )
    for key, want in expected.items():
        got = produced[key]
        assert got.count == int(want["count"]), key
        assert got.base == int(want["base"]), key
        assert math.isclose(got.percent, float(want["percent"]), rel_tol=0, abs_tol=1e-9), key
    assert len(tables) == 2159


def _by_for_group(study: Study, figure_id: str, group: str) -> str:
    figure = study.figure(figure_id)
    if group == "Totalt":
        return figure.by
    for by in figure.breakdowns:
        if group in layout.groups(study, by):
            return by
    raise AssertionError(f"group {group!r} is in no breakdown of {figure_id}")


def test_every_printed_number_of_the_report(study: Study, tables: Tables) -> None:
    rows = read_csv(TEST_DATA / "published.csv")
    assert len(rows) == 267
    for printed in rows:
        figure, item, group = printed["figure"], printed["item"], printed["group"]
        statistic, value = printed["statistic"], float(printed["value"])
        by = _by_for_group(study, figure, group)
        if statistic == "base":
            cells = [r for r in tables.for_figure(figure)
                     if (r.item, r.by, r.group) == (item, by, group)]
            assert cells and {c.base for c in cells} == {int(value)}, printed
            continue
        category = printed["category"]
        row = tables.get(figure, item, by, group, category)
        assert row is not None, printed
        if statistic == "count":
            assert row.count == value, printed
        elif statistic == "mean":
            assert math.floor(row.percent + 0.5) == value, printed
        else:
            assert whole_percent(row.count, row.base) == value, printed


@pytest.mark.parametrize(("count", "base", "expected"), [
    (1, 2, 50), (1, 8, 13), (3, 8, 38), (5, 200, 3), (1, 3, 33), (2, 3, 67), (0, 5, 0),
])
def test_whole_percent_rounds_half_up_exactly(count: int, base: int, expected: int) -> None:
    assert whole_percent(count, base) == expected


def test_tables_csv_follows_the_format(tables: Tables, tmp_path: Path) -> None:
    path = tmp_path / "tables.csv"
    write_tables_csv(tables, path, "2023")
    rows = read_csv(path)
    # The columns of the format, in order; new ones are appended (`wave`, for waves).
    assert list(rows[0]) == ["figure", "item", "by", "group", "category", "count", "base",
                             "percent", "se", "ci_low", "ci_high", "weighted_percent",
                             "weighted_base", "suppressed", "estimate", "wave"]
    assert rows[0] == {"figure": "T2.1", "item": "svarstatus", "by": "none", "group": "Totalt",
                       "category": "Distribuert", "count": "18881", "base": "18881",
                       "percent": "100.0", "se": "", "ci_low": "", "ci_high": "",
                       "weighted_percent": "", "weighted_base": "", "suppressed": "false",
                       "estimate": "100.0", "wave": "2023"}
    # Categories with commas are quoted (RFC 4180) and read back intact.
    assert any(r["category"] == "Videregående opplæring, studieforberedende" for r in rows)
    figures = [r["figure"] for r in rows]
    assert figures == sorted(figures, key=figures.index), "rows of one figure are contiguous"


def test_totalt_is_the_sum_of_the_groups(tables: Tables) -> None:
    # Figur 4.10: the Totalt N of 2 226 is the sum of the six group N's (rules.md, section 3).
    rows = [r for r in tables.for_figure("4.10") if r.category == "I noen grad"]
    groups = [r for r in rows if r.group != "Totalt"]
    total = next(r for r in rows if r.group == "Totalt")
    assert total.base == sum(r.base for r in groups) == 2226
    assert total.count == sum(r.count for r in groups)
