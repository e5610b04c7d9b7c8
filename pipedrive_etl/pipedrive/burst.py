"""Burst pacing: at most N requests per rolling 2-second window, kept in step with Pipedrive's headers.

Pipedrive counts requests per token over a sliding 2 s window (the limit depends on plan and auth type; search
endpoints have their own bucket of 10). We pace locally so steady-state traffic never meets a 429, and correct
the local picture from `x-ratelimit-limit`, `x-ratelimit-remaining` and `x-ratelimit-reset` (seconds, not an
epoch), because other processes may share the token.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable, Mapping

from ._constants import BURST_LIMITS, BURST_WINDOW_SECONDS, SEARCH_BURST_LIMIT

# Pipedrive counts a request when it arrives, we when we send it: a little slack keeps the two windows from
# disagreeing at the edge, which showed as an occasional 429 in steady state.
SAFETY_MARGIN_SECONDS = 0.05


def burst_limit(plan: str, auth_type: str) -> int:
    try:
        return BURST_LIMITS[auth_type][plan.lower()]
    except KeyError:
        raise ValueError(f"no burst limit known for plan {plan!r} and auth type {auth_type!r}") from None


class BurstLimiter:
    """A sliding-window pacer. `acquire()` blocks (through the injected sleep) until a request may be sent."""

    def __init__(self, limit: int, *, window: float = BURST_WINDOW_SECONDS,
                 clock: Callable[[], float], sleep: Callable[[float], None]) -> None:
        if limit < 1:
            raise ValueError("burst limit must be at least 1")
        self.limit = limit
        self.window = window
        self._clock = clock
        self._sleep = sleep
        self._sent: deque[float] = deque()  # send times, ascending; may hold reserved future slots
        self._lock = threading.Lock()

    def _expire(self, now: float) -> None:
        while self._sent and self._sent[0] <= now - self.window:
            self._sent.popleft()

    def acquire(self) -> float:
        """Reserve the next free slot and wait for it; return the seconds waited."""
        with self._lock:
            now = self._clock()
            self._expire(now)
            at = now
            if len(self._sent) >= self.limit:
                # The slot frees when the limit-th most recent send leaves the window.
                at = max(now, self._sent[-self.limit] + self.window + SAFETY_MARGIN_SECONDS)
            self._sent.append(at)
        wait = at - now
        if wait > 0:
            self._sleep(wait)
        return wait

    def observe(self, headers: Mapping[str, str]) -> None:
        """Adopt the server's view: its limit, and fewer remaining requests than we think we have."""
        limit = _int_header(headers, "x-ratelimit-limit")
        remaining = _int_header(headers, "x-ratelimit-remaining")
        reset = _float_header(headers, "x-ratelimit-reset")
        with self._lock:
            if limit is not None and limit >= 1:
                self.limit = limit
            if remaining is None:
                return
            now = self._clock()
            self._expire(now)
            in_window = sum(1 for t in self._sent if t <= now)
            local_remaining = self.limit - in_window
            missing = local_remaining - max(remaining, 0)
            if missing <= 0:
                return
            # Someone else used the token: pad the window with phantom sends that leave it when the server's
            # window resets, so our next requests wait exactly as long as the server will insist.
            expires = now + (reset if reset is not None else self.window)
            phantom_at = expires - self.window
            for _ in range(missing):
                self._sent.append(phantom_at)
            self._sent = deque(sorted(self._sent))


def search_limiter(*, clock: Callable[[], float], sleep: Callable[[float], None]) -> BurstLimiter:
    return BurstLimiter(SEARCH_BURST_LIMIT, clock=clock, sleep=sleep)


def _int_header(headers: Mapping[str, str], name: str) -> int | None:
    value = headers.get(name)
    try:
        return int(float(value)) if value is not None else None
    except ValueError:
        return None


def _float_header(headers: Mapping[str, str], name: str) -> float | None:
    value = headers.get(name)
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None
