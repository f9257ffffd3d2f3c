"""In-memory sliding-window rate limits, one per purpose (wrong links, new open-link answers).

A sliding window counts the events of the last `window` seconds per key (the client's IP
address). It lives in the server process: enough for the single process `tverrsnitt serve`
runs, and nothing to set up. Several worker processes would each count separately.
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Callable


class SlidingWindow:
    """At most `limit` events per key within any `window` seconds."""

    def __init__(self, limit: int, window: float, *, clock: Callable[[], float] = time.monotonic,
                 max_keys: int = 100_000) -> None:
        if limit < 1 or window <= 0:
            raise ValueError("a rate limit needs limit >= 1 and a positive window")
        self.limit = limit
        self.window = window
        self.clock = clock
        self.max_keys = max_keys  # bounds memory when many addresses each fail once
        self._events: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, key: str, now: float) -> deque[float]:
        events = self._events.get(key)
        if events is None:
            return deque()
        while events and events[0] <= now - self.window:
            events.popleft()
        if not events:
            del self._events[key]
        return events

    def exceeded(self, key: str) -> bool:
        """True when `key` has used up its events in the current window."""
        with self._lock:
            return len(self._recent(key, self.clock())) >= self.limit

    def hit(self, key: str) -> None:
        """Count one event for `key`."""
        with self._lock:
            now = self.clock()
            events = self._recent(key, now)
            if key not in self._events:
                if len(self._events) >= self.max_keys:
                    # Forget the key whose latest event is oldest: it is the least likely to
                    # be in the middle of an attack.
                    stalest = min(self._events, key=lambda k: self._events[k][-1])
                    del self._events[stalest]
                self._events[key] = events
            events.append(now)

    def retry_after(self, key: str) -> int:
        """Whole seconds until `key` may try again (0 when it may now)."""
        with self._lock:
            now = self.clock()
            events = self._recent(key, now)
            if len(events) < self.limit:
                return 0
            return max(1, math.ceil(events[len(events) - self.limit] + self.window - now))

