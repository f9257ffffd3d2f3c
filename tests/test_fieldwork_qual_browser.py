"""The focus-group admin pages in a real browser: Debian's Chromium via Playwright.

Codes a span selected with the mouse, places cups by dragging and by keyboard, runs axe-core
on both pages, checks the 360 px layout and that the pages read without JavaScript. Set
TVERRSNITT_SCREENSHOTS=DIR to keep screenshots of the pages.

For other tests (the report's end of "code a span, find the quote in the report"): the
`qual_site` fixture is an open example site with an admin (`USER`/`PASSWORD`) in a fresh
SQLite database; `admin_login(page, base)` logs in, and `code_span(page, base, group, turn,
phrase, themes, segment=...)` codes a phrase of one turn through the page (selected by script)
and returns the text the browser had selected. Use them with `running(site)` and the
`browser` fixture of test_fieldwork_browser, e.g.

    from .test_fieldwork_browser import browser, running  # noqa: F401
    from .test_fieldwork_qual_browser import admin_login, code_span, qual_site  # noqa: F401

    def test_quote_reaches_the_report(browser, qual_site, tmp_path):
        with running(qual_site) as base:
            page = browser.new_context().new_page()
            admin_login(page, base)
            quote = code_span(page, base, "FG1", 8, "jeg kan mye mer", ["ubrukt_kompetanse"],
                              segment="mye-mer")
        ...  # build the report from qual_site.store.url and look for `quote`
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterator, Sequence
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pytest

from tverrsnitt.clean.anonymise import anonymise_all
from tverrsnitt.fieldwork.context import Site, open_site
from tverrsnitt.ingest.transcripts import load_transcripts

from .conftest import EXAMPLE

if not Path("/usr/bin/chromium").exists():
    pytest.skip("Debian's Chromium (/usr/bin/chromium) is not installed; .ci/run installs it",
                allow_module_level=True)

from playwright.sync_api import Browser, Page, expect

from .test_fieldwork_browser import Checker, browser, running

__all__ = ["PASSWORD", "USER", "admin_login", "browser", "code_span", "qual_site", "running",
           "select_phrase"]

USER, PASSWORD = "koder-a", "riktig hest batteri stift"
SHOTS = os.environ.get("TVERRSNITT_SCREENSHOTS")

# Finds a phrase in turn `turn` of the transcript (across the text nodes of its highlights)
# and returns the boundary points: [startNode, startOffset, endNode, endOffset] as a Range.
_FIND = """
([turn, phrase]) => {
  const el = document.querySelector(`#tur-${turn} .text`);
  if (!el) { throw new Error(`no turn ${turn} on the page`); }
  const nodes = [];
  let full = "";
  const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) { nodes.push([n, full.length]); full += n.data; }
  const at = full.indexOf(phrase);
  if (at < 0) { throw new Error(`${JSON.stringify(phrase)} is not in turn ${turn}`); }
  const point = (offset, isEnd) => {
    for (const [node, start] of nodes) {
      if (offset < start + node.data.length || (isEnd && offset === start + node.data.length)) {
        return [node, offset - start];
      }
    }
    const [node, start] = nodes[nodes.length - 1];
    return [node, offset - start];
  };
  const range = document.createRange();
  range.setStart(...point(at, false));
  range.setEnd(...point(at + phrase.length, true));
  return range;
}
"""


@pytest.fixture
def qual_site(tmp_path: Path) -> Iterator[Site]:
    """The example study served from a fresh SQLite database with one admin, USER."""
    site = open_site(EXAMPLE, db_url=f"sqlite:///{tmp_path / 'fieldwork.db'}",
                     secret_key="qual-browser-test", secure_cookies=False)
    site.store.add_admin(USER, PASSWORD)
    yield site
    site.store.close()


def admin_login(page: Page, base: str, username: str = USER, password: str = PASSWORD) -> None:
    """Log in on the admin login page."""
    page.goto(f"{base}/admin/login")
    page.get_by_label("Brukernavn").fill(username)
    page.get_by_label("Passord").fill(password)
    with page.expect_navigation():
        page.get_by_role("button", name="Logg inn").click()
    assert "/admin/login" not in page.url, "the login failed"


def select_phrase(page: Page, turn: int, phrase: str, *, mouse: bool = False) -> str:
    """Select `phrase` in turn `turn` of the open coding page: by script (a Range and a mouseup,
    as a selection ends), or with the mouse from the first character to the last. Returns
    what the browser has selected."""
    if mouse:
        box: dict[str, float] = page.evaluate(f"""(args) => {{
            const range = ({_FIND})(args);
            range.startContainer.parentElement.scrollIntoView({{block: "center"}});
            const first = range.cloneRange(), last = range.cloneRange();
            first.setEnd(range.startContainer, range.startOffset + 1);
            last.setStart(range.endContainer, range.endOffset - 1);
            const a = first.getClientRects()[0], b = last.getClientRects()[0];
            return {{x1: a.left + 1, y1: a.top + a.height / 2, x2: b.right - 1, y2: b.top + b.height / 2}};
        }}""", [turn, phrase])
        page.mouse.move(box["x1"], box["y1"])
        page.mouse.down()
        page.mouse.move(box["x2"], box["y2"], steps=12)
        page.mouse.up()
    else:
        page.evaluate(f"""(args) => {{
            const range = ({_FIND})(args);
            const selection = window.getSelection();
            selection.removeAllRanges();
            selection.addRange(range);
            document.getElementById("transkripsjon").dispatchEvent(
                new MouseEvent("mouseup", {{bubbles: true}}));
        }}""", [turn, phrase])
    selected: str = page.evaluate("window.getSelection().toString()")
    return selected


def code_span(page: Page, base: str, group: str, turn: int, phrase: str,
              themes: Sequence[str], *, segment: str | None = None, memo: str = "",
              mouse: bool = False) -> str:
    """Code `phrase` of one turn with theme codes through the coding page; return the text
    the browser had selected (what the coding's offsets cover)."""
    page.goto(f"{base}/admin/qual/{group}")
    selected = select_phrase(page, turn, phrase, mouse=mouse).strip()
    expect(page.locator("#markert")).to_have_text(selected)
    for code in themes:
        page.locator(f"#tema-{code}").check()
    if segment is not None:
        page.get_by_label("Segmentnavn (valgfritt)").fill(segment)
    if memo:
        page.get_by_label("Memo (valgfritt)").fill(memo)
    with page.expect_navigation():
        page.get_by_role("button", name="Lagre kodingen").click()
    expect(page.get_by_role("status").first).to_contain_text("Kodingen er lagret")
    return selected


def shot(page: Page, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"qual-{name}.png"), full_page=True)


