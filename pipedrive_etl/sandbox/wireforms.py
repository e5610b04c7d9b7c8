"""Rendering one canonical record in each wire form Pipedrive uses.

- v2 entity (lists, get, create, update): RFC 3339 times, plain ids, `custom_fields` nested (§5, §6).
- v1 entity (recents, v1 webhooks, flow): "YYYY-MM-DD HH:MM:SS" times, `active_flag`, `user_id`, custom fields
  flat at the top level with suffix keys, string `visible_to`.
- v2 webhook `data`/`previous`: a smaller key set, `visible_to` as a string, custom fields as typed objects,
  and v1 names for stages and pipelines (§9.2).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from operator import itemgetter
from typing import Any

from pipedrive_etl.sandbox import customfields
from pipedrive_etl.sandbox.customfields import FieldDef
from pipedrive_etl.sandbox.entities import TIME_KEYS, EntitySpec
from pipedrive_etl.sandbox.http import dumps

V2_TIME = "%Y-%m-%dT%H:%M:%SZ"
V1_TIME = "%Y-%m-%d %H:%M:%S"


def v2_time(value: datetime | None) -> str | None:
    return value.strftime(V2_TIME) if value is not None else None


def v1_time(value: datetime | None) -> str | None:
    return value.strftime(V1_TIME) if value is not None else None


def render_v2(
    spec: EntitySpec,
    record: dict[str, Any],
    custom: dict[str, FieldDef],
    *,
    only_custom: set[str] | None = None,
    with_labels: bool = False,
    attendees: bool = False,
) -> dict[str, Any]:
    # itemgetter + zip builds the dict in C; listing 20k persons spends most of its time here.
    out = dict(zip(spec.v2_keys, _getter(spec)(record), strict=True))
    for key in _time_keys(spec):
        value = out[key]
        if value is not None:
            out[key] = value.strftime(V2_TIME)
    if spec.has_custom_fields:
        stored = record["custom_fields"]
        if with_labels or only_custom is not None:
            out["custom_fields"] = {
                key: customfields.render_v2(definition, stored.get(key), with_labels)
                for key, definition in custom.items()
                if only_custom is None or key in only_custom
            }
        else:
            # Canonical values are the v2 forms already; every custom field is present, null when empty.
            out["custom_fields"] = {key: stored.get(key) for key in custom}
    if attendees:
        out["attendees"] = record.get("attendees") or []
    return out


def v2_json(spec: EntitySpec, record: dict[str, Any], custom: dict[str, FieldDef]) -> bytes:
    """The default v2 form as JSON bytes, cached on the record until its next write (`_json`)."""
    cached = record.get("_json")
    if cached is None:
        cached = record["_json"] = dumps(render_v2(spec, record, custom))
    return cached


_GETTERS: dict[str, Callable[[dict[str, Any]], tuple[Any, ...]]] = {}
_TIME_KEYS: dict[str, tuple[str, ...]] = {}


def _getter(spec: EntitySpec) -> Callable[[dict[str, Any]], tuple[Any, ...]]:
    getter = _GETTERS.get(spec.name)
    if getter is None:
        getter = _GETTERS[spec.name] = itemgetter(*spec.v2_keys)
    return getter


def _time_keys(spec: EntitySpec) -> tuple[str, ...]:
    keys = _TIME_KEYS.get(spec.name)
    if keys is None:
        keys = _TIME_KEYS[spec.name] = tuple(key for key in spec.v2_keys if key in TIME_KEYS)
    return keys


# -- v2 webhooks ---------------------------------------------------------------------------------------------
_WEBHOOK_KEYS = {
    "deal": (
        "add_time",
        "channel",
        "channel_id",
        "close_time",
        "creator_user_id",
        "currency",
        "custom_fields",
        "expected_close_date",
        "first_won_time",
        "id",
        "label_ids",
        "lost_reason",
        "lost_time",
        "org_id",
        "origin",
        "origin_id",
        "owner_id",
        "person_id",
        "pipeline_id",
        "probability",
        "stage_change_time",
        "stage_id",
        "status",
        "title",
        "update_time",
        "value",
        "visible_to",
        "won_time",
        "is_deleted",
    ),
    "person": (
        "add_time",
        "custom_fields",
        "emails",
        "first_name",
        "id",
        "label",
        "label_ids",
        "last_name",
        "name",
        "org_id",
        "owner_id",
        "phones",
        "update_time",
        "visible_to",
        "is_deleted",
    ),
    "organization": (
        "add_time",
        "address",
        "custom_fields",
        "id",
        "label_ids",
        "name",
        "owner_id",
        "update_time",
        "visible_to",
        "is_deleted",
    ),
    "activity": (
        "add_time",
        "busy",
        "deal_id",
        "done",
        "due_date",
        "due_time",
        "duration",
        "id",
        "marked_as_done_time",
        "note",
        "org_id",
        "owner_id",
        "participants",
        "person_id",
        "subject",
        "type",
        "update_time",
        "is_deleted",
    ),
    "stage": (
        "id",
        "name",
        "active_flag",
        "rotten_days",
        "order_nr",
        "deal_probability",
        "rotten_flag",
        "add_time",
        "pipeline_id",
        "update_time",
    ),
    "pipeline": (
        "id",
        "name",
        "url_title",
        "order_nr",
        "active_flag",
        "deal_probability",
        "add_time",
        "update_time",
    ),
}


def _v1_names(entity: str, record: dict[str, Any]) -> dict[str, Any]:
    """Stage and pipeline names that webhooks (and v1) keep from the old API."""
    if entity == "stage":
        return {
            "active_flag": not record["is_deleted"],
            "rotten_flag": record["is_deal_rot_enabled"],
            "rotten_days": record["days_to_rotten"],
        }
    if entity == "pipeline":
        return {
            "active_flag": not record["is_deleted"],
            "url_title": record["name"].lower().replace(" ", "-"),
            "deal_probability": record["is_deal_probability_enabled"],
        }
    if entity == "person":
        return {"label": record["label_ids"][0] if record.get("label_ids") else None}
    return {}


def render_webhook(entity: str, record: dict[str, Any], custom: dict[str, FieldDef]) -> dict[str, Any]:
    source = {**record, **_v1_names(entity, record)}
    out: dict[str, Any] = {}
    for key in _WEBHOOK_KEYS[entity]:
        value = source.get(key)
        if key in TIME_KEYS:
            value = v2_time(value)
        elif key == "visible_to" and value is not None:
            value = str(value)  # webhooks send "3", entities 3
        elif key == "custom_fields":
            stored = value or {}
            value = {k: customfields.webhook_typed(d, stored.get(k)) for k, d in custom.items()}
        out[key] = value
    return out


def webhook_previous(full_before: dict[str, Any], full_after: dict[str, Any], entity: str) -> dict[str, Any]:
    """v2 `previous` on a change: only the fields that changed (custom fields: only the changed keys).

    The documented deal and person examples leave `update_time` out; the stage example keeps it.
    """
    previous: dict[str, Any] = {}
    for key, old in full_before.items():
        new = full_after.get(key)
        if key == "custom_fields":
            changed = {k: v for k, v in (old or {}).items() if (new or {}).get(k) != v}
            if changed:
                previous[key] = changed
        elif old != new and (key != "update_time" or entity in ("stage", "pipeline")):
            previous[key] = old
    return previous
