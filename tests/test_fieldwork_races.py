"""Page saves under races and stale forms, on SQLite and PostgreSQL: a double-clicked (or
ten-times-clicked) "Send inn" completes once with one receipt; a stale tab never rewinds the
resume point, and never completes a respondent whose consent was withdrawn since."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import anyio
import httpx
import pytest

from tverrsnitt.fieldwork.form_csrf import form_token
from tverrsnitt.store import Store
from tverrsnitt.store.database import WriterLock

from .conftest import EXAMPLE
from .test_fieldwork_web import Survey, answer, open_survey, shown_form, title, walk_to_background

CONCURRENT = 10


@pytest.fixture
def survey(store_url: str) -> Iterator[Survey]:
    yield from open_survey(EXAMPLE, store_url)


@pytest.mark.parametrize("workers", [1, 2])
def test_ten_concurrent_completes_complete_once_in_the_store(store_url: str,
                                                            workers: int) -> None:
    """Ten completes at once for each of 50 respondents, from one server process or from two
    (`serve --workers 2`: two stores, each with its own connections and writer lock)."""
    store = Store(store_url)
    others = [Store(store_url, migrate=False) for _ in range(workers - 1)]
    stores = [store, *others]
    try:
        store.import_members([{"member_no": f"R{i:03d}", "email": f"r{i}@x.no", "background": {}}
                              for i in range(50)])
        ids = []
        for member in store.members():
            respondent = store.respondent_for_token(store.issue_token(member.id, "invitation"))
            assert respondent is not None
            store.save_page(respondent.id, {"s1_samtykke": "Ja"}, [], page=5, status="started")
            ids.append(respondent.id)
        receipts: dict[int, list[str | None]] = {i: [] for i in ids}
        barrier = threading.Barrier(CONCURRENT)
        errors: list[BaseException] = []

        def complete(respondent_id: int, n: int) -> None:
            try:
                barrier.wait()
                done = stores[n % workers].save_page(respondent_id, {"q69_fornoyd": f"try {n}"},
                                                     [], page=18, status="completed")
                receipts[respondent_id].append(done.receipt)
            except BaseException as exc:  # reported below
                errors.append(exc)

        for respondent_id in ids:
            threads = [threading.Thread(target=complete, args=(respondent_id, n))
                       for n in range(CONCURRENT)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
        assert not errors, errors[:3]
        assert store.status_counts() == {"completed": 50}
        for respondent_id, seen in receipts.items():
            # Every click got the same receipt back: one completion, never rewritten.
            assert len(seen) == CONCURRENT and len(set(seen)) == 1, (respondent_id, seen)
            assert store.answers(respondent_id)["q69_fornoyd"] in {f"try {n}" for n in range(10)}
    finally:
        for each in stores:
            each.close()


def test_the_sqlite_writer_lock_is_shared_by_processes(tmp_path: Path) -> None:
    """Two workers' writer locks on one database exclude each other (an flock beside the
    file), so their page saves queue instead of polling in SQLite's busy handler."""
    database = str(tmp_path / "fieldwork.db")
    first, second = WriterLock(database), WriterLock(database)
    order: list[str] = []
    with first:
        waiting = threading.Thread(target=lambda: (second.__enter__(), order.append("second"),
                                                   second.__exit__(None, None, None)))
        waiting.start()
        waiting.join(timeout=0.3)
        assert waiting.is_alive(), "the second worker took the lock while the first held it"
        order.append("first")
    waiting.join(timeout=5)
    assert order == ["first", "second"]
    assert (tmp_path / "fieldwork.db-writer").exists()
    first.close()
    second.close()


