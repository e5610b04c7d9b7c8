"""The dbt project in Dagster: the pure pieces of defs/dbt.py, the definitions it adds, and one partitioned
run."""

from __future__ import annotations

import json
import os
import shutil
import sys
from pathlib import Path

import dagster as dg
import pytest

from pipedrive_etl.dbt_command import dbt_args, dbt_executable, dbt_warehouse_url, environment
from pipedrive_etl.defs.dbt import dbt_resource, reconcile, reconcile_assets, reconcile_checks
from pipedrive_etl.defs.resources import (
    ColdCopyResource,
    PipedriveResource,
    SyncConfigResource,
    WarehouseResource,
)
from pipedrive_etl.warehouse import open_warehouse

from .conftest import DEMO_CONFIG, Reconciled


def test_dbt_args_build_one_workspace_with_its_id_as_a_dbt_var() -> None:
    args = dbt_args("acme")
    assert args[0] == "build" and json.loads(args[args.index("--vars") + 1]) == {"workspace_id": "acme"}


def test_dbt_args_without_a_workspace_reconcile_every_workspace() -> None:
    assert json.loads(dbt_args(None)[2]) == {"workspace_id": ""}


def test_dbt_args_leave_unit_tests_to_ci() -> None:
    # Production builds skip dbt's unit tests (fixed inputs); CI's shared build runs them, on both backends.
    for args in (dbt_args("acme"), dbt_args(None, full_refresh=True)):
        assert args[args.index("--exclude-resource-type") + 1] == "unit_test"


def test_dbt_args_rebuild_tables_whole_on_a_full_refresh() -> None:
    assert dbt_args("acme", full_refresh=True)[-1] == "--full-refresh" and "--full-refresh" not in dbt_args(
        "acme"
    )


def test_dbt_runs_from_beside_the_interpreter_even_without_an_activated_environment() -> None:
    assert dbt_executable() == str(Path(sys.executable).with_name("dbt"))


def test_a_relative_duckdb_path_reaches_dbt_absolute(tmp_path: Path) -> None:
    assert (
        dbt_warehouse_url("duckdb:///data/warehouse.duckdb", tmp_path)
        == f"duckdb:///{tmp_path}/data/warehouse.duckdb"
    )


def test_a_postgres_url_reaches_dbt_unchanged(tmp_path: Path) -> None:
    assert (
        dbt_warehouse_url("postgresql://etl@db:5432/warehouse", tmp_path)
        == "postgresql://etl@db:5432/warehouse"
    )


def test_the_environment_for_dbt_is_restored_afterwards(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WAREHOUSE_URL", "duckdb:///before.duckdb")
    with environment(WAREHOUSE_URL="duckdb:///during.duckdb"):
        assert os.environ["WAREHOUSE_URL"] == "duckdb:///during.duckdb"
    assert os.environ["WAREHOUSE_URL"] == "duckdb:///before.duckdb"


def _graph() -> dg.AssetGraph:
    from pipedrive_etl.definitions import extraction_assets

    defs = dg.Definitions(
        assets=[*extraction_assets, *reconcile_assets],
        asset_checks=reconcile_checks,
        resources={
            "sync_config": SyncConfigResource(),
            "warehouse": WarehouseResource(),
            "pipedrive": PipedriveResource(),
            "coldcopy": ColdCopyResource(),
            "dbt": dbt_resource,
        },
    )
    return defs.resolve_asset_graph()


def test_dbt_sources_join_the_extraction_assets_and_the_sync_config() -> None:
    graph = _graph()
    assert graph.get(dg.AssetKey(["stg_pipedrive__persons"])).parent_keys == {
        dg.AssetKey(["pipedrive", "persons"])
    }
    assert graph.get(dg.AssetKey(["stg_coldcopy__leads"])).parent_keys == {dg.AssetKey(["coldcopy", "leads"])}
    assert graph.get(dg.AssetKey(["stg_state__field_mappings"])).parent_keys == {dg.AssetKey(["sync_config"])}
    assert graph.get(dg.AssetKey(["sync_config"])).parent_keys == {
        dg.AssetKey(["pipedrive", name]) for name in ("fields", "custom_fields", "stages", "pipelines")
    }


def test_each_layer_is_its_own_asset_group() -> None:
    graph = _graph()
    assert [
        graph.get(dg.AssetKey([name])).group_name
        for name in ("stg_pipedrive__deals", "int_links", "writeback_plan")
    ] == ["staging", "intermediate", "marts"]


def test_dbt_tests_are_asset_checks_of_the_models_they_test() -> None:
    checks = {key.name for key in reconcile.check_keys if key.asset_key == dg.AssetKey(["writeback_plan"])}
    assert "primary_key_writeback_plan_workspace_id__plan_key" in checks


def test_every_reconcile_asset_is_partitioned_by_workspace() -> None:
    assert {asset.partitions_def.name for asset in reconcile_assets} == {"workspaces"}


def test_a_workspace_run_replaces_only_that_workspaces_rows(
    reconciled_duckdb: Reconciled, tmp_path: Path
) -> None:
    warehouse_path = tmp_path / "warehouse.duckdb"
    shutil.copy(reconciled_duckdb.url.removeprefix("duckdb:///"), warehouse_path)
    url = f"duckdb:///{warehouse_path}"
    with open_warehouse(url) as warehouse:
        planned = warehouse.fetchone("select count(*) from marts.writeback_plan where workspace_id = 'demo'")[
            0
        ]
        for workspace in ("demo", "merges"):
            warehouse.execute(
                "insert into marts.writeback_plan (workspace_id, plan_key, target_system, entity, "
                "operation, priority, token_cost) values (?, 'stale', 'state', 'link', 'update', 0, 0)",
                [workspace],
            )
    instance = dg.DagsterInstance.ephemeral()
    instance.add_dynamic_partitions("workspaces", ["demo"])
    result = dg.materialize(
        reconcile_assets,
        selection=dg.AssetSelection.assets(["sync_config"], ["writeback_plan"]),
        partition_key="demo",
        instance=instance,
        resources={
            "sync_config": SyncConfigResource(path=str(DEMO_CONFIG)),
            "warehouse": WarehouseResource(url=url),
            "dbt": dbt_resource,
        },
    )
    assert result.success
    evaluations = {
        evaluation.check_name: evaluation.passed for evaluation in result.get_asset_check_evaluations()
    }
    assert evaluations["primary_key_writeback_plan_workspace_id__plan_key"] is True
    with open_warehouse(url) as warehouse:
        counts = dict(
            warehouse.fetchall(
                "select workspace_id, count(*) from marts.writeback_plan "
                "where plan_key = 'stale' or workspace_id = 'demo' group by workspace_id"
            )
        )
    assert counts == {"demo": planned, "merges": 1}
