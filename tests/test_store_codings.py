"""Codings in the store, on SQLite and PostgreSQL: kept per coder, imported idempotently, never lost."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, insert, select

from tverrsnitt.clean.merge_codings import codings_of, merge
from tverrsnitt.ingest.codings import Coding
from tverrsnitt.store import Store
from tverrsnitt.store.schema import coding_themes, codings, members


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:
    store = Store(store_url)
    yield store
    store.close()


A1 = Coding("koder-a", "FG1", 10, 40, ("dypt_vann",), "Et memo.", "dypt-vann")
A2 = Coding("koder-a", "FG1", 50, 60, ("brannslukking", "samarbeid_laerere"))
B1 = Coding("koder-b", "FG1", 10, 40, ("dypt_vann",))
B2 = Coding("koder-b", "FG2", 5, 25, ("ab_lag",), segment="a-og-b-lag")


def test_codings_are_kept_per_coder(store: Store) -> None:
    for coding in (A1, A2, B1, B2):
        store.add_coding(coding)
    assert store.coders() == {"koder-a": 2, "koder-b": 2}
    assert store.codings("koder-a") == [A1, A2]
    assert store.codings("koder-b") == [B1, B2]
    assert store.codings() == [A1, A2, B1, B2]
    (stored,) = [s for s in store.stored_codings("koder-a") if s.coding == A2]
    assert stored.source == "web" and stored.deleted is None
    assert stored.coding.created is not None and stored.coding.created.tzinfo is not None
    with store.engine.connect() as connection:  # one row per theme in the child table
        themes = connection.execute(select(coding_themes.c.theme)
                                    .where(coding_themes.c.coding_id == stored.id)).scalars().all()
    assert sorted(themes) == ["brannslukking", "samarbeid_laerere"]


def test_the_same_coding_is_stored_once(store: Store) -> None:
    first = store.add_coding(A1)
    again = store.add_coding(Coding("koder-a", "FG1", 10, 40, ("dypt_vann",), "Nytt memo."))
    assert first == again
    (coding,) = store.codings()
    assert (coding.memo, coding.segment) == ("Nytt memo.", None)
    other_themes = store.add_coding(Coding("koder-a", "FG1", 10, 40, ("dypt_vann", "elevgrupper")))
    assert other_themes != first and len(store.codings()) == 2


def test_deleting_only_marks_a_coding_and_can_be_undone(store: Store) -> None:
    coding_id = store.add_coding(A1)
    store.add_coding(A2)
    assert store.delete_coding(coding_id) and not store.delete_coding(coding_id)
    assert store.codings() == [A2] and store.coders() == {"koder-a": 1}
    kept = [s for s in store.stored_codings(include_deleted=True) if s.id == coding_id]
    assert kept[0].coding == A1 and kept[0].deleted is not None
    assert store.restore_coding(coding_id) and not store.restore_coding(coding_id)
    assert store.codings() == [A1, A2]
    store.delete_coding(coding_id)
    assert store.add_coding(A1) == coding_id and store.codings() == [A1, A2]  # coded again


def test_importing_a_file_is_idempotent_and_follows_its_edits(store: Store) -> None:
    first = store.import_codings([A1, A2, B1], source="codings.csv")
    assert (first.added, first.updated, first.unchanged, first.removed) == (3, 0, 0, 0)
    again = store.import_codings([A1, A2, B1], source="codings.csv")
    assert (again.added, again.updated, again.unchanged, again.removed) == (0, 0, 3, 0)
    assert "0 added, 0 updated, 3 unchanged" in str(again)
    with store.engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(codings)).scalar() == 3

    edited = Coding("koder-a", "FG1", 10, 40, ("dypt_vann",), "Endret memo.", "dypt-vann")
    changed = store.import_codings([edited, B1, B2], source="codings.csv")
    assert (changed.added, changed.updated, changed.unchanged, changed.removed) == (1, 1, 1, 1)
    assert "1 no longer in codings.csv (marked deleted, kept)" in str(changed)
    assert store.codings("koder-a") == [edited]
    deleted = [s for s in store.stored_codings("koder-a", include_deleted=True) if s.deleted]
    assert [s.coding for s in deleted] == [A2]

    back = store.import_codings([edited, A2, B1, B2], source="codings.csv")
    assert (back.restored, back.added) == (1, 0) and store.codings("koder-a") == [edited, A2]


def test_other_sources_are_left_alone(store: Store) -> None:
    store.add_coding(A2)  # from the web app
    store.import_codings([A1], source="a.csv")
    store.import_codings([B1], source="b.csv")
    result = store.import_codings([], source="a.csv")
    assert result.removed == 1
    assert store.codings() == [A2, B1]


def test_a_merge_is_stored_as_a_coder_and_recovers_both(store: Store) -> None:
    store.import_codings([A1, A2], source="a.csv")
    store.import_codings([B1, B2], source="b.csv")
    merged = merge([*store.codings("koder-a"), *store.codings("koder-b")], as_coder="konsensus")
    summary = store.import_codings(merged.codings, source="merge:koder-a+koder-b")
    assert summary.added == 3
    consensus = store.codings("konsensus")
    assert [c.merged_from for c in consensus] == [("koder-a", "koder-b"), ("koder-a",), ("koder-b",)]
    assert {c.key[1:] for c in codings_of(consensus, "koder-a")} == {A1.key[1:], A2.key[1:]}
    assert {c.key[1:] for c in codings_of(consensus, "koder-b")} == {B1.key[1:], B2.key[1:]}
    assert store.import_codings(merged.codings, source="merge:koder-a+koder-b").unchanged == 3
    assert store.coders() == {"koder-a": 2, "koder-b": 2, "konsensus": 3}


def test_theme_memos(store: Store) -> None:
    store.set_theme_memo("dypt_vann", "Går igjen i begge gruppene.", "koder-a")
    store.set_theme_memo("dypt_vann", "  Går igjen, særlig i FG1.  ", "koder-b")
    store.set_theme_memo("ab_lag", "Et tema.")
    (ab_lag, dypt_vann) = store.theme_memos()
    assert (dypt_vann.theme, dypt_vann.memo, dypt_vann.author) == (
        "dypt_vann", "Går igjen, særlig i FG1.", "koder-b")
    assert isinstance(dypt_vann.updated, dt.datetime) and ab_lag.author == ""
    store.set_theme_memo("ab_lag", "")
    assert [m.theme for m in store.theme_memos()] == ["dypt_vann"]


def test_migration_0003_keeps_the_fieldwork_data(store_url: str) -> None:
    from alembic import command
    from alembic.config import Config

    old = Store(store_url, migrate=False)
    config = Config()
    config.set_main_option("script_location",
                           str(Path(__file__).resolve().parents[1] / "src" / "tverrsnitt" / "store"
                               / "migrations"))
    with old.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0002")
        connection.execute(insert(members).values(member_no="1", email="m@example.org",
                                                  background={}, imported_at=dt.datetime.now(dt.UTC)))
    old.close()
    store = Store(store_url)  # migrates to head
    try:
        assert [m.member_no for m in store.members()] == ["1"]
        store.add_coding(A1)
        assert store.codings() == [A1]
    finally:
        store.close()
