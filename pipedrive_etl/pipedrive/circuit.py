"""A circuit breaker per client (one client per workspace): repeated 5xx or network failures stop the traffic.

After `threshold` consecutive failures the circuit opens and requests fail fast with CircuitOpenError for
`open_seconds`; then one request is let through (half-open), and its outcome closes or reopens the circuit.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from ._constants import CIRCUIT_FAILURE_THRESHOLD, CIRCUIT_OPEN_SECONDS
from .errors import CircuitOpenError


class CircuitBreaker:
    def __init__(self, *, clock: Callable[[], float], threshold: int = CIRCUIT_FAILURE_THRESHOLD,
                 open_seconds: float = CIRCUIT_OPEN_SECONDS) -> None:
        self._clock = clock
        self.threshold = threshold
        self.open_seconds = open_seconds
        self.failures = 0
        self._opened_at: float | None = None
        self._lock = threading.Lock()

    @property
    def is_open(self) -> bool:
        with self._lock:
            return self._opened_at is not None and self._clock() < self._opened_at + self.open_seconds

    def before_request(self) -> None:
        with self._lock:
            if self._opened_at is None:
                return
            retry_at = self._opened_at + self.open_seconds
            if self._clock() < retry_at:
                raise CircuitOpenError(
                    f"circuit open after {self.failures} consecutive failures; "
                    f"retrying in {retry_at - self._clock():.0f} s",
                    retry_at=retry_at,
                )
            # Half-open: let this request through; its outcome decides.

    def record_success(self) -> None:
        with self._lock:
            self.failures = 0
            self._opened_at = None

    def record_failure(self) -> None:
        with self._lock:
            self.failures += 1
            if self.failures >= self.threshold:
                self._opened_at = self._clock()
