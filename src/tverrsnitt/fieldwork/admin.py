"""The admin pages under /admin: login, logout, the live status page and data downloads.

A thin layer: each route checks the session (and on POST the CSRF token), calls the library
(`status.fieldwork_status`, the store, the export) and renders a template from
templates/admin/. Every response carries the admin security headers.
"""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from .admin_chart import activity_chart
from .admin_pages import (
    CSRF_MESSAGE,
    HOME_URL,
    LOGIN_URL,
    MAX_FIELD,
    AdminPages,
    one,
)
from .admin_qual import qual_routes
from .context import Site
from .security import CSRF_FIELD, AdminSecurity, Session, add_security_headers
from .status import fieldwork_status, mail_kind_label

EXPORT_FORMATS = {
    "csv": ("text/csv; charset=utf-8", "CSV"),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "Excel (XLSX)"),
    "sav": ("application/x-spss-sav", "SPSS (SAV)"),
}


def routes(site: Site, security: AdminSecurity | None = None) -> list[Route]:
    """The admin routes for one site (pass `security` to choose limits or a test clock)."""
    guard = security or AdminSecurity(site.secret_key, site.store,
                                      secure_cookies=site.secure_cookies)
    pages = AdminPages(site, guard)

    async def login_page(request: Request) -> Response:
        session = pages.current(request)
        if session is not None and session.user is not None:
            return pages.redirect(HOME_URL)
        return pages.render(request, "login.html", session or guard.new_session())

    async def login(request: Request) -> Response:
        session = pages.current(request)
        fields = await pages.fields(request)
        if session is None or not guard.csrf_ok(session, one(fields, CSRF_FIELD)):
            return pages.refuse(request, session, 403, CSRF_MESSAGE)
        username = one(fields, "username").strip()
        password = one(fields, "password")
        code = "".join(one(fields, "code").split())[:MAX_FIELD]
        ip = request.client.host if request.client else "unknown"
        wait = await run_in_threadpool(guard.limiter.wait, ip, username)
        if wait:
            return pages.refuse(request, session, 429, rate_message(wait),
                                headers={"Retry-After": str(wait)})
        if not username or not password or not await run_in_threadpool(
                check_login, site, username, password, code):
            await run_in_threadpool(guard.limiter.failed, ip, username)
            return pages.render(request, "login.html", session, username=username,
                                error="Feil brukernavn, passord eller engangskode.")
        await run_in_threadpool(guard.limiter.succeeded, ip, username)
        # A new session id on login: a cookie planted before login never becomes an admin's.
        fresh = await run_in_threadpool(guard.log_in, username)
        response = pages.redirect(HOME_URL)
        guard.set_cookie(response, fresh)
        return response

    async def logout(request: Request, session: Session, fields: dict[str, list[str]]
                     ) -> Response:
        await run_in_threadpool(guard.revoke, session)
        response = pages.redirect(LOGIN_URL)
        guard.clear_cookie(response)
        return response

    async def status_page(request: Request, session: Session) -> Response:
        status = await run_in_threadpool(fieldwork_status, site.study, site.store)
        return pages.render(request, "status.html", session, status=status,
                            chart=activity_chart(status), formats=EXPORT_FORMATS,
                            mail_kind=mail_kind_label, has_qual=site.study.qual is not None)

    async def download(request: Request, session: Session) -> Response:
        fmt = request.path_params["fmt"]
        if fmt not in EXPORT_FORMATS:
            return pages.refuse(request, session, 404,
                                "Ukjent filformat. Velg CSV, XLSX eller SAV.")
        from .export import export_bytes  # imported on use: it pulls in the data libraries

        content = await run_in_threadpool(export_bytes, site.study, site.store, fmt)
        filename = f"{site.study.meta.name}-svar.{fmt}"
        response = Response(content, media_type=EXPORT_FORMATS[fmt][0], headers={
            "Content-Disposition": f'attachment; filename="{filename}"'})
        return add_security_headers(response)

    return [
        Route(HOME_URL, pages.logged_in(status_page), methods=["GET"], name="admin_status"),
        Route(LOGIN_URL, login_page, methods=["GET"], name="admin_login_page"),
        Route(LOGIN_URL, login, methods=["POST"], name="admin_login"),
        Route("/admin/logout", pages.posted(logout), methods=["POST"], name="admin_logout"),
        Route("/admin/export.{fmt}", pages.logged_in(download), methods=["GET"],
              name="admin_export"),
        *qual_routes(site, pages),
    ]


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
