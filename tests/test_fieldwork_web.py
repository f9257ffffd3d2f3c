"""The respondent pages over HTTP (httpx over ASGI), on SQLite and PostgreSQL."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from contextlib import ExitStack
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import httpx
import pytest
from anyio.from_thread import BlockingPortal, start_blocking_portal

from tverrsnitt.fieldwork.app import create_app
from tverrsnitt.fieldwork.context import Site, open_site
from tverrsnitt.fieldwork.questionnaire import WRONG_LINKS_PER_WINDOW

from .conftest import EXAMPLE

Form = dict[str, str | list[str]]


class Client:
    """A synchronous face on httpx.AsyncClient over the ASGI app (one 'browser')."""

    def __init__(self, portal: BlockingPortal, app: Any, address: str = "203.0.113.7") -> None:
        self.portal = portal
        transport = httpx.ASGITransport(app=app, client=(address, 50000))
        self.http = httpx.AsyncClient(transport=transport, base_url="http://survey.test")

    def get(self, url: str) -> httpx.Response:
        return self.portal.call(lambda: self.http.get(url, follow_redirects=True))

    def post(self, url: str, data: Form, follow: bool = True) -> httpx.Response:
        return self.portal.call(lambda: self.http.post(url, data=data, follow_redirects=follow))

    def close(self) -> None:
        self.portal.call(self.http.aclose)


class Survey:
    """One running site with helpers to open clients and invite members."""

    def __init__(self, site: Site, stack: ExitStack) -> None:
        self.site = site
        self.app = create_app(site)
        self.portal = stack.enter_context(start_blocking_portal())
        self.stack = stack
        self.members = 0

    def client(self, address: str = "203.0.113.7") -> Client:
        client = Client(self.portal, self.app, address)
        self.stack.callback(client.close)
        return client

    def invite(self) -> str:
        self.members += 1
        number = f"M{self.members:04d}"
        self.site.store.import_members([{"member_no": number, "email": f"{number}@example.org",
                                         "background": {"member_no": number}}])
        member = next(m for m in self.site.store.members() if m.member_no == number)
        return self.site.store.issue_token(member.id, "invitation")


def open_survey(study_dir: Path, store_url: str) -> Iterator[Survey]:
    site = open_site(study_dir, db_url=store_url, secret_key="test-secret", secure_cookies=False)
    # The example's fieldwork ran in 2023; these tests answer as if it were open today.
    site.definition = site.definition.model_copy(update={"opens": None, "closes": None})
    with ExitStack() as stack:
        stack.callback(site.store.close)
        yield Survey(site, stack)


@pytest.fixture
def survey(store_url: str) -> Iterator[Survey]:
    yield from open_survey(EXAMPLE, store_url)


class FormReader(HTMLParser):
    """What a browser would post from a page's form as shown (hidden, checked, typed)."""

    def __init__(self) -> None:
        super().__init__()
        self.fields: dict[str, list[str]] = {}
        self.textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        name = a.get("name")
        if tag == "textarea" and name:
            self.textarea = name
            self.fields.setdefault(name, [""])
        if tag != "input" or not name:
            return
        if a.get("type") in ("radio", "checkbox"):
            if "checked" in a:
                self.fields.setdefault(name, []).append(a.get("value") or "")
        else:
            self.fields[name] = [a.get("value") or ""]

    def handle_data(self, data: str) -> None:
        if self.textarea is not None:
            self.fields[self.textarea] = [self.fields[self.textarea][0] + data]

    def handle_endtag(self, tag: str) -> None:
        if tag == "textarea":
            self.textarea = None


def shown_form(page: httpx.Response) -> Form:
    """The form as the page shows it: hidden fields plus every checked or typed answer."""
    reader = FormReader()
    reader.feed(page.text)
    return {name: values if len(values) > 1 else values[0]
            for name, values in reader.fields.items()}


