"""Extraction assets: Pipedrive streams and the deal changelog, one materialization per workspace
partition."""


import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta

import dagster as dg

from ..config import ConfigError, Workspace
from ..connections import workspace_budget
from ..extract.pipedrive_runner import ExtractResult, extract_fields, extract_stream
from ..extract.stage_changes import extract_deal_stage_changes
from ..extract.streams import STREAMS
from ..metrics import extraction_figures, utc_now
from ..pipedrive import BlockedError, PipedriveClient, UnauthorizedError
from ..warehouse import Warehouse
from ..warehouse.ledger import WarehouseLedger
from .metrics import record_step_figures
from .partitions import workspaces
from .resources import PipedriveResource, SyncConfigResource, WarehouseResource

# Network-bound steps retry as a whole after the client's own retries gave up (an outage, an open circuit).
NETWORK_RETRY = dg.RetryPolicy(max_retries=2, delay=30, backoff=dg.Backoff.EXPONENTIAL)
# DuckDB allows one writer process: every step that writes the warehouse takes a slot of this pool.
WAREHOUSE_POOL = "warehouse"



class ExtractConfig(dg.Config):
    full_refresh: bool = False


Extraction = Callable[[PipedriveClient, Warehouse, Workspace, ExtractConfig, dg.AssetExecutionContext],
                      ExtractResult]


def result_metadata(result: ExtractResult, client: PipedriveClient) -> dict[str, object]:
    budget = client.budget
    metadata: dict[str, object] = {
        "mode": result.mode, "rows": result.rows, "pages": result.pages, "tokens": result.tokens,
        "cursor": result.cursor or "", "complete": result.complete, "requests": client.stats.requests,
        "rate_limited": client.stats.rate_limited,
    }
    if result.updated_since is not None:
        metadata["updated_since"] = result.updated_since.isoformat()
    if budget is not None:
        metadata["tokens_left_today"] = budget.remaining()
    if result.swept_deleted:
        metadata["swept_deleted"] = result.swept_deleted
    if result.deferred:
        metadata["deferred"] = result.deferred
    return metadata


@contextmanager
def no_retry_for_permanent_errors() -> Iterator[None]:
    """A bad sync.yaml, a rejected token or Cloudflare's block will not heal in 30 s:
    fail without step retries."""
    try:
        yield
    except (ConfigError, BlockedError, UnauthorizedError) as exc:
        raise dg.Failure(description=str(exc), allow_retries=False) from exc


def run_extraction(context: dg.AssetExecutionContext, config: ExtractConfig, sync_config: SyncConfigResource,
                   warehouse: WarehouseResource, pipedrive: PipedriveResource,
                   extraction: Extraction) -> dg.MaterializeResult:
    with no_retry_for_permanent_errors():
        return _run_extraction(context, config, sync_config, warehouse, pipedrive, extraction)


def _run_extraction(context: dg.AssetExecutionContext, config: ExtractConfig, sync_config: SyncConfigResource,
                    warehouse: WarehouseResource, pipedrive: PipedriveResource,
                    extraction: Extraction) -> dg.MaterializeResult:
    # A bad sync.yaml fails here, before any request.
    _, workspace = sync_config.load_workspace(context.partition_key)
    started_at = utc_now()
    with warehouse.open() as store:
        budget = workspace_budget(workspace, WarehouseLedger(store), share=workspace.extraction_budget_share)
        with pipedrive.client(workspace, budget, store) as client:
            result = extraction(client, store, workspace, config, context)
            metadata = result_metadata(result, client)
            record_step_figures(context, store, workspace.id, extraction_figures(
                context.asset_key.to_user_string(), started_at, result, client.stats))
    if result.deferred:
        context.log.warning(f"{result.stream}: deferred: {result.deferred}")
    context.log.info(f"{result.stream}: {result.rows} rows in {result.pages} pages, {result.tokens} tokens "
                     f"({result.mode})")
    return dg.MaterializeResult(metadata=metadata)


