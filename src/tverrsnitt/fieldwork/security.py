"""Admin security: server-side sessions, CSRF tokens, login limits and the headers.

A browser holds a signed, timestamped cookie with a random session id. Every visitor of the
admin pages, logged in or not, has one: the id binds the CSRF token (an HMAC of the id), which
is how the login form itself is protected. A logged-in session also exists in the database
(`Store.start_session`): logging out, or a new password for that admin, deletes it there, so a
copied cookie is refused by every worker and after any restart. Logging in issues a new id (no
session fixation).

Wrong passwords are counted per username *and* address, with a delay that doubles after a few
failures, so a stranger cannot lock an admin out from elsewhere; an address that tries many
usernames is stopped on its own. `tverrsnitt unlock-admin` clears a username's count.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import math
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from itsdangerous import BadSignature, TimestampSigner, URLSafeTimedSerializer
from starlette.responses import Response

from ..store import Store

COOKIE_NAME = "tverrsnitt_admin"
COOKIE_PATH = "/admin"
SESSION_MAX_AGE = 8 * 60 * 60  # one working day, counted from login
CSRF_FIELD = "csrf"

# Wrong passwords for one username from one address: the first few are free, then each one
# doubles the wait (1 s, 2 s, 4 s … at most 15 minutes). The count is forgotten after a day
# without failures, or at a successful login.
FREE_FAILURES = 3
MAX_DELAY = 15 * 60
FAILURE_MEMORY = 24 * 60 * 60
# Failed logins from one address across usernames (spraying), per window.
LOGIN_WINDOW = 15 * 60
LOGIN_LIMIT_PER_IP = 20
# SEPARATOR between username and address in a limit's subject (never in either).
_SEP = "\x1f"

Clock = Callable[[], float]

# Admin passwords: long rather than complicated. A passphrase of a few words ("riktig hest
# batteri stift") easily passes; a short or well-known password does not.
MIN_PASSWORD_LENGTH = 12
MIN_DISTINCT_CHARACTERS = 5
# Long passwords that are still among the first an attacker tries (compared without case,
# spaces or a trailing number run).
COMMON_PASSWORDS = frozenset({
    "123456789012", "1234567890123", "12345678901234", "qwertyuiop", "qwertyuiopå",
    "asdfghjkløæ", "password", "passwordpassword", "passord", "passordpassord",
    "administrator", "administrator1", "adminadmin", "letmein", "letmeinplease",
    "iloveyou", "welcome", "velkommen", "sommer", "sommeren", "vinter", "vinteren",
    "fagforbundet", "hemmelig", "hemmeligpassord", "mittpassord", "nyttpassord",
    "tverrsnitt", "undersokelse", "undersøkelse", "skolemiljo", "skolemiljø", "norge",
    "oslo", "bergen", "trondheim", "fotball", "rosenborg", "brann", "vålerenga",
    "changeme", "trustno1", "football", "baseball", "superman", "starwars",
    "monkeymonkey", "dragondragon", "masterkey", "sunshine", "princess", "abcdefghijkl",
    "abcdefghijklm", "aaaaaaaaaaaa", "zaq12wsxcde3", "1qaz2wsx3edc", "q1w2e3r4t5y6",
})


def password_problem(username: str, password: str) -> str | None:
    """Why `password` is too weak for an admin of a site with personal data (None: fine)."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return (f"is {len(password)} characters; use at least {MIN_PASSWORD_LENGTH} — a few "
                "words with spaces between them are easy to remember (riktig hest batteri "
                "stift)")
    squeezed = "".join(password.casefold().split()).rstrip("0123456789!.")
    if squeezed in COMMON_PASSWORDS or password.casefold() in COMMON_PASSWORDS:
        return "is one of the passwords an attacker tries first; choose words of your own"
    if len(set(password.casefold())) < MIN_DISTINCT_CHARACTERS:
        return f"uses fewer than {MIN_DISTINCT_CHARACTERS} different characters"
    name = username.strip().casefold()
    if len(name) >= 3 and name in password.casefold():
        return "contains the username"
    return None


def _at(clock: Clock) -> dt.datetime:
    return dt.datetime.fromtimestamp(clock(), dt.UTC)


