"""End to end on the sandbox: its own webhook delivery (Basic auth, retries) into a real uvicorn receiver, the
sensor's run request, the requested assets landing the change in the warehouse, and dbt's deal_stage_history.
"""

from __future__ import annotations

import http.client
import json
import subprocess
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlparse

import dagster as dg
import httpx
import pytest

from pipedrive_etl.config import Workspace
from pipedrive_etl.connections import pipedrive_client
from pipedrive_etl.dbt_command import standalone_dbt
from pipedrive_etl.defs.extract import pipedrive_deal_stage_changes, pipedrive_fields, pipedrive_stream_assets
from pipedrive_etl.defs.resources import ColdCopyResource, SyncConfigResource, WarehouseResource
from pipedrive_etl.defs.webhooks import WebhookInboxResource, pipedrive_webhook_sensor, webhook_assets
from pipedrive_etl.pipedrive import PipedriveClient, TokenBudget
from pipedrive_etl.sandbox import FakeClock, Sandbox, seed_pipedrive
from pipedrive_etl.sandbox.delivery import AttemptResult
from pipedrive_etl.warehouse import open_warehouse
from pipedrive_etl.webhooks import (
    BasicCredentials,
    Inbox,
    ReceiverSettings,
    create_app,
    register_workspace,
    running_receiver,
)
from pipedrive_etl.webhooks.server import free_port

from .conftest import PASSWORD, USER, basic, v2_event

SYNC_YAML = """
workspaces:
  - id: demo
    pipedrive: {company_domain: sandbox, auth: {env: SANDBOX_TOKEN}, plan: ultimate, seats: 5}
"""
ASSETS = [*pipedrive_stream_assets, pipedrive_fields, pipedrive_deal_stage_changes, *webhook_assets]
CREDENTIALS = BasicCredentials(USER, PASSWORD)
BURST = 300


class SandboxPipedrive:
    """Stands in for PipedriveResource: the same client, on the sandbox's in-process transport."""

    def __init__(self, sandbox: Sandbox, clock: FakeClock) -> None:
        self.sandbox, self.clock = sandbox, clock

    def client(self, workspace: Workspace, budget: TokenBudget, warehouse=None) -> PipedriveClient:
        return pipedrive_client(workspace, budget=budget, env={"SANDBOX_TOKEN": "sandbox-token"},
                                transport=self.sandbox.transport(), clock=self.clock.monotonic,
                                sleep=self.clock.sleep)


class TimedTransport(httpx.BaseTransport):
    """Real HTTP, kept open across the sandbox's one-client-per-delivery, timing each acknowledgement."""

    def __init__(self) -> None:
        self.inner, self.seconds = httpx.HTTPTransport(), []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        started = time.perf_counter()
        response = self.inner.handle_request(request)
        response.read()
        self.seconds.append(time.perf_counter() - started)
        return response

    def close(self) -> None:  # the sandbox closes its client after every delivery; the pool outlives it
        pass


@dataclass
class World:
    sandbox: Sandbox
    clock: FakeClock
    inbox: Inbox
    inbox_url: str
    warehouse_url: str
    resources: dict[str, object]
    http: httpx.Client
    scratch: Path

    def register(self, public_url: str) -> None:
        with PipedriveClient.with_api_token("sandbox-token", company_domain="sandbox", plan="ultimate",
                                            transport=self.sandbox.transport()) as client:
            register_workspace(client, "demo", public_url, CREDENTIALS)


