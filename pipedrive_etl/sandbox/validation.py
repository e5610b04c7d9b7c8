"""v2 write validation: turns a POST/PATCH body into canonical changes, or refuses it with a 400 message.

The rules are Pipedrive's (pipedrive-api.md §5-§7): "Numeric fields no longer coerce string input", booleans
are only true/false, `[]` is refused for set fields (clear with null), emails and phones only as object
arrays with at most one primary, "Either `name` or both `first_name` and `last_name` must be provided" for a
new person, activity `person_id` is read-only (set through a primary participant). Keys a body may not carry
are refused too, so a typo in a client is a 400 here rather than a silently ignored field.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from pipedrive_etl.sandbox.customfields import ADDRESS_PARTS, FieldDef, canonical, check_value
from pipedrive_etl.sandbox.entities import EntitySpec

CONTACT_LABELS = ("work", "home", "mobile", "other")
MARKETING_STATUSES = ("no_consent", "unsubscribed", "subscribed", "archived")
DEAL_STATUSES = ("open", "won", "lost", "deleted")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_TIME = re.compile(r"^\d{2}:\d{2}(:\d{2})?$")
_REFERENCES = ("user", "person", "organization", "deal", "pipeline", "stage")


class ValidationError(ValueError):
    """A body Pipedrive would refuse with 400."""


@dataclass
class WriteContext:
    exists: Callable[[str, int], bool]  # ("organization", 7) -> does a live organization 7 exist?
    custom: dict[str, FieldDef]  # this entity's custom fields by key


def parse_time(value: str) -> datetime:
    """RFC 3339 (`2024-01-01T00:00:00Z`, with or without fraction or offset) to an aware UTC datetime."""
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except (ValueError, AttributeError) as error:
        raise ValidationError(f"'{value}' is not an RFC 3339 date-time") from error
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC).replace(microsecond=0)


def _int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _contacts(key: str, value: Any) -> list[dict[str, Any]]:
    if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
        raise ValidationError(f"{key} must be an array of objects with a 'value'")
    out = []
    for item in value:
        if not isinstance(item.get("value"), str):
            raise ValidationError(f"{key}[].value is required and must be a string")
        label = item.get("label", "work")
        if label not in CONTACT_LABELS:
            raise ValidationError(f"{key}[].label must be one of {', '.join(CONTACT_LABELS)}")
        primary = item.get("primary", False)
        if not isinstance(primary, bool):
            raise ValidationError(f"{key}[].primary must be a boolean")
        out.append({"value": item["value"], "primary": primary, "label": label})
    if sum(item["primary"] for item in out) > 1:
        raise ValidationError(f"{key} may have at most one primary entry")
    if out and not any(item["primary"] for item in out):
        out[0]["primary"] = True  # Pipedrive makes the first one primary
    return out


def _participants(value: Any, ctx: WriteContext) -> list[dict[str, Any]]:
    if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
        raise ValidationError("participants must be an array of objects")
    out = []
    for item in value:
        person_id, primary = item.get("person_id"), item.get("primary", False)
        if not _int(person_id) or not ctx.exists("person", person_id):
            raise ValidationError("participants[].person_id must be the id of an existing person")
        if not isinstance(primary, bool):
            raise ValidationError("participants[].primary must be a boolean")
        out.append({"person_id": person_id, "primary": primary})
    return out


def check_field(key: str, kind: str, value: Any, ctx: WriteContext) -> Any:
    """One key of a body: its canonical value, or ValidationError."""
    nullable = kind.endswith("?")
    kind = kind.rstrip("?")
    if value is None:
        if nullable:
            return None
        raise ValidationError(f"{key} must not be null")
    if kind in _REFERENCES:
        if not _int(value):
            raise ValidationError(f"{key} must be a number")
        if not ctx.exists(kind, value):
            raise ValidationError(f"{key}: {kind} {value} does not exist")
        return value
    if kind == "str":
        if not isinstance(value, str):
            raise ValidationError(f"{key} must be a string")
        return value
    if kind in ("int", "num"):
        if not (_int(value) if kind == "int" else _int(value) or isinstance(value, float)):
            raise ValidationError(f"{key} must be a number")
        return value
    if kind == "bool":
        if not isinstance(value, bool):
            raise ValidationError(f"{key} must be a boolean")
        return value
    if kind == "datetime":
        return parse_time(value) if isinstance(value, str) else _raise(f"{key} must be an RFC 3339 string")
    if kind in ("date", "time"):
        pattern = _DATE if kind == "date" else _TIME
        if not (isinstance(value, str) and pattern.match(value)):
            raise ValidationError(f"{key} must be a {'YYYY-MM-DD date' if kind == 'date' else 'HH:MM time'}")
        return value
    if kind == "ids":
        if not isinstance(value, list) or not all(_int(item) for item in value):
            raise ValidationError(f"{key} must be an array of numbers")
        return list(value)
    if kind == "contacts":
        return _contacts(key, value)
    if kind == "address":
        if not isinstance(value, dict) or not isinstance(value.get("value"), str):
            raise ValidationError(f"{key} must be an object with a string 'value'")
        # Parts Pipedrive would geocode from `value` stay "" here (see customfields.canonical).
        return {"value": value["value"], **{part: value.get(part) or "" for part in ADDRESS_PARTS[:-1]}}
    if kind == "visible_to":
        if value not in (1, 3, 5, 7) or not _int(value):
            raise ValidationError(f"{key} must be one of the numbers 1, 3, 5, 7")
        return value
    if kind in ("marketing_status", "deal_status"):
        allowed = MARKETING_STATUSES if kind == "marketing_status" else DEAL_STATUSES
        if value not in allowed:
            raise ValidationError(f"{key} must be one of {', '.join(allowed)}")
        return value
    if kind == "participants":
        return _participants(value, ctx)
    if kind == "attendees":
        if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
            raise ValidationError("attendees must be an array of objects")
        return [dict(item) for item in value]
    if kind == "custom":
        return _custom(value, ctx)
    raise AssertionError(f"no check for kind {kind!r}")


def _raise(message: str) -> Any:
    raise ValidationError(message)


def _custom(value: Any, ctx: WriteContext) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ValidationError("custom_fields must be an object keyed by field key")
    exists = {
        "user": lambda i: ctx.exists("user", i),
        "org": lambda i: ctx.exists("organization", i),
        "people": lambda i: ctx.exists("person", i),
    }
    out = {}
    for key, field_value in value.items():
        definition = ctx.custom.get(key)
        if definition is None:
            raise ValidationError(f"custom_fields: '{key}' is not a custom field of this entity")
        problem = check_value(definition, field_value, exists)
        if problem:
            raise ValidationError(problem)
        out[key] = canonical(definition, field_value)
    return out


def check_body(spec: EntitySpec, body: Any, ctx: WriteContext, *, creating: bool) -> dict[str, Any]:
    """All keys of a body, checked; unknown and read-only keys are refused."""
    if not isinstance(body, dict):
        raise ValidationError("Request body must be a JSON object")
    if spec.name == "activity" and "person_id" in body:
        raise ValidationError("person_id is read-only; set it by adding a primary participant")
    changes = {}
    for key, value in body.items():
        kind = spec.writable.get(key)
        if kind is None:
            raise ValidationError(f"'{key}' is not a writable field of {spec.name}")
        changes[key] = check_field(key, kind, value, ctx)
    if creating:
        missing = [key for key in spec.required if changes.get(key) in (None, "")]
        if missing:
            raise ValidationError(f"{', '.join(missing)} is required")
    return changes