def progress_logger(context: dg.AssetExecutionContext,
                    every_seconds: float = 5.0) -> Callable[[str, int, int], None]:
    """Progress for long extractions, at most one line every few seconds
    (a changelog pass is thousands of pages)."""
    last = [0.0]

    def report(stream: str, pages: int, rows: int) -> None:
        now = time.monotonic()
        if now - last[0] >= every_seconds:
            last[0] = now
            context.log.info(f"{stream}: {pages} pages stored, {rows} rows so far")

    return report


def _stream_asset(name: str) -> dg.AssetsDefinition:
    stream = STREAMS[name]

    def extraction(client, store, workspace, config, context) -> ExtractResult:
        return extract_stream(client, store, workspace.id, stream, full_refresh=config.full_refresh,
                              lookback=timedelta(minutes=workspace.lookback_minutes),
                              sweep_every=timedelta(hours=workspace.id_sweep_every_hours),
                              max_age=timedelta(minutes=workspace.definitions_max_age_minutes),
                              on_page=progress_logger(context))

    @dg.asset(key=["pipedrive", name], partitions_def=workspaces, group_name="pipedrive", kinds={"pipedrive"},
              pool=WAREHOUSE_POOL, retry_policy=NETWORK_RETRY, owners=["team:pipedrive-etl"],
              description=f"Pipedrive {name} "
                          f"(v2 list{', incremental by updated_since' if stream.incremental else ''}) "
                          f"in {stream.table}: one row per {name[:-1]}, typed keys beside the raw JSON.")
    def _asset(context: dg.AssetExecutionContext, config: ExtractConfig, sync_config: SyncConfigResource,
               warehouse: WarehouseResource, pipedrive: PipedriveResource) -> dg.MaterializeResult:
        return run_extraction(context, config, sync_config, warehouse, pipedrive, extraction)

    return _asset


pipedrive_stream_assets = [_stream_asset(name) for name in STREAMS]


@dg.asset(key=["pipedrive", "fields"], partitions_def=workspaces, group_name="pipedrive", kinds={"pipedrive"},
          pool=WAREHOUSE_POOL, retry_policy=NETWORK_RETRY, owners=["team:pipedrive-etl"],
          description="Field definitions of persons, organizations, deals and activities (v2), custom fields "
                      "included, in raw.pipedrive_fields: one row per entity and field key.")
def pipedrive_fields(context: dg.AssetExecutionContext, config: ExtractConfig,
                     sync_config: SyncConfigResource, warehouse: WarehouseResource,
                     pipedrive: PipedriveResource) -> dg.MaterializeResult:
    return run_extraction(context, config, sync_config, warehouse, pipedrive,
                          lambda client, store, workspace, config, _context: extract_fields(
                              client, store, workspace.id, full_refresh=config.full_refresh,
                              max_age=timedelta(minutes=workspace.definitions_max_age_minutes)))


@dg.asset(key=["pipedrive", "deal_stage_changes"], deps=[dg.AssetKey(["pipedrive", "deals"])],
          partitions_def=workspaces, group_name="pipedrive", kinds={"pipedrive"}, pool=WAREHOUSE_POOL,
          retry_policy=NETWORK_RETRY, owners=["team:pipedrive-etl"],
          description="Stage moves from /v1/deals/{id}/changelog, "
                      "read only for deals whose stage_change_time "
                      "moved, in raw.pipedrive_deal_stage_changes: one row per stage change.")
def pipedrive_deal_stage_changes(context: dg.AssetExecutionContext, config: ExtractConfig,
                                 sync_config: SyncConfigResource, warehouse: WarehouseResource,
                                 pipedrive: PipedriveResource) -> dg.MaterializeResult:
    return run_extraction(context, config, sync_config, warehouse, pipedrive,
                          lambda client, store, workspace, _config, ctx: extract_deal_stage_changes(
                              client, store, workspace.id, on_page=progress_logger(ctx)))