@contextmanager
def _world(tmp_path: Path) -> Iterator[World]:
    # Extraction stamps its cursors with the real time: the sandbox's clock starts there too.
    clock = FakeClock(datetime.now(UTC).replace(microsecond=0))
    sandbox = Sandbox(plan="ultimate", seats=5, clock=clock, accounting=False)
    seed_pipedrive(sandbox, persons=30, organizations=10, deals=20, activities=0, seed=3)
    clock.advance(3600)
    (tmp_path / "sync.yaml").write_text(SYNC_YAML)
    inbox_url, warehouse_url = f"sqlite:///{tmp_path}/webhooks.db", f"duckdb:///{tmp_path}/warehouse.duckdb"
    resources = {"sync_config": SyncConfigResource(path=str(tmp_path / "sync.yaml")),
                 "warehouse": WarehouseResource(url=warehouse_url),
                 "pipedrive": SandboxPipedrive(sandbox, clock),
                 "coldcopy": ColdCopyResource(), "webhook_inbox": WebhookInboxResource(url=inbox_url)}
    http = httpx.Client(transport=sandbox.transport(), base_url="https://sandbox.pipedrive.com",
                        headers={"x-api-token": "sandbox-token"})
    with Inbox(inbox_url) as inbox, http:
        yield World(sandbox, clock, inbox, inbox_url, warehouse_url, resources, http, tmp_path)


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    with _world(tmp_path) as opened:
        yield opened


def run_dbt(warehouse_url: str, scratch: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """The real dbt project on the test's warehouse; its artifacts stay in the test's directory."""
    command, env = standalone_dbt(args, warehouse_url, scratch / "dbt")
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=600)


def _app(world: World):
    return create_app(ReceiverSettings(credentials={"demo": CREDENTIALS}), world.inbox)


def _open_deal_in_another_stage(world: World) -> tuple[int, int]:
    deals = world.http.get("/api/v2/deals", params={"limit": 100, "status": "open"}).json()["data"]
    deal = deals[0]
    stages = world.http.get("/api/v2/stages", params={"pipeline_id": deal["pipeline_id"]}).json()["data"]
    return deal["id"], next(s["id"] for s in stages if s["id"] != deal["stage_id"])


@dataclass
class StageMove:
    deal_id: int
    new_stage: int
    moved_at: datetime
    attempts: list[AttemptResult]
    request: dg.RunRequest
    run_success: bool
    warehouse_url: str
    dbt: subprocess.CompletedProcess[str]


@pytest.fixture(scope="module")
def stage_move(tmp_path_factory: pytest.TempPathFactory) -> Iterator[StageMove]:
    """A deal moved in the sandbox, delivered by the sandbox to the receiver, turned into a run by the sensor,
    the run materialized, then dbt built up to deal_stage_history: once, for the tests that read it."""
    # instance_for_test: see tests/defs/test_webhook_sensor.py's `instance` fixture.
    with _world(tmp_path_factory.mktemp("stage-move")) as world, dg.instance_for_test() as instance:
        instance.add_dynamic_partitions("workspaces", ["demo"])
        resources = world.resources
        first = [dg.AssetKey(["pipedrive", name])
                 for name in ("deals", "stages", "pipelines", "deal_stage_changes")]
        assert dg.materialize(ASSETS, selection=first, partition_key="demo", instance=instance,
                              resources=resources).success
        with running_receiver(_app(world)) as base_url:
            world.register(base_url)
            deal_id, new_stage = _open_deal_in_another_stage(world)
            world.clock.advance(60)
            moved_at = world.clock.now()
            moved = world.http.patch(f"/api/v2/deals/{deal_id}", json={"stage_id": new_stage})
            assert moved.status_code == 200
            attempts = world.sandbox.webhooks.deliver_due()
        definitions = dg.Definitions(assets=ASSETS, sensors=[pipedrive_webhook_sensor], resources=resources)
        context = dg.build_sensor_context(instance=instance, definitions=definitions, resources=resources)
        [request] = pipedrive_webhook_sensor(context).run_requests
        run = dg.materialize(ASSETS, selection=request.asset_selection, partition_key="demo",
                             instance=instance, resources=resources)
        # The reconciliation assets run `dbt build` over every model; the marts read here need only these,
        # and the demo's other sources (ColdCopy, sync.yaml) are not extracted in this test.
        dbt = run_dbt(world.warehouse_url, world.scratch, "run", "--select", "+deal_stage_history",
                      "--vars", '{"workspace_id": "demo"}')
        yield StageMove(deal_id, new_stage, moved_at, attempts, request, run.success, world.warehouse_url,
                        dbt)


