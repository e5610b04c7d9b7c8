"""One reconciled warehouse per backend, built once per session and shared by every test that only reads it.

The warehouse holds the demo world (a seeded sandbox Pipedrive and the ColdCopy demo database, extracted by
  the real extraction code, sync.yaml resolved by the sync_config logic), the hand-built workspaces `merges`
  and `stages`, on DuckDB a tiny `bench` workspace, then one `dbt build` (models, data tests and unit tests):
  a dbt invocation costs seconds, so tests never run their own."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from pipedrive_etl.config import load_config
from pipedrive_etl.dbt_command import standalone_dbt
from pipedrive_etl.extract.coldcopy_runner import COLDCOPY_TABLES, extract_coldcopy_table
from pipedrive_etl.extract.pipedrive_runner import extract_fields, extract_stream
from pipedrive_etl.extract.stage_changes import extract_deal_stage_changes
from pipedrive_etl.extract.streams import STREAMS
from pipedrive_etl.mappings import sync_workspace_config
from pipedrive_etl.pipedrive import PipedriveClient
from pipedrive_etl.sandbox import FakeClock, Sandbox, seed_coldcopy, seed_pipedrive
from pipedrive_etl.sandbox.coldcopy import ColdCopySeed
from pipedrive_etl.warehouse import Warehouse, open_warehouse

from .link_scenarios import write_links
from .scenarios import write_merges
from .stage_histories import write_stage_histories

ROOT = Path(__file__).resolve().parents[2]
DEMO_CONFIG = ROOT / "data" / "demo" / "sync.yaml"
BENCH_SIZE = 400
# An email event whose activity was already written: it must not be planned again.
WRITTEN_EVENT_PLAN_KEY_SQL = """
    select min(events.id) from raw.coldcopy_email_events as events
    where events.workspace_id = 'demo' and events.event_type = 'sent' and events.lead_id = ?"""


@dataclass
class Reconciled:
    backend: str
    url: str
    seed: ColdCopySeed
    persons_sharing_an_email: list[tuple[int, int]]
    build: subprocess.CompletedProcess[str]
    run_results: dict[str, Any]
    written_activity_plan_key: str
    memo: dict[str, Any] = field(default_factory=dict)

    def remember(self, name: str, compute: Any) -> Any:
        """Compute once per build what many tests read (each query opens the warehouse)."""
        if name not in self.memo:
            self.memo[name] = compute()
        return self.memo[name]

    def rows(self, sql: str, params: list[Any] | tuple[Any, ...] = ()) -> list[dict[str, Any]]:
        """Query the built warehouse; JSON columns come back parsed on both backends."""
        with open_warehouse(self.url) as warehouse:
            if warehouse.backend == "duckdb":
                cursor = warehouse._con.execute(sql, list(params))  # type: ignore[attr-defined]
                names = [column[0] for column in cursor.description]
                records = cursor.fetchall()
            else:
                postgres_sql = warehouse._sql(sql)  # type: ignore[attr-defined]
                cursor = warehouse._con.execute(postgres_sql, list(params))  # type: ignore[attr-defined]
                names = [column.name for column in cursor.description]
                records = cursor.fetchall()
        return [
            {name: _parsed(name, value) for name, value in zip(names, record, strict=True)}
            for record in records
        ]

    def value(self, sql: str, params: list[Any] | tuple[Any, ...] = ()) -> Any:
        found = self.rows(sql, params)
        return next(iter(found[0].values())) if found else None


def _parsed(name: str, value: Any) -> Any:
    if name == "changes" and isinstance(value, str):
        return json.loads(value)  # DuckDB returns JSON as text, psycopg parses jsonb
    return value


def run_dbt(url: str, scratch: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """`dbt <args>` on the warehouse; artifacts stay out of the project (target/ is Dagster's)."""
    command, env = standalone_dbt(args, url, scratch)
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=900)


