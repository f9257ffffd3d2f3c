"""The questionnaire in a real browser: Debian's Chromium via Playwright against uvicorn.

Walks the respondent's pages with mouse and keyboard, resumes in a new browser context,
checks every page type with axe-core, checks the narrow (360 px) layout, and follows the
completed answer through export and report. Set TVERRSNITT_SCREENSHOTS=DIR to keep
screenshots of the pages for a look.
"""

from __future__ import annotations

import csv
import os
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

import pytest

from tverrsnitt.fieldwork.app import create_app
from tverrsnitt.fieldwork.context import Site, open_site

from .conftest import EXAMPLE

CHROMIUM = Path("/usr/bin/chromium")
if not CHROMIUM.exists():
    pytest.skip("Debian's Chromium (/usr/bin/chromium) is not installed; .ci/run installs it",
                allow_module_level=True)

from axe_playwright_python.sync_playwright import Axe  # noqa: E402
from playwright.sync_api import Browser, Page, sync_playwright  # noqa: E402

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--disable-quic",
                 "--no-first-run"]
SHOTS = os.environ.get("TVERRSNITT_SCREENSHOTS")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def running(site: Site) -> Iterator[str]:
    """Serve the site with uvicorn on a free loopback port in a background thread."""
    import uvicorn

    port = free_port()
    config = uvicorn.Config(create_app(site), host="127.0.0.1", port=port, log_level="warning",
                            lifespan="off", ws="none")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def invite(site: Site, number: str) -> str:
    site.store.import_members([{"member_no": number, "email": f"{number}@example.org",
                                "background": {"member_no": number}}])
    member = next(m for m in site.store.members() if m.member_no == number)
    return site.store.issue_token(member.id, "invitation")


class Checker:
    """axe-core on every page type, and screenshots when asked for."""

    def __init__(self) -> None:
        self.axe = Axe()
        self.checked: list[str] = []

    def __call__(self, page: Page, name: str) -> None:
        results = self.axe.run(page)
        serious = [v for v in results.response["violations"]
                   if v["impact"] in ("serious", "critical")]
        report = "\n".join(f"{v['id']} ({v['impact']}): {v['help']} -> "
                           f"{[n['html'] for n in v['nodes']][:3]}" for v in serious)
        assert not serious, f"axe on the {name} page:\n{report}"
        self.checked.append(name)
        if SHOTS:
            Path(SHOTS).mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(Path(SHOTS) / f"{len(self.checked):02d}-{name}.png"),
                            full_page=True)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def site(tmp_path: Path) -> Iterator[Site]:
    site = open_site(EXAMPLE, db_url=f"sqlite:///{tmp_path / 'fieldwork.db'}",
                     secret_key="browser-test", secure_cookies=False)
    # The example's fieldwork ran in 2023; answer as if it were open today.
    site.definition = site.definition.model_copy(update={"opens": None, "closes": None})
    yield site
    site.store.close()


def heading(page: Page) -> str:
    return page.locator("h1").inner_text().strip()


def next_page(page: Page) -> None:
    with page.expect_navigation():
        page.get_by_role("button", name="Neste").click()