def narrow(page: Page, name: str) -> None:
    """At 360 px wide nothing scrolls sideways."""
    page.set_viewport_size({"width": 360, "height": 740})
    width = page.evaluate("document.documentElement.scrollWidth")
    shot(page, f"{name}-narrow")
    page.set_viewport_size({"width": 1280, "height": 900})
    assert width <= 360, f"the {name} page is {width}px wide in a 360px viewport"


def cup_centre(page: Page, index: int) -> tuple[float, float]:
    box = page.locator(f"#kopp-{index} .rim").bounding_box()
    assert box is not None
    return box["x"] + box["width"] / 2, box["y"] + box["height"] / 2


def screen_point(page: Page, x: float, y: float) -> tuple[float, float]:
    """Where a point in house radii is on the screen."""
    point: dict[str, float] = page.evaluate("""([x, y]) => {
        const svg = document.getElementById("curling");
        const scale = Number(svg.dataset.scale);
        const p = new DOMPoint(x * scale, -y * scale).matrixTransform(svg.getScreenCTM());
        return {x: p.x, y: p.y};
    }""", [x, y])
    return point["x"], point["y"]


def drag(page: Page, start: tuple[float, float], end: tuple[float, float]) -> None:
    page.mouse.move(*start)
    page.mouse.down()
    page.mouse.move(*end, steps=15)
    page.mouse.up()


def values(page: Page, index: int) -> tuple[str, str]:
    return (page.locator(f"#p{index}-avstand").input_value(),
            page.locator(f"#p{index}-vinkel").input_value())


# ----------------------------------------------------------------------------- the tests


