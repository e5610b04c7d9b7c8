"""The production shape: Dagster's storage in Postgres (deploy/dagster.yaml) and the warehouse in Postgres,
the nightly job materialized end to end against the sandbox served over HTTP."""

import shutil
from pathlib import Path

import dagster as dg
import pytest

from pipedrive_etl.demo import _free_port, _serve_sandbox
from pipedrive_etl.warehouse import open_warehouse

from ..postgres import temporary_database

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def second_postgres_url(_postgres_server_url):
    with temporary_database(_postgres_server_url, "pipedrive_etl_dagster") as url:
        yield url


def test_the_nightly_job_runs_on_postgres_storage_with_a_postgres_warehouse(
        tmp_path, monkeypatch, fresh_postgres_url, second_postgres_url):
    home = tmp_path / "dagster_home"
    home.mkdir()
    shutil.copy(REPO / "deploy" / "dagster.yaml", home / "dagster.yaml")
    port = _free_port()
    coldcopy_url = f"sqlite:///{tmp_path}/coldcopy.db"
    sandbox, server, thread = _serve_sandbox(80, 7, port, coldcopy_url)
    # dagster-postgres speaks psycopg2 (its NOTIFY needs client-side parameters); SQLAlchemy 2.1 would pick
    # psycopg 3.
    dagster_pg_url = second_postgres_url.replace("postgresql://", "postgresql+psycopg2://", 1)
    for name, value in {"DAGSTER_HOME": str(home), "DAGSTER_PG_URL": dagster_pg_url,
                        "WAREHOUSE_URL": fresh_postgres_url, "COLDCOPY_DATABASE_URL": coldcopy_url,
                        "PIPEDRIVE_BASE_URL": f"http://127.0.0.1:{port}",
                        "PIPEDRIVE_API_TOKEN": "sandbox-token",
                        "PIPEDRIVE_ETL_SYNC_CONFIG": str(REPO / "data" / "demo" / "sync.yaml")}.items():
        monkeypatch.setenv(name, value)
    monkeypatch.chdir(REPO)
    from pipedrive_etl.definitions import defs

    try:
        with dg.DagsterInstance.get() as instance:
            assert type(instance.run_storage).__name__ == "PostgresRunStorage"
            instance.add_dynamic_partitions("workspaces", ["demo"])
            result = defs.resolve_job_def("nightly_reconciliation").execute_in_process(
                instance=instance, partition_key="demo", raise_on_error=False,
                run_config={"ops": {"writeback__changes": {"config": {"allow_large_change": True}}}})
            failures = [e.event_specific_data.error.message for e in result.get_step_failure_events()]
            assert result.success, failures
            stored = instance.get_run_by_id(result.run_id)
            assert stored is not None and stored.is_success
    finally:
        server.should_exit = True
        thread.join(timeout=10)
    with open_warehouse(fresh_postgres_url) as warehouse:
        persons = warehouse.fetchone("select count(*) from raw.pipedrive_persons")[0]
        plan = warehouse.fetchone("select count(*) from marts.writeback_plan")[0]
        written = warehouse.fetchone("select count(*) from state.writeback_log where status = 'succeeded'")[0]
    assert persons == 80 and plan > 0 and written > 0