def _extract_demo(warehouse: Warehouse, scratch: Path) -> tuple[ColdCopySeed, list[tuple[int, int]]]:
    clock = FakeClock()
    sandbox = Sandbox(plan="ultimate", seats=5, clock=clock)
    pipedrive_seed = seed_pipedrive(sandbox, persons=200, seed=11)
    clock.advance(3600)
    coldcopy_url = f"sqlite:///{scratch}/coldcopy.db"
    seed = seed_coldcopy(coldcopy_url, sandbox, workspace_id="demo")
    with PipedriveClient.with_api_token(
        "sandbox-token",
        company_domain="sandbox",
        plan="ultimate",
        transport=sandbox.transport(),
        clock=clock.monotonic,
        sleep=clock.sleep,
    ) as client:
        for stream in STREAMS.values():
            extract_stream(client, warehouse, "demo", stream, now=clock.now)
        extract_fields(client, warehouse, "demo", now=clock.now)
        extract_deal_stage_changes(client, warehouse, "demo", now=clock.now)
    engine = sa.create_engine(coldcopy_url)
    try:
        for spec in COLDCOPY_TABLES.values():
            extract_coldcopy_table(engine, warehouse, "demo", "demo", spec)
    finally:
        engine.dispose()
    sync_workspace_config(load_config(DEMO_CONFIG, env={}), warehouse, "demo")
    return seed, pipedrive_seed.duplicate_email_person_ids


def _log_written_activity(warehouse: Warehouse, seed: ColdCopySeed) -> str:
    lead_id = seed.identical[0][0]
    event_id = warehouse.fetchone(WRITTEN_EVENT_PLAN_KEY_SQL, [lead_id])[0]  # type: ignore[index]
    plan_key = f"pipedrive:activity:create:{event_id}"
    now = datetime.now(UTC)
    warehouse.upsert(
        "state.writeback_log",
        [
            {
                "workspace_id": "demo",
                "operation_key": f"{plan_key}:1",
                "plan_key": plan_key,
                "target_system": "pipedrive",
                "entity": "activity",
                "operation": "create",
                "coldcopy_lead_id": lead_id,
                "pipedrive_id": 9_000_001,
                "status": "succeeded",
                "error": None,
                "tokens": 5,
                "request": None,
                "attempted_at": now,
                "completed_at": now,
            }
        ],
        key=("workspace_id", "operation_key"),
    )
    return plan_key


def load_bench() -> Any:
    """bench/reconcile.py as a module (bench/ is not a package)."""
    spec = importlib.util.spec_from_file_location("bench_reconcile", ROOT / "bench" / "reconcile.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def build_reconciled(backend: str, url: str, scratch: Path) -> Reconciled:
    with open_warehouse(url) as warehouse:
        seed, persons_sharing_an_email = _extract_demo(warehouse, scratch)
        plan_key = _log_written_activity(warehouse, seed)
        write_merges(warehouse)
        write_links(warehouse)
        write_stage_histories(warehouse)
    if backend == "duckdb":
        import duckdb

        with duckdb.connect(url.removeprefix("duckdb:///")) as connection:
            load_bench().populate(connection, BENCH_SIZE)  # the bench's synthetic workspace, tiny
    build = run_dbt(url, scratch, "build")
    results_path = scratch / "target" / "run_results.json"
    results = json.loads(results_path.read_text()) if results_path.exists() else {"results": []}
    return Reconciled(backend, url, seed, persons_sharing_an_email, build, results, plan_key)


@pytest.fixture(scope="session")
def reconciled_duckdb(tmp_path_factory: pytest.TempPathFactory) -> Reconciled:
    scratch = tmp_path_factory.mktemp("reconciled-duckdb")
    return build_reconciled("duckdb", f"duckdb:///{scratch}/warehouse.duckdb", scratch)


@pytest.fixture(scope="session")
def reconciled_postgres(
    tmp_path_factory: pytest.TempPathFactory, _postgres_server_url: str
) -> Iterator[Reconciled]:
    import psycopg

    name = f"pipedrive_etl_dbt_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(_postgres_server_url, autocommit=True) as admin:
        admin.execute(f'create database "{name}"')
    base, _, _ = _postgres_server_url.rpartition("/")
    try:
        yield build_reconciled("postgres", f"{base}/{name}", tmp_path_factory.mktemp("reconciled-postgres"))
    finally:
        with psycopg.connect(_postgres_server_url, autocommit=True) as admin:
            admin.execute(f'drop database if exists "{name}" with (force)')


@pytest.fixture(params=["duckdb", "postgres"])
def reconciled(request: pytest.FixtureRequest) -> Reconciled:
    """The reconciled warehouse on each backend (the Postgres one skips when no server is configured)."""
    return request.getfixturevalue(f"reconciled_{request.param}")
