"""Fault injection, per route, with a seeded RNG so a failing test fails the same way every run.

Kinds:
- ``status``: answer `status` (500/502/503/...) with the error envelope; nothing is applied.
- ``rate_limit``: a forced 429 with a full burst window in the headers; nothing is applied or charged.
- ``latency``: wait `seconds` on the sandbox clock, then answer normally.
- ``timeout``: nothing is applied; the caller sees a timeout (`ResponseTimedOut`).
- ``drop_response_after_apply``: the write is applied, then the response is lost (`ResponseDropped`).

How the last two reach a client: the in-process transport raises `httpx.ReadTimeout` for a timeout and
`httpx.RemoteProtocolError` for a dropped response (what httpx raises when a server closes the connection
without answering); the server sleeps past the client's timeout, or closes the connection.
"""

from __future__ import annotations

import random
import re
import threading
from dataclasses import dataclass

KINDS = ("status", "rate_limit", "latency", "timeout", "drop_response_after_apply")


class ResponseTimedOut(Exception):
    """The sandbox will not answer this request in time."""

    def __init__(self, seconds: float) -> None:
        super().__init__(f"no response within {seconds} s")
        self.seconds = seconds


class ResponseDropped(Exception):
    """The request was applied, and its response is lost on the way back."""


@dataclass
class FaultRule:
    """One rule. `route` is "METHOD /path" with `{x}` or `*` segments, or "*" for every request."""

    route: str
    kind: str
    status: int = 503
    rate: float = 1.0
    count: int | None = None
    seconds: float = 30.0
    fired: int = 0

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown fault kind {self.kind!r}; expected one of {KINDS}")
        method, _, path = self.route.partition(" ") if self.route != "*" else ("*", "", "*")
        self._method = method.upper()
        self._pattern = _route_pattern(path or "*")

    def matches(self, method: str, path: str) -> bool:
        if self.count is not None and self.fired >= self.count:
            return False
        return self._method in ("*", method) and bool(self._pattern.match(_normalise(path)))


def _normalise(path: str) -> str:
    # /api/v1/... and /v1/... are the same route (pipedrive-api.md §2).
    return path[4:] if path.startswith("/api/v1/") else path


def _route_pattern(path: str) -> re.Pattern[str]:
    parts = []
    for segment in _normalise(path).strip("/").split("/"):
        if segment == "*":
            parts.append(".*")
        elif segment.startswith("{") and segment.endswith("}"):
            parts.append("[^/]+")
        else:
            parts.append(re.escape(segment))
    return re.compile("^/" + "/".join(parts) + "/?$")


class Faults:
    """The sandbox's fault rules; the first matching rule that fires wins."""

    def __init__(self, seed: int = 0) -> None:
        self._rules: list[FaultRule] = []
        self._rng = random.Random(seed)
        self._lock = threading.Lock()

    def add(
        self,
        route: str = "*",
        kind: str = "status",
        *,
        status: int = 503,
        rate: float = 1.0,
        count: int | None = None,
        seconds: float = 30.0,
    ) -> FaultRule:
        rule = FaultRule(route=route, kind=kind, status=status, rate=rate, count=count, seconds=seconds)
        with self._lock:
            self._rules.append(rule)
        return rule

    def remove(self, rule: FaultRule) -> None:
        with self._lock:
            self._rules.remove(rule)

    def clear(self) -> None:
        with self._lock:
            self._rules.clear()

    def pick(self, method: str, path: str) -> FaultRule | None:
        if not self._rules:  # the common case, kept cheap for the benchmark
            return None
        with self._lock:
            for rule in self._rules:
                if rule.matches(method, path) and self._rng.random() < rule.rate:
                    rule.fired += 1
                    return rule
        return None


def parse_fault_spec(spec: str) -> dict[str, object]:
    """Parse the CLI form `KIND[:key=value,...][@METHOD /path]`, e.g. `status:status=503,rate=0.1@GET
    /api/v2/persons`."""
    head, _, route = spec.partition("@")
    kind, _, options = head.partition(":")
    parsed: dict[str, object] = {"kind": kind.strip(), "route": route.strip() or "*"}
    for option in filter(None, (part.strip() for part in options.split(","))):
        key, _, value = option.partition("=")
        if key in ("status", "count"):
            parsed[key] = int(value)
        elif key in ("rate", "seconds"):
            parsed[key] = float(value)
        else:
            raise ValueError(f"unknown fault option {key!r} in {spec!r}")
    return parsed