def form_of(page: httpx.Response) -> Form:
    """The hidden fields of the page's form (page number and CSRF field)."""
    fields = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', page.text))
    assert set(fields) == {"page", "csrf"}, page.text
    return dict(fields)


def title(page: httpx.Response) -> str:
    match = re.search(r"<h1>(.*?)</h1>", page.text, re.S)
    assert match, page.text
    return match.group(1).strip()


def answer(client: Client, link: str, answers: Form, action: str = "next") -> httpx.Response:
    """Post the current page as shown, changed by `answers`, and follow the redirect."""
    page = client.get(link)
    return client.post(link, {**shown_form(page), **answers, "action": action})


KEEP = [{"s1_samtykke": "Ja"}, {"s2_arbeid": "Jeg jobber elevrettet"},
        {"s3_laererutdanning": "Nei"}]


def walk_to_background(client: Client, link: str) -> httpx.Response:
    for page in KEEP:
        response = answer(client, link, page)
    return response


# ----------------------------------------------------------------------------- tests


def test_refusing_consent_screens_out_with_the_reason(survey: Survey) -> None:
    link = f"/s/{survey.invite()}"
    client = survey.client()
    first = client.get(link)
    assert first.status_code == 200 and "Side 1 av 18" in first.text
    assert "NIFU gjennomfører" in first.text  # the welcome text comes with the consent page
    done = answer(client, link, {"s1_samtykke": "Nei"})
    assert done.status_code == 200
    assert "Du har valgt å ikke delta" in done.text
    respondent = survey.site.store.respondent_for_token(link[3:])
    assert respondent is not None
    assert (respondent.status, respondent.screened_reason) == ("screened_out", "Ikke samtykket")
    assert survey.site.store.answers(respondent.id) == {"s1_samtykke": "Nei"}
    assert survey.site.store.screened_out_by_reason() == {"Ikke samtykket": 1}


def test_consent_must_be_answered(survey: Survey) -> None:
    link = f"/s/{survey.invite()}"
    client = survey.client()
    page = answer(client, link, {})
    assert page.status_code == 422
    assert "Du må svare på dette spørsmålet for å gå videre." in page.text
    assert 'href="#s1_samtykke-0"' in page.text  # the error summary links to the field


