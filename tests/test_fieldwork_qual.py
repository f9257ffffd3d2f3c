"""The focus-group admin pages (/admin/qual): coding transcripts and placing cups.

The admin routes run in their own Starlette app through httpx over ASGI, against SQLite and
PostgreSQL, as in test_fieldwork_admin. Codings are checked in the store under the logged-in
admin's name; placements through the CSV download read back with `read_placements`.
"""

from __future__ import annotations

import math
import re
import shutil
from collections.abc import AsyncIterator, Iterator
from html import unescape
from html.parser import HTMLParser
from pathlib import Path

import httpx
import pytest

from tverrsnitt.clean.anonymise import anonymise_all
from tverrsnitt.fieldwork.admin_qual_placement import placements_csv
from tverrsnitt.fieldwork.context import Site
from tverrsnitt.ingest.placements import MAX_DISTANCE, Placement, read_placements
from tverrsnitt.ingest.transcripts import Transcript, load_transcripts
from tverrsnitt.store import Store
from tverrsnitt.study import Study
from tverrsnitt.study.qual import load_qual

from .conftest import EXAMPLE
from .test_fieldwork_admin import client_for, csrf_of

pytestmark = pytest.mark.anyio

USER, OTHER, PASSWORD = "analytiker", "koder-b", "riktig hest batteri stift"
XSS = "<script>alert(1)</script>"
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"
BASE = "http://testserver"


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:
    store = Store(store_url)
    store.add_admin(USER, PASSWORD)
    store.add_admin(OTHER, PASSWORD)
    yield store
    store.close()


@pytest.fixture
def site(study: Study, store: Store) -> Site:
    assert study.fieldwork is not None
    return Site(study, study.fieldwork, store, "test-secret", secure_cookies=False)


@pytest.fixture(scope="module")
def texts() -> dict[str, Transcript]:
    qual = load_qual(EXAMPLE)
    return {g: a.transcript for g, a in anonymise_all(qual, load_transcripts(qual)).items()}


@pytest.fixture
async def client(site: Site) -> AsyncIterator[httpx.AsyncClient]:
    async with client_for(site) as client:
        yield client


async def login(client: httpx.AsyncClient, username: str = USER) -> str:
    """Log in and return a CSRF token of the new session."""
    form = await client.get("/admin/login")
    done = await client.post("/admin/login", data={
        "csrf": csrf_of(form.text), "username": username, "password": PASSWORD})
    assert done.status_code == 303
    return csrf_of((await client.get("/admin/qual")).text)


def span_of(transcript: Transcript, turn: int, phrase: str) -> tuple[int, int]:
    """Offsets of a phrase in one turn of the anonymised transcript."""
    t = transcript.turns[turn]
    at = t.text.index(phrase)
    return t.start + at, t.start + at + len(phrase)


class TurnTexts(HTMLParser):
    """The text of every `.text[data-start]` element of the coding page (marks included)."""

    def __init__(self) -> None:
        super().__init__()
        self.turns: list[tuple[int, int, str]] = []
        self._depth = 0
        self._open: tuple[int, int] | None = None
        self._text: list[str] = []
        self.marks: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if self._open is not None:
            self._depth += 1
            if tag == "mark":
                self.marks.append(found.get("class") or "")
        elif tag == "div" and found.get("class") == "text" and "data-start" in found:
            self._open = int(found["data-start"] or 0), int(found["data-end"] or 0)
            self._depth, self._text = 0, []

    def handle_endtag(self, tag: str) -> None:
        if self._open is None:
            return
        if self._depth == 0:
            self.turns.append((*self._open, "".join(self._text)))
            self._open = None
        else:
            self._depth -= 1

    def handle_data(self, data: str) -> None:
        if self._open is not None:
            self._text.append(data)


def turn_texts(page: str) -> TurnTexts:
    reader = TurnTexts()
    reader.convert_charrefs = True
    reader.feed(page)
    return reader


# ----------------------------------------------------------------------------- security


QUAL_GETS = ("/admin/qual", "/admin/qual/FG1", "/admin/qual/placement/FG1/laerer",
             "/admin/qual/placements.csv")
QUAL_POSTS = ("/admin/qual/FG1/code", "/admin/qual/FG1/delete", "/admin/qual/FG1/restore",
              "/admin/qual/FG1/theme-memo", "/admin/qual/placement/FG1/laerer")


