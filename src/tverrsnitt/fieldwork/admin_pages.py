"""What every admin page shares: the session, the CSRF check, rendering with the security
headers, refusals and redirects. The survey's admin pages (admin.py) and the focus groups'
(admin_qual.py) are handlers on top of one `AdminPages`, so their security cannot drift apart.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from ..numbers import thousands
from .context import Site
from .security import (
    COOKIE_NAME,
    CSRF_FIELD,
    AdminSecurity,
    Session,
    add_security_headers,
    new_nonce,
)
from .status import date_label

LOGIN_URL = "/admin/login"
HOME_URL = "/admin"
MAX_FIELD = 200  # longer usernames or passwords are no one's; they only cost Argon2 time
CSRF_MESSAGE = ("Skjemaet kunne ikke sendes fordi sikkerhetsnøkkelen manglet eller var feil. "
                "Last siden inn på nytt og prøv igjen.")

Fields = dict[str, list[str]]
Endpoint = Callable[[Request], Awaitable[Response]]
Handler = Callable[[Request, Session], Awaitable[Response]]
PostHandler = Callable[[Request, Session, Fields], Awaitable[Response]]


def message_heading(status_code: int) -> str:
    """The heading of an admin refusal page."""
    return {403: "Forespørselen ble avvist", 404: "Finnes ikke",
            429: "For mange forsøk"}.get(status_code, "Noe gikk galt")


class AdminPages:
    """The shared plumbing of the admin handlers of one site."""

    def __init__(self, site: Site, guard: AdminSecurity) -> None:
        self.site, self.guard = site, guard

    def current(self, request: Request) -> Session | None:
        """The request's session (None without a valid cookie)."""
        return self.guard.read(request.cookies.get(COOKIE_NAME))

    def render(self, request: Request, template: str, session: Session, *,
               status_code: int = 200, scripts: bool = False, **context: Any) -> Response:
        """A page from templates/admin/ with a fresh nonce (for its style, and its script when
        `scripts`), the CSRF token, the session cookie and the security headers."""
        nonce = new_nonce()
        page = self.site.env.get_template(f"admin/{template}").render(
            title=self.site.definition.title, nonce=nonce, user=session.user,
            csrf_field=CSRF_FIELD, csrf=self.guard.csrf_token(session), thousands=thousands,
            date_label=date_label, **context)
        response = HTMLResponse(page, status_code=status_code)
        if self.current(request) != session:
            self.guard.set_cookie(response, session)
        return add_security_headers(response, nonce, scripts=scripts)

    def refuse(self, request: Request, session: Session | None, status_code: int, message: str,
               headers: dict[str, str] | None = None) -> Response:
        """The message page with a refusal's status code."""
        response = self.render(request, "message.html", session or self.guard.new_session(),
                               status_code=status_code, heading=message_heading(status_code),
                               message=message)
        response.headers.update(headers or {})
        return response

    @staticmethod
    def redirect(url: str) -> Response:
        """303 to `url` (after a POST, and to the login page)."""
        return add_security_headers(RedirectResponse(url, status_code=303))

    def logged_in(self, handler: Handler) -> Endpoint:
        """Run `handler` for a logged-in admin; everyone else goes to the login page."""
        async def endpoint(request: Request) -> Response:
            session = self.current(request)
            if session is None or session.user is None:
                return self.redirect(LOGIN_URL)
            return await handler(request, session)
        return endpoint

    async def fields(self, request: Request) -> Fields:
        """The posted form's text fields by name (each with all its values)."""
        data = await request.form()
        try:
            fields: Fields = {}
            for key, value in data.multi_items():
                if isinstance(value, str):
                    fields.setdefault(key, []).append(value)
        finally:
            await data.close()
        return fields

    def posted(self, handler: PostHandler) -> Endpoint:
        """A logged-in admin's POST with the right CSRF token (403 without); everyone else
        goes to the login page."""
        async def endpoint(request: Request) -> Response:
            session = self.current(request)
            fields = await self.fields(request)
            if session is None or session.user is None:
                return self.redirect(LOGIN_URL)
            if not self.guard.csrf_ok(session, one(fields, CSRF_FIELD)):
                return self.refuse(request, session, 403, CSRF_MESSAGE)
            return await handler(request, session, fields)
        return endpoint


def one(fields: Fields, name: str, limit: int = MAX_FIELD) -> str:
    """A field's first value, cut to `limit` characters ('' when absent)."""
    return (fields.get(name) or [""])[0][:limit]
