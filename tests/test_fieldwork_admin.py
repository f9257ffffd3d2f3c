"""The admin pages: login, sessions, CSRF, the login rate limit, live status and downloads.

The routes run in their own Starlette app (no questionnaire needed) through httpx over ASGI,
against SQLite and PostgreSQL. Numbers on the status page are checked against counts worked
out by hand from the seeded respondents.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import AsyncIterator, Iterator
from html.parser import HTMLParser

import httpx
import pytest
from starlette.applications import Starlette
from starlette.responses import Response

from tverrsnitt.fieldwork import admin
from tverrsnitt.fieldwork.admin_chart import activity_chart
from tverrsnitt.fieldwork.context import Site
from tverrsnitt.fieldwork.security import COOKIE_NAME, SESSION_MAX_AGE, AdminSecurity, LoginLimiter
from tverrsnitt.fieldwork.status import MailCount, fieldwork_status
from tverrsnitt.store import Store
from tverrsnitt.study import Study

pytestmark = pytest.mark.anyio

USER, PASSWORD = "analytiker", "riktig hest batteri stift"
XSS = "<script>alert(1)</script>"
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"
BASE = "http://testserver"
DAY = dt.timedelta(days=1)


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


class FakeClock:
    """Wall-clock time that a test moves by hand."""

    def __init__(self) -> None:
        self.now = 1_700_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:
    store = Store(store_url)
    store.add_admin(USER, PASSWORD)
    yield store
    store.close()


@pytest.fixture
def site(study: Study, store: Store) -> Site:
    assert study.fieldwork is not None
    return Site(study, study.fieldwork, store, "test-secret", secure_cookies=False)


def client_for(site: Site, security: AdminSecurity | None = None,
               ip: str = "192.0.2.1") -> httpx.AsyncClient:
    app = Starlette(routes=admin.routes(site, security))
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app, client=(ip, 50000)),
                             base_url=BASE)


@pytest.fixture
async def client(site: Site) -> AsyncIterator[httpx.AsyncClient]:
    async with client_for(site) as client:
        yield client


def csrf_of(page: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', page)
    assert found, "the page has no CSRF field"
    return found.group(1)


def use_cookie(client: httpx.AsyncClient, value: str) -> None:
    """Replace the browser's session cookie by hand (as an attacker replaying one would)."""
    client.cookies.clear()
    client.cookies.set(COOKIE_NAME, value, path="/admin")


async def login(client: httpx.AsyncClient, username: str = USER,
                password: str = PASSWORD) -> httpx.Response:
    form = await client.get("/admin/login")
    return await client.post("/admin/login", data={
        "csrf": csrf_of(form.text), "username": username, "password": password})


def seed(store: Store) -> None:
    """Eight members: 3 completed, 1 + 2 screened out (two reasons), 1 started, 1 not begun.

    One member's email and one free-text answer carry a script tag; one mail failed.
    """
    store.import_members([
        {"member_no": str(1000 + i), "email": XSS if i == 7 else f"m{i}@example.org",
         "background": {"birth_year": 1970 + i}} for i in range(8)])
    members = store.members()

    def respondent(i: int) -> int:
        found = store.respondent_for_token(store.issue_token(members[i].id, "invitation"))
        assert found is not None
        return found.id

    consent = {"s1_samtykke": "Ja", "s2_arbeid": "Jeg jobber elevrettet", "s3_laererutdanning": "Nei"}
    for i in range(3):
        store.save_page(respondent(i), {**consent, "b2_rolle": "Annet", "b2_rolle_annet": XSS},
                        [], page=18, status="completed")
    store.save_page(respondent(3), {"s1_samtykke": "Nei"}, [], page=1, status="screened_out",
                    screened_reason="Ikke samtykket")
    for i in (4, 5):
        store.save_page(respondent(i), {**consent, "s3_laererutdanning": "Ja"}, [], page=3,
                        status="screened_out", screened_reason="Lærerutdannet")
    store.save_page(respondent(6), consent, [], page=4, status="started")
    for i in range(8):
        store.claim_mail(members[i].id, "invitation")
        failed = i == 7
        store.finish_mail(members[i].id, "invitation", sent=not failed,
                          error=f"550 {XSS} rejected" if failed else None)


