"""Each dbt build in a directory of its own, seeded with its workspace's parse state, old ones pruned
(pipedrive_etl/dbt_target.py); and, through Dagster, a second build of a workspace parses only what
changed."""

from __future__ import annotations

import os
from pathlib import Path

import dagster as dg
import pytest

from pipedrive_etl.dbt_target import (
    PARTIAL_PARSE,
    new_build_dir,
    prune_builds,
    save_parse_state,
)
from pipedrive_etl.defs.dbt import dbt_resource, reconcile
from pipedrive_etl.defs.resources import WarehouseResource
from pipedrive_etl.warehouse import open_warehouse

FULL_PARSE = "Unable to do partial parsing"


def test_a_build_directory_is_seeded_with_its_workspaces_saved_state_only(tmp_path):
    first = new_build_dir(tmp_path, "demo", "run-one-1234")
    assert not (first / PARTIAL_PARSE).exists()  # nothing saved yet
    (first / PARTIAL_PARSE).write_bytes(b"demo's state")
    save_parse_state(tmp_path, "demo", first)
    second = new_build_dir(tmp_path, "demo", "run-two-1234")
    other = new_build_dir(tmp_path, "acme/eu", "run-two-1234")
    assert (second / PARTIAL_PARSE).read_bytes() == b"demo's state"
    assert not (other / PARTIAL_PARSE).exists()
    assert second.name.startswith("reconcile-demo-run-two-") and other.name.startswith("reconcile-acme_eu-")
    assert sorted(path.name for path in (tmp_path / "partial_parse").iterdir()) == ["demo.msgpack"]


def test_a_build_that_wrote_no_state_leaves_the_saved_one(tmp_path):
    build = new_build_dir(tmp_path, "demo", "run-one")
    (build / PARTIAL_PARSE).write_bytes(b"kept")
    save_parse_state(tmp_path, "demo", build)
    save_parse_state(tmp_path, "demo", new_build_dir(tmp_path, "demo", "run-two"))  # dbt failed to start
    assert (tmp_path / "partial_parse" / "demo.msgpack").read_bytes() == b"kept"


def test_pruning_keeps_the_newest_build_directories_and_the_saved_states(tmp_path):
    builds = []
    for age in range(5):
        build = new_build_dir(tmp_path, "demo", f"run-{age}")
        os.utime(build, (1_000_000 - age, 1_000_000 - age))  # run-0 newest
        builds.append(build)
    (tmp_path / "manifest.json").write_text("{}")
    removed = prune_builds(tmp_path, keep=2)
    assert sorted(removed) == sorted(builds[2:])
    assert sorted(path.name for path in tmp_path.iterdir()) == sorted(
        [builds[0].name, builds[1].name, "manifest.json"])


def _build_logs(root: Path) -> list[str]:
    builds = sorted(root.glob("reconcile-demo-*"), key=lambda path: path.stat().st_mtime)
    return [(build / "dbt.log").read_text() for build in builds]


def test_the_second_build_of_a_workspace_parses_only_what_changed(tmp_path, monkeypatch: pytest.MonkeyPatch):
    root = tmp_path / "target"
    monkeypatch.setenv("DBT_TARGET_PATH", str(root))
    warehouse_url = f"duckdb:///{tmp_path}/warehouse.duckdb"
    open_warehouse(warehouse_url).close()  # an empty warehouse: every table there, no rows
    instance = dg.DagsterInstance.ephemeral()
    instance.add_dynamic_partitions("workspaces", ["demo"])
    resources = {"dbt": dbt_resource, "warehouse": WarehouseResource(url=warehouse_url)}
    for _ in range(2):
        result = dg.materialize([reconcile], partition_key="demo", instance=instance, resources=resources)
        assert result.success
    first, second = _build_logs(root)
    assert FULL_PARSE in first  # nothing saved yet: dbt parsed the project whole
    assert FULL_PARSE not in second
    assert (root / "partial_parse" / "demo.msgpack").exists()
