"""Assembles the Dagster definitions; nothing else happens here."""

import os

import dagster as dg

from .defs.checks import operational_checks
from .defs.coldcopy import coldcopy_assets
from .defs.custom_fields import pipedrive_custom_fields
from .defs.dbt import dbt_resource, reconcile_assets, reconcile_checks
from .defs.extract import pipedrive_deal_stage_changes, pipedrive_fields, pipedrive_stream_assets
from .defs.jobs import build_jobs
from .defs.metrics import metrics_assets, metrics_sensors
from .defs.resources import ColdCopyResource, PipedriveResource, SyncConfigResource, WarehouseResource
from .defs.schedules import nightly_schedule
from .defs.sensors import register_workspaces
from .defs.webhooks import webhook_assets, webhook_jobs, webhook_resources, webhook_sensors
from .defs.writeback import writeback_assets
from .redaction import install_redaction

install_redaction()  # every step process loads this module: credentials never reach a log or the event log

extraction_assets = [*pipedrive_stream_assets, pipedrive_fields, pipedrive_deal_stage_changes,
                     *coldcopy_assets]

defs = dg.Definitions(
    assets=[*extraction_assets, pipedrive_custom_fields, *webhook_assets, *reconcile_assets,
            *writeback_assets, *metrics_assets],
    asset_checks=[*operational_checks, *reconcile_checks],
    jobs=[*build_jobs(extraction_assets), *webhook_jobs],
    schedules=[nightly_schedule(os.environ.get("PIPEDRIVE_ETL_NIGHTLY_CRON", "0 2 * * *"),
                                os.environ.get("PIPEDRIVE_ETL_NIGHTLY_TIMEZONE", "UTC"))],
    sensors=[register_workspaces, *webhook_sensors, *metrics_sensors],
    resources={"sync_config": SyncConfigResource(), "warehouse": WarehouseResource(),
               "pipedrive": PipedriveResource(), "coldcopy": ColdCopyResource(), "dbt": dbt_resource,
               **webhook_resources},
)