def test_code_a_span_and_place_cups_in_chromium(browser: Browser, qual_site: Site) -> None:
    check = Checker()
    qual = qual_site.study.qual
    assert qual is not None
    texts = {g: a.transcript for g, a in anonymise_all(qual, load_transcripts(qual)).items()}
    with running(qual_site) as base, ExitStack() as stack:
        context = browser.new_context(locale="nb-NO", viewport={"width": 1280, "height": 900})
        stack.callback(context.close)
        page = context.new_page()
        admin_login(page, base)
        page.goto(f"{base}/admin/qual")
        check(page, "qual-overview")
        with page.expect_navigation():
            page.get_by_role("link", name="Kod FG1").click()
        check(page, "qual-coding-empty")

        # --- select with the mouse, tick a theme, name the segment, save
        phrase = "Jeg kan lek, jeg kan aktiviteter, jeg kan sosial trening i små grupper."
        turn = next(t for t in texts["FG1"].turns if phrase in t.text)
        selected = code_span(page, base, "FG1", turn.index, phrase, ["ubrukt_kompetanse"],
                             segment="sosial-trening", memo="Realkompetanse.", mouse=True)
        assert selected == phrase
        (coding,) = qual_site.store.codings(USER)
        start = turn.start + turn.text.index(phrase)
        assert (coding.group, coding.start, coding.end) == ("FG1", start, start + len(phrase))
        assert coding.themes == ("ubrukt_kompetanse",) and coding.segment == "sosial-trening"
        assert coding.memo == "Realkompetanse."
        (stored,) = qual_site.store.stored_codings(USER)
        listed = page.locator(f"#koding-{stored.id}-tekst")
        expect(listed).to_have_text(selected)
        expect(page.locator(f"#tur-{turn.index} mark.own")).to_have_text(phrase)
        shot(page, "coding-saved")
        check(page, "qual-coding")

        # --- a selection over a highlight and across the end of a turn snaps to the text
        page.evaluate("""(turn) => {
            const el = document.querySelector(`#tur-${turn} .text`);
            const next = document.querySelector(`#tur-${turn + 1} .speaker`);
            const range = document.createRange();
            range.setStart(el.firstChild, 0);
            range.setEnd(next.firstChild, 2);  // into the next speaker's label
            const selection = window.getSelection();
            selection.removeAllRanges();
            selection.addRange(range);
            const root = document.getElementById("transkripsjon");
            root.dispatchEvent(new MouseEvent("mouseup", {bubbles: true}));
        }""", turn.index)
        expect(page.locator("#start")).to_have_value(str(turn.start))
        expect(page.locator("#end")).to_have_value(str(turn.end))

        # --- a refused form keeps what was typed and says why
        page.get_by_label("Segmentnavn (valgfritt)").fill("Ikke Gyldig")
        with page.expect_navigation():
            page.get_by_role("button", name="Lagre kodingen").click()
        expect(page.get_by_role("alert")).to_contain_text("Kryss av for minst ett tema")
        expect(page.get_by_label("Segmentnavn (valgfritt)")).to_have_value("Ikke Gyldig")
        expect(page.locator("#markert")).to_have_text(turn.text)
        check(page, "qual-coding-error")
        narrow(page, "coding")

        # --- delete and undo
        page.goto(f"{base}/admin/qual/FG1")
        with page.expect_navigation():
            page.locator(f"#koding-{stored.id}").get_by_role("button", name="Slett").click()
        assert qual_site.store.codings(USER) == []
        with page.expect_navigation():
            page.get_by_role("button", name="Angre").click()
        assert len(qual_site.store.codings(USER)) == 1

        # --- placements: prefilled from qual/placement.csv; drag, keys, the tray, save
        page.goto(f"{base}/admin/qual/placement/FG1/laerer")
        assert values(page, 0) == ("0.55", "150")
        check(page, "qual-placement")
        shot(page, "placement-file")
        drag(page, cup_centre(page, 0), screen_point(page, 0.8, 0.0))
        distance, angle = values(page, 0)
        assert abs(float(distance) - 0.8) < 0.02
        assert min(abs(float(angle)), abs(float(angle) - 360)) < 2
        page.locator("#kopp-1").focus()
        before = page.locator("#p1-x").input_value(), page.locator("#p1-y").input_value()
        page.keyboard.press("ArrowLeft")
        page.keyboard.press("ArrowLeft")
        page.keyboard.press("Shift+ArrowUp")
        page.keyboard.press("Space")
        after = page.locator("#p1-x").input_value(), page.locator("#p1-y").input_value()
        assert math.isclose(float(after[0]), float(before[0]) - 0.1, abs_tol=1e-9)
        assert math.isclose(float(after[1]), float(before[1]) + 0.01, abs_tol=1e-9)
        assert page.locator("#p1-oppaa").is_checked()
        expect(page.locator("#kopp-status")).to_contain_text("Kopp D2, avstand")
        page.evaluate("document.getElementById('curling').scrollIntoView({block: 'end'})")
        tray = page.locator("rect.tray").bounding_box()
        assert tray is not None
        drag(page, cup_centre(page, 5), (tray["x"] + tray["width"] - 30, tray["y"] + 40))
        assert values(page, 5) == ("", "")
        page.locator("#p2-avstand").fill("1,5")  # typing moves the cup
        page.locator("#p2-vinkel").fill("270")
        x, y = cup_centre(page, 2)
        want = screen_point(page, 0.0, -1.5)
        assert abs(x - want[0]) < 2 and abs(y - want[1]) < 2
        shot(page, "placement-moved")
        with page.expect_navigation():
            page.get_by_role("button", name="Lagre plasseringene").click()
        expect(page.get_by_role("status")).to_contain_text("Plasseringene er lagret")
        cups = {p.participant: p for p in qual_site.store.placements("FG1", "laerer")}
        assert sorted(cups) == ["D1", "D2", "D3", "D4", "D5"]  # D6 went back to the tray
        assert math.isclose(math.hypot(cups["D1"].x, cups["D1"].y), 0.8, abs_tol=0.02)
        assert math.isclose(cups["D1"].x, float(page.locator("#p0-x").input_value()))
        assert cups["D2"].on_top and not cups["D1"].on_top
        assert math.isclose(cups["D3"].y, -1.5, abs_tol=1e-9)
        check(page, "qual-placement-saved")
        narrow(page, "placement")

        # --- without JavaScript the pages still read
        plain = browser.new_context(locale="nb-NO", java_script_enabled=False)
        stack.callback(plain.close)
        reader = plain.new_page()
        admin_login(reader, base)
        reader.goto(f"{base}/admin/qual/FG1")
        expect(reader.locator(f"#tur-{turn.index} mark.own")).to_have_text(phrase)
        expect(reader.locator("p.no-js")).to_be_visible()
        reader.goto(f"{base}/admin/qual/placement/FG1/laerer")
        transform = reader.locator("#kopp-0").get_attribute("transform") or ""
        assert transform.startswith("translate(")
        assert reader.locator("#p0-avstand").input_value() == values(page, 0)[0]
    assert check.checked == ["qual-overview", "qual-coding-empty", "qual-coding",
                             "qual-coding-error", "qual-placement", "qual-placement-saved"]


