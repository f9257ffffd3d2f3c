"""`tverrsnitt serve`: run the fieldwork web app for one study under uvicorn.

Cookies (admin sessions) are marked Secure unless the server listens on a loopback address
only: that is a developer's machine on plain http://localhost. In production, run behind a
TLS-terminating reverse proxy; if that proxy talks to a loopback address, set
TVERRSNITT_SECURE_COOKIES=1 so cookies stay Secure (0 forces them off). Client addresses for
the rate limits come from X-Forwarded-For only when the proxy is on this machine (uvicorn's
default of trusting 127.0.0.1).
"""

from __future__ import annotations

import ipaddress
import logging
import os
import re
from pathlib import Path

SECURE_COOKIES_ENV = "TVERRSNITT_SECURE_COOKIES"
_LINK = re.compile(r"/s/[^/?#\s]+")


class RedactLinks(logging.Filter):
    """Keep personal links out of the access log: '/s/<token>' is logged as '/s/…'."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(_LINK.sub("/s/…", a) if isinstance(a, str) else a
                                for a in record.args)
        return True


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


def serve(study_dir: str | Path, db_url: str | None = None, host: str = "127.0.0.1",
          port: int = 8000) -> None:
    """Serve the questionnaire and the admin pages until interrupted."""
    import uvicorn

    from .app import create_app
    from .context import open_site

    site = open_site(study_dir, db_url=db_url, secure_cookies=secure_cookies_for(host))
    logging.getLogger("uvicorn.access").addFilter(RedactLinks())
    try:
        uvicorn.run(create_app(site), host=host, port=port, proxy_headers=True,
                    server_header=False, log_level="info")
    finally:
        site.store.close()
