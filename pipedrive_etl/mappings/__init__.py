"""sync.yaml's mappings resolved against one workspace's Pipedrive into state tables that dbt reads.

dbt models are pure functions of `raw.*` and `state.*` (DESIGN.md decision 2), so names in sync.yaml (custom
fields, pipelines, stages) are turned into keys and ids here, in Python, once per run:

    sync_workspace_config(config, warehouse, "acme")   # raises MappingError before anything is written

It writes `state.workspaces`, `state.creation_statuses`, `state.field_mappings`,
`state.field_mapping_lookups`,
`state.stage_mappings` and `state.stage_mapping_actions`, and the activity settings in `state.activity_sync`
and `state.activity_type_map`, replacing that workspace's rows.
"""

from __future__ import annotations

from datetime import datetime

from ..config import SyncConfig
from ..warehouse import Warehouse
from .activity_settings import write_activity_settings
from .resolve import MappingError, ResolvedWorkspace, resolve_workspace
from .store import resolve_from_warehouse, write_resolved

__all__ = [
    "MappingError",
    "ResolvedWorkspace",
    "resolve_from_warehouse",
    "resolve_workspace",
    "sync_workspace_config",
    "write_resolved",
]


def sync_workspace_config(
    config: SyncConfig, warehouse: Warehouse, workspace_id: str, *, now: datetime | None = None
) -> ResolvedWorkspace:
    """Resolve the workspace's mappings (raising MappingError on any unknown or ambiguous name), then store
    them."""
    resolved = resolve_from_warehouse(config, warehouse, workspace_id, now=now)
    write_resolved(warehouse, resolved)
    write_activity_settings(warehouse, config.workspace(workspace_id), now=now)
    return resolved