def test_ten_concurrent_send_inn_posts_complete_once(survey: Survey) -> None:
    """Twenty respondents on the last page click "Send inn" ten times at once, over HTTP."""
    store = survey.site.store
    last = len(survey.site.definition.pages) - 1
    links = []
    for _ in range(20):
        token = survey.invite()
        respondent = store.respondent_for_token(token)
        assert respondent is not None
        store.save_page(respondent.id, {"s1_samtykke": "Ja", "s2_arbeid": "Jeg jobber elevrettet",
                                        "s3_laererutdanning": "Nei"}, [], page=last,
                        status="started")
        links.append((f"/s/{token}", respondent.id))
    client = survey.client()
    http: httpx.AsyncClient = client.http

    async def burst(link: str, respondent_id: int) -> list[int]:
        form = {"page": str(last), "csrf": form_token(survey.site.secret_key, respondent_id, last),
                "action": "next"}
        codes: list[int] = []

        async def post() -> None:
            codes.append((await http.post(link, data=form)).status_code)

        async with anyio.create_task_group() as group:
            for _ in range(CONCURRENT):
                group.start_soon(post)
        return codes

    for link, respondent_id in links:
        codes = survey.portal.call(burst, link, respondent_id)
        assert codes == [303] * CONCURRENT
        receipt = store.respondent_for_token(link[3:])
        assert receipt is not None and receipt.status == "completed"
        page = client.get(link)
        assert receipt.receipt is not None and receipt.receipt in page.text
    assert store.status_counts() == {"completed": 20}


def test_a_stale_tab_never_rewinds_the_resume_point(survey: Survey) -> None:
    link = f"/s/{survey.invite()}"
    client = survey.client()
    walk_to_background(client, link)
    stale = client.get(link)  # page 4 ("Om deg …"), kept open in another tab
    page = answer(client, link, {"b1_utdanning": "Fagskole", "b2_rolle": "Skoleassistent",
                                 "b3_skoletrinn": "Barnetrinn", "b4_ansettelse": "Fast ansatt",
                                 "b5_heltid": "Heltid"})
    for _ in range(3):
        page = answer(client, link, {})
    ahead = title(page)
    respondent = survey.site.store.respondent_for_token(link[3:])
    assert respondent is not None and respondent.page > 5
    # The old tab posts its page again: the answers are saved, the position stays ahead.
    client.post(link, {**shown_form(stale), "b1_utdanning": "Fagskole", "b2_rolle": "Skoleassistent",
                       "b3_skoletrinn": "Barnetrinn", "b4_ansettelse": "Fast ansatt",
                       "b5_heltid": "Heltid", "action": "next"})
    again = survey.site.store.respondent_for_token(link[3:])
    assert again is not None and again.page == respondent.page
    assert title(client.get(link)) == ahead


def test_a_stale_last_page_cannot_complete_after_consent_is_withdrawn(survey: Survey) -> None:
    store = survey.site.store
    token = survey.invite()
    link = f"/s/{token}"
    respondent = store.respondent_for_token(token)
    assert respondent is not None
    last = len(survey.site.definition.pages) - 1
    store.save_page(respondent.id, {"s1_samtykke": "Ja", "s2_arbeid": "Jeg jobber elevrettet",
                                    "s3_laererutdanning": "Nei"}, [], page=last, status="started")
    client = survey.client()
    secret = survey.site.secret_key
    final = {"page": str(last), "csrf": form_token(secret, respondent.id, last), "action": "next"}
    # In another tab: back to the consent page, consent withdrawn, and 'Tilbake' pressed.
    client.post(link, {"page": "0", "csrf": form_token(secret, respondent.id, 0),
                       "s1_samtykke": "Nei", "action": "back"})
    client.post(link, final)  # the stale last page's "Send inn"
    after = store.respondent_for_token(token)
    assert after is not None
    assert (after.status, after.screened_reason) == ("screened_out", "Ikke samtykket")


def test_a_blanked_consent_is_asked_again_before_completing(survey: Survey) -> None:
    store = survey.site.store
    token = survey.invite()
    respondent = store.respondent_for_token(token)
    assert respondent is not None
    last = len(survey.site.definition.pages) - 1
    store.save_page(respondent.id, {"s1_samtykke": "Ja", "s2_arbeid": "Jeg jobber elevrettet",
                                    "s3_laererutdanning": "Nei"}, [], page=last, status="started")
    client = survey.client()
    secret = survey.site.secret_key
    link = f"/s/{token}"
    client.post(link, {"page": "2", "csrf": form_token(secret, respondent.id, 2),
                       "action": "back"})  # the teacher-education answer blanked, going back
    page = client.post(link, {"page": str(last), "csrf": form_token(secret, respondent.id, last),
                              "action": "next"})
    after = store.respondent_for_token(token)
    assert after is not None and after.status == "started"
    assert title(page) == "Utdanning"  # the page of the screening question left empty
