"""The web questionnaire against what a stranger or a restart does: every error reply is a
Norwegian page with the security headers, oversized and non-UTF-8 forms are refused with a
message (never stored as mojibake), open pages survive a restart, forwarded addresses are
believed only from listed proxies, and HTTPS sites send HSTS."""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest

from tverrsnitt.errors import UsageError
from tverrsnitt.fieldwork import server
from tverrsnitt.fieldwork.context import SECRET_ENV, open_site
from tverrsnitt.fieldwork.form_csrf import form_token
from tverrsnitt.store import Store

from .conftest import EXAMPLE
from .test_fieldwork_web import KEEP, Survey, answer, open_survey, shown_form, title


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


def test_every_page_has_a_favicon_that_is_served(survey: Survey) -> None:
    client = survey.client()
    page = client.get(f"/s/{survey.invite()}")
    admin = client.get("/admin/login")
    for response in (page, admin):
        assert '<link rel="icon" href="/favicon.svg" type="image/svg+xml">' in response.text
    for path in ("/favicon.svg", "/favicon.ico"):  # browsers ask for .ico whatever pages say
        icon = client.get(path)
        assert icon.status_code == 200 and icon.headers["content-type"] == "image/svg+xml"
        assert icon.content.startswith(b"<svg") and icon.headers["X-Content-Type-Options"] == "nosniff"


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


def running_in_group(group: int) -> list[int]:
    """The processes of a process group that still run (exited ones, zombies, do not)."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[2]) == group and fields[0] != "Z":
            found.append(int(entry.name))
    return found


def test_serve_with_two_workers_shares_the_database_and_stops_cleanly(tmp_path: Path) -> None:
    """`serve --workers 2` on a fresh database: migrated once, then respondents on fresh
    connections (landing on either worker) walk their pages, the wrong-link limit counts
    across workers, the access log shows no token, and stopping ends every worker."""
    import httpx

    study = tmp_path / "study"
    shutil.copytree(EXAMPLE, study, ignore=shutil.ignore_patterns("data", "*.db*"))
    fieldwork = study / "fieldwork.yaml"
    fieldwork.write_text(re.sub(r"^(opens|closes):.*$", "", fieldwork.read_text("utf-8"),
                                flags=re.M), "utf-8")
    url = f"sqlite:///{tmp_path / 'fieldwork.db'}"
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    log = tmp_path / "access.log"
    env = {**os.environ, SECRET_ENV: "two-workers-test-key"}
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "tverrsnitt.cli", "serve", str(study), "--db", url,
             "--port", str(port), "--workers", "2"], env=env, stdout=out,
            stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while True:  # ready when it answers HTTP
            try:
                httpx.get(f"http://127.0.0.1:{port}/admin/login", timeout=5.0)
                break
            except httpx.HTTPError:
                assert process.poll() is None and time.monotonic() < deadline, log.read_text()
                time.sleep(0.1)
        store = Store(url, migrate=False)
        store.import_members([{"member_no": "W1", "email": "w1@x.no", "background": {}}])
        token = store.issue_token(store.members()[0].id, "invitation")
        # No keep-alive: every request is a new connection, accepted by either worker.
        fresh = httpx.Limits(max_keepalive_connections=0)
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", limits=fresh) as client:
            page = client.get(f"/s/{token}")
            titles = [title(page)]
            for keep in KEEP:
                posted = client.post(f"/s/{token}",
                                     data={**shown_form(page), **keep, "action": "next"})
                assert posted.status_code == 303
                page = client.get(f"/s/{token}")
                titles.append(title(page))
            assert len(set(titles)) == 4, titles
            respondent = store.respondent_for_token(token)
            assert respondent is not None
            assert set(store.answers(respondent.id)) >= {code for keep in KEEP for code in keep}
            statuses = [client.get(f"/s/wrong-{n}").status_code for n in range(32)]
        assert statuses == [404] * 30 + [429] * 2
        store.close()
    finally:
        process.terminate()
        process.wait(timeout=30)
    # Every worker ends with the parent (nothing alive left in its process group soon after).
    deadline = time.monotonic() + 10
    while running_in_group(process.pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    left = running_in_group(process.pid)
    assert left == [], [Path(f"/proc/{pid}/cmdline").read_bytes() for pid in left]
    text = log.read_text("utf-8")
    assert "/s/…" in text and token not in text
