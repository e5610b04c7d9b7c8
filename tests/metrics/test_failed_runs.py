"""A run that fails before its summary still gets its marts.sync_runs row, from the failure sensor."""

from __future__ import annotations

from pathlib import Path

import dagster as dg
import pytest

from pipedrive_etl.defs.coldcopy import coldcopy_assets
from pipedrive_etl.defs.dbt import dbt_resource, reconcile
from pipedrive_etl.defs.extract import pipedrive_stream_assets
from pipedrive_etl.defs.metrics import record_failed_sync_runs
from pipedrive_etl.defs.resources import ColdCopyResource, SyncConfigResource, WarehouseResource
from pipedrive_etl.metrics import summarise_run, write_sync_run
from pipedrive_etl.sandbox import FakeClock, Sandbox, seed_coldcopy, seed_pipedrive
from pipedrive_etl.warehouse import open_warehouse

from .conftest import DEMO_SYNC_YAML, RecordingTransport, SandboxPipedrive

REVOKED = "revoked-token"


@pytest.fixture
def failed_run(tmp_path: Path, warehouse_url: str, monkeypatch: pytest.MonkeyPatch):
    """Leads extracted, then Pipedrive refuses the token: the run fails at the persons step."""
    clock = FakeClock()
    sandbox = Sandbox(plan="ultimate", seats=5, clock=clock, api_tokens=("another-token",))
    seed_pipedrive(sandbox, persons=10, organizations=3, deals=3, activities=3, seed=3)
    coldcopy_url = f"sqlite:///{tmp_path}/coldcopy.db"
    seed_coldcopy(coldcopy_url, sandbox, workspace_id="demo", seed=3)
    monkeypatch.setenv("COLDCOPY_DATABASE_URL", coldcopy_url)
    instance = dg.DagsterInstance.ephemeral()
    instance.add_dynamic_partitions("workspaces", ["demo"])
    pipedrive = SandboxPipedrive(RecordingTransport(sandbox.transport(), clock), clock, token=REVOKED)
    leads = next(asset for asset in coldcopy_assets if asset.key.path == ["coldcopy", "leads"])
    persons = next(asset for asset in pipedrive_stream_assets if asset.key.path == ["pipedrive", "persons"])
    result = dg.materialize(
        [leads, persons], partition_key="demo", instance=instance, raise_on_error=False,
        resources={"sync_config": SyncConfigResource(path=str(DEMO_SYNC_YAML)),
                   "warehouse": WarehouseResource(url=warehouse_url), "pipedrive": pipedrive,
                   "coldcopy": ColdCopyResource()})
    assert not result.success
    return instance, result


def run_failure_sensor(instance: dg.DagsterInstance, result: dg.ExecuteInProcessResult,
                       warehouse_url: str) -> None:
    context = dg.build_run_status_sensor_context(
        sensor_name=record_failed_sync_runs.name, dagster_instance=instance, dagster_run=result.dagster_run,
        dagster_event=result.get_run_failure_event(),
        resources={"warehouse": WarehouseResource(url=warehouse_url)})
    record_failed_sync_runs(context.for_run_failure())


def test_a_run_refused_by_pipedrive_is_recorded_failed_with_the_steps_that_finished(failed_run,
                                                                                    warehouse_url):
    instance, result = failed_run
    run_failure_sensor(instance, result, warehouse_url)
    with open_warehouse(warehouse_url) as warehouse:
        rows = warehouse.fetchall("select run_id, status, steps, coldcopy_rows_extracted, field_diffs "
                                  "from marts.sync_runs")
        leads = warehouse.fetchone("select count(*) from raw.coldcopy_leads")[0]
    assert rows == [(result.run_id, "failed", 1, leads, None)]
    assert leads > 0


def test_a_failure_seen_after_a_reexecution_succeeded_keeps_the_succeeded_row(failed_run, warehouse_url):
    instance, result = failed_run
    with open_warehouse(warehouse_url) as warehouse:  # the re-execution's summary, written under the run
        write_sync_run(warehouse, summarise_run(warehouse, result.run_id, "demo"))
    run_failure_sensor(instance, result, warehouse_url)
    with open_warehouse(warehouse_url) as warehouse:
        assert warehouse.fetchall("select status from marts.sync_runs") == [("succeeded",)]


def test_a_dbt_build_that_fails_records_its_step_unfinished_with_dbts_message(tmp_path):
    warehouse_url = f"duckdb:///{tmp_path}/warehouse.duckdb"  # recording is the same on both backends
    with open_warehouse(warehouse_url) as warehouse:  # extraction never ran: the persons' table is missing
        warehouse.execute("drop table raw.pipedrive_persons")
    instance = dg.DagsterInstance.ephemeral()
    instance.add_dynamic_partitions("workspaces", ["demo"])
    resources = {"dbt": dbt_resource, "warehouse": WarehouseResource(url=warehouse_url)}
    result = dg.materialize([reconcile], partition_key="demo", instance=instance, raise_on_error=False,
                            resources=resources)
    assert not result.success
    with open_warehouse(warehouse_url) as warehouse:
        steps = warehouse.fetchall("select step, source, is_complete, stop_reason from state.run_metrics "
                                   "where run_id = ?", [result.run_id])
    [(step, source, is_complete, stop_reason)] = steps
    assert (step, source, is_complete) == ("reconcile", "dbt", False)
    # The failed model and dbt's own reason, not only dagster-dbt's "exit code 1".
    assert stop_reason.startswith("dbt build: 1 failed: stg_pipedrive__persons (")
    assert "pipedrive_persons does not exist" in stop_reason
