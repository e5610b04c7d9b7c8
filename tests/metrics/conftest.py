"""A real (small) nightly run on the in-process sandbox, once per backend per module: extraction, the webhook
copy, dbt, the writeback and the run summary, materialized through Dagster. A dbt build costs seconds, so the
tests that only read the run's outcome share it."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import dagster as dg
import httpx
import psycopg
import pytest

from pipedrive_etl.config import Workspace
from pipedrive_etl.connections import pipedrive_client
from pipedrive_etl.definitions import extraction_assets
from pipedrive_etl.defs.dbt import dbt_resource, reconcile_assets
from pipedrive_etl.defs.metrics import metrics_assets
from pipedrive_etl.defs.resources import ColdCopyResource, SyncConfigResource, WarehouseResource
from pipedrive_etl.defs.webhooks import WebhookInboxResource, webhook_assets
from pipedrive_etl.defs.writeback import writeback_assets
from pipedrive_etl.pipedrive import TokenBudget
from pipedrive_etl.sandbox import FakeClock, Sandbox, seed_coldcopy, seed_pipedrive
from pipedrive_etl.warehouse import Warehouse
from pipedrive_etl.webhooks import Inbox, parse_event

REPO = Path(__file__).resolve().parents[2]
DEMO_SYNC_YAML = REPO / "data" / "demo" / "sync.yaml"
TOKEN = "sandbox-token"
SLOW_SECONDS, SLOWER_SECONDS = 0.04, 0.3
RATE_LIMITED_ORGANIZATION_PAGES = 2


@dataclass
class Exchange:
    status: int
    seconds: float


class RecordingTransport(httpx.BaseTransport):
    """The sandbox transport, noting each answer's status and how long it took on the shared clock: what the
    client saw, measured independently of its own stats."""

    def __init__(self, inner: httpx.BaseTransport, clock: FakeClock) -> None:
        self.inner, self.clock, self.exchanges = inner, clock, []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        started = self.clock.monotonic()
        response = self.inner.handle_request(request)
        self.exchanges.append(Exchange(response.status_code, self.clock.monotonic() - started))
        return response


class SandboxPipedrive:
    """Stands in for PipedriveResource: the real client on the sandbox's in-process transport."""

    def __init__(self, transport: RecordingTransport, clock: FakeClock, *, token: str = TOKEN) -> None:
        self.transport, self.clock, self.token = transport, clock, token

    def client(self, workspace: Workspace, budget: TokenBudget, warehouse=None):
        return pipedrive_client(workspace, budget=budget, env={"PIPEDRIVE_API_TOKEN": self.token},
                                transport=self.transport, clock=self.clock.monotonic, sleep=self.clock.sleep)


@dataclass
class CompletedRun:
    backend: str
    warehouse_url: str
    sandbox: Sandbox
    transport: RecordingTransport
    result: dg.ExecuteInProcessResult
    inbox_events: int
    inbox_rejects: int
    materializations: dict[str, dict[str, object]] = field(default_factory=dict)
    memo: dict[str, Any] = field(default_factory=dict)

    def remember(self, name: str, compute: Callable[[], Any]) -> Any:
        """Compute once per run what several tests read (each query opens the warehouse)."""
        if name not in self.memo:
            self.memo[name] = compute()
        return self.memo[name]

    def metadata(self, node: str) -> dict[str, object]:
        if node not in self.materializations:
            [event] = self.result.asset_materializations_for_node(node)
            self.materializations[node] = {name: value.value for name, value in event.metadata.items()}
        return self.materializations[node]


def raw_rows(warehouse: Warehouse, prefix: str = "") -> int:
    """The demo workspace's rows in the raw tables whose names start with `prefix`."""
    tables = [row[0] for row in warehouse.fetchall(
        "select table_name from information_schema.tables where table_schema = 'raw' and table_name like ?",
        [f"{prefix}%"])]
    return sum(warehouse.fetchone(f"select count(*) from raw.{table} where workspace_id = 'demo'")[0]
               for table in tables)


