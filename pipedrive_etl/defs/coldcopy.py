"""Extraction assets for ColdCopy: leads, companies, email events and call logs, one materialization per
workspace."""

from datetime import timedelta

import dagster as dg

from ..extract.coldcopy_runner import COLDCOPY_TABLES, extract_coldcopy_table
from ..metrics import extraction_figures, utc_now
from ..metrics.steps import COLDCOPY
from .extract import WAREHOUSE_POOL, ExtractConfig, no_retry_for_permanent_errors, progress_logger
from .metrics import record_step_figures
from .partitions import workspaces
from .resources import ColdCopyResource, SyncConfigResource, WarehouseResource

_GRAIN = {"leads": "lead", "companies": "company",
          "email_events": "email event (sent, opened, clicked, replied, bounced)",
          "call_logs": "logged call (direction, outcome, duration, notes)"}


def _coldcopy_asset(name: str) -> dg.AssetsDefinition:
    spec = COLDCOPY_TABLES[name]

    @dg.asset(key=["coldcopy", name], partitions_def=workspaces, group_name="coldcopy", kinds={"sql"},
              pool=WAREHOUSE_POOL, retry_policy=dg.RetryPolicy(max_retries=2, delay=15),
              owners=["team:pipedrive-etl"],
              description=f"ColdCopy {name} of the workspace, "
                          f"incremental by {spec.change_column}, in {spec.table}: "
                          f"one row per {_GRAIN[name]}, the source row kept whole as JSON.")
    def _asset(context: dg.AssetExecutionContext, config: ExtractConfig, sync_config: SyncConfigResource,
               warehouse: WarehouseResource, coldcopy: ColdCopyResource) -> dg.MaterializeResult:
        with no_retry_for_permanent_errors():
            settings, workspace = sync_config.load_workspace(context.partition_key)
        engine = coldcopy.engine(settings)
        started_at = utc_now()
        try:
            with warehouse.open() as store:
                result = extract_coldcopy_table(
                    engine, store, workspace.id, workspace.coldcopy_id, spec,
                    full_refresh=config.full_refresh,
                    lookback=timedelta(minutes=workspace.lookback_minutes),
                    sweep_every=timedelta(hours=workspace.id_sweep_every_hours),
                    on_page=progress_logger(context))
                record_step_figures(context, store, workspace.id, extraction_figures(
                    context.asset_key.to_user_string(), started_at, result, source=COLDCOPY))
        finally:
            engine.dispose()
        context.log.info(f"{result.stream}: {result.rows} rows ({result.mode})")
        return dg.MaterializeResult(metadata={"mode": result.mode, "rows": result.rows,
                                              "batches": result.pages,
                                              "updated_since": result.updated_since.isoformat()
                                              if result.updated_since else ""})

    return _asset


coldcopy_assets = [_coldcopy_asset(name) for name in COLDCOPY_TABLES]
