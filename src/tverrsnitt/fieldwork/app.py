"""The fieldwork web app: questionnaire pages for respondents, admin pages for the team.

A thin ASGI layer (Starlette) over the library: routes parse the request, call the store and
the questionnaire logic, and render server-side HTML. Every error the server answers with —
the project's own, the framework's 400/404/405/413, and a crash (500) — is a Norwegian page
with the same security headers as every other page; HTTPS sites send HSTS on everything.
"""

from __future__ import annotations

import logging
from pathlib import Path

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..errors import TverrsnittError
from . import admin, questionnaire
from .context import Site
from .security import admin_policy
from .server import redact

# The tab icon of every page (browsers ask for /favicon.ico whatever the page says).
FAVICON = (Path(__file__).parent / "templates" / "favicon.svg").read_bytes()
HSTS = "max-age=31536000"  # a year: once on HTTPS, a browser never tries plain HTTP again

# What the framework's own errors say to a respondent or an admin.
STATUS_TEXTS = {
    400: ("Forespørselen kunne ikke leses", "Siden fikk noe den ikke kunne lese. Gå tilbake og "
          "prøv igjen."),
    404: ("Fant ikke siden", "Siden finnes ikke. Sjekk adressen, eller åpne lenken fra e-posten "
          "på nytt."),
    405: ("Ikke tillatt", "Denne siden kan ikke brukes på den måten."),
    413: ("For mye tekst", "Skjemaet var for stort til å sendes. Gjør svarene kortere og prøv "
          "igjen."),
    422: ("Noe må rettes", "Skjemaet kunne ikke tas imot. Gå tilbake og prøv igjen."),
    429: ("For mange forsøk", "Det er gjort for mange forsøk. Vent litt og prøv igjen."),
    500: ("Noe gikk galt", "Det oppstod en feil hos oss. Svarene som er lagret, er ikke tapt. "
          "Prøv igjen om litt."),
}


class SecurityHeaders:
    """The last line of defence: every response of the site — pages, redirects, downloads,
    error pages, a 404 no route matched — carries the baseline headers (a route that sets its
    own, the admin pages' nonce policy or the questionnaire's, keeps them), and a site served
    over HTTPS (behind its TLS proxy) sends HSTS on every one."""

    def __init__(self, app: ASGIApp, hsts: bool = False) -> None:
        self.app, self.hsts = app, hsts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        baseline = BASELINE_ADMIN if scope["path"].startswith("/admin") else BASELINE

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [h for h in message.get("headers", [])
                           if not (self.hsts and h[0].lower() == b"strict-transport-security")]
                present = {name.lower() for name, _ in headers}
                headers += [(name, value) for name, value in baseline if name not in present]
                if self.hsts:
                    headers.append((b"strict-transport-security", HSTS.encode()))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, with_headers)


def _encoded(headers: dict[str, str]) -> tuple[tuple[bytes, bytes], ...]:
    return tuple((name.lower().encode(), value.encode()) for name, value in headers.items())


BASELINE = _encoded(questionnaire.SECURITY_HEADERS)
BASELINE_ADMIN = _encoded({**questionnaire.SECURITY_HEADERS, "Pragma": "no-cache",
                           "Content-Security-Policy": admin_policy()})


def create_app(site: Site) -> Starlette:
    """The ASGI application for one study."""

    def page(status: int, heading: str, message: str) -> Response:
        return questionnaire.page_response(site, "error.html", status, heading=heading,
                                           message=message)

    async def user_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, TverrsnittError)
        return page(exc.http_status, STATUS_TEXTS.get(exc.http_status, STATUS_TEXTS[400])[0],
                    exc.message)

    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        heading, message = STATUS_TEXTS.get(exc.status_code, STATUS_TEXTS[400])
        response = page(exc.status_code, heading, message)
        response.headers.update(exc.headers or {})
        return response

    async def crash(request: Request, exc: Exception) -> Response:
        # The path without its token: no personal link ever reaches a log.
        logging.getLogger("tverrsnitt").exception("Error while answering %s",
                                                  redact(request.url.path))
        return page(500, *STATUS_TEXTS[500])

    async def favicon(request: Request) -> Response:
        return Response(FAVICON, media_type="image/svg+xml",
                        headers={**questionnaire.SECURITY_HEADERS,
                                 "Cache-Control": "public, max-age=86400"})

    icons = [Route(path, favicon, methods=["GET"]) for path in ("/favicon.svg", "/favicon.ico")]
    middleware = [Middleware(SecurityHeaders, hsts=site.secure_cookies)]
    app = Starlette(routes=[*questionnaire.routes(site), *admin.routes(site), *icons],
                    middleware=middleware,
                    exception_handlers={TverrsnittError: user_error, HTTPException: http_error,
                                        Exception: crash})
    app.state.site = site
    return app
