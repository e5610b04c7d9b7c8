"""Webhook subscriptions (`/v1/webhooks`) and the payloads a change produces (pipedrive-api.md §9).

A change to a record becomes one payload per matching, active subscription, rendered at the time of the
change (v2 by default: `meta`/`data`/`previous` with typed custom fields; v1 on request: `current`/`previous`
as full v1 objects). `delivery.py` sends them. Events for a banned webhook are dropped, as Pipedrive
drops them.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any
from urllib.parse import parse_qsl, urlparse

import httpx

from pipedrive_etl.sandbox.delivery import AttemptResult, DeliveryQueue
from pipedrive_etl.sandbox.http import HttpError, Request, Response, error_envelope, json_response
from pipedrive_etl.sandbox.state import CompanyState
from pipedrive_etl.sandbox.wireforms import render_webhook, webhook_previous
from pipedrive_etl.sandbox.wireforms_v1 import RENDER_V1

MAX_PER_USER = 40
V2_ACTIONS = ("create", "change", "delete", "*")
V1_ACTIONS = {"added": "create", "updated": "change", "deleted": "delete", "merged": "merge", "*": "*"}
V1_NAMES = {"create": "added", "change": "updated", "delete": "deleted"}
OBJECTS = (
    "activity",
    "activityType",
    "deal",
    "lead",
    "note",
    "organization",
    "person",
    "pipeline",
    "product",
    "stage",
    "user",
    "*",
)


@dataclass
class Subscription:
    id: int
    company_id: int
    owner_id: int
    user_id: int
    event_action: str
    event_object: str
    subscription_url: str
    version: str
    is_active: int
    add_time: str
    remove_time: str | None
    type: str
    http_auth_user: str | None
    http_auth_password: str | None
    remove_reason: str | None
    last_delivery_time: str | None
    last_http_status: int | None
    admin_id: int
    name: str

    def matches(self, entity: str, action: str) -> bool:
        wanted = V1_ACTIONS.get(self.event_action, self.event_action)
        return self.event_object in ("*", entity) and wanted in ("*", action)

    def public(self) -> dict[str, Any]:
        return asdict(self)


def _errors(status: int, errors: dict[str, list[str]]) -> HttpError:
    return HttpError(status, "webhook error", body={"status": "error", "success": False, "errors": errors})


class Webhooks:
    """Subscriptions of the company and the queue that delivers to them."""

    def __init__(self, state: CompanyState, queue: DeliveryQueue, *, seed: int = 0) -> None:
        self.state = state
        self.queue = queue
        self.subscriptions = queue.subscriptions
        self._rng = random.Random(seed)
        self._next_id = 1
        state.listeners.append(self.on_change)

    # -- the API -------------------------------------------------------------------------------------------
    def create(self, request: Request) -> Response:
        body = self._body(request)
        missing = {
            k: ["is required"]
            for k in ("subscription_url", "event_action", "event_object", "name")
            if not body.get(k)
        }
        if missing:
            raise _errors(400, missing)
        url = urlparse(str(body["subscription_url"]))
        if (
            url.scheme not in ("http", "https")
            or not url.netloc
            or (url.hostname or "").endswith("pipedrive.com")
        ):
            raise _errors(400, {"subscription_url": ["invalid or non-reachable URL"]})
        if body["event_action"] not in V2_ACTIONS and body["event_action"] not in V1_ACTIONS:
            raise _errors(400, {"event_action": ["must be one of create, change, delete, *"]})
        if body["event_object"] not in OBJECTS:
            raise _errors(400, {"event_object": [f"must be one of {', '.join(OBJECTS)}"]})
        version = str(body.get("version") or "2.0")
        if version not in ("1.0", "2.0"):
            raise _errors(400, {"version": ["must be 1.0 or 2.0"]})
        user_id = int(body.get("user_id") or request.user_id)
        if sum(1 for s in self.subscriptions.values() if s.user_id == user_id) >= MAX_PER_USER:
            raise HttpError(422, "Webhooks limit reached", body=error_envelope("Webhooks limit reached"))
        now = self.state.now()
        subscription = Subscription(
            self._next_id,
            self.state.company_id,
            request.user_id,
            user_id,
            body["event_action"],
            body["event_object"],
            str(body["subscription_url"]),
            version,
            1,
            now.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
            None,
            "general",
            body.get("http_auth_user") or None,
            body.get("http_auth_password") or None,
            None,
            None,
            None,
            request.user_id,
            str(body["name"])[:255],
        )
        self._next_id += 1
        self.subscriptions[subscription.id] = subscription
        return json_response({"status": "ok", "success": True, "data": subscription.public()}, 201)

    def list(self, request: Request) -> Response:
        data = [s.public() for s in self.subscriptions.values()]
        return json_response({"status": "ok", "success": True, "data": data})

    def delete(self, request: Request) -> Response:
        try:
            webhook_id = int(request.params["id"])
        except ValueError:
            webhook_id = -1
        if self.subscriptions.pop(webhook_id, None) is None:
            raise _errors(404, {"id": ["not found"]})
        self.queue.forget(webhook_id)
        return json_response({"status": "ok", "success": True})

    @staticmethod
    def _body(request: Request) -> dict[str, Any]:
        # v1 POSTs take JSON or form-encoded bodies.
        if "application/x-www-form-urlencoded" in request.headers.get("content-type", ""):
            return dict(parse_qsl(request.body.decode()))
        body = request.json()
        if not isinstance(body, dict):
            raise _errors(400, {"body": ["must be a JSON object"]})
        return body

    # -- delivery, for tests and the server
    def deliver_due(self) -> list[AttemptResult]:
        """Send what is due at the clock's now (see `delivery.py`); returns the attempts made."""
        return self.queue.deliver_due()

    @property
    def attempts(self) -> list[AttemptResult]:
        return self.queue.attempts

    @property
    def transport(self) -> httpx.BaseTransport | None:
        return self.queue.transport

    @transport.setter
    def transport(self, transport: httpx.BaseTransport | None) -> None:
        self.queue.transport = transport

    def start_background(self, interval: float = 0.5) -> None:
        self.queue.start_background(interval)

    def stop_background(self) -> None:
        self.queue.stop_background()

    # -- events ----------------------------------------------------------------------------------------------
    def on_change(self, entity: str, action: str, before: dict | None, after: dict) -> None:
        now = self.state.now()
        targets = [s for s in self.subscriptions.values() if s.matches(entity, action)]
        for subscription in targets:
            if self.queue.is_banned(subscription, now):
                continue  # "If a webhook is banned, the webhook's event message is lost."
            render = self._v2 if subscription.version == "2.0" else self._v1
            self.queue.enqueue(subscription, render(subscription, entity, action, before, after, now))

    def _v2(
        self, sub: Subscription, entity: str, action: str, before: dict | None, after: dict, now: datetime
    ) -> dict[str, Any]:
        custom = self.state.custom(entity)
        current = render_webhook(entity, after, custom)
        previous = render_webhook(entity, before, custom) if before is not None else None
        if action == "change" and previous is not None:
            previous = webhook_previous(previous, current, entity)
        meta = {
            "action": action,
            "company_id": str(self.state.company_id),
            "correlation_id": str(uuid.UUID(int=self._rng.getrandbits(128), version=4)),
            "entity_id": str(after["id"]),
            "entity": entity,
            "id": str(uuid.UUID(int=self._rng.getrandbits(128), version=4)),
            "is_bulk_edit": False,
            "timestamp": now.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
            "type": sub.type,
            "user_id": str(sub.user_id),
            "version": "2.0",
            "webhook_id": str(sub.id),
            "webhook_owner_id": str(sub.owner_id),
            "change_source": "api",
            "attempt": 1,
            "host": f"{self.state.company_domain}.pipedrive.com",
            "permitted_user_ids": [str(user_id) for user_id in sorted(self.state.users)],
        }
        return {"data": None if action == "delete" else current, "previous": previous, "meta": meta}

    def _v1(
        self, sub: Subscription, entity: str, action: str, before: dict | None, after: dict, now: datetime
    ) -> dict[str, Any]:
        render = RENDER_V1[entity]
        current = None if action == "delete" else render(after, self.state)
        previous = render(before, self.state) if before is not None else None
        stamp = now.timestamp()
        meta = {
            "action": V1_NAMES[action],
            "change_source": "api",
            "company_id": self.state.company_id,
            "host": f"{self.state.company_domain}.pipedrive.com",
            "id": after["id"],
            "is_bulk_update": False,
            "matches_filters": {"current": []},
            "object": entity,
            "permitted_user_ids": sorted(self.state.users),
            "pipedrive_service_name": False,
            "timestamp": int(stamp),
            "timestamp_micro": int(stamp * 1_000_000),
            "prepublish_timestamp": int(stamp * 1000),
            "trans_pending": False,
            "user_id": sub.user_id,
            "v": 1,
            "webhook_id": str(sub.id),
        }
        return {
            "v": 1,
            "matches_filters": {"current": []},
            "meta": meta,
            "current": current,
            "previous": previous,
            "retry": 0,
            "event": f"{V1_NAMES[action]}.{entity}",
        }
