"""Assembles the Dagster definitions; nothing else happens here."""

import dagster as dg

from .defs.coldcopy import coldcopy_assets
from .defs.extract import pipedrive_deal_stage_changes, pipedrive_fields, pipedrive_stream_assets
from .defs.jobs import build_jobs
from .defs.resources import ColdCopyResource, PipedriveResource, SyncConfigResource, WarehouseResource
from .defs.sensors import register_workspaces

extraction_assets = [*pipedrive_stream_assets, pipedrive_fields, pipedrive_deal_stage_changes, *coldcopy_assets]

defs = dg.Definitions(
    assets=extraction_assets,
    jobs=build_jobs(extraction_assets),
    sensors=[register_workspaces],
    resources={"sync_config": SyncConfigResource(), "warehouse": WarehouseResource(),
               "pipedrive": PipedriveResource(), "coldcopy": ColdCopyResource()},
)