def test_respondent_walk_in_chromium(browser: Browser, site: Site, tmp_path: Path) -> None:
    check = Checker()
    refusing, answering = invite(site, "B0001"), invite(site, "B0002")
    with running(site) as base, ExitStack() as stack:
        # --- consent refused -> screened out
        context = browser.new_context(locale="nb-NO")
        stack.callback(context.close)
        page = context.new_page()
        page.goto(f"{base}/s/{refusing}")
        check(page, "welcome-consent")
        page.get_by_label("Nei").check()
        next_page(page)
        assert "Du har valgt å ikke delta" in page.content()
        check(page, "screened-out")

        # --- a full questionnaire, the first pages by keyboard only
        page.goto(f"{base}/s/{answering}")
        page.keyboard.press("Tab")  # the skip link comes first
        assert page.evaluate("document.activeElement.className") == "skip-link"
        page.locator("#s1_samtykke-0").focus()
        page.keyboard.press("Space")
        assert page.locator("#s1_samtykke-0").is_checked()
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.textContent.trim()") == "Neste"
        with page.expect_navigation():
            page.keyboard.press("Enter")
        assert heading(page) == "Arbeidet ditt i skolen"
        check(page, "single")
        page.get_by_label("Jeg jobber elevrettet").check()
        next_page(page)
        page.get_by_label("Nei").check()
        next_page(page)
        assert heading(page) == "Om deg og stillingen din"
        for label in ("Fagskole", "Skoleassistent", "Barnetrinn", "Fast ansatt", "Deltid"):
            page.get_by_label(label, exact=True).check()
        next_page(page)
        assert heading(page) == "Mer om rollen og stillingen din"
        page.get_by_label("Hvor mange prosent stilling har du?").fill("hundre")
        next_page(page)
        assert "Skriv et helt tall" in page.content()
        assert page.get_by_label("Hvor mange prosent stilling har du?").input_value() == "hundre"
        check(page, "validation-error")
        page.get_by_label("Hvor mange prosent stilling har du?").fill("60")
        next_page(page)
        assert heading(page) == "Elevgrupper du jobber med"
        check(page, "battery")
        page.locator("#q41_mobbing-3").check()  # 'I stor grad'
        page.locator("#q41_fravaer-1").check()  # 'I liten grad'
        next_page(page)
        assert heading(page) == "Behov for kompetanse"
        assert page.locator("[role=radiogroup]").count() == 1  # only the mobbing statement
        page.locator("#q44_mobbing-2").check()

        # 360 px wide: the matrix stacks and nothing scrolls sideways.
        page.set_viewport_size({"width": 360, "height": 740})
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 360, f"the page is {width}px wide in a 360px viewport"
        if SHOTS:
            page.screenshot(path=str(Path(SHOTS) / "narrow-battery.png"), full_page=True)
        page.set_viewport_size({"width": 1280, "height": 900})
        next_page(page)
        assert heading(page) == "Tema du jobber med"

        # --- leave half way (close the browser) and resume from the link in a new one
        context.close()
        context = browser.new_context(locale="nb-NO")
        stack.callback(context.close)
        page = context.new_page()
        page.goto(f"{base}/s/{answering}")
        assert heading(page) == "Tema du jobber med"
        with page.expect_navigation():
            page.get_by_role("button", name="Tilbake").click()
        assert heading(page) == "Behov for kompetanse"
        assert page.locator("#q44_mobbing-2").is_checked()  # the saved answer is prefilled
        next_page(page)
        next_page(page)
        assert heading(page) == "Utdanning og arbeidsoppgaver"
        page.get_by_role("group", name="I hvilken grad får du utnyttet").get_by_label(
            "I stor grad", exact=True).check()
        for _ in range(4):
            next_page(page)
        # No partner ticked on the q419 page, so the q420 page about them is skipped.
        assert heading(page) == "Faglig utvikling"
        page.get_by_label("Kurs/seminarer").check()
        page.get_by_label("Har ikke deltatt på noen av aktivitetene").check()
        next_page(page)
        assert "kan ikke kombineres" in page.content()
        check(page, "multi")
        page.get_by_label("Har ikke deltatt på noen av aktivitetene").uncheck()
        next_page(page)
        assert heading(page) == "Utbytte av faglig utvikling"
        while "Send inn" not in page.content():
            next_page(page)
        with page.expect_navigation():
            page.get_by_role("button", name="Send inn").click()
        assert "Takk for at du deltok!" in page.content()
        receipt = page.locator(".receipt").inner_text()
        check(page, "completion")

        # --- a wrong link
        page.goto(f"{base}/s/this-is-not-a-token")
        assert "Vi fant ikke denne lenken" in page.content()
        check(page, "wrong-token")

    respondent = site.store.respondent_for_token(answering)
    assert respondent is not None and respondent.status == "completed"
    assert respondent.receipt == receipt

    # --- a closed questionnaire (the example's real dates)
    closed = Site(site.study, site.study.fieldwork or site.definition, site.store, "k", False)
    with running(closed) as base, ExitStack() as stack:
        context = browser.new_context(locale="nb-NO")
        stack.callback(context.close)
        page = context.new_page()
        page.goto(f"{base}/s/{invite(site, 'B0003')}")
        assert heading(page) == "Undersøkelsen er stengt"
        check(page, "closed")
    assert check.checked == ["welcome-consent", "screened-out", "single", "validation-error",
                             "battery", "multi", "completion", "wrong-token", "closed"]

    # --- the answer reaches the report: export, then build the report from the export
    from tverrsnitt.fieldwork.export import export
    from tverrsnitt.pipeline import build_report

    export_csv = tmp_path / "export.csv"
    export(EXAMPLE, export_csv, db_url=site.store.url)
    out = tmp_path / "report"
    build_report(EXAMPLE, out, data=export_csv, formats=["html"])
    with (out / "tables.csv").open(encoding="utf-8") as handle:
        rows: list[dict[str, Any]] = [r for r in csv.DictReader(handle) if r["figure"] == "4.10"]
    cells = {(r["group"], r["category"]): (r["count"], r["base"]) for r in rows}
    # One analysed respondent (the refusal is screened out): a school assistant who answered
    # 'I stor grad' to q410_utnytte.
    assert cells[("Skoleassistent/miljøarbeider", "I stor grad")] == ("1", "1")
    assert cells[("Totalt", "I stor grad")] == ("1", "1")
