"""Clocks for the sandbox: the wall clock for the server, a fake one for tests.

Everything time-dependent in the sandbox (burst windows, the daily budget reset, webhook retries,
`update_time`)
reads one clock, so a test that hands `clock.sleep` to the client makes time pass for all of them at once.
"""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta

DEFAULT_FAKE_START = datetime(2026, 9, 1, 9, 0, 0, tzinfo=UTC)


class SystemClock:
    """Real time: what the server uses."""

    def now(self) -> datetime:
        return datetime.now(UTC)

    def monotonic(self) -> float:
        return time.monotonic()

    def sleep(self, seconds: float) -> None:
        if seconds > 0:
            time.sleep(seconds)


class FakeClock:
    """Time that moves only when told to; `sleep` is `advance`, so nothing in a test really waits."""

    def __init__(self, start: datetime = DEFAULT_FAKE_START) -> None:
        if start.tzinfo is None:
            start = start.replace(tzinfo=UTC)
        self._start = start
        self._offset = 0.0
        self._lock = threading.Lock()

    def now(self) -> datetime:
        with self._lock:
            return self._start + timedelta(seconds=self._offset)

    def monotonic(self) -> float:
        with self._lock:
            return self._offset

    def advance(self, seconds: float) -> None:
        if seconds < 0:
            raise ValueError("a FakeClock cannot go backwards")
        with self._lock:
            self._offset += seconds

    def sleep(self, seconds: float) -> None:
        if seconds > 0:
            self.advance(seconds)


Clock = SystemClock | FakeClock
