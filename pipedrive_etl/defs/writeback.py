"""The writeback step: executes `marts.writeback_plan` for one workspace, shaped like an op with a dry run."""

import dagster as dg

from ..connections import workspace_budget
from ..metrics import utc_now, writeback_figures
from ..warehouse.ledger import WarehouseLedger
from ..writeback.plan import DEFAULT_PRIORITY_ORDER, load_plan
from ..writeback.runner import WritebackResult, run_writeback
from ..writeback.selection import DEFAULT_MAX_CHANGED_SHARE
from .extract import NETWORK_RETRY, WAREHOUSE_POOL, no_retry_for_permanent_errors
from .metrics import record_step_figures
from .partitions import workspaces
from .resources import ColdCopyResource, PipedriveResource, SyncConfigResource, WarehouseResource

WRITEBACK_PLAN = dg.AssetKey(["writeback_plan"])


class WritebackConfig(dg.Config):
    dry_run: bool = False
    allow_large_change: bool = False
    max_changed_share: float = DEFAULT_MAX_CHANGED_SHARE
    priority_order: list[int] = list(DEFAULT_PRIORITY_ORDER)


def _table(report: list[dict[str, object]]) -> str:
    lines = ["| target | record | operation | field | before | after |", "|---|---|---|---|---|---|"]
    lines += [f"| {r['target']} | {r['record']} | {r['operation']} | {r['field']} | "
              f"{r['before']} | {r['after']} |"
              for r in report]
    return "\n".join(lines)


def _metadata(result: WritebackResult, tokens_left: int) -> dict[str, object]:
    metadata: dict[str, object] = {"dry_run": result.dry_run, "planned": result.planned,
                                   "tokens_planned": result.tokens_planned, "tokens_used": result.tokens_used,
                                   "tokens_left_today": tokens_left}
    metadata.update({f"writes_{status}": count for status, count in sorted(result.counts.items())})
    if result.stopped:
        metadata["stopped"] = result.stopped
    if result.report:
        metadata["changes"] = dg.MetadataValue.md(_table(result.report))
    return metadata


@dg.asset(key=["writeback", "changes"], deps=[WRITEBACK_PLAN], partitions_def=workspaces,
          group_name="writeback", kinds={"pipedrive", "sql"}, pool=WAREHOUSE_POOL, retry_policy=NETWORK_RETRY,
          owners=["team:pipedrive-etl"],
          description="Writes the workspace's writeback plan to Pipedrive (PATCH, creates, activities) "
                      "and ColdCopy (lead updates, campaign actions) under the day's token budget, "
                      "exactly once; the outcome of every write is in state.writeback_log.")
def writeback_changes(context: dg.AssetExecutionContext, config: WritebackConfig,
                      sync_config: SyncConfigResource,
                      warehouse: WarehouseResource, pipedrive: PipedriveResource,
                      coldcopy: ColdCopyResource) -> dg.MaterializeResult:
    with no_retry_for_permanent_errors():
        settings, workspace = sync_config.load_workspace(context.partition_key)
    engine = coldcopy.engine(settings)
    started_at = utc_now()
    try:
        with warehouse.open() as store:
            plan = load_plan(store, workspace.id)
            budget = workspace_budget(workspace, WarehouseLedger(store))
            context.log.info(f"{len(plan)} planned rows, {sum(r.token_cost for r in plan)} tokens; "
                             f"{budget.remaining()} tokens left today")
            with pipedrive.client(workspace, budget, store) as client:
                result = run_writeback(
                    plan, warehouse=store, workspace_id=workspace.id,
                    coldcopy_workspace_id=workspace.coldcopy_id,
                    client=client, coldcopy_engine=engine, remaining_tokens=budget.remaining(),
                    dry_run=config.dry_run, allow_large_change=config.allow_large_change,
                    max_changed_share=config.max_changed_share, priority_order=config.priority_order,
                    on_progress=lambda partial: context.log.info(f"writeback so far: {partial.counts}"))
                record_step_figures(context, store, workspace.id, writeback_figures(
                    context.asset_key.to_user_string(), started_at, result, client.stats))
            tokens_left = budget.remaining()
    finally:
        engine.dispose()
    if result.blocked:
        raise dg.Failure(description=f"writeback blocked: {result.blocked}", allow_retries=False,
                         metadata=_metadata(result, tokens_left))
    context.log.info(f"writeback {'(dry run) ' if result.dry_run else ''}done: {result.counts}")
    return dg.MaterializeResult(metadata=_metadata(result, tokens_left))


writeback_assets = [writeback_changes]
