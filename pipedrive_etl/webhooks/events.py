"""One webhook delivery, v1 or v2, as the inbox stores it: a key, a normalised action, the body as received.

Both versions are parsed by the client's models (`pipedrive.webhook_models`) and reduced to one shape:

- `event_id`: v2 `meta.id` (a UUID per event). v1 has no event id, so the key is a hash of the meta fields
  that stay the same across Pipedrive's retries (company, object, action, entity id, microsecond timestamp,
  user): a retried v1 delivery hashes to the same key and is stored once.
- `action`: `create | change | delete | merge`, whatever the version. v1 `added/updated/deleted/merged` are
  renamed; v2 has no merge action (a merge is a `delete` with `meta.merged_to_id` plus a `change`).
- `merged_to_id`: the surviving record of a merge; `entity_id` is then the record merged away.

`stage_transition` reads an exact deal stage move out of a stored payload (pipedrive-api.md §10: a deal change
whose `previous` holds `stage_id`).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import orjson
from pydantic import ValidationError

from pipedrive_etl.pipedrive.webhook_models import WebhookV1Payload, WebhookV2Payload

from .errors import MalformedPayload

V1_ACTIONS = {"added": "create", "updated": "change", "deleted": "delete", "merged": "merge"}


@dataclass(frozen=True)
class InboundEvent:
    """A parsed delivery; `payload` is the body exactly as received (UTF-8 text)."""

    event_id: str
    version: str  # "1.0" | "2.0"
    action: str  # create | change | delete | merge
    entity: str  # person, organization, deal, activity, stage, pipeline, ...
    entity_id: str | None
    occurred_at: datetime | None
    merged_to_id: str | None
    payload: str


@dataclass(frozen=True)
class StageTransition:
    """A deal entering `new_stage_id` at the event's time; `old_stage_id` is None for a new deal."""

    deal_id: int
    old_stage_id: int | None
    new_stage_id: int


def parse_event(body: bytes) -> InboundEvent:
    """Parse a delivery body; raises `MalformedPayload` (400) for anything we could not key and store."""
    try:
        text = body.decode("utf-8")
        document = _loads(body, text)
    except (UnicodeDecodeError, ValueError) as exc:
        raise MalformedPayload(f"not JSON: {_short(exc)}") from None
    if not isinstance(document, dict):
        raise MalformedPayload(f"expected a JSON object, got {type(document).__name__}")
    meta = document.get("meta")
    if not isinstance(meta, dict):
        raise MalformedPayload("no 'meta' object")
    is_v1 = document.get("v") == 1 or meta.get("v") == 1 or "event" in document
    try:
        return _v1(document, text) if is_v1 else _v2(document, text)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        raise MalformedPayload(f"{'v1' if is_v1 else 'v2'} payload: {where}: {first['msg']}") from None


def _loads(body: bytes, text: str) -> Any:
    # orjson parses a delivery three times faster than json; what it refuses that json accepts (NaN, Infinity,
    # numbers beyond a double) goes to json, so no delivery is refused that json would take.
    try:
        return orjson.loads(body)
    except orjson.JSONDecodeError:
        return json.loads(text)


def _v2(document: dict[str, Any], text: str) -> InboundEvent:
    payload = WebhookV2Payload.model_validate(document)
    meta = payload.meta
    if not meta.id:
        raise MalformedPayload("v2 payload: meta.id is empty")
    if meta.action not in ("create", "change", "delete"):
        raise MalformedPayload(f"v2 payload: unknown meta.action {meta.action!r}")
    return InboundEvent(
        event_id=meta.id, version="2.0", action=meta.action, entity=meta.entity,
        entity_id=_text(meta.entity_id), occurred_at=meta.timestamp, merged_to_id=_text(meta.merged_to_id),
        payload=text)


def _v1(document: dict[str, Any], text: str) -> InboundEvent:
    payload = WebhookV1Payload.model_validate(document)
    meta = payload.meta
    action = V1_ACTIONS.get(meta.action)
    if action is None:
        raise MalformedPayload(f"v1 payload: unknown meta.action {meta.action!r}")
    current, previous = payload.current_record(), payload.previous_record()
    entity_id = _text(meta.id)
    merged_to_id = None
    if action == "merge":
        # `merged.<object>` carries the survivor (meta.id, current); the record merged away is named by
        # `merge_what_id` (as in the merge endpoint's answer), or is the previous state when that has another
        # id.
        merged_to_id = _text((current or {}).get("id")) or entity_id
        merged_away = (current or {}).get("merge_what_id") or (previous or {}).get("id")
        entity_id = _text(merged_away) if _text(merged_away) != merged_to_id else None
    occurred_at = meta.timestamp
    if meta.timestamp_micro:
        occurred_at = datetime.fromtimestamp(meta.timestamp_micro / 1_000_000, tz=UTC)
    return InboundEvent(
        event_id=_v1_event_id(meta.company_id, meta.object, meta.action, meta.id,
                              meta.timestamp_micro or meta.timestamp, meta.user_id),
        version="1.0", action=action, entity=meta.object, entity_id=entity_id, occurred_at=occurred_at,
        merged_to_id=merged_to_id, payload=text)


def _v1_event_id(*fields: Any) -> str:
    # Only fields a retry repeats: `retry` and `meta.prepublish_timestamp` differ between attempts.
    canonical = json.dumps([f.isoformat() if isinstance(f, datetime) else f for f in fields], default=str)
    return "v1-" + hashlib.sha256(canonical.encode()).hexdigest()[:40]


def stage_transition(version: str, action: str, entity: str,
                     payload: dict[str, Any]) -> StageTransition | None:
    """The stage a deal entered with this event, or None when the event moved no stage.

    v2 `previous` holds only the changed fields, so `stage_id` in it is the move itself; v1 sends whole
    objects on both sides, so the two `stage_id`s are compared. A created deal enters its first stage.
    """
    if entity != "deal" or action not in ("create", "change"):
        return None
    if version.startswith("2"):
        current, previous = payload.get("data"), payload.get("previous")
    else:
        current, previous = _first(payload.get("current")), _first(payload.get("previous"))
    if not isinstance(current, dict):
        return None
    if _int(current.get("stage_id")) is None or _int(current.get("id")) is None:
        return None
    new_stage = _int(current["stage_id"])
    if action == "create":
        return StageTransition(_int(current["id"]), None, new_stage)  # type: ignore[arg-type]
    if not isinstance(previous, dict) or "stage_id" not in previous:
        return None
    old_stage = _int(previous["stage_id"])
    if old_stage == new_stage:
        return None
    return StageTransition(_int(current["id"]), old_stage, new_stage)  # type: ignore[arg-type]


def _first(value: Any) -> Any:
    return value[0] if isinstance(value, list) and value else value


def _int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return None


def _text(value: Any) -> str | None:
    return None if value is None or value == "" else str(value)


def _short(exc: Exception) -> str:
    return str(exc)[:120]
