"""The Pipedrive streams we extract, and how one listed record becomes a raw-table row.

Persons, organizations, deals and activities are read incrementally (`updated_since`); pipelines, stages and field
definitions have no such filter and are small, so they are read whole every run.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ..warehouse.schema import PIPEDRIVE_ENTITY_EXTRA


@dataclass(frozen=True)
class Stream:
    name: str
    incremental: bool
    typed_columns: tuple[str, ...]

    @property
    def table(self) -> str:
        return f"raw.pipedrive_{self.name}"


def _extra_columns(entity: str) -> tuple[str, ...]:
    return tuple(part.strip().split()[0] for part in PIPEDRIVE_ENTITY_EXTRA[entity].split(",") if part.strip())


STREAMS: dict[str, Stream] = {
    name: Stream(name, incremental, _extra_columns(name))
    for name, incremental in [("persons", True), ("organizations", True), ("deals", True), ("activities", True),
                              ("pipelines", False), ("stages", False)]
}
FIELD_ENTITIES = ("person", "organization", "deal", "activity")


def entity_row(stream: Stream, workspace_id: str, item: Any, raw: dict[str, Any], extracted_at: datetime) -> dict[str, Any]:
    row: dict[str, Any] = {
        "workspace_id": workspace_id,
        "id": int(item.id),
        "add_time": getattr(item, "add_time", None),
        "update_time": getattr(item, "update_time", None),
        "is_deleted": bool(getattr(item, "is_deleted", False) or False),
        "swept_deleted_at": None,  # seen again: not deleted after all
    }
    for column in stream.typed_columns:
        value = getattr(item, column, None)
        row[column] = value if not isinstance(value, dict | list) else json.dumps(value)
    row["raw"] = json.dumps(raw, separators=(",", ":"))
    row["extracted_at"] = extracted_at
    return row


def field_row(entity: str, workspace_id: str, item: Any, raw: dict[str, Any], extracted_at: datetime) -> dict[str, Any]:
    return {
        "workspace_id": workspace_id,
        "entity": entity,
        "field_code": item.key,
        "field_name": item.name,
        "field_type": getattr(item, "field_type", None),
        "is_custom_field": getattr(item, "is_custom_field", None),
        "raw": json.dumps(raw, separators=(",", ":")),
        "extracted_at": extracted_at,
    }