async def test_qual_pages_need_a_login(client: httpx.AsyncClient) -> None:
    for path in QUAL_GETS:
        page = await client.get(path)
        assert page.status_code == 303 and page.headers["location"] == "/admin/login", path
        assert "content-disposition" not in page.headers
    token = csrf_of((await client.get("/admin/login")).text)  # an anonymous session's token
    for path in QUAL_POSTS:
        refused = await client.post(path, data={"csrf": token, "start": "0", "end": "5",
                                                "tema": "dypt_vann", "p0-avstand": "0.5",
                                                "p0-vinkel": "10"})
        assert refused.status_code == 303 and refused.headers["location"] == "/admin/login"


async def test_qual_posts_need_the_csrf_token(client: httpx.AsyncClient, site: Site,
                                              texts: dict[str, Transcript]) -> None:
    token = await login(client)
    start, end = span_of(texts["FG1"], 1, "Jeg har fagbrev")
    coding = {"start": str(start), "end": str(end), "tema": "kompetanse"}
    memo = {"tema": "dypt_vann", "memo": "Et memo."}
    cups = {"p0-avstand": "0.5", "p0-vinkel": "10"}
    for path, data in zip(QUAL_POSTS, (coding, {"id": "1"}, {"id": "1"}, memo, cups), strict=True):
        for bad in ({}, {"csrf": ""}, {"csrf": token + "0"}):
            refused = await client.post(path, data={**data, **bad})
            assert refused.status_code == 403 and "sikkerhetsnøkkelen" in refused.text, path
    assert site.store.codings() == [] and site.store.theme_memos() == []
    assert site.store.placements() == []
    for path in ("/admin/qual", "/admin/qual/FG1", "/admin/qual/placements.csv"):
        assert (await client.post(path, data={"csrf": token})).status_code == 405


async def test_pages_carry_the_admin_headers_and_a_script_nonce(
        client: httpx.AsyncClient) -> None:
    await login(client)
    for path in QUAL_GETS[:3]:
        page = await client.get(path)
        assert page.status_code == 200, path
        headers = page.headers
        assert headers["cache-control"] == "no-store" and headers["x-frame-options"] == "DENY"
        policy = headers["content-security-policy"]
        assert "default-src 'none'" in policy and "frame-ancestors 'none'" in policy
        nonce = re.search(r"script-src 'nonce-([^']+)'", policy)
        assert nonce, policy
        for script in re.findall(r"<script[^>]*>", page.text):
            assert script == f'<script nonce="{nonce.group(1)}">'
        assert not re.search(r'(src|href|action)="(https?:)?//', page.text)  # nothing external
    download = await client.get("/admin/qual/placements.csv")
    assert download.headers["cache-control"] == "no-store"


# ----------------------------------------------------------------------------- coding page


async def test_the_transcript_is_the_anonymised_text_turn_by_turn(
        client: httpx.AsyncClient, texts: dict[str, Transcript]) -> None:
    await login(client)
    for group in ("FG1", "FG2"):
        page = await client.get(f"/admin/qual/{group}")
        assert page.status_code == 200
        transcript = texts[group]
        shown = turn_texts(page.text).turns
        assert len(shown) == len(transcript.turns)
        for (start, end, text), turn in zip(shown, transcript.turns, strict=True):
            # The page's offsets are the codings' offsets: the element holds exactly that text.
            assert (start, end) == (turn.start, turn.end)
            assert text == transcript.text[start:end] == turn.text
    fg1 = (await client.get("/admin/qual/FG1")).text
    assert "Kari Nordmann" not in fg1 and "[navn]" in fg1  # names replaced before coding


async def test_transcript_text_is_escaped(study: Study, store: Store, tmp_path: Path) -> None:
    folder = tmp_path / "studie"
    (folder / "qual").mkdir(parents=True)
    shutil.copy(EXAMPLE / "qual.yaml", folder)
    for name in ("fg1.txt", "fg2.docx", "placement.csv"):
        shutil.copy(EXAMPLE / "qual" / name, folder / "qual")
    with (folder / "qual" / "fg1.txt").open("a", encoding="utf-8") as handle:
        handle.write(f"\n\nD1: Jeg skrev {XSS} & <b>fet</b> i chatten.\n")
    assert study.fieldwork is not None
    changed = study.model_copy(update={"qual": load_qual(folder)})
    async with client_for(Site(changed, study.fieldwork, store, "k", False)) as client:
        await login(client)
        page = (await client.get("/admin/qual/FG1")).text
    assert XSS not in page and "<b>fet" not in page
    assert ESCAPED in page and "&amp; &lt;b&gt;fet&lt;/b&gt;" in page
    last = turn_texts(page).turns[-1]
    assert last[2] == f"Jeg skrev {XSS} & <b>fet</b> i chatten."  # the text, read back


