"""A workspace's activity settings (sync.yaml `activities:`) in state tables that dbt reads.

`state.activity_sync` holds the switches, `state.activity_type_map` which source types run and what they
become: direction `to_pipedrive` maps ColdCopy email event types to Pipedrive's `email` activity type (call
logs become `call`), direction `to_coldcopy` maps Pipedrive activity type keys to ColdCopy timeline entry
types. A disabled direction stores no type rows, so the models plan nothing for it.
"""

from __future__ import annotations

from datetime import UTC, datetime

from ..config import Workspace
from ..warehouse import Warehouse

EMAIL_ACTIVITY_TYPE = "email"


def activity_rows(workspace: Workspace, now: datetime) -> tuple[dict[str, object], list[dict[str, object]]]:
    settings = workspace.activities
    switches = {"workspace_id": workspace.id, "to_pipedrive": settings.to_pipedrive.enabled,
                "call_logs": settings.to_pipedrive.enabled and settings.to_pipedrive.call_logs,
                "to_coldcopy": settings.to_coldcopy.enabled, "stored_at": now}
    types: list[dict[str, object]] = []
    if settings.to_pipedrive.enabled:
        types += [{"workspace_id": workspace.id, "direction": "to_pipedrive", "source_type": event_type,
                   "target_type": EMAIL_ACTIVITY_TYPE} for event_type in dict.fromkeys(
                       settings.to_pipedrive.email_event_types)]
    if settings.to_coldcopy.enabled:
        types += [{"workspace_id": workspace.id, "direction": "to_coldcopy", "source_type": pipedrive_type,
                   "target_type": coldcopy_type}
                  for pipedrive_type, coldcopy_type in settings.to_coldcopy.types.items()]
    return switches, types


def write_activity_settings(warehouse: Warehouse, workspace: Workspace, *,
                            now: datetime | None = None) -> None:
    switches, types = activity_rows(workspace, now or datetime.now(UTC))
    with warehouse.transaction():
        for table in ("state.activity_sync", "state.activity_type_map"):
            warehouse.execute(f"delete from {table} where workspace_id = ?", [workspace.id])
        warehouse.upsert("state.activity_sync", [switches], key=("workspace_id",))
        warehouse.upsert("state.activity_type_map", types, key=("workspace_id", "direction", "source_type"))
