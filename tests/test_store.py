"""The fieldwork store on SQLite and PostgreSQL: tokens, page saves, the mail log, admins."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select, text

from tverrsnitt.store import Store, database, hash_token
from tverrsnitt.store.schema import tokens

from .conftest import PRODUCTION_PASSWORD_HASHER

MIGRATIONS = Path(__file__).resolve().parents[1] / "src" / "tverrsnitt" / "store" / "migrations" / "versions"


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:
    store = Store(store_url)
    store.import_members([
        {"member_no": str(1000 + i), "email": f"m{i}@example.org",
         "background": {"birth_year": 1970 + i, "gender": "Kvinne"}}
        for i in range(3)
    ])
    yield store
    store.close()


def test_migrating_twice_is_harmless(store_url: str) -> None:
    first = Store(store_url)
    first.import_members([{"member_no": "1", "email": "a@example.no", "background": {}}])
    first.close()
    again = Store(store_url)  # runs the migrations a second time on the same database
    try:
        # One Alembic version row, at the newest migration; the data is still there.
        with again.engine.connect() as connection:
            versions = connection.execute(text("SELECT version_num FROM alembic_version")).all()
        newest = sorted(p.stem.split("_")[0] for p in MIGRATIONS.glob("[0-9]*.py"))[-1]
        assert [v[0] for v in versions] == [newest]
        assert [m.member_no for m in again.members()] == ["1"]
    finally:
        again.close()


def test_tokens_are_random_and_stored_hashed(store: Store) -> None:
    member = store.members()[0]
    token = store.issue_token(member.id, "invitation")
    assert re.fullmatch(r"[A-Za-z0-9_-]{43}", token)  # 256 bits, URL-safe
    with store.engine.connect() as connection:
        stored = connection.execute(select(tokens.c.token_hash)).scalars().all()
    assert stored == [hash_token(token)] and token not in stored[0]
    assert store.respondent_for_token(token) is not None
    assert store.respondent_for_token(token[:-1] + ("A" if token[-1] != "A" else "B")) is None


def test_every_mail_gets_its_own_token_for_the_same_response(store: Store) -> None:
    member = store.members()[0]
    first, second = store.issue_token(member.id, "invitation"), store.issue_token(member.id, "r1")
    a, b = store.respondent_for_token(first), store.respondent_for_token(second)
    assert a is not None and b is not None and a.id == b.id and first != second


def test_page_saves_are_idempotent_and_final(store: Store) -> None:
    member = store.members()[1]
    respondent = store.respondent_for_token(store.issue_token(member.id, "invitation"))
    assert respondent is not None and respondent.background["birth_year"] == 1971
    for _ in range(2):  # a replayed page changes nothing
        store.save_page(respondent.id, {"b5_heltid": "Deltid", "b6_stillingsprosent": 60.0}, [],
                        page=5, status="started")
    assert store.answers(respondent.id) == {"b5_heltid": "Deltid", "b6_stillingsprosent": 60.0}
    store.save_page(respondent.id, {"b5_heltid": "Heltid"}, ["b6_stillingsprosent"], page=5,
                    status="started")
    assert store.answers(respondent.id) == {"b5_heltid": "Heltid"}
    done = store.save_page(respondent.id, {}, [], page=6, status="completed")
    assert done.status == "completed" and done.receipt
    again = store.save_page(respondent.id, {"b5_heltid": "Deltid"}, [], page=6, status="completed")
    assert again.receipt == done.receipt and store.answers(respondent.id) == {"b5_heltid": "Heltid"}


def test_a_mail_is_claimed_once(store: Store) -> None:
    member = store.members()[2]
    assert store.claim_mail(member.id, "invitation") is not None
    assert store.claim_mail(member.id, "invitation") is None  # outcome unknown: never resend
    store.finish_mail(member.id, "invitation", sent=False, error="timeout")
    assert store.claim_mail(member.id, "invitation") is not None  # a failure is retried
    store.finish_mail(member.id, "invitation", sent=True, message_id="<x@y>")
    assert store.claim_mail(member.id, "invitation") is None
    log = store.mail_log()
    assert [(r["member_no"], r["status"], r["attempts"]) for r in log] == [("1002", "sent", 2)]


def test_admin_passwords(store: Store) -> None:
    store.add_admin("analytiker", "riktig hest batteri stift")
    assert store.check_admin("analytiker", "riktig hest batteri stift")
    assert not store.check_admin("analytiker", "feil")
    assert not store.check_admin("ukjent", "riktig hest batteri stift")


def test_passwords_are_hashed_with_argon2id_at_full_cost(store: Store,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    # The other tests hash with Argon2's cheapest parameters (conftest); the store's own are
    # RFC 9106's low-memory profile.
    from argon2 import Type, extract_parameters, profiles

    hasher = PRODUCTION_PASSWORD_HASHER()
    assert (hasher.type, hasher.time_cost, hasher.memory_cost, hasher.parallelism) == (
        Type.ID, 3, 65536, 4) == (profiles.RFC_9106_LOW_MEMORY.type,
                                  profiles.RFC_9106_LOW_MEMORY.time_cost,
                                  profiles.RFC_9106_LOW_MEMORY.memory_cost,
                                  profiles.RFC_9106_LOW_MEMORY.parallelism)
    monkeypatch.setattr(database, "password_hasher", PRODUCTION_PASSWORD_HASHER)
    store.add_admin("analytiker", "riktig hest batteri stift")
    with store.engine.connect() as connection:
        stored = connection.execute(text("SELECT password_hash FROM admins")).scalar_one()
    assert extract_parameters(stored).memory_cost == 65536
    assert store.check_admin("analytiker", "riktig hest batteri stift")


def test_settings_are_kept(store: Store) -> None:
    assert store.get_setting("base_url") is None
    store.set_setting("base_url", "https://a.example")
    store.set_setting("base_url", "https://b.example")
    assert store.get_setting("base_url") == "https://b.example"