def test_code_span_helper(browser: Browser, qual_site: Site) -> None:
    with running(qual_site) as base, ExitStack() as stack:
        context = browser.new_context(locale="nb-NO")
        stack.callback(context.close)
        page = context.new_page()
        admin_login(page, base)
        quote = code_span(page, base, "FG1", 2, "utleie av gymsalen på kveldstid",
                          ["utenfor_stillingen"], segment="gymsalen")
    assert quote == "utleie av gymsalen på kveldstid"
    (coding,) = qual_site.store.codings(USER)
    qual = qual_site.study.qual
    assert qual is not None
    texts: dict[str, Any] = {g: a.transcript for g, a in
                             anonymise_all(qual, load_transcripts(qual)).items()}
    assert coding.text(texts) == quote and coding.segment == "gymsalen"


def test_a_span_coded_in_the_browser_is_quoted_in_the_report(browser: Browser, qual_site: Site,
                                                            tmp_path: Path) -> None:
    """The issue's check: code a span in the web app, build the report, find the quote."""
    import shutil

    from tverrsnitt.pipeline import build_report

    with running(qual_site) as base, ExitStack() as stack:
        context = browser.new_context(locale="nb-NO")
        stack.callback(context.close)
        page = context.new_page()
        admin_login(page, base)
        quote = code_span(page, base, "FG1", 2, "utleie av gymsalen på kveldstid",
                          ["utenfor_stillingen"], segment="gymsalen")
    study = tmp_path / "study"
    shutil.copytree(EXAMPLE, study)
    report = study / "report.yaml"
    report.write_text(report.read_text(encoding="utf-8").replace(
        "{segment: dypt-vann}", "{segment: gymsalen}"), encoding="utf-8")
    build_report(study, tmp_path / "out", formats=["html"], codings_db=qual_site.store.url)
    html = (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    assert f'<blockquote class="quote"><p>{quote}</p><footer>Fokusgruppe 1</footer>' in html
    # The database holds this one coding: passages only the files coded are not quoted.
    assert "kastet ut på dypt vann, det har jeg opplevd" not in html