async def test_a_coding_is_stored_under_the_logged_in_admin(
        client: httpx.AsyncClient, site: Site, texts: dict[str, Transcript]) -> None:
    token = await login(client)
    phrase = "Jeg har fagbrev som barne- og ungdomsarbeider"
    start, end = span_of(texts["FG1"], 1, phrase)
    saved = await client.post("/admin/qual/FG1/code", data={
        "csrf": token, "start": str(start), "end": str(end), "tema": ["kompetanse", "elevgrupper"],
        "segment": "fagbrev", "memo": f"Memo med {XSS}"})
    assert saved.status_code == 303
    assert saved.headers["location"].startswith("/admin/qual/FG1?lagret=")
    assert saved.headers["location"].endswith("#tur-1")
    (stored,) = site.store.stored_codings()
    coding = stored.coding
    assert (coding.coder, coding.group, coding.start, coding.end) == (USER, "FG1", start, end)
    assert coding.themes == ("elevgrupper", "kompetanse") and coding.segment == "fagbrev"
    assert coding.memo == f"Memo med {XSS}" and stored.source == "web"
    assert coding.text(texts) == phrase

    page = (await client.get(saved.headers["location"])).text
    assert "Kodingen er lagret" in page
    assert f'<span id="koding-{stored.id}-tekst">{phrase}</span>' in page
    assert XSS not in page and f"Memo med {ESCAPED}" in page
    assert turn_texts(page).marks == ["own"]

    # Another admin's codings are theirs: not on this admin's list, shown only when asked for.
    async with client_for(site) as other:
        other_token = await login(other, OTHER)
        o_start, o_end = span_of(texts["FG1"], 2, "Skoleassistent")
        assert (await other.post("/admin/qual/FG1/code", data={
            "csrf": other_token, "start": str(o_start), "end": str(o_end),
            "tema": "utenfor_stillingen"})).status_code == 303
        theirs = (await other.get("/admin/qual/FG1")).text
        assert "Du har ingen kodinger" not in theirs and phrase not in re.sub(
            r'<div id="transkripsjon".*?</section>', "", theirs, flags=re.S)
        assert turn_texts(theirs).marks == ["own"]
    assert [c.coder for c in site.store.codings(USER)] == [USER]
    assert [c.coder for c in site.store.codings(OTHER)] == [OTHER]
    plain = (await client.get("/admin/qual/FG1")).text
    assert turn_texts(plain).marks == ["own"]
    assert f'<option value="{OTHER}">' in plain
    both = (await client.get(f"/admin/qual/FG1?andre={OTHER}")).text
    assert sorted(turn_texts(both).marks) == ["other", "own"]
    assert f"kodingene til {OTHER}" in both
    assert "Slett" in both and both.count('action="/admin/qual/FG1/delete"') == 1  # read-only

    overview = (await client.get("/admin/qual")).text
    assert f"{USER} (deg)" in overview and OTHER in overview


