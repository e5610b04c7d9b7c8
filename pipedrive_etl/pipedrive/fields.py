"""Custom field values: decode all three wire forms into `CustomFieldValue`, encode back to the v2 write form.

The wire forms (pipedrive-api.md §6):

    v1 entity    flat 40-hex keys at the top level, plus `<key>_currency`, `<key>_until` and address
                 `<key>_<part>` siblings; enum ids as strings ("123"), sets as "123,456"
    v2 entity    `custom_fields: {key: value}`; objects for monetary, ranges, time and address; an enum is an
                 int, a set a list of ints (`{id, label}` objects with `include_option_labels=true`)
    v2 webhook   `custom_fields: {key: {"type": ..., "value": ...}}`; enum `{"id": ...}`, set
                 `{"values": [{"id": ...}]}`

Each decoder reduces its form to (main value, parts mapping) and hands it to one builder per field type, so
the three forms cannot drift apart. A key the catalog does not know is kept, as type "unknown", with its raw
value as sent.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ._field_builders import MEMOIZED_TYPES, build
from ._wire import CUSTOM_FIELD_KEY
from .field_catalog import AmbiguousFieldError, FieldCatalog, UnknownFieldError, UnknownOptionError
from .field_values import (
    ADDRESS_COMPONENTS,
    CUSTOM_FIELD_TYPES,
    RANGE_TYPES,
    REFERENCE_TYPES,
    TIME_TYPES,
    UNKNOWN,
    CustomFieldValue,
    EnumOption,
)

__all__ = [
    "ADDRESS_COMPONENTS", "CUSTOM_FIELD_TYPES", "UNKNOWN", "AmbiguousFieldError", "CustomFieldValue",
    "EnumOption", "FieldCatalog", "UnknownFieldError", "UnknownOptionError", "decode_v1", "decode_v2",
    "decode_webhook_v2", "encode_v2", "v1_custom_keys",
]

_NO_PARTS: Mapping[str, Any] = {}
_NO_MEMO = object()
_MEMO_LIMIT = 4096  # per field: bounds memory when a field's values are all distinct
# Object-valued in v2 (`{value, ...}`); every other type's v2 value is the value itself.
_OBJECT_TYPES = frozenset({"monetary", "daterange", "timerange", "time", "address"})
_V1_SUFFIXES: dict[str, tuple[str, ...]] = {
    "monetary": ("currency",),
    "daterange": ("until",),
    "timerange": ("until", "timezone_id", "timezone_name"),
    # v1 documents only `<key>` for time (§6); timezone siblings are read when an account sends them.
    "time": ("timezone_id", "timezone_name"),
    "address": ADDRESS_COMPONENTS,
}
_V1_SUFFIX_NAMES = frozenset(suffix for suffixes in _V1_SUFFIXES.values() for suffix in suffixes)


# -- decoding ------------------------------------------------------------------------------------------------


def decode_v2(custom_fields: Mapping[str, Any] | None, catalog: FieldCatalog) -> dict[str, CustomFieldValue]:
    """Decode a v2 entity's `custom_fields` dict. This is the extract's hot path, hence the memo."""
    decoded: dict[str, CustomFieldValue] = {}
    entries = catalog._entries
    for key, raw in (custom_fields or _NO_PARTS).items():
        entry = entries.get(key)
        if entry is None:
            decoded[key] = CustomFieldValue(UNKNOWN, raw)
            continue
        memo_key = _memo_key(raw, entry.field_type)
        if memo_key is not _NO_MEMO:
            try:
                cached = entry.memo.get(memo_key)
            except TypeError:  # a member that is itself a dict or list: not worth a deeper key
                cached, memo_key = None, _NO_MEMO
            if cached is not None:
                decoded[key] = cached
                continue
        if entry.field_type in _OBJECT_TYPES and type(raw) is dict:
            value = build(entry.field_type, raw.get("value"), raw, entry.options_by_id)
        else:
            value = build(entry.field_type, raw, _NO_PARTS, entry.options_by_id)
        if memo_key is not _NO_MEMO and len(entry.memo) < _MEMO_LIMIT:
            entry.memo[memo_key] = value
        decoded[key] = value
    return decoded


def _memo_key(raw: Any, field_type: str) -> Any:
    """A hashable stand-in for a wire value, or `_NO_MEMO` when it is not worth or not safe to remember."""
    if field_type not in MEMOIZED_TYPES:
        return _NO_MEMO
    kind = type(raw)
    # Exact types for scalars: 1 == 1.0 == True hash alike, and a text field decodes 1 and 1.0 differently.
    # List members and object parts decode through int(), float() and option lookups, where they agree.
    if raw is None or kind is str or kind is int:
        return raw
    if kind is list and field_type == "set":
        return tuple(raw)
    if kind is dict and field_type in _OBJECT_TYPES:
        return tuple(raw.items())
    return _NO_MEMO


def decode_webhook_v2(custom_fields: Mapping[str, Any] | None,
                      catalog: FieldCatalog) -> dict[str, CustomFieldValue]:
    """Decode a v2 webhook's `data.custom_fields` (typed objects; `previous` may hold plain nulls)."""
    decoded: dict[str, CustomFieldValue] = {}
    for key, raw in (custom_fields or _NO_PARTS).items():
        entry = catalog._entries.get(key)
        if entry is None:
            decoded[key] = CustomFieldValue(UNKNOWN, raw)
            continue
        if not isinstance(raw, dict):
            # Not a typed object (a cleared value in `previous` is a bare null): read it as the v2 form.
            decoded[key] = build(entry.field_type, raw, _NO_PARTS, entry.options_by_id)
        elif entry.field_type == "enum":
            decoded[key] = build("enum", raw.get("id", raw.get("value")), _NO_PARTS, entry.options_by_id)
        elif entry.field_type == "set":
            decoded[key] = build("set", raw.get("values", raw.get("value")), _NO_PARTS, entry.options_by_id)
        elif entry.field_type in REFERENCE_TYPES and "value" not in raw:
            decoded[key] = build(entry.field_type, raw.get("id"), _NO_PARTS, entry.options_by_id)
        else:
            decoded[key] = build(entry.field_type, raw.get("value"), raw, entry.options_by_id)
    return decoded


