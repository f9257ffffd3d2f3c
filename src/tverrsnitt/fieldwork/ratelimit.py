"""Rate limits kept in the database, so every worker process counts the same events and a
restart forgets nothing: a fixed window of events per purpose and subject (a client address).

Used for what only an attacker does a lot of: links that do not exist, new anonymous answers
from one address. A valid personal link is never counted and never refused.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable

from ..store import Store


class StoredLimit:
    """At most `limit` events per subject in a window of `window` seconds."""

    def __init__(self, store: Store, purpose: str, limit: int, window: float, *,
                 clock: Callable[[], float] = time.time) -> None:
        if limit < 1 or window <= 0:
            raise ValueError("a rate limit needs limit >= 1 and a positive window")
        self.store, self.purpose, self.limit, self.window = store, purpose, limit, window
        self.clock = clock

    def _now(self) -> dt.datetime:
        return dt.datetime.fromtimestamp(self.clock(), dt.UTC)

    def exceeded(self, subject: str) -> bool:
        """True when `subject` has used up its events in the running window."""
        return self.store.limit_count(self.purpose, subject, self._now(), self.window) >= self.limit

    def hit(self, subject: str) -> None:
        """Count one event for `subject`."""
        self.store.limit_hit(self.purpose, subject, self._now(), self.window)

    def retry_after(self, subject: str) -> int:
        """Whole seconds until `subject` may try again (at least 1 while it is limited)."""
        return max(1, self.store.limit_retry_after(self.purpose, subject, self._now(),
                                                   self.window))