async def test_a_wrong_selection_is_refused_and_the_form_kept(
        client: httpx.AsyncClient, site: Site, texts: dict[str, Transcript]) -> None:
    token = await login(client)
    length = len(texts["FG1"].text)
    start, end = span_of(texts["FG1"], 1, "Jeg har fagbrev")
    blank = texts["FG1"].turns[1].end  # the blank line after a turn
    cases = [
        ({"start": "", "end": "", "tema": "kompetanse"}, "Marker teksten"),
        ({"start": "x", "end": "9", "tema": "kompetanse"}, "hele tall"),
        ({"start": str(end), "end": str(start), "tema": "kompetanse"}, "innenfor transkripsjonen"),
        ({"start": "0", "end": str(length + 1), "tema": "kompetanse"}, f"til {length}"),
        ({"start": str(blank), "end": str(blank + 2), "tema": "kompetanse"}, "bare mellomrom"),
        ({"start": str(start), "end": str(end)}, "minst ett tema"),
        ({"start": str(start), "end": str(end), "tema": "finnes_ikke"}, "«finnes_ikke» finnes ikke"),
        ({"start": str(start), "end": str(end), "tema": "kompetanse", "segment": "Dypt Vann"},
         "Segmentnavnet"),
    ]
    for data, message in cases:
        refused = await client.post("/admin/qual/FG1/code", data={
            "csrf": token, "memo": "Mitt memo <i>", **data})
        assert refused.status_code == 400, data
        assert 'role="alert"' in refused.text and message in unescape(refused.text), message
        assert "Mitt memo &lt;i&gt;</textarea>" in refused.text  # the input is kept
        if data.get("tema") == "kompetanse":
            assert 'value="kompetanse" checked' in refused.text
        if data["start"] == str(start):
            assert f'name="start" min="0" max="{length}" step="1" inputmode="numeric" value="{start}"' \
                in refused.text
            assert '<blockquote id="markert" class="" aria-live="polite">Jeg har fagbrev</blockquote>' \
                in refused.text
    assert site.store.codings() == []

    # A segment lies in one focus group, and its parts do not overlap.
    ok = await client.post("/admin/qual/FG1/code", data={
        "csrf": token, "start": str(start), "end": str(end), "tema": "kompetanse",
        "segment": "fagbrev"})
    assert ok.status_code == 303
    overlapping = await client.post("/admin/qual/FG1/code", data={
        "csrf": token, "start": str(start + 4), "end": str(end + 10), "tema": "kompetanse",
        "segment": "fagbrev"})
    assert overlapping.status_code == 400 and "overlapper" in overlapping.text
    f_start, f_end = span_of(texts["FG2"], 1, "Jeg er barne- og ungdomsarbeider")
    elsewhere = await client.post("/admin/qual/FG2/code", data={
        "csrf": token, "start": str(f_start), "end": str(f_end), "tema": "kompetanse",
        "segment": "fagbrev"})
    assert elsewhere.status_code == 400 and "allerede brukt i FG1" in unescape(elsewhere.text)
    assert len(site.store.codings()) == 1


async def test_a_username_that_is_no_coder_name_cannot_code(
        site: Site, texts: dict[str, Transcript]) -> None:
    site.store.add_admin("kari nordmann", PASSWORD)
    async with client_for(site) as client:
        token = await login(client, "kari nordmann")
        start, end = span_of(texts["FG1"], 1, "Jeg har fagbrev")
        refused = await client.post("/admin/qual/FG1/code", data={
            "csrf": token, "start": str(start), "end": str(end), "tema": "kompetanse"})
    assert refused.status_code == 400 and "kan ikke brukes som kodernavn" in refused.text
    assert site.store.codings() == []


async def test_delete_and_undo(client: httpx.AsyncClient, site: Site,
                               texts: dict[str, Transcript]) -> None:
    token = await login(client)
    start, end = span_of(texts["FG1"], 1, "Jeg har fagbrev")
    await client.post("/admin/qual/FG1/code", data={
        "csrf": token, "start": str(start), "end": str(end), "tema": "kompetanse"})
    (stored,) = site.store.stored_codings()
    deleted = await client.post("/admin/qual/FG1/delete", data={"csrf": token, "id": str(stored.id)})
    assert deleted.status_code == 303
    assert deleted.headers["location"] == f"/admin/qual/FG1?slettet={stored.id}#kodinger"
    assert site.store.codings() == []
    (kept,) = site.store.stored_codings(include_deleted=True)  # marked, never removed
    assert kept.deleted is not None
    page = (await client.get(deleted.headers["location"])).text
    assert "Kodingen er slettet" in page and ">Angre</button>" in page
    assert "Dine slettede kodinger" in page and turn_texts(page).marks == []
    undone = await client.post("/admin/qual/FG1/restore",
                               data={"csrf": token, "id": str(stored.id)})
    assert undone.status_code == 303 and "gjenopprettet=" in undone.headers["location"]
    assert [c.start for c in site.store.codings()] == [start]
    assert "Kodingen er gjenopprettet" in (await client.get(undone.headers["location"])).text

    # Only one's own codings, of this group, by a number.
    async with client_for(site) as other:
        other_token = await login(other, OTHER)
        for data in ({"id": str(stored.id)}, {"id": "x"}, {"id": "999999"}):
            refused = await other.post("/admin/qual/FG1/delete", data={"csrf": other_token, **data})
            assert refused.status_code == 404
    assert (await client.post("/admin/qual/FG2/delete", data={"csrf": token, "id": str(stored.id)})
            ).status_code == 404
    assert len(site.store.codings()) == 1


