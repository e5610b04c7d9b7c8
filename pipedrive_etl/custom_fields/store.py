"""The warehouse side of ensuring fields: the definitions after the changes, upserted into the raw table.

New and changed definitions are upserted into raw.pipedrive_fields at once, in the rows the field extraction
writes, so the same run's sync_config resolves a field created a moment ago without waiting for the next
extraction (which may skip definitions read less than `definitions_max_age_minutes` ago).
"""

from __future__ import annotations

from datetime import datetime

from ..extract.streams import field_row
from ..warehouse import Warehouse
from .ensure import Listed

FIELDS_TABLE = "raw.pipedrive_fields"


def store_definitions(warehouse: Warehouse, workspace_id: str, refreshed: dict[str, Listed], *,
                      now: datetime) -> int:
    """Upsert the listed definitions of each entity; returns the number of rows written."""
    rows = [field_row(entity, workspace_id, definition, raw, now)
            for entity, listed in refreshed.items() for definition, raw in listed]
    return warehouse.upsert(FIELDS_TABLE, rows, key=("workspace_id", "entity", "field_code"))
