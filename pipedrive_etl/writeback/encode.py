"""From the plan's canonical text values to Pipedrive v2 write bodies.

dbt compares and plans in one canonical text form (see dbt_project/macros/canonical.sql): numbers without
trailing zeros, enum and set as option labels, dates ISO. Here each value becomes what v2 accepts, strictly
typed (v2 refuses strings for numbers and 1/0 for booleans): option labels become option ids through the field
definitions, a set becomes an array of ids (or null to clear: v2 refuses `[]`), ranges split at '/'.
Phones and emails are lists on Pipedrive's side: the mapped value replaces the primary entry and keeps
the others.
"""

from __future__ import annotations

import re
from datetime import date, time
from typing import Any

from ..pipedrive.field_catalog import FieldCatalog
from ..pipedrive.fields import CustomFieldValue
from ..pipedrive.models import FieldDefinition
from ..warehouse import Warehouse
from .plan import FieldChange

CUSTOM_KEY = re.compile(r"^[0-9a-f]{40}$")
_NUMBER_TYPES = {"double", "monetary"}
_ID_TYPES = {"int", "user", "org", "people"}


class EncodingError(ValueError):
    """A planned value cannot be written to its Pipedrive field (e.g. an option label that does not exist)."""


def load_catalog(warehouse: Warehouse, workspace_id: str, entity: str) -> FieldCatalog:
    rows = warehouse.fetchall("select raw from raw.pipedrive_fields where workspace_id = ? and entity = ?",
                              [workspace_id, entity])
    definitions = [FieldDefinition.model_validate_json(raw) if isinstance(raw, str)
                   else FieldDefinition.model_validate(raw) for (raw,) in rows]
    return FieldCatalog.from_definitions(definitions)


def _range(text: str, parse: Any) -> tuple[Any, Any]:
    start, _, end = text.partition("/")
    return parse(start.strip()), parse(end.strip()) if end.strip() else None


def custom_value(change: FieldChange, catalog: FieldCatalog) -> CustomFieldValue:
    kind, text = change.field_type, change.value
    if text is None:
        return CustomFieldValue(kind, None)
    try:
        if kind in _NUMBER_TYPES:
            return CustomFieldValue(kind, float(text))
        if kind in _ID_TYPES:
            return CustomFieldValue(kind, int(text))
        if kind == "enum":
            return CustomFieldValue(kind, catalog.option(change.target_key, text))
        if kind == "set":
            labels = [label.strip() for label in text.split(",") if label.strip()]
            if not labels:
                return CustomFieldValue(kind, None)
            return CustomFieldValue(kind, tuple(catalog.option(change.target_key, label) for label in labels))
        if kind == "date":
            return CustomFieldValue(kind, date.fromisoformat(text))
        if kind == "daterange":
            start, until = _range(text, date.fromisoformat)
            return CustomFieldValue(kind, start, until=until)
        if kind == "time":
            return CustomFieldValue(kind, time.fromisoformat(text))
        if kind == "timerange":
            start, until = _range(text, time.fromisoformat)
            return CustomFieldValue(kind, start, until=until)
    except ValueError as exc:
        raise EncodingError(f"{change.field}: {text!r} cannot be written to a {kind} field: {exc}") from exc
    return CustomFieldValue(kind, text)


def merged_contacts(current: list[dict[str, Any]] | None,
                    new_primary: str | None) -> list[dict[str, Any]] | None:
    """Replace the primary email or phone, keep the rest; None clears nothing (v2 PATCH cannot delete)."""
    entries = [dict(entry) for entry in current or [] if entry.get("value")]
    if new_primary is None:
        return None
    others = [{"value": e["value"], "primary": False, "label": e.get("label") or "work"}
              for e in entries if not e.get("primary") and e["value"] != new_primary]
    primary_label = next((e.get("label") for e in entries if e.get("primary")), None) or "work"
    return [{"value": new_primary, "primary": True, "label": primary_label}, *others]


def person_fields(changes: tuple[FieldChange, ...], catalog: FieldCatalog,
                  current: dict[str, Any] | None = None) -> dict[str, Any]:
    """The keyword arguments of a PersonCreate/PersonUpdate carrying these changes."""
    body: dict[str, Any] = {}
    custom: dict[str, CustomFieldValue] = {}
    for change in changes:
        key = change.target_key
        if CUSTOM_KEY.match(key):
            custom[key] = custom_value(change, catalog)
        elif key in ("phones", "emails", "phone", "email"):
            plural = key if key.endswith("s") else f"{key}s"
            merged = merged_contacts((current or {}).get(plural), change.value)
            if merged is not None:
                body[plural] = merged
        else:
            body[key] = change.value
    if custom:
        body["custom_fields"] = custom
    return body