async def test_theme_memos(client: httpx.AsyncClient, site: Site) -> None:
    token = await login(client)
    saved = await client.post("/admin/qual/FG1/theme-memo", data={
        "csrf": token, "tema": "dypt_vann", "memo": f"Om å stå alene {XSS}"})
    assert saved.status_code == 303 and saved.headers["location"].endswith("#temamemoer")
    (memo,) = site.store.theme_memos()
    assert (memo.theme, memo.memo, memo.author) == ("dypt_vann", f"Om å stå alene {XSS}", USER)
    page = (await client.get("/admin/qual/FG1")).text
    assert "Memoet er lagret" not in page and f"Om å stå alene {ESCAPED}" in page
    editing = (await client.get("/admin/qual/FG1?tema=dypt_vann")).text
    assert f">Om å stå alene {ESCAPED}</textarea>" in editing
    assert (await client.post("/admin/qual/FG1/theme-memo", data={
        "csrf": token, "tema": "ukjent", "memo": "x"})).status_code == 400
    await client.post("/admin/qual/FG1/theme-memo", data={"csrf": token, "tema": "dypt_vann",
                                                        "memo": "  "})
    assert site.store.theme_memos() == []  # an empty memo removes it


async def test_unknown_groups_and_rounds(client: httpx.AsyncClient, study: Study,
                                         store: Store) -> None:
    await login(client)
    for path in ("/admin/qual/FG9", "/admin/qual/placement/FG9/elev",
                 "/admin/qual/placement/FG1/rektor"):
        page = await client.get(path)
        assert page.status_code == 404 and "Finnes ikke" in page.text, path
    assert study.fieldwork is not None
    without = study.model_copy(update={"qual": None})
    async with client_for(Site(without, study.fieldwork, store, "k", False)) as plain:
        await login(plain)
        assert "Studien har ingen fokusgrupper" in (await plain.get("/admin/qual")).text
        assert (await plain.get("/admin/qual/FG1")).status_code == 404
        assert (await plain.get("/admin/qual/placements.csv")).status_code == 404


# ----------------------------------------------------------------------------- placements


def cup_fields(page: str) -> dict[str, str]:
    """The placement form's text fields and ticked boxes, as a browser would post them."""
    fields = {name: unescape(value) for name, value in re.findall(
        r'<input type="(?:text|hidden)"[^>]*? name="(p\d+-\w+)" value="([^"]*)"', page)}
    for name in re.findall(r'name="(p\d+-oppaa)" value="ja" checked', page):
        fields[name] = "ja"
    return fields


async def test_placements_prefill_from_the_file_then_save_and_upsert(
        client: httpx.AsyncClient, site: Site) -> None:
    token = await login(client)
    example = [p for p in read_placements(EXAMPLE / "qual" / "placement.csv")
               if p.group == "FG1" and p.round == "laerer"]
    page = (await client.get("/admin/qual/placement/FG1/laerer")).text
    assert "hentet fra qual/placement.csv" in page
    fields = cup_fields(page)
    assert fields["p0-avstand"] == "0.55" and fields["p0-vinkel"] == "150"  # D1: 0.55 at 150°
    assert fields["p2-x"] == repr(-0.096)  # D3 was given as x/y: kept exactly

    # Saving the page as it stands stores the file's cups without drift.
    saved = await client.post("/admin/qual/placement/FG1/laerer", data={"csrf": token, **fields})
    assert saved.status_code == 303 and saved.headers["location"].endswith("?lagret=1")
    stored = {p.participant: p for p in site.store.placements("FG1", "laerer")}
    assert len(stored) == 6
    for want in example:
        got = stored[want.participant]
        assert math.isclose(got.x, want.x, abs_tol=1e-9) and math.isclose(got.y, want.y, abs_tol=1e-9)
        assert got.on_top == want.on_top
    assert {s.updated_by for s in site.store.stored_placements()} == {USER}
    page = (await client.get(saved.headers["location"])).text
    assert "Plasseringene er lagret" in page and "hentet fra" not in page

    # A new position replaces the old one (one row per participant and round); a cup whose
    # fields are emptied is taken off the sheet.
    moved = {**fields, "p0-avstand": "1,2", "p0-vinkel": "90", "p0-oppaa": "ja",
             "p5-avstand": "", "p5-vinkel": ""}
    assert (await client.post("/admin/qual/placement/FG1/laerer",
                              data={"csrf": token, **moved})).status_code == 303
    stored = {p.participant: p for p in site.store.placements("FG1", "laerer")}
    assert sorted(stored) == ["D1", "D2", "D3", "D4", "D5"]
    d1 = stored["D1"]
    assert math.isclose(d1.x, 0.0, abs_tol=1e-12) and math.isclose(d1.y, 1.2) and d1.on_top
    async with client_for(site) as other:
        other_token = await login(other, OTHER)
        await other.post("/admin/qual/placement/FG1/laerer", data={
            "csrf": other_token, **moved, "p0-avstand": "0.3", "p0-x": "", "p0-y": ""})
    assert len(site.store.placements("FG1", "laerer")) == 5
    by = {s.placement.participant: s.updated_by for s in site.store.stored_placements("FG1")}
    assert by["D1"] == OTHER


