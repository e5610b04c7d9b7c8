"""Webhook delivery with Pipedrive's schedule (pipedrive-api.md §9.3), on the sandbox clock.

- POST JSON, HTTP Basic auth when the subscription has credentials, 10 s timeout; any 2xx is a success.
- A failed attempt (non-2xx, timeout, connection error) is retried 3 more times, after 3, 30 and 150 s.
  The docs do not say whether delays count from the first attempt or the previous one: `retry_from` picks
  ("previous" by default). v2 payloads carry `meta.attempt` 1-4, v1 payloads `retry` 0-3.
- A failed *first* attempt adds one to the webhook's ban counter; at 10 the webhook is banned for 30
  minutes, its queued deliveries and new events are dropped, and the counter starts again from zero.
- A webhook with no successful delivery for 3 days of failures is deleted.

Tests drive it with `deliver_due()` (sends what is due at the clock's now, and returns what happened);
the server runs `start_background()`. Nothing is sent while the sandbox lock is held, so a receiver may call
the sandbox back.
"""

from __future__ import annotations

import heapq
import json
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import httpx

from pipedrive_etl.sandbox.clock import Clock

if TYPE_CHECKING:
    from pipedrive_etl.sandbox.webhooks import Subscription

RETRY_DELAYS = (3.0, 30.0, 150.0)
DELIVERY_TIMEOUT = 10.0
BAN_AFTER_FIRST_TRY_FAILURES = 10
BAN_DURATION = timedelta(minutes=30)
DELETE_AFTER_FAILING = timedelta(days=3)


@dataclass
class Delivery:
    webhook_id: int
    payload: dict[str, Any]
    attempt: int  # 1 = the original send, 2-4 = retries
    first_attempt_at: datetime | None = None


@dataclass
class AttemptResult:
    """One send, for tests and logs: `status` is None when no response came (timeout, refused)."""

    webhook_id: int
    attempt: int
    at: datetime
    status: int | None
    error: str | None
    ok: bool


@dataclass
class _Health:
    ban_counter: int = 0
    banned_until: datetime | None = None
    failing_since: datetime | None = None


