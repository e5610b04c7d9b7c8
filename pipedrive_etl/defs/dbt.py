"""dbt in Dagster: every model of dbt_project/ an asset (groups staging, intermediate, marts), every dbt test
an asset check, one `dbt build` per workspace partition.

Lineage joins the other assets by name: the dbt sources `pipedrive` and `coldcopy` give keys such as
["pipedrive", "persons"] and ["coldcopy", "leads"], and the mapping tables of the `state` source are declared
as the ["sync_config"] asset (meta.dagster.asset_key), state.webhook_events the ["pipedrive",
"webhook_events"] asset. Models are keyed by their name alone (["writeback_plan"]); the name already says the
layer.

A run reconciles one workspace: the partition key reaches dbt as the var `workspace_id`. Views are never
filtered (runs of two workspaces may rebuild them at once on Postgres); tables replace only that workspace's
rows (dbt_project/macros/workspace_scope.sql). dbt reads the same WAREHOUSE_URL as Python, made absolute here
because dbt runs in the project directory. The build records its step in the run's figures (state.run_metrics,
step `reconcile`): its time, and on failure the models and tests that failed. Its artifacts go to a directory
of its own, seeded with the workspace's parse state (pipedrive_etl/dbt_target.py).
"""

import os
import shutil
from collections.abc import Iterator, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

import dagster as dg
from dagster_dbt import (
    DagsterDbtTranslator,
    DagsterDbtTranslatorSettings,
    DbtCliInvocation,
    DbtCliResource,
    DbtProject,
    dbt_assets,
)

from ..dbt_command import DBT_PROJECT_DIR, dbt_args, dbt_executable, dbt_warehouse_url, environment
from ..dbt_target import new_build_dir, prune_builds, save_parse_state, target_root
from ..metrics import reconcile_figures, utc_now
from .extract import WAREHOUSE_POOL
from .metrics import record_step_figures
from .partitions import workspaces
from .resources import WarehouseResource
from .sync_config import sync_config

dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)


def manifest_is_stale(project: DbtProject) -> bool:
    """No manifest, or a model, macro, test or the project file changed after it was written."""
    if not project.manifest_path.exists():
        return True
    written = project.manifest_path.stat().st_mtime
    sources = [
        project.project_dir / "dbt_project.yml",
        *(project.project_dir / folder for folder in ("models", "macros", "tests")),
    ]
    return any(
        path.stat().st_mtime > written
        for source in sources
        if source.exists()
        for path in ([source] if source.is_file() else source.rglob("*"))
    )


def prepare_manifest(project: DbtProject = dbt_project) -> Path:
    """`dbt parse` when the manifest is missing (a fresh clone, CI) or older than the project's files.

    dagster-dbt's own preparer runs the `dbt` on PATH, absent when the environment is not activated. The
    manifest is written aside and moved into place, so a process loading definitions at the same time reads
    the old one or the new one, never half of one."""
    if manifest_is_stale(project):
        scratch = project.manifest_path.parent / f".parse-{os.getpid()}"
        resource = DbtCliResource(project_dir=project, dbt_executable=dbt_executable())
        resource.cli(["parse", "--quiet"], target_path=scratch).wait()
        os.replace(scratch / "manifest.json", project.manifest_path)
        shutil.rmtree(scratch, ignore_errors=True)
    return project.manifest_path


dbt_resource = DbtCliResource(project_dir=dbt_project, dbt_executable=dbt_executable())


class ReconcileTranslator(DagsterDbtTranslator):
    """Models keyed by name (["writeback_plan"], ["stg_pipedrive__persons"]), not by schema and name."""

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> dg.AssetKey:
        if dbt_resource_props["resource_type"] == "model":
            return dg.AssetKey([dbt_resource_props["name"]])
        return super().get_asset_key(dbt_resource_props)


# The six mapping tables of the `state` source are all the one ["sync_config"] asset.
translator = ReconcileTranslator(
    settings=DagsterDbtTranslatorSettings(enable_duplicate_source_asset_keys=True)
)


class ReconcileConfig(dg.Config):
    full_refresh: bool = False  # rebuild the tables whole (after a model's columns changed, say)


