"""The full_refresh job records its run in marts.sync_runs, through Dagster on the sandbox: what it extracted
and what it cost, with diffs and conflicts unknown since it does not reconcile; the health check's last sync
stays the last run that did."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import dagster as dg
import pytest

from pipedrive_etl.definitions import extraction_assets
from pipedrive_etl.defs.jobs import build_jobs
from pipedrive_etl.defs.metrics import metrics_assets
from pipedrive_etl.defs.resources import ColdCopyResource, SyncConfigResource, WarehouseResource
from pipedrive_etl.extract.pipedrive_runner import ExtractResult
from pipedrive_etl.metrics import (
    extraction_figures,
    last_synced_at,
    reconcile_figures,
    record_step,
    summarise_run,
    write_sync_run,
)
from pipedrive_etl.sandbox import FakeClock, Sandbox, seed_coldcopy, seed_pipedrive
from pipedrive_etl.warehouse import Warehouse, open_warehouse

from .conftest import DEMO_SYNC_YAML, TOKEN, RecordingTransport, SandboxPipedrive, raw_rows


def record_a_reconciling_run(warehouse: Warehouse, run_id: str, finished_at: datetime) -> None:
    started_at = finished_at - timedelta(minutes=10)
    result = ExtractResult("persons", "incremental", rows=3)
    record_step(warehouse, run_id, "demo", extraction_figures("pipedrive/persons", started_at, result))
    record_step(warehouse, run_id, "demo", reconcile_figures("reconcile", started_at))
    write_sync_run(warehouse, summarise_run(warehouse, run_id, "demo", now=finished_at))


def test_a_full_refresh_records_its_run_without_diffs_and_is_not_the_last_sync(
        tmp_path: Path, warehouse_url: str, monkeypatch: pytest.MonkeyPatch):
    clock = FakeClock()
    sandbox = Sandbox(plan="ultimate", seats=5, clock=clock, api_tokens=(TOKEN,))
    seed_pipedrive(sandbox, persons=10, organizations=3, deals=3, activities=5, seed=5)
    coldcopy_url = f"sqlite:///{tmp_path}/coldcopy.db"
    seed_coldcopy(coldcopy_url, sandbox, workspace_id="demo", seed=5)
    monkeypatch.setenv("COLDCOPY_DATABASE_URL", coldcopy_url)
    nightly_finished_at = (datetime.now(UTC) - timedelta(hours=1)).replace(microsecond=0)
    with open_warehouse(warehouse_url) as warehouse:
        record_a_reconciling_run(warehouse, "nightly-run", nightly_finished_at)

    transport = RecordingTransport(sandbox.transport(), clock)
    instance = dg.DagsterInstance.ephemeral()
    instance.add_dynamic_partitions("workspaces", ["demo"])
    defs = dg.Definitions(
        assets=[*extraction_assets, *metrics_assets], jobs=build_jobs(extraction_assets),
        resources={"sync_config": SyncConfigResource(path=str(DEMO_SYNC_YAML)),
                   "warehouse": WarehouseResource(url=warehouse_url),
                   "pipedrive": SandboxPipedrive(transport, clock), "coldcopy": ColdCopyResource()})
    result = defs.resolve_job_def("full_refresh").execute_in_process(partition_key="demo", instance=instance)
    assert result.success

    with open_warehouse(warehouse_url) as warehouse:
        rows = warehouse.fetchall(
            "select job_name, status, rows_extracted, api_requests, field_diffs, conflicts_raised, "
            "conflicts_open from marts.sync_runs where run_id = ?", [result.run_id])
        extracted = raw_rows(warehouse)
        last_sync = last_synced_at(warehouse, "demo")
    # Every record of both sides, read again: the raw tables hold nothing else (the nightly run was recorded,
    # not extracted).
    assert rows == [("full_refresh", "succeeded", extracted, len(transport.exchanges), None, None, None)]
    assert extracted > 0
    assert last_sync is not None
    assert last_sync == (nightly_finished_at, "succeeded")



def test_every_asset_that_records_step_figures_runs_before_the_summary():
    """Else a job selecting both (a full refresh) may summarise before a step has recorded."""
    from pipedrive_etl.definitions import defs
    from pipedrive_etl.defs.custom_fields import pipedrive_custom_fields
    from pipedrive_etl.defs.metrics import SYNC_RUNS

    parents = defs.resolve_asset_graph().get(SYNC_RUNS).parent_keys
    recorders = {key for asset in [*extraction_assets, pipedrive_custom_fields] for key in asset.keys}
    assert recorders - parents == set()