def test_full_walk_with_routing_resume_back_and_replay(survey: Survey) -> None:
    store = survey.site.store
    token = survey.invite()
    link = f"/s/{token}"
    client = survey.client()
    page = walk_to_background(client, link)
    assert title(page) == "Om deg og stillingen din" and "Side 4 av 18" in page.text
    page = answer(client, link, {"b1_utdanning": "Fagskole", "b2_rolle": "Skoleassistent",
                                 "b3_skoletrinn": "Barnetrinn", "b4_ansettelse": "Fast ansatt",
                                 "b5_heltid": "Deltid"})
    # Part-time without 'Annet': only the percentage is asked on the next page.
    assert title(page) == "Mer om rollen og stillingen din"
    assert 'name="b6_stillingsprosent"' in page.text and "b2_rolle_annet" not in page.text
    page = answer(client, link, {"b6_stillingsprosent": "150"})
    assert page.status_code == 422 and "Skriv et tall fra 1 til 99." in page.text
    assert 'value="150"' in page.text  # the typed input is kept
    page = answer(client, link, {"b6_stillingsprosent": "60"})
    assert title(page) == "Elevgrupper du jobber med"

    # Close the browser half way; a new one with the same link resumes on the same page.
    client.close()
    client = survey.client()
    page = client.get(link)
    assert title(page) == "Elevgrupper du jobber med"
    page = answer(client, link, {"q41_mobbing": "I stor grad", "q41_fravaer": "I liten grad"})
    assert title(page) == "Behov for kompetanse"
    assert "q44_mobbing" in page.text and "q44_fravaer" not in page.text
    assert "q44_saerskilte_behov" not in page.text

    # Back to the groups page: answers are shown again; lowering q41_mobbing skips q44 and
    # clears the q44 answer given before.
    page = answer(client, link, {"q44_mobbing": "I noen grad"})
    assert title(page) == "Tema du jobber med"
    page = answer(client, link, {}, action="back")
    assert title(page) == "Behov for kompetanse"
    assert re.search(r'value="I noen grad"\s+checked', page.text)
    page = answer(client, link, {}, action="back")
    assert title(page) == "Elevgrupper du jobber med"
    assert re.search(r'name="q41_mobbing" value="I stor grad"\s+checked', page.text)
    page = answer(client, link, {"q41_mobbing": "I liten grad", "q41_fravaer": "I liten grad"})
    assert title(page) == "Tema du jobber med"  # q44 has nothing left to ask
    respondent = store.respondent_for_token(token)
    assert respondent is not None
    assert "q44_mobbing" not in store.answers(respondent.id)
    page = answer(client, link, {}, action="back")
    assert title(page) == "Elevgrupper du jobber med"  # skipped backwards too

    # Forward to the end, keeping what the pages show (as a browser posts checked radios).
    for _ in range(20):
        if "Send inn" in page.text:
            break
        page = answer(client, link, {})
    assert title(page) == "Om jobben din" and "Side 18 av 18" in page.text
    last = client.get(link)
    final = {**form_of(last), "q69_fornoyd": "Enig", "action": "next"}
    done = client.post(link, final)
    assert "Takk for at du deltok!" in done.text
    receipt = re.search(r'class="receipt">(\w+)<', done.text)
    assert receipt is not None
    respondent = store.respondent_for_token(token)
    assert respondent is not None and respondent.status == "completed"
    assert respondent.receipt == receipt.group(1)
    saved = store.answers(respondent.id)
    assert saved["b6_stillingsprosent"] == 60.0 and saved["q69_fornoyd"] == "Enig"
    assert saved["q41_mobbing"] == "I liten grad"

    # The replayed final post changes nothing and shows the same receipt.
    again = client.post(link, {**final, "q69_fornoyd": "Svært uenig"})
    assert again.status_code == 200 and receipt.group(1) in again.text
    assert store.answers(respondent.id) == saved
    assert store.status_counts() == {"completed": 1}
    assert len(list(store.responses())) == 1


def test_going_back_and_changing_consent_clears_routed_answers(survey: Survey) -> None:
    store = survey.site.store
    token = survey.invite()
    link = f"/s/{token}"
    client = survey.client()
    page = walk_to_background(client, link)
    for _ in range(3):
        page = answer(client, link, {}, action="back")
    assert title(page) == "Samtykke"
    assert "Tilbake" not in page.text  # nothing before the first page
    page = answer(client, link, {"s1_samtykke": "Nei"})
    respondent = store.respondent_for_token(token)
    assert respondent is not None and respondent.screened_reason == "Ikke samtykket"
    assert store.answers(respondent.id) == {"s1_samtykke": "Nei"}


def test_part_time_percentage_only_for_part_time(survey: Survey) -> None:
    link = f"/s/{survey.invite()}"
    client = survey.client()
    walk_to_background(client, link)
    page = answer(client, link, {"b5_heltid": "Heltid", "b2_rolle": "Annet"})
    assert title(page) == "Mer om rollen og stillingen din"
    assert "b2_rolle_annet" in page.text and "b6_stillingsprosent" not in page.text


def test_free_text_is_escaped_when_shown_again(survey: Survey) -> None:
    link = f"/s/{survey.invite()}"
    client = survey.client()
    walk_to_background(client, link)
    answer(client, link, {"b2_rolle": "Annet"})
    evil = '</textarea><script>alert("x")</script>'
    page = answer(client, link, {"b2_rolle_annet": evil})
    page = answer(client, link, {}, action="back")
    assert title(page) == "Mer om rollen og stillingen din"
    assert "<script>" not in page.text
    assert "&lt;/textarea&gt;&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in page.text


