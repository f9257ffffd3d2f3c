"""The Store's access control data: admin sessions, rate limits and one-time-code secrets.

Kept in the database, not in a server process: a logout or a new password ends a session for
every worker and through restarts, and every worker counts the same wrong links and wrong
passwords. Session ids and nothing else identify a browser; only their SHA-256 is stored.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math

from sqlalchemy import Engine, delete, insert, select, update

from .schema import admin_sessions, admins, rate_limits


def _hash(sid: str) -> str:
    return hashlib.sha256(sid.encode("ascii", errors="replace")).hexdigest()


def _aware(value: dt.datetime) -> dt.datetime:
    """SQLite returns naive datetimes; they were written as UTC."""
    return value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)


class AccessStore:
    """Sessions, limits and TOTP secrets (mixed into `Store`, which owns the engine)."""

    engine: Engine

    # ------------------------------------------------------------------ sessions
    def start_session(self, sid: str, username: str, at: dt.datetime,
                      max_age: float) -> None:
        """Record a logged-in session (the browser holds the id in a signed cookie)."""
        with self.engine.begin() as connection:
            connection.execute(insert(admin_sessions).values(
                sid_hash=_hash(sid), username=username, created_at=at,
                expires_at=at + dt.timedelta(seconds=max_age)))

    def session_user(self, sid: str, at: dt.datetime) -> str | None:
        """The admin a live session belongs to; None when it ended, expired or never was."""
        with self.engine.connect() as connection:
            row = connection.execute(select(admin_sessions.c.username,
                                            admin_sessions.c.expires_at)
                                     .where(admin_sessions.c.sid_hash == _hash(sid))).first()
        if row is None or _aware(row.expires_at) <= at:
            return None
        return str(row.username)

    def end_session(self, sid: str) -> None:
        """Log one session out for good."""
        with self.engine.begin() as connection:
            connection.execute(delete(admin_sessions).where(
                admin_sessions.c.sid_hash == _hash(sid)))

    def end_sessions(self, username: str) -> int:
        """End every session of an admin (after a new password); returns how many."""
        with self.engine.begin() as connection:
            return int(connection.execute(delete(admin_sessions).where(
                admin_sessions.c.username == username)).rowcount or 0)

    # ------------------------------------------------------------------ limits
    def limit_count(self, purpose: str, subject: str, at: dt.datetime, window: float) -> int:
        """Events of `purpose` by `subject` in the window that is running now."""
        with self.engine.connect() as connection:
            row = connection.execute(select(rate_limits.c.count, rate_limits.c.window_start)
                                     .where((rate_limits.c.purpose == purpose)
                                            & (rate_limits.c.subject == subject))).first()
        if row is None or (at - _aware(row.window_start)).total_seconds() >= window:
            return 0
        return int(row[0])  # row.count is the tuple method

    def limit_hit(self, purpose: str, subject: str, at: dt.datetime, window: float) -> int:
        """Count one event (a new window when the last one is over); returns the count."""
        with self.engine.begin() as connection:
            row = connection.execute(select(rate_limits.c.count, rate_limits.c.window_start)
                                     .where((rate_limits.c.purpose == purpose)
                                            & (rate_limits.c.subject == subject))).first()
            if row is None:
                connection.execute(insert(rate_limits).values(
                    purpose=purpose, subject=subject, count=1, window_start=at, last_at=at))
                return 1
            fresh = (at - _aware(row.window_start)).total_seconds() >= window
            count = 1 if fresh else int(row[0]) + 1
            connection.execute(update(rate_limits).where(
                (rate_limits.c.purpose == purpose) & (rate_limits.c.subject == subject))
                .values(count=count, last_at=at,
                        window_start=at if fresh else row.window_start))
            return count

    def limit_retry_after(self, purpose: str, subject: str, at: dt.datetime,
                          window: float) -> int:
        """Whole seconds until the running window of `subject` is over."""
        with self.engine.connect() as connection:
            start = connection.execute(select(rate_limits.c.window_start).where(
                (rate_limits.c.purpose == purpose) & (rate_limits.c.subject == subject))).scalar()
        if start is None:
            return 0
        return max(0, math.ceil(window - (at - _aware(start)).total_seconds()))

    def limit_clear(self, purpose: str, subject_prefix: str = "") -> int:
        """Forget the events of a purpose (of the subjects starting with a prefix)."""
        with self.engine.begin() as connection:
            query = delete(rate_limits).where(rate_limits.c.purpose == purpose)
            if subject_prefix:
                query = query.where(rate_limits.c.subject.startswith(subject_prefix,
                                                                     autoescape=True))
            return int(connection.execute(query).rowcount or 0)

    def limit_last(self, purpose: str, subject: str) -> dt.datetime | None:
        """When the last event of `subject` was counted."""
        with self.engine.connect() as connection:
            value = connection.execute(select(rate_limits.c.last_at).where(
                (rate_limits.c.purpose == purpose) & (rate_limits.c.subject == subject))).scalar()
        return _aware(value) if value is not None else None

    # ------------------------------------------------------------------ one-time codes
    def set_totp(self, username: str, secret: str | None) -> None:
        """Require (or, with None, stop requiring) a one-time code for this admin."""
        with self.engine.begin() as connection:
            connection.execute(update(admins).where(admins.c.username == username)
                               .values(totp_secret=secret))

    def totp_secret(self, username: str) -> str | None:
        """The admin's TOTP secret, if they log in with one-time codes."""
        with self.engine.connect() as connection:
            return connection.execute(select(admins.c.totp_secret)
                                      .where(admins.c.username == username)).scalar()