def test_the_sandbox_delivers_the_stage_move_to_the_receiver_once(stage_move: StageMove) -> None:
    assert [(a.status, a.ok) for a in stage_move.attempts] == [(200, True)]


def test_the_sensor_requests_a_run_of_the_deal_assets_for_the_workspace(stage_move: StageMove) -> None:
    keys = {key.to_user_string() for key in stage_move.request.asset_selection}
    assert stage_move.request.partition_key == "demo"
    assert {"pipedrive/deals", "pipedrive/deal_stage_changes", "pipedrive/webhook_events"} <= keys


def test_the_run_key_is_the_last_event_id(stage_move: StageMove) -> None:
    with open_warehouse(stage_move.warehouse_url) as warehouse:
        event_id = warehouse.fetchone("select event_id from state.webhook_events where entity = 'deal'")[0]
    assert stage_move.request.run_key == f"pipedrive-webhook-{event_id}"


def test_the_requested_run_lands_the_new_stage_in_the_raw_deals(stage_move: StageMove) -> None:
    with open_warehouse(stage_move.warehouse_url) as warehouse:
        stage = warehouse.fetchone("select stage_id from raw.pipedrive_deals where id = ?",
                                   [stage_move.deal_id])
    assert (stage_move.run_success, stage[0]) == (True, stage_move.new_stage)


def test_the_stage_move_is_stored_with_the_webhooks_time(stage_move: StageMove) -> None:
    with open_warehouse(stage_move.warehouse_url) as warehouse:
        deal, stage, at = warehouse.fetchone(
            "select entity_id, new_stage_id, occurred_at from state.webhook_events where entity = 'deal'")
    expected = (stage_move.deal_id, stage_move.new_stage, stage_move.moved_at)
    assert (deal, stage, at.astimezone(UTC)) == expected


def test_the_stage_move_shows_in_deal_stage_history_at_the_webhooks_time(stage_move: StageMove) -> None:
    assert stage_move.dbt.returncode == 0, stage_move.dbt.stdout[-3000:]
    with open_warehouse(stage_move.warehouse_url) as warehouse:
        entered_at, is_current, entry_reason = warehouse.fetchone(
            "select entered_at, is_current, entry_reason from marts.deal_stage_history "
            "where workspace_id = 'demo' and pipedrive_deal_id = ? and stage_id = ?",
            [stage_move.deal_id, stage_move.new_stage])
    assert (entered_at.astimezone(UTC), is_current) == (stage_move.moved_at, True)
    assert entry_reason == "stage_change"


def test_a_delivery_while_the_receiver_is_down_lands_with_pipedrives_retry(world: World) -> None:
    port = free_port()
    world.register(f"http://127.0.0.1:{port}")
    world.http.patch("/api/v2/persons/1", json={"name": "Renamed While Down"})
    [first] = world.sandbox.webhooks.deliver_due()  # nothing listens on the port yet
    with running_receiver(_app(world), port=port):
        world.clock.advance(3)  # Pipedrive's first retry, 3 s later
        [retry] = world.sandbox.webhooks.deliver_due()
    [stored] = world.inbox.events_after(0, with_payload=True)
    assert (first.ok, first.status, retry.ok, retry.attempt) == (False, None, True, 2)
    assert (stored.entity, json.loads(stored.payload)["meta"]["attempt"]) == ("person", 2)


def test_wrong_credentials_in_the_subscription_are_refused_and_retried(world: World) -> None:
    with running_receiver(_app(world)) as base_url:
        with PipedriveClient.with_api_token("sandbox-token", company_domain="sandbox", plan="ultimate",
                                            transport=world.sandbox.transport()) as client:
            register_workspace(client, "demo", base_url, BasicCredentials(USER, "stale-password"))
        world.http.patch("/api/v2/persons/1", json={"name": "Nobody Hears This"})
        [attempt] = world.sandbox.webhooks.deliver_due()
    assert (attempt.status, world.inbox.count_events(), world.inbox.rejects_after(0)[0].reason) == (
        401, 0, "wrong Basic credentials")
    assert world.sandbox.webhooks.queue.next_due() is not None  # Pipedrive will try again in 3 s