class LoginLimiter:
    """Failed admin logins per (username, address) with a growing delay, and per address."""

    def __init__(self, store: Store, per_ip: int = LOGIN_LIMIT_PER_IP,
                 free_failures: int = FREE_FAILURES, window: float = LOGIN_WINDOW,
                 clock: Clock = time.time) -> None:
        self.store = store
        self.per_ip = per_ip
        self.free_failures = free_failures
        self.window = window
        self.clock = clock

    @staticmethod
    def _subject(ip: str, username: str) -> str:
        return f"{username.strip().casefold()}{_SEP}{ip}"

    def delay(self, failures: int) -> float:
        """Seconds a (username, address) waits after `failures` wrong passwords."""
        if failures < self.free_failures:
            return 0.0
        return float(min(MAX_DELAY, 2 ** (failures - self.free_failures)))

    def wait(self, ip: str, username: str) -> int:
        """Whole seconds before this address may try this username again (0: now)."""
        at = _at(self.clock)
        store = self.store
        if store.limit_count("login-ip", ip, at, self.window) >= self.per_ip:
            return max(1, store.limit_retry_after("login-ip", ip, at, self.window))
        subject = self._subject(ip, username)
        failures = store.limit_count("login", subject, at, FAILURE_MEMORY)
        last = store.limit_last("login", subject)
        if not failures or last is None:
            return 0
        left = self.delay(failures) - (at - last).total_seconds()
        return math.ceil(left) if left > 0 else 0

    def failed(self, ip: str, username: str) -> None:
        """Count a wrong password (or code) for the username at this address, and the address."""
        at = _at(self.clock)
        self.store.limit_hit("login-ip", ip, at, self.window)
        self.store.limit_hit("login", self._subject(ip, username), at, FAILURE_MEMORY)

    def succeeded(self, ip: str, username: str) -> None:
        """A right password: this address starts afresh for this username."""
        self.store.limit_clear("login", self._subject(ip, username))

    def unlock(self, username: str) -> int:
        """Forget every failure of a username (from every address); returns how many rows."""
        return self.store.limit_clear("login", f"{username.strip().casefold()}{_SEP}")


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

    def __init__(self, secret_key: str, store: Store, *, secure_cookies: bool = True,
                 max_age: int = SESSION_MAX_AGE, clock: Clock = time.time,
                 limiter: LoginLimiter | None = None) -> None:
        self.store = store
        self.secure_cookies = secure_cookies
        self.max_age = max_age
        self.clock = clock
        self.limiter = limiter or LoginLimiter(store, clock=clock)
        self._serializer = URLSafeTimedSerializer(
            secret_key, salt="tverrsnitt.admin.session", signer=_ClockedSigner,
            signer_kwargs={"clock": clock})
        # A separate key for CSRF tokens, derived so that a token never doubles as a signature.
        self._csrf_key = hmac.new(secret_key.encode(), b"tverrsnitt.admin.csrf",
                                  hashlib.sha256).digest()

    # ------------------------------------------------------------------ sessions
    def new_session(self) -> Session:
        """A fresh anonymous session with a new random id (for the login form's CSRF)."""
        return Session(secrets.token_urlsafe(24))

    def log_in(self, username: str) -> Session:
        """A new session for an admin who gave the right password, recorded in the database."""
        session = Session(secrets.token_urlsafe(24), username)
        self.store.start_session(session.sid, username, _at(self.clock), self.max_age)
        return session

    def read(self, cookie: str | None) -> Session | None:
        """The session in a cookie, or None when it is missing, tampered, expired, logged out
        or ended by a new password."""
        if not cookie:
            return None
        try:
            data = self._serializer.loads(cookie, max_age=self.max_age)
        except BadSignature:  # includes SignatureExpired
            return None
        if not isinstance(data, dict) or not isinstance(data.get("sid"), str):
            return None
        user = data.get("user")
        if user is None:
            return Session(data["sid"])
        if not isinstance(user, str) or self.store.session_user(
                data["sid"], _at(self.clock)) != user:
            return None
        return Session(data["sid"], user)

    def revoke(self, session: Session) -> None:
        """End a session for good: its cookie is refused everywhere, even replayed."""
        if session.user is not None:
            self.store.end_session(session.sid)

    # ------------------------------------------------------------------ cookies
    def set_cookie(self, response: Response, session: Session) -> None:
        """Send the session: HttpOnly, Secure on HTTPS sites, /admin only, SameSite=Lax so a
        link to /admin from a mail or another site arrives logged in (every POST still needs
        its CSRF token, so Lax opens nothing)."""
        value = self._serializer.dumps({"sid": session.sid, "user": session.user})
        response.set_cookie(COOKIE_NAME, value, max_age=self.max_age, path=COOKIE_PATH,
                            secure=self.secure_cookies, httponly=True, samesite="lax")

    def clear_cookie(self, response: Response) -> None:
        """Tell the browser to drop the session cookie."""
        response.delete_cookie(COOKIE_NAME, path=COOKIE_PATH, secure=self.secure_cookies,
                               httponly=True, samesite="lax")

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


def admin_policy(nonce: str | None = None, *, scripts: bool = False) -> str:
    """The admin pages' Content-Security-Policy: nothing but the page's own style (and, for
    the pages that run one, its own script) by its nonce."""
    own = f"'nonce-{nonce}'" if nonce else "'none'"
    script = f"script-src {own}; " if scripts and nonce else ""
    return (f"default-src 'none'; style-src {own}; {script}img-src 'self'; form-action 'self'; "
            "frame-ancestors 'none'; base-uri 'none'")


def add_security_headers(response: Response, nonce: str | None = None, *,
                         scripts: bool = False) -> Response:
    """The headers every admin response carries: never cached, never framed, never sniffed."""
    response.headers["Cache-Control"] = "no-store"
    response.headers["Pragma"] = "no-cache"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["Content-Security-Policy"] = admin_policy(nonce, scripts=scripts)
    return response
