"""Custom-field management: make sure the Pipedrive custom fields sync.yaml needs exist in a workspace.

    report = ensure_workspace_fields(config, "acme", client, warehouse)   # FieldConflictError names a misfit
    print("\n".join(report.lines()))

One job per module:

    requirements.py   what sync.yaml needs: the external-id field and every `create_if_missing` mapping
    compatibility.py  which existing type can serve which wanted type
    plan.py           live definitions vs requirements: create, add options, in place, or FieldConflictError
    ensure.py         list, plan, create and add options through the client; settle lost responses
    store.py          upsert the resulting definitions into raw.pipedrive_fields
    report.py         created / options_added / unchanged, as text and JSON
    commands.py       `pipedrive-etl fields ensure`

The Dagster step is `defs/custom_fields.py` (asset pipedrive/custom_fields, between pipedrive/fields and
sync_config).
"""

from __future__ import annotations

from datetime import UTC, datetime

from ..config import SyncConfig
from ..mappings.store import known_fields
from ..pipedrive import PipedriveClient
from ..warehouse import Warehouse
from .compatibility import compatible
from .ensure import EnsureResult, ensure_fields
from .plan import FieldConflictError, IncompatibleField
from .report import FieldEntry, FieldReport
from .requirements import FieldRequirement, required_fields
from .store import store_definitions

__all__ = [
    "EnsureResult", "FieldConflictError", "FieldEntry", "FieldReport", "FieldRequirement",
    "IncompatibleField", "compatible", "ensure_fields", "ensure_workspace_fields", "required_fields",
    "store_definitions",
]


def ensure_workspace_fields(config: SyncConfig, workspace_id: str, client: PipedriveClient,
                            warehouse: Warehouse, *, dry_run: bool = False,
                            now: datetime | None = None) -> FieldReport:
    """Ensure the workspace's fields; store the definitions of the entities changed (none in a dry run)."""
    config.workspace(workspace_id)  # an unknown workspace is a ConfigError listing the known ones
    requirements = required_fields(config, known_fields(warehouse, workspace_id))
    result = ensure_fields(client, workspace_id, requirements, dry_run=dry_run)
    store_definitions(warehouse, workspace_id, result.refreshed, now=now or datetime.now(UTC))
    return result.report