def test_a_token_reaches_only_its_own_respondent(survey: Survey) -> None:
    store = survey.site.store
    mine, theirs = survey.invite(), survey.invite()
    client = survey.client()
    walk_to_background(client, f"/s/{mine}")
    other = client.get(f"/s/{theirs}")
    assert title(other) == "Samtykke"  # their own first page, nothing of mine
    # My form fields do not work on their link: the CSRF field is bound to the respondent.
    page = client.get(f"/s/{mine}")
    refused = client.post(f"/s/{theirs}", {**form_of(page), "b5_heltid": "Deltid"})
    assert refused.status_code == 403
    respondent = store.respondent_for_token(theirs)
    assert respondent is not None and store.answers(respondent.id) == {}


def test_post_without_the_form_field_is_refused(survey: Survey) -> None:
    token = survey.invite()
    client = survey.client()
    refused = client.post(f"/s/{token}", {"page": "0", "s1_samtykke": "Ja", "action": "next"})
    assert refused.status_code == 403 and "Skjemaet ble avvist" in refused.text
    forged = client.post(f"/s/{token}", {"page": "0", "csrf": "0" * 64, "s1_samtykke": "Ja"})
    assert forged.status_code == 403
    respondent = survey.site.store.respondent_for_token(token)
    assert respondent is not None and respondent.status == "invited"


def test_wrong_token_is_a_norwegian_404_and_rate_limited(survey: Survey) -> None:
    token = survey.invite()
    client = survey.client("198.51.100.1")
    page = client.get("/s/not-a-real-token")
    assert page.status_code == 404 and "Vi fant ikke denne lenken" in page.text
    assert 'lang="nb"' in page.text
    for _ in range(WRONG_LINKS_PER_WINDOW - 1):
        assert client.get("/s/still-wrong").status_code == 404
    limited = client.get("/s/still-wrong")
    assert limited.status_code == 429 and int(limited.headers["Retry-After"]) > 0
    assert "For mange forsøk" in limited.text and limited.headers["Cache-Control"] == "no-store"
    # A valid link is never counted or refused, even from an address that typed many wrong
    # ones (a school's one NAT address): only the guessing is stopped.
    assert client.get(f"/s/{token}").status_code == 200
    assert client.get("/s/still-wrong").status_code == 429
    # Another address is not affected, and the count is the database's: a second app (another
    # worker) over the same database refuses the same address.
    assert survey.client("198.51.100.2").get("/s/still-wrong").status_code == 404


def test_security_headers(survey: Survey) -> None:
    page = survey.client().get(f"/s/{survey.invite()}")
    assert page.headers["Cache-Control"] == "no-store"
    assert page.headers["X-Content-Type-Options"] == "nosniff"
    assert page.headers["Referrer-Policy"] == "no-referrer"
    assert "frame-ancestors 'none'" in page.headers["Content-Security-Policy"]


def test_closed_outside_the_fieldwork_period(store_url: str) -> None:
    site = open_site(EXAMPLE, db_url=store_url, secret_key="k", secure_cookies=False)
    with ExitStack() as stack:
        stack.callback(site.store.close)
        survey = Survey(site, stack)  # the example closed on 2023-03-26
        page = survey.client().get(f"/s/{survey.invite()}")
        assert page.status_code == 200 and "Undersøkelsen er avsluttet. Takk for interessen." in page.text
        assert "<form" not in page.text