def decode_v1(flat_record: Mapping[str, Any], catalog: FieldCatalog) -> dict[str, CustomFieldValue]:
    """Decode the custom fields of a v1-shaped object (recents, v1 webhooks): flat keys plus suffix siblings.

    Every custom field of the catalog that the record carries is decoded; every other 40-hex key (and suffix
    key whose base the catalog lacks) is kept as "unknown", so nothing the record sent is dropped.
    """
    decoded: dict[str, CustomFieldValue] = {}
    consumed: set[str] = set()
    for definition in catalog.custom_fields:
        key = definition.key
        if key not in flat_record:
            continue
        entry = catalog._entries.get(key)
        assert entry is not None  # custom_fields comes from the same catalog
        suffixes = _V1_SUFFIXES.get(entry.field_type, ())
        parts = {suffix: flat_record.get(f"{key}_{suffix}") for suffix in suffixes}
        consumed.update(f"{key}_{suffix}" for suffix in suffixes)
        decoded[key] = build(entry.field_type, flat_record[key], parts, entry.options_by_id)
    for key in v1_custom_keys(flat_record):
        if key not in decoded and key not in consumed:
            decoded[key] = CustomFieldValue(UNKNOWN, flat_record[key])
    return decoded


def v1_custom_keys(flat_record: Mapping[str, Any]) -> list[str]:
    """The keys of a v1 object that belong to custom fields: 40-hex keys and their known suffix siblings."""
    keys = []
    for key in flat_record:
        base, _, suffix = key.partition("_")
        if CUSTOM_FIELD_KEY.match(base) and (not suffix or suffix in _V1_SUFFIX_NAMES):
            keys.append(key)
    return keys


# -- encoding ------------------------------------------------------------------------------------------------


def encode_v2(values: Mapping[str, CustomFieldValue]) -> dict[str, Any]:
    """The v2 write form (`custom_fields` of a POST/PATCH body). An empty value encodes as null: it clears."""
    return {key: _encode(key, value) for key, value in values.items()}


def _encode(key: str, cfv: CustomFieldValue) -> Any:
    field_type, value = cfv.field_type, cfv.value
    if value is None:
        return None
    if field_type == "enum":
        return value.id if isinstance(value, EnumOption) else value
    if field_type == "set":
        ids = [option.id if isinstance(option, EnumOption) else option for option in value]
        if not ids:
            # v2: "sending an empty array [] is not supported and will result in a validation error".
            raise ValueError(f"custom field {key}: an empty set cannot be written; clear it with None")
        return ids
    if field_type == "monetary":
        # Without a currency, Pipedrive applies the company default rather than a null currency.
        return {"value": value, "currency": cfv.currency} if cfv.currency else {"value": value}
    if field_type in ("date", "daterange", "time", "timerange"):
        return _encode_temporal(cfv)
    if field_type == "address":
        return {"value": value, **(cfv.components or {})}
    return value  # text, numbers, references, system types, and unknown values as received


def _encode_temporal(cfv: CustomFieldValue) -> Any:
    start = cfv.value.isoformat()
    if cfv.field_type == "date":
        return start
    body: dict[str, Any] = {"value": start}
    if cfv.field_type in RANGE_TYPES:
        body["until"] = cfv.until.isoformat() if cfv.until is not None else None
    if cfv.field_type in TIME_TYPES:
        if cfv.timezone_id is not None:
            body["timezone_id"] = cfv.timezone_id
        if cfv.timezone_name is not None:
            body["timezone_name"] = cfv.timezone_name
    return body
