"""Run metrics in Dagster: steps record their figures, the last asset of a run writes `marts.sync_runs`.

`record_step_figures` is what the extraction and writeback assets call once their work is done. The
["sync_runs"] asset runs after the marts, the webhook copy and the writeback, adds the run up
(pipedrive_etl.metrics) and returns the same figures as numeric metadata, which the UI plots per partition
over time. A run that fails never reaches that asset: `record_failed_sync_runs` writes its row (status
`failed`) from whatever its steps recorded. Figures belong to the original run when a run is re-executed, so
the re-execution replaces rows instead of adding a run.
"""

from datetime import UTC, datetime

import dagster as dg

from ..connections import workspace_budget
from ..extract.coldcopy_runner import COLDCOPY_TABLES
from ..extract.streams import STREAMS
from ..metrics import StepFigures, SyncRun, record_step, summarise_run, write_sync_run
from ..metrics.sync_runs import SYNCED_STATUSES, recorded_status
from ..warehouse import Warehouse
from ..warehouse.ledger import WarehouseLedger
from .partitions import workspaces
from .resources import SyncConfigResource, WarehouseResource

SYNC_RUNS = dg.AssetKey(["sync_runs"])
# What a run's summary reads: the writeback's outcomes, the marts' diffs and conflicts, the copied events.
SUMMARISED = [dg.AssetKey(["writeback", "changes"]), dg.AssetKey(["sync_field_diffs"]),
              dg.AssetKey(["sync_conflicts"]), dg.AssetKey(["pipedrive", "webhook_events"])]
# The other assets that record step figures, named here because they import this module. Upstream of the
# summary, so it runs after them in any job that selects them: a full refresh selects only extraction and the
# summary, and Dagster orders a job's assets by the dependencies among those it selected.
STEP_RECORDERS = [
    *(dg.AssetKey(["pipedrive", name])
      for name in (*STREAMS, "fields", "deal_stage_changes", "custom_fields")),
    *(dg.AssetKey(["coldcopy", name]) for name in COLDCOPY_TABLES),
]
PARTITION_TAG = "dagster/partition"


def metrics_run_id(run: dg.DagsterRun) -> str:
    return run.root_run_id or run.run_id


def record_step_figures(context: dg.AssetExecutionContext, store: Warehouse, workspace_id: str,
                        figures: StepFigures) -> None:
    record_step(store, metrics_run_id(context.run), workspace_id, figures, job_name=context.run.job_name)


def _run_started_at(instance: dg.DagsterInstance, run_id: str) -> datetime | None:
    record = instance.get_run_record_by_id(run_id)
    if record is None or record.start_time is None:
        return None
    return datetime.fromtimestamp(record.start_time, UTC)


def sync_run_metadata(run: SyncRun) -> dict[str, object]:
    return {**run.figures(), "status": run.status, "is_dry_run": run.is_dry_run,
            "writes_by_outcome": dg.MetadataValue.json(run.writes_by_outcome)}


@dg.asset(key=SYNC_RUNS, deps=[*SUMMARISED, *STEP_RECORDERS], partitions_def=workspaces, group_name="metrics",
          kinds={"python"},
          pool="warehouse",  # the warehouse pool of defs/extract.py (it imports this module)
          owners=["team:pipedrive-etl"],
          description="The run's summary in marts.sync_runs (one row per run and workspace): rows extracted, "
                      "diffs, conflicts raised and resolved, writes by outcome, tokens used and left, API "
                      "requests, 429s, latency, webhook events, duration. The same figures as metadata.")
def sync_runs(context: dg.AssetExecutionContext, sync_config: SyncConfigResource,
              warehouse: WarehouseResource) -> dg.MaterializeResult:
    _, workspace = sync_config.load_workspace(context.partition_key)
    run_id = metrics_run_id(context.run)
    with warehouse.open() as store:
        run = summarise_run(store, run_id, workspace.id, job_name=context.run.job_name,
                            run_started_at=_run_started_at(context.instance, run_id),
                            budget=workspace_budget(workspace, WarehouseLedger(store)))
        write_sync_run(store, run)
    context.log.info(f"run {run_id} of {workspace.id}: {run.status}, {run.rows_extracted} rows extracted, "
                     f"{run.writes_succeeded} writes, {run.tokens_used} tokens, {run.duration_seconds:.0f} s")
    return dg.MaterializeResult(metadata=sync_run_metadata(run))


@dg.run_failure_sensor(name="record_failed_sync_runs", default_status=dg.DefaultSensorStatus.RUNNING,
                       description="Writes the marts.sync_runs row (status failed) of a workspace run that "
                                   "failed before its summary, from what its steps recorded.")
def record_failed_sync_runs(context: dg.RunFailureSensorContext, warehouse: WarehouseResource) -> None:
    run = context.dagster_run
    workspace_id = run.tags.get(PARTITION_TAG)
    if not workspace_id:  # not a workspace run (a sensor's or an unpartitioned job's)
        return
    run_id = metrics_run_id(run)
    with warehouse.open() as store:
        if recorded_status(store, run_id, workspace_id) in SYNCED_STATUSES:
            return  # a re-execution of the run succeeded before this failure was seen: keep its row
        write_sync_run(store, summarise_run(store, run_id, workspace_id, job_name=run.job_name, failed=True,
                                            run_started_at=_run_started_at(context.instance, run_id)))


metrics_assets = [sync_runs]
metrics_sensors = [record_failed_sync_runs]