def test_a_burst_of_sandbox_deliveries_is_stored_whole_and_acknowledged_fast(world: World) -> None:
    # The sandbox delivers one at a time (each waits for its own durable commit); the 1,000-event burst with
    # Pipedrive's concurrency is the next test.
    timed = TimedTransport()
    world.sandbox.webhooks.transport = timed
    with running_receiver(_app(world)) as base_url:
        world.register(base_url)
        for n in range(BURST):
            world.http.patch(f"/api/v2/persons/{n % 30 + 1}", json={"name": f"Burst {n}"})
        attempts = world.sandbox.webhooks.deliver_due()
    timed.inner.close()
    p99 = sorted(timed.seconds)[int(len(timed.seconds) * 0.99) - 1]
    assert (len(attempts), all(a.ok for a in attempts), world.inbox.count_events()) == (BURST, True, BURST)
    assert p99 < 1.0, f"p99 acknowledgement {p99:.3f} s"


def test_1000_concurrent_deliveries_are_all_stored_and_acknowledged_fast(world: World) -> None:
    latencies: list[float] = []
    failures: list[int] = []
    lock = threading.Lock()

    def deliver(base_url: str, count: int) -> None:
        # http.client, not httpx: in one process with the server, a lighter client leaves it the GIL.
        connection = http.client.HTTPConnection(urlparse(base_url).netloc, timeout=10)
        for _ in range(count):
            body = json.dumps(v2_event(event_id=str(uuid.uuid4()))).encode()
            started = time.perf_counter()
            connection.request("POST", "/webhooks/demo", body=body, headers=basic())
            response = connection.getresponse()
            response.read()
            with lock:
                latencies.append(time.perf_counter() - started)
                if response.status != 200:
                    failures.append(response.status)
        connection.close()

    with running_receiver(_app(world)) as base_url:
        threads = [threading.Thread(target=deliver, args=(base_url, 50)) for _ in range(20)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    p99 = sorted(latencies)[int(len(latencies) * 0.99) - 1]
    assert (failures, world.inbox.count_events()) == ([], 1_000)
    assert p99 < 2.0, f"p99 acknowledgement {p99:.3f} s"


def test_a_chunked_body_over_the_limit_is_cut_off_with_413(world: World) -> None:
    settings = ReceiverSettings(credentials={"demo": CREDENTIALS}, max_body_bytes=10_000)

    def chunks() -> Iterator[bytes]:
        yield b'{"meta": {"id": "x", "pad": "'
        for _ in range(100):
            yield b"x" * 1_000
        yield b'"}}'

    with running_receiver(create_app(settings, world.inbox)) as base_url:
        response = httpx.post(f"{base_url}/webhooks/demo", content=chunks(), headers=basic())
    assert response.status_code == 413
    assert world.inbox.rejects_after(0)[0].reason == "body is over the 10000-byte limit"


def test_the_receiver_answers_health_over_http(world: World) -> None:
    with running_receiver(_app(world)) as base_url:
        assert httpx.get(f"{base_url}/health").json()["status"] == "ok"


def test_nothing_in_the_receivers_answers_depends_on_the_clock_of_the_sandbox(world: World) -> None:
    # The receiver stamps received_at with real time, not the sandbox's fake clock.
    with running_receiver(_app(world)) as base_url:
        world.register(base_url)
        world.http.patch("/api/v2/persons/2", json={"name": "Clocked"})
        world.sandbox.webhooks.deliver_due()
    [stored] = world.inbox.events_after(0)
    assert abs((stored.received_at - datetime.now(UTC)).total_seconds()) < 60