def test_open_link_mode(tmp_path: Path, store_url: str) -> None:
    study_dir = tmp_path / "study"
    shutil.copytree(EXAMPLE, study_dir, ignore=shutil.ignore_patterns("data", "*.db*"))
    fieldwork = study_dir / "fieldwork.yaml"
    fieldwork.write_text(fieldwork.read_text(encoding="utf-8").replace("mode: personal", "mode: open"),
                         encoding="utf-8")
    for survey in open_survey(study_dir, store_url):
        client = survey.client()
        first = client.get("/open")
        assert first.status_code == 200 and title(first) == "Samtykke"
        link = first.url.path
        assert link.startswith("/s/")
        answer(client, link, {"s1_samtykke": "Ja"})
        second = client.get("/open")
        assert second.url.path != link  # every visit is a new anonymous response
        assert survey.site.store.status_counts() == {"started": 1, "invited": 1}
        resumed = client.get(link)
        assert title(resumed) == "Arbeidet ditt i skolen"


def test_open_link_is_not_found_in_personal_mode(survey: Survey) -> None:
    assert survey.client().get("/open").status_code == 404


@pytest.mark.parametrize(("host", "env", "secure"), [
    ("127.0.0.1", None, False), ("localhost", None, False), ("::1", None, False),
    ("0.0.0.0", None, True), ("192.0.2.10", None, True),
    ("127.0.0.1", "1", True), ("0.0.0.0", "0", False),
])
def test_serve_marks_cookies_secure_unless_on_loopback(monkeypatch: pytest.MonkeyPatch, host: str,
                                                       env: str | None, secure: bool) -> None:
    from tverrsnitt.fieldwork.server import SECURE_COOKIES_ENV, secure_cookies_for

    if env is None:
        monkeypatch.delenv(SECURE_COOKIES_ENV, raising=False)
    else:
        monkeypatch.setenv(SECURE_COOKIES_ENV, env)
    assert secure_cookies_for(host) is secure


def test_the_access_log_never_shows_a_token() -> None:
    import logging

    from tverrsnitt.fieldwork.server import RedactLinks

    record = logging.LogRecord("uvicorn.access", logging.INFO, __file__, 1,
                               '%s - "%s %s HTTP/%s" %d', ("1.2.3.4", "GET", "/s/SECRET-token_1?x=1",
                                                            "1.1", 200), None)
    assert RedactLinks().filter(record)
    assert record.getMessage() == '1.2.3.4 - "GET /s/…?x=1 HTTP/1.1" 200'


def test_resume_after_a_wording_fix_that_keeps_the_codes(tmp_path: Path, store_url: str) -> None:
    # Answer the first pages, then the team corrects a question's wording (same code) while
    # the respondent is away: the link resumes where it stopped, the answers still there.
    with ExitStack() as stack:
        before = stack.enter_context(_survey(EXAMPLE, store_url))
        link = f"/s/{before.invite()}"
        client = before.client()
        walk_to_background(client, link)
        answer(client, link, {"b1_utdanning": "Fagskole", "b5_heltid": "Deltid"})
    fixed = tmp_path / "fixed"
    shutil.copytree(EXAMPLE, fixed, ignore=shutil.ignore_patterns("data", "*.db*"))
    questionnaire = fixed / "questionnaire.yaml"
    text = questionnaire.read_text(encoding="utf-8")
    assert "header: Hvor mange prosent stilling har du?" in text
    questionnaire.write_text(text.replace("header: Hvor mange prosent stilling har du?",
                                          "header: Hvor stor stillingsprosent har du?"),
                             encoding="utf-8")
    with ExitStack() as stack:
        after = stack.enter_context(_survey(fixed, store_url))
        page = after.client().get(link)
        assert "Hvor stor stillingsprosent har du?" in page.text  # the corrected wording
        assert title(page) == "Mer om rollen og stillingen din"  # where the respondent stopped
        back = after.client().post(link, {**form_of(page), "action": "back"})
        assert 'name="b1_utdanning" value="Fagskole" checked' in back.text
        assert 'name="b5_heltid" value="Deltid" checked' in back.text


def _survey(study_dir: Path, store_url: str) -> Any:
    from contextlib import contextmanager

    return contextmanager(open_survey)(study_dir, store_url)
