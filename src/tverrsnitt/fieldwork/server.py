"""`tverrsnitt serve`: run the fieldwork web app for one study under uvicorn.

Cookies (admin sessions) are marked Secure unless the server listens on a loopback address
only: that is a developer's machine on plain http://localhost. In production, run behind a
TLS-terminating reverse proxy; if that proxy talks to a loopback address, set
TVERRSNITT_SECURE_COOKIES=1 so cookies stay Secure (0 forces them off); HTTPS sites send HSTS.
Client addresses for the rate limits come from X-Forwarded-For only when the request comes
from a proxy listed in TVERRSNITT_TRUSTED_PROXIES (addresses or networks, comma-separated):
never by default, so nobody can pick the address they are counted under.
"""

from __future__ import annotations

import ipaddress
import json
import logging
import os
import re
from pathlib import Path
from typing import Any

from ..errors import UsageError

SECURE_COOKIES_ENV = "TVERRSNITT_SECURE_COOKIES"
TRUSTED_PROXIES_ENV = "TVERRSNITT_TRUSTED_PROXIES"
# How `serve --workers N` tells its worker processes what to open (set by serve itself).
WORKER_ENV = "TVERRSNITT_SERVE_WORKER"
_LINK = re.compile(r"/s/[^/?#\s]+")


def redact(text: str) -> str:
    """A path or log line with every personal link's token left out ('/s/…')."""
    return _LINK.sub("/s/…", text)


class RedactLinks(logging.Filter):
    """Keep personal links out of the access log: '/s/<token>' is logged as '/s/…'."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(redact(a) if isinstance(a, str) else a for a in record.args)
        return True


# uvicorn's own logging, except that the access log is written by a plain formatter (uvicorn's
# copies every record to colour it: a seventh of a page view's time) and leaves tokens out.
LOG_CONFIG = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact": {"()": RedactLinks}},
    "formatters": {
        "default": {"()": "uvicorn.logging.DefaultFormatter", "fmt": "%(levelprefix)s %(message)s"},
        "access": {"format": "%(asctime)s %(message)s"},
    },
    "handlers": {
        "default": {"formatter": "default", "class": "logging.StreamHandler",
                    "stream": "ext://sys.stderr"},
        "access": {"formatter": "access", "class": "logging.StreamHandler",
                   "stream": "ext://sys.stdout", "filters": ["redact"]},
    },
    "loggers": {
        "uvicorn": {"handlers": ["default"], "level": "INFO", "propagate": False},
        "uvicorn.error": {"level": "INFO"},
        "uvicorn.access": {"handlers": ["access"], "level": "INFO", "propagate": False},
    },
}


def is_loopback(host: str) -> bool:
    """True for 'localhost' and loopback addresses (127.0.0.0/8, ::1)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def secure_cookies_for(host: str) -> bool:
    """Whether cookies need HTTPS: the environment decides, else 'not loopback'."""
    setting = os.environ.get(SECURE_COOKIES_ENV, "").strip().lower()
    if setting in ("1", "true", "yes", "on"):
        return True
    if setting in ("0", "false", "no", "off"):
        return False
    return not is_loopback(host)


def trusted_proxies() -> list[str]:
    """The proxies whose X-Forwarded-For is believed (TVERRSNITT_TRUSTED_PROXIES); checked,
    so a typo is an error rather than a silently ignored setting."""
    listed = [p.strip() for p in os.environ.get(TRUSTED_PROXIES_ENV, "").split(",") if p.strip()]
    for proxy in listed:
        try:
            ipaddress.ip_network(proxy, strict=False)
        except ValueError:
            raise UsageError(f"{TRUSTED_PROXIES_ENV}: {proxy!r} is not an IP address or network "
                             "(e.g. 127.0.0.1 or 10.0.0.0/8)") from None
    return listed


def check_port(host: str, port: int) -> None:
    """A UsageError, before anything starts, when the address cannot be listened on (the port
    taken by another program, or an address this machine does not have)."""
    import socket

    address = host.strip("[]")
    family = socket.AF_INET6 if ":" in address else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((address, port))
        except OSError as exc:
            raise UsageError(
                f"Cannot listen on {host}:{port} ({exc.strerror or exc}): another program, or "
                "another `tverrsnitt serve`, may be using the port. Stop it, or choose another "
                "port with --port.") from None


def serve(study_dir: str | Path, db_url: str | None = None, host: str = "127.0.0.1",
          port: int = 8000, workers: int = 1) -> None:
    """Serve the questionnaire and the admin pages until interrupted.

    With several `workers` (processes) the database is migrated and the signing key settled
    once here, before they start; they share everything else through the database (rate
    limits, admin sessions), so a request may land on any of them."""
    import uvicorn

    from .app import create_app
    from .context import SECRET_ENV, open_site

    if workers < 1:
        raise UsageError(f"--workers must be 1 or more, not {workers}.")
    check_port(host, port)
    proxies = trusted_proxies()
    secure = secure_cookies_for(host)
    site = open_site(study_dir, db_url=db_url, secure_cookies=secure,
                     require_secret=not is_loopback(host))
    if not os.environ.get(SECRET_ENV):
        logging.getLogger("tverrsnitt").warning(
            "%s is not set: using a key kept in the database. Set it (the same on every "
            "worker and across restarts) before serving beyond this machine.", SECRET_ENV)
    options: dict[str, Any] = {
        "host": host, "port": port, "proxy_headers": bool(proxies),
        "forwarded_allow_ips": proxies or None, "server_header": False, "log_level": "info",
        "log_config": LOG_CONFIG}
    if workers == 1:
        try:
            uvicorn.run(create_app(site), **options)
        finally:
            site.store.close()
        return
    os.environ[WORKER_ENV] = json.dumps({"study": str(Path(study_dir).resolve()),
                                         "db": site.store.url, "secure_cookies": secure})
    site.store.close()
    uvicorn.run(f"{__name__}:worker_app", factory=True, workers=workers, **options)


def worker_app() -> Any:
    """The app in one of `serve`'s worker processes (uvicorn calls this in each): the study
    and database the parent process opened, already migrated."""
    from .app import create_app
    from .context import open_site

    settings = json.loads(os.environ[WORKER_ENV])
    return create_app(open_site(settings["study"], db_url=settings["db"],
                                secure_cookies=settings["secure_cookies"], migrate=False))
