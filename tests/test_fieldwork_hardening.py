"""The web questionnaire against what a stranger or a restart does: every error reply is a
Norwegian page with the security headers, oversized and non-UTF-8 forms are refused with a
message (never stored as mojibake), open pages survive a restart, forwarded addresses are
believed only from listed proxies, and HTTPS sites send HSTS."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack

import pytest

from tverrsnitt.errors import UsageError
from tverrsnitt.fieldwork import server
from tverrsnitt.fieldwork.context import SECRET_ENV, open_site
from tverrsnitt.fieldwork.form_csrf import form_token

from .conftest import EXAMPLE
from .test_fieldwork_web import Survey, answer, open_survey, title


@pytest.fixture
def survey(store_url: str) -> Iterator[Survey]:
    yield from open_survey(EXAMPLE, store_url)


def headers_ok(response: object) -> None:
    headers = response.headers  # type: ignore[attr-defined]
    assert headers["Cache-Control"] == "no-store"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]


def test_every_error_reply_is_a_norwegian_page_with_the_headers(survey: Survey) -> None:
    client = survey.client()
    link = f"/s/{survey.invite()}"
    cases = [
        (client.get("/finnes-ikke"), 404, "Fant ikke siden"),
        (client.portal.call(lambda: client.http.put(link)), 405, "Ikke tillatt"),
        (client.post(link, {"page": "0", "csrf": "x"}), 403, "Skjemaet ble avvist"),
    ]
    for response, status, heading in cases:
        assert response.status_code == status, response.text
        assert 'lang="nb"' in response.text and heading in response.text
        headers_ok(response)


def test_an_oversized_form_is_refused_in_norwegian_and_nothing_is_saved(survey: Survey) -> None:
    token = survey.invite()
    link = f"/s/{token}"
    client = survey.client()
    respondent = survey.site.store.respondent_for_token(token)
    assert respondent is not None
    huge = {"page": "0", "csrf": form_token(survey.site.secret_key, respondent.id, 0),
            "s1_samtykke": "Ja", "padding": "x" * (1024 * 1024 + 10)}
    response = client.post(link, huge)
    assert response.status_code == 413 and "For mye tekst" in response.text
    headers_ok(response)
    after = survey.site.store.respondent_for_token(token)
    assert after is not None and after.status == "invited"


def test_invalid_utf8_is_refused_not_stored_as_mojibake(survey: Survey) -> None:
    token = survey.invite()
    link = f"/s/{token}"
    client = survey.client()
    walk = answer(client, link, {"s1_samtykke": "Ja"})
    assert walk.status_code == 200
    respondent = survey.site.store.respondent_for_token(token)
    assert respondent is not None
    csrf = form_token(survey.site.secret_key, respondent.id, 1)
    body = f"page=1&csrf={csrf}&s2_arbeid=Jeg%20jobber%20%FF%FE&action=next".encode()
    response = client.portal.call(lambda: client.http.post(
        link, content=body, headers={"content-type": "application/x-www-form-urlencoded"}))
    assert response.status_code == 400 and "tegn som ikke kunne leses" in response.text
    assert "s2_arbeid" not in survey.site.store.answers(respondent.id)


def test_an_open_page_survives_a_restart_without_a_configured_key(store_url: str,
                                                                  monkeypatch: pytest.MonkeyPatch
                                                                  ) -> None:
    monkeypatch.delenv(SECRET_ENV, raising=False)
    first = open_site(EXAMPLE, db_url=store_url, secure_cookies=False)
    first.definition = first.definition.model_copy(update={"opens": None, "closes": None})
    with ExitStack() as stack:
        stack.callback(first.store.close)
        survey = Survey(first, stack)
        token = survey.invite()
        client = survey.client()
        page = client.get(f"/s/{token}")  # the consent page, open in the browser
        assert page.status_code == 200
        form = {"page": "0", "s1_samtykke": "Ja", "action": "next",
                "csrf": page.text.split('name="csrf" value="')[1].split('"')[0]}
    # The server restarts (a new process, the key made once and kept in the database).
    second = open_site(EXAMPLE, db_url=store_url, secure_cookies=False)
    second.definition = second.definition.model_copy(update={"opens": None, "closes": None})
    assert second.secret_key == first.secret_key
    with ExitStack() as stack:
        stack.callback(second.store.close)
        client = Survey(second, stack).client()
        after = client.post(f"/s/{token}", form)
        assert after.status_code == 200 and title(after) == "Arbeidet ditt i skolen"


def test_a_public_server_needs_a_secret_key(monkeypatch: pytest.MonkeyPatch,
                                            store_url: str) -> None:
    monkeypatch.delenv(SECRET_ENV, raising=False)
    with pytest.raises(UsageError, match=SECRET_ENV):
        open_site(EXAMPLE, db_url=store_url, require_secret=True)


def test_forwarded_addresses_are_believed_only_from_listed_proxies(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(server.TRUSTED_PROXIES_ENV, raising=False)
    assert server.trusted_proxies() == []  # never by default
    monkeypatch.setenv(server.TRUSTED_PROXIES_ENV, "10.0.0.5, 192.168.0.0/16")
    assert server.trusted_proxies() == ["10.0.0.5", "192.168.0.0/16"]
    monkeypatch.setenv(server.TRUSTED_PROXIES_ENV, "10.0.0.5, proxy.example.org")
    with pytest.raises(UsageError, match=r"proxy\.example\.org"):
        server.trusted_proxies()


def test_https_sites_send_hsts_and_plain_ones_do_not(store_url: str) -> None:
    for secure in (True, False):
        site = open_site(EXAMPLE, db_url=store_url, secret_key="k", secure_cookies=secure)
        with ExitStack() as stack:
            stack.callback(site.store.close)
            survey = Survey(site, stack)
            for response in (survey.client().get(f"/s/{survey.invite()}"),
                             survey.client().get("/finnes-ikke"),
                             survey.client().get("/admin/login")):
                assert ("Strict-Transport-Security" in response.headers) is secure