class DeliveryQueue:
    def __init__(
        self,
        clock: Clock,
        lock: threading.RLock,
        *,
        transport: httpx.BaseTransport | None = None,
        retry_delays: tuple[float, ...] = RETRY_DELAYS,
        retry_from: str = "previous",
    ) -> None:
        if retry_from not in ("previous", "first"):
            raise ValueError("retry_from must be 'previous' or 'first'")
        self.clock = clock
        self.lock = lock
        self.transport = transport
        self.retry_delays = retry_delays
        self.retry_from = retry_from
        self.subscriptions: dict[int, Subscription] = {}
        self.attempts: list[AttemptResult] = []
        self._heap: list[tuple[datetime, int, Delivery]] = []
        self._seq = 0
        self._health: dict[int, _Health] = {}
        self._stop: threading.Event | None = None
        self._thread: threading.Thread | None = None

    # -- queueing (called under the sandbox lock) ----------------------------------------------------------
    def is_banned(self, subscription: Subscription, now: datetime) -> bool:
        health = self._health.setdefault(subscription.id, _Health())
        if health.banned_until is not None and now >= health.banned_until:
            health.banned_until = None  # "the webhook is reactivated and the ban counter is set back to zero"
        return health.banned_until is not None

    def enqueue(self, subscription: Subscription, payload: dict[str, Any]) -> None:
        self._push(self.clock.now(), Delivery(subscription.id, payload, 1))

    def forget(self, webhook_id: int) -> None:
        self._heap = [entry for entry in self._heap if entry[2].webhook_id != webhook_id]
        heapq.heapify(self._heap)
        self._health.pop(webhook_id, None)

    def pending(self) -> int:
        with self.lock:
            return len(self._heap)

    def next_due(self) -> datetime | None:
        with self.lock:
            return self._heap[0][0] if self._heap else None

    def _push(self, due: datetime, delivery: Delivery) -> None:
        self._seq += 1
        heapq.heappush(self._heap, (due, self._seq, delivery))

    # -- sending
    def deliver_due(self) -> list[AttemptResult]:
        """Send every delivery due at the clock's now; retries scheduled for later stay queued."""
        results = []
        while True:
            with self.lock:
                now = self.clock.now()
                if not self._heap or self._heap[0][0] > now:
                    return results
                _, _, delivery = heapq.heappop(self._heap)
                subscription = self.subscriptions.get(delivery.webhook_id)
                if subscription is None or self.is_banned(subscription, now):
                    continue
                body = self._body(subscription, delivery)
                auth = (subscription.http_auth_user or "", subscription.http_auth_password or "")
                url, has_auth = subscription.subscription_url, bool(subscription.http_auth_user)
            status, error = self._send(url, body, auth if has_auth else None)
            with self.lock:
                results.append(self._settle(subscription, delivery, now, status, error))

    def _body(self, subscription: Subscription, delivery: Delivery) -> bytes:
        payload = dict(delivery.payload)
        if subscription.version == "2.0":
            payload["meta"] = {**payload["meta"], "attempt": delivery.attempt}
        else:
            payload["retry"] = delivery.attempt - 1
        return json.dumps(payload).encode()

    def _send(self, url: str, body: bytes, auth: tuple[str, str] | None) -> tuple[int | None, str | None]:
        try:
            with httpx.Client(transport=self.transport, timeout=DELIVERY_TIMEOUT) as client:
                response = client.post(
                    url, content=body, auth=auth, headers={"content-type": "application/json"}
                )
            return response.status_code, None
        except httpx.HTTPError as error:
            return None, f"{type(error).__name__}: {error}"

    def _settle(
        self,
        subscription: Subscription,
        delivery: Delivery,
        now: datetime,
        status: int | None,
        error: str | None,
    ) -> AttemptResult:
        ok = status is not None and 200 <= status < 300
        result = AttemptResult(subscription.id, delivery.attempt, now, status, error, ok)
        self.attempts.append(result)
        subscription.last_delivery_time = now.strftime("%Y-%m-%dT%H:%M:%S.000Z")
        subscription.last_http_status = status
        health = self._health.setdefault(subscription.id, _Health())
        if ok:
            health.failing_since = None
            return result
        health.failing_since = health.failing_since or now
        if now - health.failing_since >= DELETE_AFTER_FAILING:
            self.subscriptions.pop(subscription.id, None)
            self.forget(subscription.id)
            return result
        if delivery.attempt == 1:
            health.ban_counter += 1
            if health.ban_counter >= BAN_AFTER_FIRST_TRY_FAILURES:
                health.ban_counter, health.banned_until = 0, now + BAN_DURATION
                self._heap = [e for e in self._heap if e[2].webhook_id != subscription.id]
                heapq.heapify(self._heap)
                return result
        if delivery.attempt <= len(self.retry_delays):
            first = delivery.first_attempt_at or now
            delay = self.retry_delays[delivery.attempt - 1]
            if self.retry_from == "first":
                delay = sum(self.retry_delays[: delivery.attempt])
            base = first if self.retry_from == "first" else now
            retry = Delivery(delivery.webhook_id, delivery.payload, delivery.attempt + 1, first)
            self._push(base + timedelta(seconds=delay), retry)
        return result

    # -- background (the server) -------------------------------------------------------------------------
    def start_background(self, interval: float = 0.5) -> None:
        if self._thread is not None:
            return
        self._stop = threading.Event()

        def run() -> None:
            while not self._stop.wait(interval):
                self.deliver_due()

        self._thread = threading.Thread(target=run, name="sandbox-webhooks", daemon=True)
        self._thread.start()

    def stop_background(self) -> None:
        if self._thread is not None and self._stop is not None:
            self._stop.set()
            self._thread.join(timeout=5)
            self._thread = None
