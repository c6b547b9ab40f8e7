"""How fast Open311 submissions may come: a sliding window per key and per client.

Every ``POST requests`` is counted against the client address and, when it
carries one, against its ``api_key``'s application; a submission beyond
``posts_per_minute_per_client`` or ``posts_per_minute_per_key`` in the last
60 seconds is refused with 429 and a ``Retry-After`` telling when the oldest
counted one leaves the window.  The address is counted before the key is even
looked up, so guessing keys is throttled too.

The counts live in the server process (``cityops serve`` runs one): a
restart starts them afresh, and several processes would each count apart.
At most ``MAX_TRACKED`` addresses or keys are followed at once; beyond that
the ones idle longest are forgotten, so a flood of spoofed addresses cannot
grow the memory without bound.
"""

from __future__ import annotations

import math
import time
from collections import OrderedDict, deque
from collections.abc import Callable
from threading import Lock

__all__ = ["MAX_TRACKED", "WINDOW_S", "SlidingWindow"]

WINDOW_S = 60.0
MAX_TRACKED = 100_000


class SlidingWindow:
    """At most ``limit`` events per ``window`` seconds for each key."""

    def __init__(
        self,
        limit: int,
        window: float = WINDOW_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.limit = limit
        self.window = window
        self._clock = clock
        self._seen: OrderedDict[str, deque[float]] = OrderedDict()
        self._lock = Lock()

    def admit(self, key: str) -> int | None:
        """Count an event for ``key`` and return None, or refuse it (counting nothing)
        and return the seconds until one would be admitted."""
        now = self._clock()
        with self._lock:
            times = self._seen.pop(key, None) or deque()
            while times and times[0] <= now - self.window:
                times.popleft()
            self._seen[key] = times  # the most recently active go last
            if len(times) >= self.limit:
                return max(1, math.ceil(times[0] + self.window - now))
            times.append(now)
            while len(self._seen) > MAX_TRACKED:
                self._seen.popitem(last=False)
            return None
