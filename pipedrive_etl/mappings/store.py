"""Read what resolution needs from the warehouse, and replace a workspace's rows in the mapping state
tables."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from ..config import SyncConfig
from ..warehouse import Warehouse
from .resolve import EXTERNAL_ID, KnownField, Named, ResolvedWorkspace, catalogs, resolve_workspace


def _json(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else json.loads(value)  # DuckDB hands JSON back as text


def _named(warehouse: Warehouse, table: str, workspace_id: str) -> list[Named]:
    pipeline = "pipeline_id" if table == "raw.pipedrive_stages" else "null"
    rows = warehouse.fetchall(
        f"select id, raw ->> 'name', is_deleted or swept_deleted_at is not null, {pipeline} from {table} "
        "where workspace_id = ? order by id",
        [workspace_id],
    )
    return [Named(int(row[0]), row[1] or "", bool(row[2]), row[3]) for row in rows]


def known_fields(warehouse: Warehouse, workspace_id: str) -> dict[str, KnownField]:
    """Custom fields earlier runs resolved, by mapping id (and `EXTERNAL_ID`): a renamed field keeps its key.

    Empty before the first resolution."""
    known = {
        mapping_id: KnownField(entity, key)
        for mapping_id, entity, key in warehouse.fetchall(
            "select mapping_id, pipedrive_entity, coalesce(pipedrive_field_code, pipedrive_field_key) "
            "from state.field_mappings where workspace_id = ? and is_custom_field",
            [workspace_id],
        )
    }
    external = warehouse.fetchone(
        "select external_id_field_key, external_id_field_name from state.workspaces "
        "where workspace_id = ? and external_id_field_key is not null",
        [workspace_id],
    )
    if external is not None:
        known[EXTERNAL_ID] = KnownField("person", external[0], configured_name=external[1])
    return known


def resolve_from_warehouse(
    config: SyncConfig, warehouse: Warehouse, workspace_id: str, *, now: datetime | None = None
) -> ResolvedWorkspace:
    definitions = warehouse.fetchall(
        "select entity, raw from raw.pipedrive_fields where workspace_id = ? order by entity, field_code",
        [workspace_id],
    )
    return resolve_workspace(
        config,
        workspace_id,
        catalogs((entity, _json(raw)) for entity, raw in definitions),
        _named(warehouse, "raw.pipedrive_pipelines", workspace_id),
        _named(warehouse, "raw.pipedrive_stages", workspace_id),
        resolved_at=now or datetime.now(UTC),
        known=known_fields(warehouse, workspace_id),
    )


_KEYS = {
    "state.workspaces": ("workspace_id",),
    "state.creation_statuses": ("workspace_id", "lead_status"),
    "state.field_mappings": ("workspace_id", "mapping_id"),
    "state.field_mapping_lookups": ("workspace_id", "mapping_id", "from_value"),
    "state.stage_mappings": ("workspace_id", "stage_id"),
    "state.stage_mapping_actions": ("workspace_id", "stage_id", "campaign_action"),
}


def write_resolved(warehouse: Warehouse, resolved: ResolvedWorkspace) -> None:
    """Replace the workspace's rows in every mapping table, in one transaction (readers see old or new, never
    half)."""
    with warehouse.transaction():
        for table, rows in resolved.tables().items():
            warehouse.execute(f"delete from {table} where workspace_id = ?", [resolved.workspace_id])
            warehouse.upsert(table, rows, key=_KEYS[table])
