"""Disclosure control: small cells hidden, and never recoverable from the totals beside them."""

from __future__ import annotations

import polars as pl

from tverrsnitt.clean import AnalysisData, prepare
from tverrsnitt.ingest import Ingested
from tverrsnitt.study import Study
from tverrsnitt.tabulate import Tables, tabulate
from tverrsnitt.tabulate.disclosure import check_k, suppressed_cells


def test_k_is_never_below_three() -> None:
    assert check_k(1) == 3 and check_k(5) == 5


def test_roles_below_k_are_hidden_with_a_partner(study: Study, tables: Tables) -> None:
    hidden = suppressed_cells(study, tables, 5)
    t31 = {key[3:] for key in hidden if key[0] == "T3.1"}
    # Sosionom (1) is below K; Barnevernspedagog (10), the smallest other member of the group,
    # goes too, or the group's subtotal 184 minus the shown members would give 1.
    assert t31 == {("Miljøterapeut/spesped/BSV", "Sosionom"),
                   ("Miljøterapeut/spesped/BSV", "Barnevernspedagog")}


def test_whole_sample_figures_are_not_touched(study: Study, tables: Tables) -> None:
    hidden = suppressed_cells(study, tables, 5)
    assert not {key for key in hidden if key[0] not in ("T3.1",)}


def small_sample(study: Study, export: Ingested, register: Ingested, rows: int) -> Tables:
    frame = export.frame.sample(rows, seed=11)
    data: AnalysisData = prepare(study, frame, register.frame)
    return tabulate(study, data)


def test_no_hidden_group_can_be_rebuilt_from_totalt(study: Study, export: Ingested,
                                                     register: Ingested) -> None:
    tables = small_sample(study, export, register, 300)
    k = 5
    hidden = suppressed_cells(study, tables, k)
    assert hidden, "a sample of 300 has groups below K"
    bases: dict[tuple[str, str, str], dict[str, int]] = {}
    for row in tables:
        if row.by in ("yrkesgruppe", "skoleslag", "skoletype", "ufaglaert"):
            bases.setdefault((row.figure, row.item, row.by), {})[row.group] = row.base
    for (figure, item, by), groups in bases.items():
        shown_or_not = {g: any(key[:4] == (figure, item, by, g) for key in hidden)
                        for g in groups}
        small = [g for g, n in groups.items() if g != "Totalt" and n < k]
        for group in small:
            assert shown_or_not[group], (figure, item, group)
        hidden_groups = [g for g, h in shown_or_not.items() if h and g != "Totalt"]
        # Never exactly one hidden group beside a printed Totalt.
        assert len(hidden_groups) != 1, (figure, item, by, hidden_groups)


def test_every_cell_of_a_hidden_group_is_hidden(study: Study, export: Ingested,
                                                register: Ingested) -> None:
    tables = small_sample(study, export, register, 300)
    hidden = suppressed_cells(study, tables, 5)
    groups = {key[:4] for key in hidden if not key[0].startswith("T")}  # tables hide counts
    frame = pl.DataFrame([row.key for row in tables], orient="row",
                         schema=["figure", "item", "by", "group", "category"])
    for figure, item, by, group in groups:
        cells = frame.filter((pl.col("figure") == figure) & (pl.col("item") == item)
                             & (pl.col("by") == by) & (pl.col("group") == group))
        assert all(tuple(r) in hidden for r in cells.iter_rows()), (figure, item, group)
