"""One builder per custom field type: (main value, parts) -> the canonical `CustomFieldValue`.

Shared by the three decoders in `pipedrive.fields`, which differ only in how they find the main value and the
parts (currency, until, timezone, address components) in their wire form. Builders are lenient about
representation (v1's "123" for an enum id, "12.5" for a number, "09:00" for a time) and strict about meaning:
an empty wire value of any shape is `value=None`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, time
from typing import Any

from .field_values import (
    ADDRESS_COMPONENTS,
    RANGE_TYPES,
    REFERENCE_TYPES,
    TEXT_TYPES,
    CustomFieldValue,
    EnumOption,
)

Builder = Callable[[str, Any, Mapping[str, Any], dict[int | str, EnumOption]], CustomFieldValue]


def build(field_type: str, value: Any, parts: Mapping[str, Any],
          options: dict[int | str, EnumOption]) -> CustomFieldValue:
    builder = _BUILDERS.get(field_type)
    if builder is None:
        # A system type (int, boolean, json, ...) or a type newer than this code: keep the value as sent.
        return CustomFieldValue(field_type, value)
    return builder(field_type, value, parts, options)


def _text(field_type: str, value: Any, parts: Mapping[str, Any], options: Any) -> CustomFieldValue:
    return CustomFieldValue(field_type, None if value is None else str(value))


def _double(field_type: str, value: Any, parts: Mapping[str, Any], options: Any) -> CustomFieldValue:
    return CustomFieldValue(field_type, _to_float(value))


def _monetary(field_type: str, value: Any, parts: Mapping[str, Any], options: Any) -> CustomFieldValue:
    amount = _to_float(value)
    if amount is None:
        return CustomFieldValue(field_type)
    return CustomFieldValue(field_type, amount, currency=parts.get("currency") or None)


def _reference(field_type: str, value: Any, parts: Mapping[str, Any], options: Any) -> CustomFieldValue:
    # v1 may embed the referenced object (`{"name": ..., "value": 12}`), as it does for owner_id and org_id.
    if isinstance(value, dict):
        value = value.get("value", value.get("id"))
    return CustomFieldValue(field_type, _to_int(value))


def _enum(field_type: str, value: Any, parts: Mapping[str, Any],
          options: dict[int | str, EnumOption]) -> CustomFieldValue:
    return CustomFieldValue(field_type, _option(value, options))


def _set(field_type: str, value: Any, parts: Mapping[str, Any],
         options: dict[int | str, EnumOption]) -> CustomFieldValue:
    if isinstance(value, str):
        members: list[Any] = [member.strip() for member in value.split(",")]  # v1: "123,456"
    elif isinstance(value, list | tuple):
        members = list(value)
    else:
        members = [value]
    chosen = {option.id: option for option in (_option(m, options) for m in members) if option is not None}
    if not chosen:
        return CustomFieldValue(field_type)
    # A set has no order; sorting makes "456,123" and [123, 456] the same value.
    return CustomFieldValue(field_type, tuple(sorted(chosen.values(), key=_option_sort_key)))


def _date(field_type: str, value: Any, parts: Mapping[str, Any], options: Any) -> CustomFieldValue:
    start = _to_date(value)
    if start is None:
        return CustomFieldValue(field_type)
    until = _to_date(parts.get("until")) if field_type in RANGE_TYPES else None
    return CustomFieldValue(field_type, start, until=until)


def _time(field_type: str, value: Any, parts: Mapping[str, Any], options: Any) -> CustomFieldValue:
    start = _to_time(value)
    if start is None:
        return CustomFieldValue(field_type)
    until = _to_time(parts.get("until")) if field_type in RANGE_TYPES else None
    return CustomFieldValue(field_type, start, until=until, timezone_id=_to_int(parts.get("timezone_id")),
                            timezone_name=parts.get("timezone_name") or None)


def _address(field_type: str, value: Any, parts: Mapping[str, Any], options: Any) -> CustomFieldValue:
    if value is None or value == "":
        return CustomFieldValue(field_type)
    # Blank parts are dropped: the webhook sends "" where v2 sends null for the same missing part (§13).
    components = {name: str(parts[name]) for name in ADDRESS_COMPONENTS if parts.get(name) not in (None, "")}
    return CustomFieldValue(field_type, str(value), components=components)


_BUILDERS: dict[str, Builder] = {
    **{field_type: _text for field_type in TEXT_TYPES},
    **{field_type: _reference for field_type in REFERENCE_TYPES},
    "double": _double,
    "monetary": _monetary,
    "enum": _enum,
    "set": _set,
    "date": _date,
    "daterange": _date,
    "time": _time,
    "timerange": _time,
    "address": _address,
}
# Addresses are nearly all distinct; remembering them would only fill memory.
MEMOIZED_TYPES = frozenset(_BUILDERS) - {"address"}


def _option(raw: Any, options: dict[int | str, EnumOption]) -> EnumOption | None:
    wire_label = None
    if isinstance(raw, dict):  # `{id, label}` with include_option_labels=true; webhook `{"id": 13}`
        wire_label = raw.get("label")
        raw = raw.get("id")
    if raw is None or raw == "":
        return None
    option_id: int | str = int(raw) if isinstance(raw, str) and raw.lstrip("-").isdigit() else raw
    known = options.get(option_id)
    if wire_label is not None and (known is None or known.label != wire_label):
        return EnumOption(option_id, wire_label)  # the wire label is fresher than a cached catalog
    return known if known is not None else EnumOption(option_id)


def _option_sort_key(option: EnumOption) -> tuple[bool, int | str]:
    return (isinstance(option.id, str), option.id)


def _to_float(value: Any) -> float | None:
    if value is None or value == "":
        return None
    return float(value)  # v1 may send numbers as strings; v2 always sends JSON numbers


def _to_int(value: Any) -> int | None:
    if value is None or value == "":
        return None
    return int(value)


def _to_date(value: Any) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def _to_time(value: Any) -> time | None:
    if value is None or value == "":
        return None
    if isinstance(value, time):
        return value
    return time.fromisoformat(str(value))  # "09:00:00" and "09:00" both occur
