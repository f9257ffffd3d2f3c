"""The admin pages under /admin: login, logout, the live status page and data downloads.

A thin layer: each route checks the session (and on POST the CSRF token), calls the library
(`status.fieldwork_status`, the store, the export) and renders a template from
templates/admin/. Every response carries the admin security headers.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from ..numbers import thousands
from .admin_chart import activity_chart
from .context import Site
from .security import (
    COOKIE_NAME,
    CSRF_FIELD,
    AdminSecurity,
    Session,
    add_security_headers,
    new_nonce,
)
from .status import date_label, fieldwork_status, mail_kind_label

LOGIN_URL = "/admin/login"
HOME_URL = "/admin"
EXPORT_FORMATS = {
    "csv": ("text/csv; charset=utf-8", "CSV"),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "Excel (XLSX)"),
    "sav": ("application/x-spss-sav", "SPSS (SAV)"),
}
MAX_FIELD = 200  # longer usernames or passwords are no one's; they only cost Argon2 time

Endpoint = Callable[[Request], Awaitable[Response]]


def routes(site: Site, security: AdminSecurity | None = None) -> list[Route]:
    """The admin routes for one site (pass `security` to choose limits or a test clock)."""
    guard = security or AdminSecurity(site.secret_key, site.store,
                                      secure_cookies=site.secure_cookies)

    def render(request: Request, template: str, session: Session, *, status_code: int = 200,
               **context: Any) -> Response:
        nonce = new_nonce()
        page = site.env.get_template(f"admin/{template}").render(
            title=site.definition.title, nonce=nonce, user=session.user,
            csrf_field=CSRF_FIELD, csrf=guard.csrf_token(session), thousands=thousands,
            date_label=date_label, **context)
        response = HTMLResponse(page, status_code=status_code)
        if request.cookies.get(COOKIE_NAME) is None or guard.read(
                request.cookies.get(COOKIE_NAME)) != session:
            guard.set_cookie(response, session)
        return add_security_headers(response, nonce)

    def to_login() -> Response:
        return add_security_headers(RedirectResponse(LOGIN_URL, status_code=303))

    def current(request: Request) -> Session | None:
        return guard.read(request.cookies.get(COOKIE_NAME))

    def logged_in(endpoint: Callable[[Request, Session], Awaitable[Response]]) -> Endpoint:
        """Run `endpoint` for a logged-in admin; everyone else goes to the login page."""
        async def wrapped(request: Request) -> Response:
            session = current(request)
            if session is None or session.user is None:
                return to_login()
            return await endpoint(request, session)
        return wrapped

    def refuse(request: Request, session: Session | None, status_code: int, message: str,
               headers: dict[str, str] | None = None) -> Response:
        response = render(request, "message.html", session or guard.new_session(),
                          status_code=status_code, heading=message_heading(status_code),
                          message=message)
        response.headers.update(headers or {})
        return response

    async def form(request: Request) -> tuple[Session | None, dict[str, str] | None]:
        """The session and the posted fields — fields None when the CSRF token is wrong."""
        session = current(request)
        data = await request.form()
        try:
            fields = {k: v for k, v in data.items() if isinstance(v, str)}
        finally:
            await data.close()
        if not guard.csrf_ok(session, fields.get(CSRF_FIELD)):
            return session, None
        return session, fields

    async def login_page(request: Request) -> Response:
        session = current(request)
        if session is not None and session.user is not None:
            return add_security_headers(RedirectResponse(HOME_URL, status_code=303))
        return render(request, "login.html", session or guard.new_session())

    async def login(request: Request) -> Response:
        session, fields = await form(request)
        if session is None or fields is None:
            return refuse(request, session, 403, CSRF_MESSAGE)
        username = fields.get("username", "").strip()[:MAX_FIELD]
        password = fields.get("password", "")[:MAX_FIELD]
        code = "".join(fields.get("code", "").split())[:MAX_FIELD]
        ip = request.client.host if request.client else "unknown"
        wait = await run_in_threadpool(guard.limiter.wait, ip, username)
        if wait:
            return refuse(request, session, 429, rate_message(wait),
                          headers={"Retry-After": str(wait)})
        if not username or not password or not await run_in_threadpool(
                check_login, site, username, password, code):
            await run_in_threadpool(guard.limiter.failed, ip, username)
            return render(request, "login.html", session, status_code=200, username=username,
                          error="Feil brukernavn, passord eller engangskode.")
        await run_in_threadpool(guard.limiter.succeeded, ip, username)
        # A new session id on login: a cookie planted before login never becomes an admin's.
        fresh = await run_in_threadpool(guard.log_in, username)
        response = add_security_headers(RedirectResponse(HOME_URL, status_code=303))
        guard.set_cookie(response, fresh)
        return response

    async def logout(request: Request) -> Response:
        session, fields = await form(request)
        if session is None or fields is None:
            return refuse(request, session, 403, CSRF_MESSAGE)
        await run_in_threadpool(guard.revoke, session)
        response = add_security_headers(RedirectResponse(LOGIN_URL, status_code=303))
        guard.clear_cookie(response)
        return response

    @logged_in
    async def status_page(request: Request, session: Session) -> Response:
        status = await run_in_threadpool(fieldwork_status, site.study, site.store)
        return render(request, "status.html", session, status=status,
                      chart=activity_chart(status), formats=EXPORT_FORMATS,
                      mail_kind=mail_kind_label, has_qual=site.study.qual is not None)

    @logged_in
    async def download(request: Request, session: Session) -> Response:
        fmt = request.path_params["fmt"]
        if fmt not in EXPORT_FORMATS:
            return refuse(request, session, 404, "Ukjent filformat. Velg CSV, XLSX eller SAV.")
        from .export import export_bytes  # imported on use: it pulls in the data libraries

        content = await run_in_threadpool(export_bytes, site.study, site.store, fmt)
        filename = f"{site.study.meta.name}-svar.{fmt}"
        response = Response(content, media_type=EXPORT_FORMATS[fmt][0], headers={
            "Content-Disposition": f'attachment; filename="{filename}"'})
        return add_security_headers(response)

    from .admin_qual import qual_routes  # the focus groups' pages (they import this module)

    return [
        Route(HOME_URL, status_page, methods=["GET"], name="admin_status"),
        Route(LOGIN_URL, login_page, methods=["GET"], name="admin_login_page"),
        Route(LOGIN_URL, login, methods=["POST"], name="admin_login"),
        Route("/admin/logout", logout, methods=["POST"], name="admin_logout"),
        Route("/admin/export.{fmt}", download, methods=["GET"], name="admin_export"),
        *qual_routes(site, guard),
    ]


CSRF_MESSAGE = ("Skjemaet kunne ikke sendes fordi sikkerhetsnøkkelen manglet eller var feil. "
                "Last siden inn på nytt og prøv igjen.")
def rate_message(wait: int) -> str:
    """'Prøv igjen om 12 sekunder' (or minutes, for a long wait)."""
    when = f"{wait} sekund{'er' if wait != 1 else ''}" if wait < 120 else f"{-(-wait // 60)} minutter"
    return f"For mange mislykkede innlogginger herfra. Prøv igjen om {when}."


def check_login(site: Site, username: str, password: str, code: str) -> bool:
    """The password is right, and so is the one-time code when the admin has one."""
    if not site.store.check_admin(username, password):
        return False
    secret = site.store.totp_secret(username)
    if secret is None:
        return True
    import pyotp  # only for admins with a second factor

    return bool(code) and bool(pyotp.TOTP(secret).verify(code, valid_window=1))


def message_heading(status_code: int) -> str:
    """The heading of an admin error page."""
    return {403: "Forespørselen ble avvist", 404: "Finnes ikke",
            429: "For mange forsøk"}.get(status_code, "Noe gikk galt")
