"""`dbt build` is green on DuckDB and on Postgres: every model, data test and unit test passes."""

from pathlib import Path

from pipedrive_etl.warehouse import open_warehouse

from .conftest import Reconciled, run_dbt


def _statuses(reconciled: Reconciled, resource: str) -> dict[str, str]:
    return {
        result["unique_id"]: result["status"]
        for result in reconciled.run_results["results"]
        if result["unique_id"].startswith(resource)
    }


def test_dbt_build_succeeds(reconciled: Reconciled) -> None:
    assert reconciled.build.returncode == 0, reconciled.build.stdout[-6000:]


def test_every_model_is_built(reconciled: Reconciled) -> None:
    models = _statuses(reconciled, "model.")
    assert len(models) >= 40 and set(models.values()) == {"success"}


def test_every_data_test_passes(reconciled: Reconciled) -> None:
    tests = _statuses(reconciled, "test.")
    failing = {unique_id: status for unique_id, status in tests.items() if status != "pass"}
    assert len(tests) >= 70 and failing == {}


def test_unit_tests_of_the_merge_rules_and_stage_intervals_run_in_the_same_build(
    reconciled: Reconciled,
) -> None:
    unit_tests = _statuses(reconciled, "unit_test.")
    models = {unique_id.split(".")[2] for unique_id in unit_tests}
    assert {"int_field_merge_outcomes", "int_deal_stage_intervals"} <= models
    assert set(unit_tests.values()) == {"pass"}


def test_dbt_build_succeeds_on_a_warehouse_without_data_or_mappings(tmp_path: Path) -> None:
    # A new deployment's first build, before extraction and sync_config: every model compiles and runs on
    # empty tables (with no mapping, the lead-column CASE had no WHEN and was a syntax error).
    url = f"duckdb:///{tmp_path / 'empty.duckdb'}"
    open_warehouse(url).close()
    build = run_dbt(url, tmp_path, "build", "--vars", '{"workspace_id": "empty"}')
    assert build.returncode == 0, build.stdout[-6000:]


def test_the_baseline_key_test_fails_when_the_table_loses_its_primary_key(
    warehouse_url: str, tmp_path: Path
) -> None:
    # stg_state__sync_baseline's key is checked in the catalog (primary_key_enforced), not by grouping its
    # rows: without the table's primary key the build must fail on that test, on both backends.
    with open_warehouse(warehouse_url) as warehouse:
        warehouse.execute(
            "create table state.sync_baseline_unkeyed as select * from state.sync_baseline where false"
        )
        warehouse.execute("drop table state.sync_baseline")
        warehouse.execute("alter table state.sync_baseline_unkeyed rename to sync_baseline")
    build = run_dbt(warehouse_url, tmp_path, "build", "--select", "stg_state__sync_baseline")
    assert build.returncode != 0
    failures = [
        line
        for line in build.stdout.splitlines()
        if "FAIL 1 primary_key_enforced_stg_state__sync_baseline" in line
    ]
    assert failures, build.stdout[-4000:]
