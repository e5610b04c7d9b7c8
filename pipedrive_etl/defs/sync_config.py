"""The sync_config asset: sync.yaml's mappings resolved against a workspace's Pipedrive, in state tables."""

import dagster as dg

from ..mappings import sync_workspace_config
from .extract import WAREHOUSE_POOL
from .partitions import workspaces
from .resources import SyncConfigResource, WarehouseResource


@dg.asset(
    key=["sync_config"],
    partitions_def=workspaces,
    group_name="staging",
    kinds={"python"},
    pool=WAREHOUSE_POOL,
    deps=[
        dg.AssetKey(["pipedrive", "fields"]),
        dg.AssetKey(["pipedrive", "custom_fields"]),
        dg.AssetKey(["pipedrive", "stages"]),
        dg.AssetKey(["pipedrive", "pipelines"]),
    ],
    owners=["team:pipedrive-etl"],
    description="sync.yaml's field mappings, stage mappings and creation rules for the workspace, Pipedrive "
    "field names resolved to keys and pipeline and stage names to ids, in state.workspaces, "
    "state.field_mappings (one row per mapping), state.stage_mappings and their companions. An unknown or "
    "ambiguous name fails here, before anything is written anywhere.",
)
def sync_config(
    context: dg.AssetExecutionContext, sync_config: SyncConfigResource, warehouse: WarehouseResource
) -> dg.MaterializeResult:
    settings = sync_config.load()
    with warehouse.open() as store:
        resolved = sync_workspace_config(settings, store, context.partition_key)
    keys = {row["mapping_id"]: row["pipedrive_field_key"] for row in resolved.field_mappings}
    context.log.info(f"{len(keys)} field mappings and {len(resolved.stage_mappings)} stage mappings resolved")
    return dg.MaterializeResult(
        metadata={
            "field_mappings": len(resolved.field_mappings),
            "stage_mappings": len(resolved.stage_mappings),
            "conflict_strategy": resolved.workspace["conflict_strategy"],
            "field_keys": dg.MetadataValue.json(keys),
        }
    )