@dbt_assets(
    manifest=prepare_manifest(),
    project=dbt_project,
    name="reconcile",
    partitions_def=workspaces,
    pool=WAREHOUSE_POOL,
    dagster_dbt_translator=translator,
)
def reconcile(
    context: dg.AssetExecutionContext,
    config: ReconcileConfig,
    dbt: DbtCliResource,
    warehouse: WarehouseResource,
) -> Iterator[object]:
    url = dbt_warehouse_url(warehouse.resolved_url, Path.cwd())
    target = "postgres" if url.startswith("postgres") else "duckdb"
    root = target_root()
    prune_builds(root)
    build = new_build_dir(root, context.partition_key, context.run.run_id)
    started_at, invocation = utc_now(), None
    try:
        with environment(WAREHOUSE_URL=url, DBT_TARGET=target):
            invocation = dbt.cli(dbt_args(context.partition_key, full_refresh=config.full_refresh),
                                 context=context, target_path=build)
        yield from invocation.stream()
    except Exception as error:
        _record_build(context, warehouse, started_at, error=_failed_nodes(invocation) or str(error))
        raise
    finally:
        save_parse_state(root, context.partition_key, build)
    _record_build(context, warehouse, started_at)


def _record_build(context: dg.AssetExecutionContext, warehouse: WarehouseResource, started_at: datetime, *,
                  error: str | None = None) -> None:
    """The build's step in the run's figures: how long it took, and whether it finished (the run's summary
    counts the marts only when it did)."""
    with warehouse.open() as store:
        record_step_figures(context, store, context.partition_key,
                            reconcile_figures(context.op_def.name, started_at, error=error))


def _failed_nodes(invocation: DbtCliInvocation | None) -> str | None:
    """Which models and tests failed, with the start of dbt's message, from run_results.json: what an
    operator needs first (dagster-dbt's own error names only the command and its exit code)."""
    try:
        results = invocation.get_artifact("run_results.json")["results"] if invocation else []
    except (OSError, ValueError, KeyError):  # dbt stopped before writing it: its own message says why
        return None
    failed = [f"{result['unique_id'].split('.')[-1]} ({_one_line(result.get('message'))})"
              for result in results if result["status"] in ("error", "fail")]
    return f"dbt build: {len(failed)} failed: " + "; ".join(failed) if failed else None


def _one_line(text: str | None, limit: int = 200) -> str:
    return " ".join((text or "").split())[:limit]


def _scalar(warehouse: WarehouseResource, sql: str, workspace_id: str) -> int:
    with warehouse.open() as store:
        row = store.fetchone(sql, [workspace_id])
    return int(row[0]) if row else 0


@dg.asset_check(
    asset=dg.AssetKey(["sync_conflicts"]),
    partitions_def=workspaces,
    description="Manual conflicts waiting for a resolution in state.conflict_resolutions (nothing is "
    "written for them until then).",
)
def open_manual_conflicts(
    context: dg.AssetCheckExecutionContext, warehouse: WarehouseResource
) -> dg.AssetCheckResult:
    open_conflicts = _scalar(
        warehouse,
        "select count(*) from marts.sync_conflicts where workspace_id = ? and is_open",
        context.partition_key,
    )
    return dg.AssetCheckResult(
        passed=open_conflicts == 0,
        severity=dg.AssetCheckSeverity.WARN,
        metadata={"open_conflicts": open_conflicts},
    )


@dg.asset_check(
    asset=dg.AssetKey(["sync_link_candidates"]),
    partitions_def=workspaces,
    description="Leads whose email matches several persons (or persons matched by several leads): "
    "never linked silently; someone has to link or merge them.",
)
def ambiguous_link_candidates(
    context: dg.AssetCheckExecutionContext, warehouse: WarehouseResource
) -> dg.AssetCheckResult:
    ambiguous = _scalar(
        warehouse,
        "select count(distinct coldcopy_lead_id) from marts.sync_link_candidates "
        "where workspace_id = ? and is_ambiguous",
        context.partition_key,
    )
    return dg.AssetCheckResult(
        passed=ambiguous == 0, severity=dg.AssetCheckSeverity.WARN, metadata={"ambiguous_leads": ambiguous}
    )


reconcile_checks = [open_manual_conflicts, ambiguous_link_candidates]

reconcile_assets = [sync_config, reconcile]
