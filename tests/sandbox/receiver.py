"""A webhook receiver for tests: an httpx MockTransport that records deliveries and answers a scripted
status."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterable
from typing import Any

import httpx


class Receiver:
    def __init__(self, statuses: Iterable[int | Exception] = ()) -> None:
        self.statuses = list(statuses)  # consumed in order; 200 once exhausted
        self.requests: list[httpx.Request] = []
        self.transport = httpx.MockTransport(self._answer)

    def _answer(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        outcome = self.statuses.pop(0) if self.statuses else 200
        if isinstance(outcome, Exception):
            raise outcome
        return httpx.Response(outcome)

    @property
    def payloads(self) -> list[dict[str, Any]]:
        return [json.loads(request.content) for request in self.requests]

    def basic_auth(self, index: int = 0) -> tuple[str, str]:
        scheme, _, encoded = self.requests[index].headers["authorization"].partition(" ")
        assert scheme == "Basic"
        user, _, password = base64.b64decode(encoded).decode().partition(":")
        return user, password
