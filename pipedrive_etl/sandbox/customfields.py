"""Custom field values: one canonical form, checked on write, rendered in the three wire forms.

Canonical values (what records store under `custom_fields[key]`) are the v2 entity forms
(pipedrive-api.md §6):
scalars for text, number, date, user, person and org fields; `{value, currency}` for monetary; `{value,
until}`
for date ranges; `{value, timezone_id, timezone_name}` (+ `until`) for times; an address object; an option id
for enum; a list of option ids for set. From that, `v1_flat` renders the v1 top-level keys with suffixes and
`webhook_typed` the v2 webhook typed objects.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

CUSTOM_TYPES = (
    "varchar",
    "varchar_auto",
    "text",
    "double",
    "monetary",
    "set",
    "enum",
    "user",
    "org",
    "people",
    "phone",
    "time",
    "timerange",
    "date",
    "daterange",
    "address",
)
ADDRESS_PARTS = (
    "subpremise",
    "street_number",
    "route",
    "sublocality",
    "locality",
    "admin_area_level_1",
    "admin_area_level_2",
    "country",
    "postal_code",
    "formatted_address",
)
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_TIME = re.compile(r"^\d{2}:\d{2}(:\d{2})?$")


@dataclass
class FieldDef:
    """A field definition (built-in or custom) of one entity."""

    entity: str
    id: int
    key: str
    name: str
    field_type: str
    is_custom: bool
    order_nr: int
    add_time: datetime
    options: list[dict[str, Any]] | None = None
    description: str = ""
    mandatory: bool = False
    searchable: bool = False
    subfields: list[tuple[str, str, str]] = field(default_factory=list)  # (suffix, name, type)

    def option_ids(self) -> set[int]:
        return {option["id"] for option in self.options or ()}

    def option_label(self, option_id: int) -> str | None:
        for option in self.options or ():
            if option["id"] == option_id:
                return option["label"]
        return None


def subfields_for(field_type: str, name: str) -> list[tuple[str, str, str]]:
    if field_type == "monetary":
        return [("_currency", f"Currency of {name}", "varchar")]
    if field_type in ("daterange", "timerange"):
        return [("_until", f"{name} (until)", "date" if field_type == "daterange" else "time")]
    if field_type == "address":
        return [(f"_{part}", f"{name} ({part.replace('_', ' ')})", "varchar") for part in ADDRESS_PARTS]
    return []


def _is_number(value: Any) -> bool:
    # v2 does not coerce: "100" is not a number, and neither is True.
    return isinstance(value, int | float) and not isinstance(value, bool)


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def check_value(definition: FieldDef, value: Any, exists: dict[str, Any]) -> str | None:
    """Why `value` cannot be written to this custom field, or None when it can. None clears any field.

    `exists` maps "user"/"org"/"people" to a callable telling whether a referenced id exists.
    """
    if value is None:
        return None
    kind, label = definition.field_type, f"custom field '{definition.key}'"
    if kind in ("varchar", "varchar_auto", "text", "phone"):
        if not isinstance(value, str):
            return f"{label} must be a string"
        if kind == "varchar" and len(value) > 255:
            return f"{label} must be at most 255 characters"
    elif kind == "double":
        if not _is_number(value):
            return f"{label} must be a number"
    elif kind == "monetary":
        if not isinstance(value, dict) or not _is_number(value.get("value")):
            return f"{label} must be an object with a numeric 'value'"
        if not isinstance(value.get("currency", ""), str):
            return f"{label}.currency must be a string"
    elif kind == "enum":
        if not _is_int(value) or value not in definition.option_ids():
            return f"{label} must be the id (a number) of one of its options"
    elif kind == "set":
        if not isinstance(value, list) or not value:
            return f"{label} must be a non-empty array of option ids; clear it with null, not []"
        if not all(_is_int(item) and item in definition.option_ids() for item in value):
            return f"{label} must contain only ids (numbers) of its options"
    elif kind in ("user", "org", "people"):
        if not _is_int(value):
            return f"{label} must be a number"
        if not exists[kind](value):
            return f"{label} refers to a {kind} that does not exist"
    elif kind in ("date", "daterange"):
        if kind == "date" and not (isinstance(value, str) and _DATE.match(value)):
            return f"{label} must be a date (YYYY-MM-DD)"
        if kind == "daterange" and not (
            isinstance(value, dict) and all(_DATE.match(str(value.get(k, ""))) for k in ("value", "until"))
        ):
            return f"{label} must be an object with 'value' and 'until' dates"
    elif kind in ("time", "timerange"):
        keys = ("value",) if kind == "time" else ("value", "until")
        if not isinstance(value, dict) or not all(_TIME.match(str(value.get(k, ""))) for k in keys):
            return f"{label} must be an object with {' and '.join(keys)} times (HH:MM or HH:MM:SS)"
    elif kind == "address":
        if not isinstance(value, dict) or not isinstance(value.get("value"), str):
            return f"{label} must be an object with a string 'value'"
    return None


def canonical(definition: FieldDef, value: Any) -> Any:
    """Fill the defaults of a written value (after `check_value` accepted it)."""
    if value is None:
        return None
    kind = definition.field_type
    if kind == "monetary":
        return {"value": value["value"], "currency": value.get("currency") or "EUR"}
    if kind in ("time", "timerange"):
        filled = {"value": value["value"]}
        if kind == "timerange":
            filled["until"] = value["until"]
        filled["timezone_id"] = value.get("timezone_id")
        filled["timezone_name"] = value.get("timezone_name")
        return filled
    if kind == "daterange":
        return {"value": value["value"], "until": value["until"]}
    if kind == "address":
        # Pipedrive geocodes `value` into the parts; the sandbox does not, and leaves unknown parts "" as
        # Pipedrive does for parts it cannot fill.
        filled = {"value": value["value"], **{part: value.get(part) or "" for part in ADDRESS_PARTS}}
        filled["formatted_address"] = filled["formatted_address"] or value["value"]
        return filled
    if kind == "set":
        return list(value)
    return value


def render_v2(definition: FieldDef, value: Any, with_labels: bool = False) -> Any:
    if value is None:
        return None
    if with_labels and definition.field_type == "enum":
        return {"id": value, "label": definition.option_label(value)}
    if with_labels and definition.field_type == "set":
        return [{"id": option, "label": definition.option_label(option)} for option in value]
    if isinstance(value, dict):
        return dict(value)
    if isinstance(value, list):
        return list(value)
    return value


def v1_flat(definition: FieldDef, value: Any) -> dict[str, Any]:
    """The v1 top-level keys for one field: `<key>` plus its suffix keys (`_currency`, `_until`, ...)."""
    key, kind = definition.key, definition.field_type
    out: dict[str, Any] = {key: None}
    for suffix, _name, _type in definition.subfields:
        out[key + suffix] = None
    if kind in ("time", "timerange"):
        out[key + "_timezone_id"] = None
    if value is None:
        return out
    if kind == "enum":
        out[key] = str(value)  # v1 sends the option id as a string
    elif kind == "set":
        out[key] = ",".join(str(option) for option in value)
    elif kind == "monetary":
        out[key], out[key + "_currency"] = value["value"], value["currency"]
    elif kind in ("daterange", "timerange"):
        out[key], out[key + "_until"] = value["value"], value["until"]
    elif kind == "address":
        out[key] = value["value"]
        for part in ADDRESS_PARTS:
            out[f"{key}_{part}"] = value.get(part)
    elif kind == "time":
        out[key] = value["value"]
    else:
        out[key] = value
    if kind in ("time", "timerange"):
        out[key + "_timezone_id"] = value.get("timezone_id")
    return out


def webhook_typed(definition: FieldDef, value: Any) -> dict[str, Any] | None:
    """The v2 webhook form, e.g. `{"type": "double", "value": 978}` or `{"id": 17, "type": "enum"}`."""
    if value is None:
        return None
    kind = definition.field_type
    if kind == "enum":
        return {"id": value, "type": "enum"}
    if kind == "set":
        return {"values": [{"id": option} for option in value], "type": "set"}
    if isinstance(value, dict):
        return {**value, "type": kind}
    return {"type": kind, "value": value}
