"""A thread-safe limiter that keeps a whole run within a requests-per-minute quota."""
from __future__ import annotations

import threading
import time
from collections import deque
from typing import Callable


class RateLimiter:
    """At most ``per_minute`` acquisitions in any sliding 60-second window, across threads.

    One limiter is shared by every region of a run (a service account is one user, and
    Google's per-user quota is 60 requests a minute); the Google backend takes a slot
    before every HTTP request, retries included. ``clock`` and ``sleep`` are injectable
    for tests.
    """

    def __init__(self, per_minute: int, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.per_minute = max(1, int(per_minute))
        self.clock = clock
        self.sleep = sleep
        self._stamps: deque[float] = deque()
        self._lock = threading.Lock()
        self.granted = 0  # requests let through so far

    def acquire(self) -> float:
        """Wait until a request may go; returns the time waited (seconds)."""
        waited = 0.0
        while True:
            with self._lock:
                now = self.clock()
                while self._stamps and now - self._stamps[0] >= 60.0:
                    self._stamps.popleft()
                if len(self._stamps) < self.per_minute:
                    self._grant(now)
                    return waited
                delay = 60.0 - (now - self._stamps[0])
            self.sleep(delay)
            waited += delay

    def _grant(self, now: float) -> None:
        """Record one request at ``now`` (called under the lock)."""
        self._stamps.append(now)
        self.granted += 1
