"""Admin security: signed session cookies, CSRF tokens, the login rate limit and the headers.

Sessions live in the cookie itself (signed and timestamped with the site's secret key), so
logins survive a restart when TVERRSNITT_SECRET_KEY is set. Every visitor of the admin pages,
logged in or not, has a session: its random id binds the CSRF token (an HMAC of the id), which
is how the login form itself is protected. Logging in issues a new id (no session fixation);
logging out revokes the id in this process until the cookie would have expired anyway.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from itsdangerous import BadSignature, TimestampSigner, URLSafeTimedSerializer
from starlette.responses import Response

from .ratelimit import SlidingWindow

COOKIE_NAME = "tverrsnitt_admin"
COOKIE_PATH = "/admin"
SESSION_MAX_AGE = 8 * 60 * 60  # one working day, counted from login
CSRF_FIELD = "csrf"

# Failed logins allowed inside the window. Per username it stops guessing one password; per IP
# it stops spraying many usernames, with room for a team behind one NAT address.
LOGIN_WINDOW = 15 * 60
LOGIN_LIMIT_PER_USERNAME = 5
LOGIN_LIMIT_PER_IP = 20

Clock = Callable[[], float]


class LoginLimiter:
    """Failed admin logins per client IP and per username.

    Its own windows, apart from the questionnaire's limit on wrong links: an admin locked out
    by a guessing attack must not lock respondents out, nor the other way round.
    """

    def __init__(self, per_ip: int = LOGIN_LIMIT_PER_IP,
                 per_username: int = LOGIN_LIMIT_PER_USERNAME, window: float = LOGIN_WINDOW,
                 clock: Clock = time.monotonic) -> None:
        self.by_ip = SlidingWindow(per_ip, window, clock=clock)
        self.by_username = SlidingWindow(per_username, window, clock=clock)

    @staticmethod
    def _user(username: str) -> str:
        return username.strip().casefold()

    def blocked(self, ip: str, username: str) -> bool:
        """True when this IP or this username has too many recent failures to try again."""
        return self.by_ip.exceeded(ip) or self.by_username.exceeded(self._user(username))

    def retry_after(self, ip: str, username: str) -> int:
        """Whole seconds until both the IP and the username may try again."""
        return max(self.by_ip.retry_after(ip), self.by_username.retry_after(self._user(username)))

    def failed(self, ip: str, username: str) -> None:
        """Count a wrong password against both the IP and the username."""
        self.by_ip.hit(ip)
        self.by_username.hit(self._user(username))


@dataclass(frozen=True)
class Session:
    """One browser's admin session: a random id, and the admin's username once logged in."""

    sid: str
    user: str | None = None


class _ClockedSigner(TimestampSigner):
    """itsdangerous' timestamp signer, with the clock injectable so expiry can be tested."""

    def __init__(self, *args: Any, clock: Clock = time.time, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._clock = clock

    def get_timestamp(self) -> int:
        return int(self._clock())


class AdminSecurity:
    """Everything the admin pages need to tell a logged-in admin from anyone else."""

    def __init__(self, secret_key: str, *, secure_cookies: bool = True,
                 max_age: int = SESSION_MAX_AGE, clock: Clock = time.time,
                 limiter: LoginLimiter | None = None) -> None:
        self.secure_cookies = secure_cookies
        self.max_age = max_age
        self.clock = clock
        self.limiter = limiter or LoginLimiter(clock=clock)
        self._serializer = URLSafeTimedSerializer(
            secret_key, salt="tverrsnitt.admin.session", signer=_ClockedSigner,
            signer_kwargs={"clock": clock})
        # A separate key for CSRF tokens, derived so that a token never doubles as a signature.
        self._csrf_key = hmac.new(secret_key.encode(), b"tverrsnitt.admin.csrf",
                                  hashlib.sha256).digest()
        self._revoked: dict[str, float] = {}  # sid -> when its cookie expires anyway
        self._lock = threading.Lock()

    # ------------------------------------------------------------------ sessions
    def new_session(self, user: str | None = None) -> Session:
        """A fresh session with a new random id (anonymous, or for `user` after a login)."""
        return Session(secrets.token_urlsafe(24), user)

    def read(self, cookie: str | None) -> Session | None:
        """The session in a cookie, or None when it is missing, tampered, expired or revoked."""
        if not cookie:
            return None
        try:
            data = self._serializer.loads(cookie, max_age=self.max_age)
        except BadSignature:  # includes SignatureExpired
            return None
        if not isinstance(data, dict) or not isinstance(data.get("sid"), str):
            return None
        user = data.get("user")
        if user is not None and not isinstance(user, str):
            return None
        if self._is_revoked(data["sid"]):
            return None
        return Session(data["sid"], user)

    def revoke(self, session: Session) -> None:
        """End a session for good: its cookie is refused even if replayed before it expires."""
        with self._lock:
            now = self.clock()
            self._revoked = {sid: until for sid, until in self._revoked.items() if until > now}
            self._revoked[session.sid] = now + self.max_age

    def _is_revoked(self, sid: str) -> bool:
        with self._lock:
            return sid in self._revoked

    # ------------------------------------------------------------------ cookies
    def set_cookie(self, response: Response, session: Session) -> None:
        """Send the session: HttpOnly, SameSite=Strict, Secure on HTTPS sites, /admin only."""
        value = self._serializer.dumps({"sid": session.sid, "user": session.user})
        response.set_cookie(COOKIE_NAME, value, max_age=self.max_age, path=COOKIE_PATH,
                            secure=self.secure_cookies, httponly=True, samesite="strict")

    def clear_cookie(self, response: Response) -> None:
        """Tell the browser to drop the session cookie."""
        response.delete_cookie(COOKIE_NAME, path=COOKIE_PATH, secure=self.secure_cookies,
                               httponly=True, samesite="strict")

    # ------------------------------------------------------------------ CSRF
    def csrf_token(self, session: Session) -> str:
        """The token every admin form carries: bound to the session id, useless elsewhere."""
        return hmac.new(self._csrf_key, session.sid.encode(), hashlib.sha256).hexdigest()

    def csrf_ok(self, session: Session | None, token: object) -> bool:
        """True when a submitted token belongs to this session (constant-time comparison)."""
        if session is None or not isinstance(token, str) or not token:
            return False
        return hmac.compare_digest(self.csrf_token(session), token)


def new_nonce() -> str:
    """A one-use nonce that lets a page's own <style> through the Content-Security-Policy."""
    return secrets.token_urlsafe(16)


def add_security_headers(response: Response, nonce: str | None = None) -> Response:
    """The headers every admin response carries: never cached, never framed, never sniffed."""
    style = f"'nonce-{nonce}'" if nonce else "'none'"
    response.headers["Cache-Control"] = "no-store"
    response.headers["Pragma"] = "no-cache"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["Content-Security-Policy"] = (
        f"default-src 'none'; style-src {style}; img-src 'self'; form-action 'self'; "
        "frame-ancestors 'none'; base-uri 'none'")
    return response