async def test_placements_are_checked(client: httpx.AsyncClient, site: Site) -> None:
    token = await login(client)
    cases = [
        ({"p0-avstand": str(MAX_DISTANCE + 0.01), "p0-vinkel": "10"}, "fra 0 til 1,6"),
        ({"p0-avstand": "-0.1", "p0-vinkel": "10"}, "fra 0 til 1,6"),
        ({"p0-avstand": "0.5", "p0-vinkel": ""}, "både avstand og vinkel"),
        ({"p0-avstand": "en halv", "p0-vinkel": "10"}, "Avstanden må være et tall"),
        ({"p0-avstand": "0.5", "p0-vinkel": "nord"}, "Vinkelen må være et tall"),
        ({"p0-avstand": "", "p0-vinkel": "", "p0-oppaa": "ja"}, "Plasser koppen før"),
    ]
    for data, message in cases:
        refused = await client.post("/admin/qual/placement/FG1/elev", data={
            "csrf": token, "p1-avstand": "0.4", "p1-vinkel": "200", **data})
        assert refused.status_code == 400, data
        assert message in unescape(refused.text), message
        assert 'aria-invalid="true" aria-describedby="p0-feil"' in refused.text
        assert 'id="p1-avstand" name="p1-avstand" value="0.4"' in refused.text  # input kept
    assert site.store.placements() == []
    # A dragged cup's exact x and y are used when they agree with the distance and angle shown;
    # a retyped distance wins over stale x and y.
    exact = await client.post("/admin/qual/placement/FG1/elev", data={
        "csrf": token, "p0-avstand": "0.361", "p0-vinkel": "33.7", "p0-x": "0.300123456",
        "p0-y": "0.2001", "p1-avstand": "0.5", "p1-vinkel": "0", "p1-x": "0.2", "p1-y": "0.1"})
    assert exact.status_code == 303
    cups = {p.participant: p for p in site.store.placements("FG1", "elev")}
    assert (cups["D1"].x, cups["D1"].y) == (0.300123456, 0.2001)
    assert math.isclose(cups["D2"].x, 0.5) and math.isclose(cups["D2"].y, 0.0, abs_tol=1e-12)


async def test_placement_csv_round_trips(client: httpx.AsyncClient, site: Site,
                                         tmp_path: Path) -> None:
    token = await login(client)
    await client.post("/admin/qual/placement/FG2/elev", data={
        "csrf": token, "p0-avstand": "0.25", "p0-vinkel": "45", "p0-oppaa": "ja",
        "p3-avstand": "1.6", "p3-vinkel": "271.5"})
    download = await client.get("/admin/qual/placements.csv")
    assert download.status_code == 200
    assert download.headers["content-type"] == "text/csv; charset=utf-8"
    assert download.headers["content-disposition"] == 'attachment; filename="placement.csv"'
    text = download.content.decode("utf-8")
    assert text.splitlines()[0] == "group,participant,round,distance,angle,x,y,on_top"
    path = tmp_path / "placement.csv"
    path.write_bytes(download.content)
    back = read_placements(path)

    saved = site.store.placements()
    assert {(p.group, p.round) for p in saved} == {("FG2", "elev")}
    from_file = read_placements(EXAMPLE / "qual" / "placement.csv")
    want = [*(p for p in from_file if (p.group, p.round) != ("FG2", "elev")), *saved]
    key = lambda p: (p.round, p.group, p.participant)  # noqa: E731
    assert sorted(map(key, back)) == sorted(map(key, want))
    wanted = {key(p): p for p in want}
    for p in back:
        w = wanted[key(p)]
        assert math.isclose(p.x, w.x, abs_tol=1e-6) and math.isclose(p.y, w.y, abs_tol=1e-6)
        assert p.on_top == w.on_top
    fg2 = [p for p in back if (p.group, p.round) == ("FG2", "elev")]
    assert [p.participant for p in fg2] == ["D7", "D10"]  # the study's order, not the text's
    assert fg2[0].on_top and not fg2[1].on_top

    # And the file written is one read_placements takes as it is, with the same numbers.
    again = tmp_path / "again.csv"
    again.write_text(placements_csv(back), encoding="utf-8")
    assert [key(p) for p in read_placements(again)] == [key(p) for p in back]


