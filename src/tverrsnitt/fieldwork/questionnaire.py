"""The respondent's pages: personal link, questionnaire pages, completion and screening-out.

Routes:
  GET  /s/{token}   the respondent's current page (welcome and consent first), or the receipt
  POST /s/{token}   save the posted page (one transaction) and go forward or back
  GET  /open        open-link mode: a new anonymous respondent, redirected to its own link

Every POST is answered with a redirect to the link (post/redirect/get), so reloading a page
never posts twice; a completed or screened-out respondent is never changed again. Which page
comes next is decided by `flow.py`, reading and checking the form by `form_answers.py`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import parse_qsl

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from ..store.database import FINAL, PageTransaction, Respondent
from . import flow
from .context import Site
from .form_answers import PageForm, parse_page, shown_values
from .form_csrf import form_token, valid_form_token
from .page_view import blocks, problems
from .ratelimit import StoredLimit

# Failed link look-ups per client address: generous, because a school's pupils and staff
# may share one address, yet far too few to guess a 256-bit token.
WRONG_LINKS_PER_WINDOW = 30
OPEN_LINKS_PER_WINDOW = 60
WINDOW_SECONDS = 600.0
FORM_LIMITS = {"max_files": 0, "max_fields": 1000}
# A page's answers are at most some free texts of 2 000 characters (form_answers.TEXT_MAX).
MAX_FORM_BYTES = 512 * 1024
TOO_LARGE = ("Skjemaet var for stort til å sendes. Gjør de lengste svarene kortere og prøv "
             "igjen; det du har skrevet før på denne siden, er ikke lagret ennå.")
NOT_UTF8 = ("Skjemaet inneholdt tegn som ikke kunne leses. Last siden inn på nytt og skriv "
            "svaret igjen.")
NOT_A_FORM = "Siden fikk noe annet enn et skjema. Last siden inn på nytt og prøv igjen."

SECURITY_HEADERS = {
    # Answers are personal: no copy in any cache, shared or the browser's back-forward cache.
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
    # The token is in the URL; no referrer means no other site ever sees it.
    "Referrer-Policy": "no-referrer",
    "Content-Security-Policy": ("default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; "
                                "form-action 'self'; base-uri 'none'; frame-ancestors 'none'"),
    "X-Frame-Options": "DENY",
}

NOT_FOUND = ("Vi fant ikke denne lenken. Sjekk at du har kopiert hele lenken fra e-posten. "
             "Lenken er personlig og virker bare for deg.")
TOO_MANY = ("Det er gjort for mange forsøk med ugyldige lenker fra denne adressen. "
            "Vent noen minutter og prøv igjen.")
FORBIDDEN = ("Skjemaet kunne ikke sendes fordi det ikke kom fra denne siden. "
             "Åpne lenken din på nytt og prøv igjen.")
SCREENED_OUT = "Takk for svaret. Vi stiller deg ingen flere spørsmål."


def page_response(site: Site, template: str, status: int = 200,
                  headers: Mapping[str, str] | None = None, **context: Any) -> HTMLResponse:
    """A respondent page with the security headers every questionnaire page carries."""
    html = site.env.get_template(template).render(title=site.definition.title, **context)
    return HTMLResponse(html, status_code=status, headers={**SECURITY_HEADERS, **(headers or {})})


def client_address(request: Request) -> str:
    """The address rate limits count per (the proxy's, unless uvicorn trusts its headers)."""
    return request.client.host if request.client is not None else "unknown"


class Questionnaire:
    """The respondent-facing handlers of one site, with their rate limits."""

    def __init__(self, site: Site, today: Callable[[], dt.date] = dt.date.today) -> None:
        self.site = site
        self.study = site.study
        self.definition = site.definition
        self.today = today
        self.wrong_links = StoredLimit(site.store, "wrong-link", WRONG_LINKS_PER_WINDOW,
                                       WINDOW_SECONDS)
        self.open_links = StoredLimit(site.store, "open-link", OPEN_LINKS_PER_WINDOW,
                                      WINDOW_SECONDS)

    # ------------------------------------------------------------------ shared steps
    def link(self, request: Request, token: str) -> str:
        """The respondent's own address (redirect target after every post)."""
        return f"{request.scope.get('root_path', '')}/s/{token}"

    def error(self, status: int, heading: str, message: str,
              headers: Mapping[str, str] | None = None) -> HTMLResponse:
        """A plain Norwegian error page."""
        return page_response(self.site, "error.html", status, headers, heading=heading,
                             message=message)

    def unknown_link(self, request: Request) -> Response:
        """The 404 page for a link that does not exist, counted per address; 429 once an
        address has tried too many. Only links that do not exist are counted and refused: a
        valid link always opens, even from an address (a school's one NAT address, say) that
        has typed many wrong ones."""
        address = client_address(request)
        if self.wrong_links.exceeded(address):
            wait = self.wrong_links.retry_after(address)
            return self.error(429, "For mange forsøk", TOO_MANY, {"Retry-After": str(wait)})
        self.wrong_links.hit(address)
        return self.error(404, "Fant ikke lenken", NOT_FOUND)

    def finished(self, respondent: Respondent) -> Response | None:
        """The receipt or the screened-out page for a respondent who is done."""
        if respondent.status == "completed":
            return page_response(self.site, "respond_done.html", page_title="Takk for svaret",
                                 paragraphs=self.definition.completion, receipt=respondent.receipt)
        if respondent.status == "screened_out":
            text = self.definition.screened_out.get(respondent.screened_reason or "", SCREENED_OUT)
            return page_response(self.site, "respond_screened.html", page_title="Takk for svaret",
                                 text=text)
        return None

    def closed(self) -> Response | None:
        """The closed page outside the fieldwork period."""
        if flow.is_open(self.definition, self.today()):
            return None
        return page_response(self.site, "respond_closed.html", page_title="Undersøkelsen er stengt",
                             text=self.definition.closed)

    def render(self, respondent: Respondent, index: int, answers: Mapping[str, Any],
               form: PageForm | None = None) -> Response:
        """Page `index` with saved answers, or with the posted input and its messages."""
        study, definition = self.study, self.definition
        questions = flow.page_questions(study, definition, index, answers)
        errors = form.errors if form is not None else {}
        shown = form.typed if form is not None else shown_values(questions, answers)
        page = definition.pages[index]
        return page_response(
            self.site, "respond_page.html", 422 if errors else 200,
            page_title=("Feil: " if errors else "") + page.title, page=page, index=index,
            number=index + 1, total=len(definition.pages),
            welcome=definition.welcome if flow.previous_page(study, definition, index, {}) is None
            else (),
            blocks=blocks(questions), shown=shown, errors=errors,
            problems=problems(questions, errors),
            csrf=form_token(self.site.secret_key, respondent.id, index),
            has_back=flow.previous_page(study, definition, index, answers) is not None,
            is_last=flow.next_page(study, definition, index, answers) is None)

    # ------------------------------------------------------------------ GET /s/{token}
    def show(self, request: Request, token: str) -> Response:
        """The respondent's current page (or receipt, screened-out or closed page)."""
        opened = self.site.store.open_page(token) if len(token) <= 100 else None
        if opened is None:
            return self.unknown_link(request)
        found, answers = opened
        done = self.finished(found)
        if done is not None:
            return done
        closed = self.closed()
        if closed is not None:
            return closed
        index = flow.current_page(self.study, self.definition, found.page, answers)
        if index is None:  # every page answered but not sent in: offer the last one again
            index = flow.previous_page(self.study, self.definition, len(self.definition.pages),
                                       answers) or 0
        return self.render(found, index, answers)

    # ------------------------------------------------------------------ POST /s/{token}
    def save(self, request: Request, token: str, form: Mapping[str, list[str]]) -> Response:
        """Save the posted page and redirect to the next (or previous) page.

        Read and written in one locked transaction, found by the link: a double-clicked
        "Send inn" completes once, and what is decided is decided on the answers as they are
        now."""
        if len(token) <= 100:
            with self.site.store.token_transaction(token) as page_tx:
                if page_tx is not None:
                    return self._post(request, token, page_tx, form)
        return self.unknown_link(request)

    def _post(self, request: Request, token: str, page_tx: PageTransaction,
              form: Mapping[str, list[str]]) -> Response:
        found = page_tx.respondent
        posted_page = (form.get("page") or [""])[0]
        index = int(posted_page) if posted_page.isdigit() else -1
        csrf = (form.get("csrf") or [""])[0]
        if not (0 <= index < len(self.definition.pages)) or not valid_form_token(
                self.site.secret_key, found.id, index, csrf):
            return self.error(403, "Skjemaet ble avvist", FORBIDDEN)
        if found.status in FINAL:
            # A replayed final submit: nothing changes, the link shows the stored receipt.
            return RedirectResponse(self.link(request, token), status_code=303)
        closed = self.closed()
        if closed is not None:
            return closed
        rendered = self._save(page_tx, index, form)
        return rendered or RedirectResponse(self.link(request, token), status_code=303)

    def _save(self, page_tx: PageTransaction, index: int,
              form: Mapping[str, list[str]]) -> Response | None:
        """Save a posted page inside its transaction; the page again (with messages) when the
        input needs correcting, else None (the caller redirects to the link)."""
        study, definition = self.study, self.definition
        answers = page_tx.answers()
        questions = flow.page_questions(study, definition, index, answers)
        going_back = (form.get("action") or [""])[0] == "back"
        parsed = parse_page(questions, form, require_screening=not going_back)
        if not going_back and not parsed.ok:
            return self.render(page_tx.respondent, index, answers, parsed)
        # Going back keeps what was valid and forgets what was not; going forward needs all.
        merged = {code: value for code, value in answers.items() if code not in parsed.blank}
        merged.update(parsed.values)
        cleared = set(parsed.blank) | flow.no_longer_asked(study, merged)
        values = {code: value for code, value in parsed.values.items() if code not in cleared}
        for code in cleared:
            merged.pop(code, None)
        if going_back:
            target = flow.previous_page(study, definition, index, merged)
            page_tx.save(values, cleared, page=index if target is None else target,
                         status="started", back=True)
            return None
        # Every forward post is screened on all the answers, not only a page that asks a
        # screening question: a stale tab's final page must not complete a respondent whose
        # consent was withdrawn on an earlier page since.
        screened = flow.screen(study, merged)
        if screened is not None:
            page_tx.save(values, cleared, page=index, status="screened_out",
                         screened_reason=screened.reason)
            return None
        following = flow.next_page(study, definition, index, merged)
        missing = flow.unanswered_screening(study, definition, merged)
        if following is None and missing is not None:
            # Done, but a screening question was left empty (blanked by going back): ask it.
            page_tx.save(values, cleared, page=missing, status="started", back=True)
        elif following is None:
            page_tx.save(values, cleared, page=len(definition.pages), status="completed")
        else:
            page_tx.save(values, cleared, page=following, status="started")
        return None

    # ------------------------------------------------------------------ GET /open
    def open_link(self, request: Request) -> Response:
        """Open-link mode: every visit starts a new anonymous response."""
        if self.definition.mode != "open":
            return self.error(404, "Fant ikke siden", NOT_FOUND)
        closed = self.closed()
        if closed is not None:
            return closed
        address = client_address(request)
        if self.open_links.exceeded(address):
            wait = self.open_links.retry_after(address)
            return self.error(429, "For mange forsøk", "Det er startet for mange nye svar fra "
                              "denne adressen. Vent noen minutter og prøv igjen.",
                              {"Retry-After": str(wait)})
        self.open_links.hit(address)
        token = self.site.store.open_respondent()
        return RedirectResponse(self.link(request, token), status_code=303)


def routes(site: Site, today: Callable[[], dt.date] = dt.date.today) -> list[Route]:
    """The respondent routes of one site (`today` is replaceable to test the closing date)."""
    questionnaire = Questionnaire(site, today)

    # The store is synchronous (SQLAlchemy); handlers run it in the thread pool.
    async def show(request: Request) -> Response:
        return await run_in_threadpool(questionnaire.show, request, request.path_params["token"])

    async def save(request: Request) -> Response:
        form = await read_form(request)
        if isinstance(form, Response):
            return form
        return await run_in_threadpool(questionnaire.save, request, request.path_params["token"],
                                       form)

    async def read_form(request: Request) -> dict[str, list[str]] | Response:
        """The posted page as text fields; a Norwegian error page for a form that is too large,
        not a form, or not UTF-8 (never stored as mojibake)."""
        declared = request.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > MAX_FORM_BYTES:
            return questionnaire.error(413, "For mye tekst", TOO_LARGE)
        body = bytearray()
        async for chunk in request.stream():
            body.extend(chunk)
            if len(body) > MAX_FORM_BYTES:
                return questionnaire.error(413, "For mye tekst", TOO_LARGE)
        kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if kind not in ("application/x-www-form-urlencoded", ""):
            return questionnaire.error(400, "Skjemaet ble avvist", NOT_A_FORM)
        try:
            pairs = parse_qsl(bytes(body).decode("ascii"), keep_blank_values=True,
                              encoding="utf-8", errors="strict",
                              max_num_fields=FORM_LIMITS["max_fields"])
        except (UnicodeDecodeError, ValueError):
            return questionnaire.error(400, "Skjemaet ble avvist", NOT_UTF8)
        form: dict[str, list[str]] = {}
        for key, value in pairs:
            form.setdefault(key, []).append(value)
        return form

    async def open_link(request: Request) -> Response:
        return await run_in_threadpool(questionnaire.open_link, request)

    return [Route("/s/{token}", show, methods=["GET"], name="respond"),
            Route("/s/{token}", save, methods=["POST"], name="respond_save"),
            Route("/open", open_link, methods=["GET"], name="open_link")]