def v2_person_change(person_id: int) -> bytes:
    return json.dumps({"data": {"id": person_id}, "previous": {"first_name": "Old"}, "meta": {
        "action": "change", "entity": "person", "entity_id": str(person_id), "id": str(uuid.uuid4()),
        "timestamp": "2026-09-01T09:00:00.000Z", "company_id": "1", "version": "2.0", "type": "general",
        "user_id": "1", "webhook_id": "7", "attempt": 1}}).encode()


def run_small_night(warehouse_url: str, scratch: Path, *, backend: str,
                    monkeypatch: pytest.MonkeyPatch) -> CompletedRun:
    clock = FakeClock()
    sandbox = Sandbox(plan="ultimate", seats=5, clock=clock, api_tokens=(TOKEN,))
    seed_pipedrive(sandbox, persons=60, organizations=15, deals=30, activities=60, seed=11)
    coldcopy_url = f"sqlite:///{scratch}/coldcopy.db"
    seed_coldcopy(coldcopy_url, sandbox, workspace_id="demo", seed=11)
    sandbox.faults.add("GET /api/v2/organizations", "rate_limit", count=RATE_LIMITED_ORGANIZATION_PAGES)
    # Latencies on the sandbox's clock: a fifth of the requests slow, in two sizes, so the p95 is one of them.
    sandbox.faults.add("*", "latency", rate=0.1, seconds=SLOW_SECONDS)
    sandbox.faults.add("*", "latency", rate=0.1, seconds=SLOWER_SECONDS)
    # The receiver got these before the run began: the run copies them and its summary counts them.
    inbox_url = f"sqlite:///{scratch}/webhooks.db"
    with Inbox(inbox_url) as inbox:
        for person_id in (1, 2, 3):
            inbox.store("demo", parse_event(v2_person_change(person_id)), datetime.now(UTC))
        inbox.record_reject(status=401, reason="wrong Basic credentials", workspace_id="demo")
    monkeypatch.setenv("COLDCOPY_DATABASE_URL", coldcopy_url)
    monkeypatch.setenv("PIPEDRIVE_BASE_URL", "https://sandbox.pipedrive.com")
    transport = RecordingTransport(sandbox.transport(), clock)
    instance = dg.DagsterInstance.ephemeral()
    instance.add_dynamic_partitions("workspaces", ["demo"])
    resources = {"sync_config": SyncConfigResource(path=str(DEMO_SYNC_YAML)),
                 "warehouse": WarehouseResource(url=warehouse_url),
                 "pipedrive": SandboxPipedrive(transport, clock),
                 "coldcopy": ColdCopyResource(), "dbt": dbt_resource,
                 "webhook_inbox": WebhookInboxResource(url=inbox_url)}
    result = dg.materialize(
        [*extraction_assets, *webhook_assets, *reconcile_assets, *writeback_assets, *metrics_assets],
        partition_key="demo", instance=instance, resources=resources, raise_on_error=False,
        run_config={"ops": {"writeback__changes": {"config": {"allow_large_change": True}}}})
    failures = [event.event_specific_data.error.message for event in result.get_step_failure_events()]
    assert result.success, failures
    return CompletedRun(backend, warehouse_url, sandbox, transport, result, inbox_events=3, inbox_rejects=1)


@pytest.fixture(scope="module", params=["duckdb", "postgres"])
def completed_run(request: pytest.FixtureRequest,
                  tmp_path_factory: pytest.TempPathFactory) -> Iterator[CompletedRun]:
    scratch = tmp_path_factory.mktemp(f"night-{request.param}")
    with pytest.MonkeyPatch.context() as monkeypatch:
        if request.param == "duckdb":
            yield run_small_night(f"duckdb:///{scratch}/warehouse.duckdb", scratch, backend="duckdb",
                                  monkeypatch=monkeypatch)
            return
        server = request.getfixturevalue("_postgres_server_url")
        name = f"pipedrive_etl_metrics_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(server, autocommit=True) as admin:
            admin.execute(f'create database "{name}"')
        try:
            yield run_small_night(f"{server.rpartition('/')[0]}/{name}", scratch, backend="postgres",
                                  monkeypatch=monkeypatch)
        finally:
            with psycopg.connect(server, autocommit=True) as admin:
                admin.execute(f'drop database if exists "{name}" with (force)')