def test_migration_0004_adds_placements_and_keeps_codings(store_url: str) -> None:
    from alembic import command
    from alembic.config import Config

    from tverrsnitt.ingest.codings import Coding
    from tverrsnitt.store.placements import placement_rows

    old = Store(store_url, migrate=False)
    config = Config()
    config.set_main_option("script_location", str(Path(__file__).resolve().parents[1] / "src"
                                                  / "tverrsnitt" / "store" / "migrations"))
    with old.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0003")
    coding = Coding("koder-a", "FG1", 10, 40, ("dypt_vann",))
    old.add_coding(coding)
    old.close()
    store = Store(store_url)  # migrates to head
    try:
        assert store.codings() == [coding]
        cup = Placement("FG1", "D1", "elev", 0.1, -0.2, True)
        store.save_placements("FG1", "elev", [cup], by="koder-a")
        store.save_placements("FG1", "elev", [Placement("FG1", "D1", "elev", 0.3, 0.0, False)],
                              by="koder-b")
        (stored,) = store.stored_placements()
        assert stored.placement == Placement("FG1", "D1", "elev", 0.3, 0.0, False)
        assert stored.updated_by == "koder-b" and stored.updated.tzinfo is not None
        with pytest.raises(ValueError, match="saved as"):
            store.save_placements("FG2", "elev", [cup], by="koder-a")
        with store.engine.connect() as connection:  # one row per group, participant and round
            assert len(connection.execute(placement_rows.select()).all()) == 1
    finally:
        store.close()


def test_placement_csv_format() -> None:
    edge = MAX_DISTANCE / math.sqrt(2) + 1e-12  # rounds to a point just past the limit
    text = placements_csv([Placement("FG1", "D1", "laerer", -0.0, 1.23456789, True),
                           Placement("FG1", "D2", "elev", edge, -edge, False)])
    assert text == ("group,participant,round,distance,angle,x,y,on_top\n"
                    "FG1,D1,laerer,,,0,1.234568,ja\n"
                    "FG1,D2,elev,,,1.131370,-1.131370,nei\n".replace("1.131370", "1.13137"))


async def test_unreadable_files_are_reported_on_the_page(study: Study, store: Store,
                                                         tmp_path: Path) -> None:
    folder = tmp_path / "studie"
    shutil.copytree(EXAMPLE / "qual", folder / "qual")
    shutil.copy(EXAMPLE / "qual.yaml", folder)
    qual = load_qual(folder)
    (folder / "qual" / "fg1.txt").write_text("Ingen taler her.\n", encoding="utf-8")
    (folder / "qual" / "placement.csv").write_text("group,participant\nFG1,D1\n", encoding="utf-8")
    assert study.fieldwork is not None
    changed = study.model_copy(update={"qual": qual})
    async with client_for(Site(changed, study.fieldwork, store, "k", False)) as client:
        token = await login(client)
        page = await client.get("/admin/qual/FG1")
        assert page.status_code == 500 and "Transkripsjonene kan ikke leses" in page.text
        assert "text before the first speaker label" in page.text
        placement = await client.get("/admin/qual/placement/FG1/elev")
        assert placement.status_code == 200
        assert "qual/placement.csv kunne ikke leses" in placement.text
        await client.post("/admin/qual/placement/FG1/elev", data={
            "csrf": token, "p0-avstand": "0.2", "p0-vinkel": "90"})
        download = (await client.get("/admin/qual/placements.csv")).text
    assert download.splitlines()[1:] == ["FG1,D1,elev,,,0,0.2,nei"]