class TableReader(HTMLParser):
    """Every table on a page as rows of cell texts, keyed by the table's caption."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self._rows: list[list[str]] = []
        self._caption: list[str] | None = None
        self._cell: list[str] | None = None
        self._name = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table":
            self._rows = []
        elif tag == "caption":
            self._caption = []
        elif tag == "tr":
            self._rows.append([])
        elif tag in ("th", "td"):
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "caption" and self._caption is not None:
            self._name = "".join(self._caption).strip()
            self._caption = None
        elif tag in ("th", "td") and self._cell is not None:
            # Collapse markup whitespace only: a no-break space in a cell is part of its text.
            self._rows[-1].append(re.sub(r"[ \t\r\n]+", " ", "".join(self._cell)).strip(" "))
            self._cell = None
        elif tag == "table":
            self.tables[self._name] = self._rows

    def handle_data(self, data: str) -> None:
        for part in (self._caption, self._cell):
            if part is not None:
                part.append(data)


def tables_of(page: str) -> dict[str, list[list[str]]]:
    reader = TableReader()
    reader.feed(page)
    return reader.tables


# ----------------------------------------------------------------------------- login and sessions


async def test_admin_pages_need_a_login(client: httpx.AsyncClient, store: Store) -> None:
    seed(store)
    page = await client.get("/admin")
    assert page.status_code == 303 and page.headers["location"] == "/admin/login"
    for fmt in ("csv", "xlsx", "sav", "nope"):
        download = await client.get(f"/admin/export.{fmt}")
        assert download.status_code == 303 and download.headers["location"] == "/admin/login"
        assert "content-disposition" not in download.headers and download.content == b""


async def test_a_wrong_password_does_not_log_in(client: httpx.AsyncClient) -> None:
    refused = await login(client, password="feil passord")
    assert refused.status_code == 200 and "Feil brukernavn, passord eller engangskode." in refused.text
    assert (await client.get("/admin")).status_code == 303
    unknown = await login(client, username="ukjent")
    assert "Feil brukernavn, passord eller engangskode." in unknown.text
    assert (await client.get("/admin")).status_code == 303


async def test_login_rotates_the_session_and_logout_ends_it(client: httpx.AsyncClient) -> None:
    await client.get("/admin/login")
    before = client.cookies[COOKIE_NAME]
    response = await login(client)
    assert response.status_code == 303 and response.headers["location"] == "/admin"
    after = client.cookies[COOKIE_NAME]
    assert after != before
    home = await client.get("/admin")
    assert home.status_code == 200 and "Status for datainnsamlingen" in home.text
    assert f"Innlogget som {USER}" in home.text
    assert 'href="/admin/qual"' in home.text  # the example has focus groups to code

    # The cookie from before the login is not an admin's, even replayed by hand.
    use_cookie(client, before)
    assert (await client.get("/admin")).status_code == 303
    use_cookie(client, after)

    out = await client.post("/admin/logout", data={"csrf": csrf_of(home.text)})
    assert out.status_code == 303 and out.headers["location"] == "/admin/login"
    dropped = out.headers["set-cookie"].lower()
    assert dropped.startswith(f"{COOKIE_NAME}=") and "max-age=0" in dropped
    assert (await client.get("/admin")).status_code == 303  # a copy kept from before logout
    assert (await client.get("/admin")).status_code == 303


async def test_expired_tampered_and_foreign_cookies_are_refused(site: Site) -> None:
    clock = FakeClock()
    async with client_for(site, AdminSecurity(site.secret_key, site.store, secure_cookies=False,
                                              clock=clock)) as client:
        await login(client)
        cookie = client.cookies[COOKIE_NAME]
        assert (await client.get("/admin")).status_code == 200

        clock.now += SESSION_MAX_AGE - 60
        assert (await client.get("/admin")).status_code == 200
        clock.now += 120
        assert (await client.get("/admin")).status_code == 303

        clock.now -= 120
        payload, _, signature = cookie.rpartition(".")
        # Change the first character: the last one of a base64 text may only carry padding
        # bits, so changing it can leave the decoded signature as it was.
        flipped = ("B" if signature[0] != "B" else "C") + signature[1:]
        use_cookie(client, f"{payload}.{flipped}")
        assert (await client.get("/admin")).status_code == 303

        other = AdminSecurity("another-secret", site.store, secure_cookies=False, clock=clock)
        response = Response()
        other.set_cookie(response, other.log_in(USER))
        forged = response.headers["set-cookie"].split(";")[0].split("=", 1)[1]
        use_cookie(client, forged)
        assert (await client.get("/admin")).status_code == 303

        use_cookie(client, cookie)
        assert (await client.get("/admin")).status_code == 200


async def test_cookie_flags(study: Study, store: Store) -> None:
    assert study.fieldwork is not None
    secure = Site(study, study.fieldwork, store, "test-secret", secure_cookies=True)
    async with client_for(secure) as client:
        page = await client.get("/admin/login")
    flags = [part.strip().lower() for part in page.headers["set-cookie"].split(";")]
    # Lax: a link to /admin in a mail or on another site arrives with the cookie (every POST
    # still needs its CSRF token).
    assert {"secure", "httponly", "samesite=lax", "path=/admin"} <= set(flags)
    assert f"max-age={SESSION_MAX_AGE}" in flags

    async with client_for(Site(study, study.fieldwork, store, "k", secure_cookies=False)) as plain:
        page = await plain.get("/admin/login")
    assert "secure" not in [p.strip().lower() for p in page.headers["set-cookie"].split(";")]


async def test_security_headers_on_every_admin_response(client: httpx.AsyncClient) -> None:
    responses = [await client.get("/admin"), await client.get("/admin/login"),
                 await client.post("/admin/logout")]
    await login(client)
    responses.append(await client.get("/admin"))
    for response in responses:
        headers = response.headers
        assert headers["cache-control"] == "no-store"
        assert headers["x-frame-options"] == "DENY"
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["referrer-policy"] == "no-referrer"
        assert "frame-ancestors 'none'" in headers["content-security-policy"]
    page = responses[-1].text
    nonce = re.search(r"'nonce-([^']+)'", responses[-1].headers["content-security-policy"])
    assert nonce and f'<style nonce="{nonce.group(1)}">' in page
    assert "<script" not in page


# ----------------------------------------------------------------------------- CSRF


async def test_posts_without_the_right_csrf_token_are_refused(client: httpx.AsyncClient,
                                                              site: Site) -> None:
    form = await client.get("/admin/login")
    token = csrf_of(form.text)
    credentials = {"username": USER, "password": PASSWORD}
    for data in (credentials, {**credentials, "csrf": ""}, {**credentials, "csrf": token + "0"}):
        refused = await client.post("/admin/login", data=data)
        assert refused.status_code == 403 and "sikkerhetsnøkkelen" in refused.text
        assert (await client.get("/admin")).status_code == 303

    # A token from another browser's session is no good in this one.
    async with client_for(site) as other:
        foreign = csrf_of((await other.get("/admin/login")).text)
    assert (await client.post("/admin/login", data={**credentials, "csrf": foreign})
            ).status_code == 403

    # Without any session cookie, not even the right-looking token helps.
    async with client_for(site) as fresh:
        assert (await fresh.post("/admin/login", data={**credentials, "csrf": token})
                ).status_code == 403

    await login(client)
    home = await client.get("/admin")
    for data in ({}, {"csrf": "nope"}, {"csrf": token}):  # token: the pre-login session's
        assert (await client.post("/admin/logout", data=data)).status_code == 403
        assert (await client.get("/admin")).status_code == 200, "logout happened without CSRF"
    ok = await client.post("/admin/logout", data={"csrf": csrf_of(home.text)})
    assert ok.status_code == 303


async def test_admin_routes_take_no_other_posts(client: httpx.AsyncClient) -> None:
    await login(client)
    for path in ("/admin", "/admin/export.csv"):
        assert (await client.post(path)).status_code == 405


# ----------------------------------------------------------------------------- rate limit


async def test_wrong_passwords_slow_down_that_address_for_that_username(site: Site) -> None:
    clock = FakeClock()
    security = AdminSecurity(site.secret_key, site.store, secure_cookies=False, clock=clock,
                             limiter=LoginLimiter(site.store, free_failures=3, clock=clock))
    async with client_for(site, security) as client:
        for _ in range(3):
            assert (await login(client, password="feil")).status_code == 200
        blocked = await login(client)  # even the right password waits now: 1 s
        assert blocked.status_code == 429 and "For mange mislykkede innlogginger" in blocked.text
        assert blocked.headers["retry-after"] == "1"
        clock.now += 1
        assert (await login(client, password="feil")).status_code == 200  # 4th: 2 s
        clock.now += 1
        assert (await login(client)).status_code == 429
        clock.now += 1
        assert (await login(client)).status_code == 303  # waited; the count starts afresh

    # A stranger's wrong passwords from another address never lock the admin out.
    async with client_for(site, security, ip="198.51.100.66") as stranger:
        for _ in range(12):
            await login(stranger, USER.upper(), "gjetting")
        assert (await login(stranger)).status_code == 429
    async with client_for(site, security) as client:
        assert (await login(client)).status_code == 303


async def test_an_address_that_tries_many_usernames_is_stopped(site: Site) -> None:
    security = AdminSecurity(site.secret_key, site.store, secure_cookies=False,
                             limiter=LoginLimiter(site.store, per_ip=4))
    async with client_for(site, security) as client:
        for i in range(4):
            assert (await login(client, f"gjest{i}", "feil")).status_code == 200
        assert (await login(client)).status_code == 429
    async with client_for(site, security, ip="198.51.100.7") as elsewhere:
        assert (await login(elsewhere)).status_code == 303


async def test_the_limit_is_shared_by_workers_and_unlock_clears_it(site: Site) -> None:
    limiter = LoginLimiter(site.store, free_failures=1)
    security = AdminSecurity(site.secret_key, site.store, secure_cookies=False, limiter=limiter)
    async with client_for(site, security) as client:
        await login(client, password="feil")
        await login(client, password="feil")
        assert (await login(client)).status_code == 429
        # Another worker (its own objects, the same database) counts the same failures.
        worker = AdminSecurity(site.secret_key, site.store, secure_cookies=False,
                               limiter=LoginLimiter(site.store, free_failures=1))
        async with client_for(site, worker) as same_address_other_worker:
            assert (await login(same_address_other_worker)).status_code == 429
        assert limiter.unlock(USER.upper()) == 1  # `tverrsnitt unlock-admin`
        assert (await login(client)).status_code == 303


async def test_a_one_time_code_is_required_once_set(site: Site) -> None:
    import pyotp

    secret = pyotp.random_base32()
    site.store.set_totp(USER, secret)
    async with client_for(site) as client:
        assert (await login(client)).status_code == 200  # no code: refused
        form = await client.get("/admin/login")
        data = {"csrf": csrf_of(form.text), "username": USER, "password": PASSWORD}
        wrong = await client.post("/admin/login", data={**data, "code": "000000"})
        assert wrong.status_code == 200 and "engangskode" in wrong.text
        ok = await client.post("/admin/login", data={**data, "code": pyotp.TOTP(secret).now()})
        assert ok.status_code == 303


async def test_logout_and_a_new_password_end_sessions_everywhere(site: Site) -> None:
    async with client_for(site) as client:
        await login(client)
        stolen = client.cookies[COOKIE_NAME]
        home = await client.get("/admin")
        await client.post("/admin/logout", data={"csrf": csrf_of(home.text)})
    # A new server process (a restart, another worker) refuses the copied cookie too.
    async with client_for(site) as restarted:
        use_cookie(restarted, stolen)
        assert (await restarted.get("/admin")).status_code == 303
        await login(restarted)
        assert (await restarted.get("/admin")).status_code == 200
        site.store.add_admin(USER, "et helt nytt passord")  # tverrsnitt add-admin again
        assert (await restarted.get("/admin")).status_code == 303


async def test_a_link_from_another_site_keeps_the_login(site: Site) -> None:
    async with client_for(site) as client:
        await login(client)
        cookie = client.cookies[COOKIE_NAME]
        # A top-level navigation from webmail: the Lax cookie comes along, and the login page
        # (if visited) neither logs out nor replaces the session.
        page = await client.get("/admin", headers={"referer": "https://mail.example.org/"})
        assert page.status_code == 200
        again = await client.get("/admin/login")
        assert again.status_code == 303 and client.cookies[COOKIE_NAME] == cookie


# ----------------------------------------------------------------------------- status


def test_status_numbers(study: Study, store: Store) -> None:
    seed(store)
    status = fieldwork_status(study, store)
    assert (status.invited, status.not_started, status.in_progress, status.completed,
            status.screened_out, status.answered, status.analysed) == (8, 1, 1, 3, 3, 6, 3)
    assert status.screened_out_by_reason == (
        ("Ikke samtykket", 1), ("Ikke elevrettet arbeid", 0), ("Lærerutdannet", 2))
    # Percent of 8 invited, half up: 37.5 -> 38 and 12.5 -> 13 (round() would give 12).
    assert [(r.label, r.count, r.percent) for r in status.table] == [
        ("Distribuert", 8, 100), ("Svart", 6, 75), ("Ekskludert", 3, 38), ("Total N", 3, 38),
        ("Ikke samtykket", 1, 13), ("Ikke elevrettet arbeid", 0, 0), ("Lærerutdannet", 2, 25)]
    assert status.response_rate == 75
    today = dt.datetime.now(dt.UTC).date()
    assert [(a.day, a.started, a.completed) for a in status.activity] == [(today, 7, 6)]
    assert [(m.kind, m.sent, m.failed, m.sending) for m in status.mail_counts] == [
        ("invitation", 7, 1, 0)]
    assert [(f.member_no, f.email, f.error) for f in status.mail_failures] == [
        ("1007", XSS, f"550 {XSS} rejected")]


def test_status_before_anyone_is_invited(study: Study, store: Store) -> None:
    status = fieldwork_status(study, store)
    assert status.invited == 0 and status.response_rate is None
    assert {r.percent for r in status.table} == {None}
    chart = activity_chart(status)
    assert chart is not None and chart.bars == ()  # the fieldwork dates still make an axis


async def test_status_page_shows_the_numbers(client: httpx.AsyncClient, store: Store) -> None:
    seed(store)
    await login(client)
    page = (await client.get("/admin")).text
    tables = tables_of(page)
    nbsp = "\u00a0"
    assert tables["Tabell 2.1 slik den står i dag"] == [
        ["Svarstatus", "Prosent", "Antall"],
        ["Distribuert", f"100{nbsp}%", "8"],
        ["Svart", f"75{nbsp}%", "6"],
        ["Ekskludert", f"38{nbsp}%", "3"],
        ["Total N", f"38{nbsp}%", "3"],
        ["Ekskludert: Ikke samtykket", f"13{nbsp}%", "1"],
        ["Ekskludert: Ikke elevrettet arbeid", f"0{nbsp}%", "0"],
        ["Ekskludert: Lærerutdannet", f"25{nbsp}%", "2"],
    ]
    assert "Svarprosenten er nå 75&nbsp;prosent." in page
    assert tables["Utsendte e-poster etter utsending og status"] == [
        ["Utsending", "Sendt", "Feilet", "Utfall ukjent", "Totalt"],
        ["Invitasjon", "7", "1", "0", "8"]]
    assert tables["E-poster som ikke kunne sendes (1)"][1][:4] == ["1007", XSS, "Invitasjon", "1"]

    daily = tables["Påbegynte og leverte svar per dag"]
    now = dt.datetime.now(dt.UTC).date()
    today = now.strftime("%d.%m.%Y")
    # The invitation is marked on the day it actually went out, not on the planned 02.02.;
    # reminders not sent yet stay on their planned dates, marked as planned.
    assert [today, "7", "6", "Invitasjon: 7 sendt"] in daily
    assert ["13.02.2023", "0", "0", "Påminnelse 1 (planlagt)"] in daily
    assert "02.02.2023" not in [row[0] for row in daily]

    svg = page[page.index("<svg"):page.index("</svg>")]
    assert "<title id=\"chart-title\">" in svg and "<desc id=\"chart-desc\">" in svg
    assert '<text class="mailing"' in svg and f"Invitasjon {now:%d.%m.}" in svg
    for reminder in ("Påminnelse 1 (planlagt) 13.02.", "Påminnelse 2 (planlagt) 27.02.",
                     "Påminnelse 3 (planlagt) 14.03."):
        assert reminder in svg
    # The description names the dates too.
    assert f"invitasjon ({today})" in svg and "påminnelse 1 (planlagt) (13.02.2023)" in svg
    for fmt in ("csv", "xlsx", "sav"):
        assert f'href="/admin/export.{fmt}"' in page


@pytest.mark.parametrize(("today", "sentence"), [
    (dt.date(2023, 2, 1), "Undersøkelsen er ikke åpnet ennå: den åpner 02.02.2023 og stenger "
                          "26.03.2023."),
    (dt.date(2023, 2, 2), "Undersøkelsen er åpen fra 02.02.2023 til 26.03.2023."),
    (dt.date(2023, 3, 26), "Undersøkelsen er åpen fra 02.02.2023 til 26.03.2023."),
    (dt.date(2023, 3, 27), "Undersøkelsen er stengt: den var åpen fra 02.02.2023 til "
                           "26.03.2023. Det sendes ingen invitasjoner eller påminnelser."),
])
def test_status_says_whether_the_survey_is_open(study: Study, store: Store, today: dt.date,
                                                sentence: str) -> None:
    assert fieldwork_status(study, store, today).window == sentence


async def test_the_page_says_a_past_survey_is_closed(client: httpx.AsyncClient) -> None:
    await login(client)
    page = (await client.get("/admin")).text  # today, long after the example's 2023 dates
    assert "Undersøkelsen er stengt: den var åpen fra 02.02.2023 til 26.03.2023." in page
    assert "Undersøkelsen er åpen" not in page


def test_chart_marks_each_mailing_on_the_day_it_went_out(study: Study, store: Store) -> None:
    seed(store)
    status = fieldwork_status(study, store)
    today = dt.datetime.now(dt.UTC).date()
    assert [(m.kind, m.sent_days) for m in status.mail_counts] == [("invitation", ((today, 7),))]
    # The invitation went out over two days and the first reminder on one: the markers sit on
    # the first day each was sent, the table has every day with its count.
    first, reminder = dt.date(2023, 2, 3), dt.date(2023, 2, 15)
    moved = dataclasses.replace(status, mail_counts=(
        dataclasses.replace(status.mail_counts[0], sent_days=((first, 5), (first + DAY, 2))),
        MailCount("påminnelse 1", 1, 0, 0, ((reminder, 1),))))
    chart = activity_chart(moved)
    assert chart is not None
    assert [(m.day, m.label, m.kind) for m in chart.markers] == [
        (first, "Invitasjon 03.02.", "mailing"), (reminder, "Påminnelse 1 15.02.", "mailing"),
        (dt.date(2023, 2, 27), "Påminnelse 2 (planlagt) 27.02.", "planned"),
        (dt.date(2023, 3, 14), "Påminnelse 3 (planlagt) 14.03.", "planned"),
        (dt.date(2023, 3, 26), "Frist 26.03.", "deadline")]
    events = {row.day: row.events for row in chart.rows}
    assert events[first] == ("Invitasjon: 5 sendt",)
    assert events[first + DAY] == ("Invitasjon: 2 sendt",)
    assert events[reminder] == ("Påminnelse 1: 1 sendt",)
    assert dt.date(2023, 2, 2) not in events and dt.date(2023, 2, 13) not in events


async def test_user_text_is_escaped_everywhere(client: httpx.AsyncClient, store: Store) -> None:
    seed(store)
    wrong = await login(client, username=XSS, password="feil")
    await login(client)
    pages = [wrong.text, (await client.get("/admin")).text,
             (await client.post("/admin/logout", data={"csrf": "x"})).text]
    for page in pages:
        assert XSS not in page and "<script" not in page
    assert ESCAPED in pages[0]  # the username typed is shown back in the form
    assert pages[1].count(ESCAPED) == 2  # the member's email and the mail error


# ----------------------------------------------------------------------------- downloads


async def test_csv_download(client: httpx.AsyncClient, store: Store, study: Study) -> None:
    pytest.importorskip("tverrsnitt.fieldwork.export")
    seed(store)
    await login(client)
    response = await client.get("/admin/export.csv")
    assert response.status_code == 200
    assert response.headers["content-disposition"].startswith("attachment;")
    assert response.headers["cache-control"] == "no-store"
    header = response.content.decode("utf-8-sig").splitlines()[0]
    assert study.question("s1_samtykke").header in header
    assert study.question("b2_rolle_annet").header in header
    for fmt, magic in (("xlsx", b"PK"), ("sav", b"$FL")):
        other = await client.get(f"/admin/export.{fmt}")
        assert other.status_code == 200 and other.content.startswith(magic)
        assert other.headers["content-disposition"] == f'attachment; filename="{study.meta.name}-svar.{fmt}"'
    assert (await client.get("/admin/export.nope")).status_code == 404


async def test_create_app_serves_the_admin_pages(site: Site) -> None:
    pytest.importorskip("tverrsnitt.fieldwork.questionnaire")
    from tverrsnitt.fieldwork.app import create_app

    transport = httpx.ASGITransport(app=create_app(site))
    async with httpx.AsyncClient(transport=transport, base_url=BASE) as client:
        assert (await client.get("/admin")).status_code == 303
        assert (await login(client)).status_code == 303
        assert (await client.get("/admin")).status_code == 200
