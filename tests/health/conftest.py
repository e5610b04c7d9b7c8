"""A healthy workspace on the in-process sandbox: the token accepted, our webhook subscriptions registered and
delivering into the real receiver, a recent successful sync in marts.sync_runs. Each test breaks one thing."""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from pipedrive_etl.cli import build_parser
from pipedrive_etl.config import load_config
from pipedrive_etl.connections import pipedrive_client
from pipedrive_etl.health.commands import health
from pipedrive_etl.metrics import reconcile_figures, record_step, summarise_run, write_sync_run
from pipedrive_etl.metrics.steps import StepFigures
from pipedrive_etl.sandbox import FakeClock, Sandbox, seed_pipedrive
from pipedrive_etl.warehouse import open_warehouse
from pipedrive_etl.webhooks import BasicCredentials, Inbox, ReceiverSettings, create_app
from pipedrive_etl.webhooks.credentials import credentials_for
from pipedrive_etl.webhooks.registration import register_workspace
from tests.webhooks.asgi import SyncASGITransport

TOKEN = "sandbox-token"
PUBLIC_URL = "https://etl.example.com"
SYNC_YAML = """
workspaces:
  - id: demo
    pipedrive: {company_domain: sandbox, base_url: "https://sandbox.pipedrive.com", plan: ultimate, seats: 5,
                auth: {env: PIPEDRIVE_API_TOKEN}}
"""


@dataclass
class Outcome:
    code: int
    stdout: str
    stderr: str


@dataclass
class World:
    sandbox: Sandbox
    clock: FakeClock
    config_path: Path
    warehouse_url: str
    env: dict[str, str]
    inbox: Inbox

    @property
    def workspace(self):
        return load_config(self.config_path, env=self.env).workspace("demo")

    def client(self, token: str = TOKEN):
        return pipedrive_client(self.workspace, budget=None, env={**self.env, "PIPEDRIVE_API_TOKEN": token},
                                transport=self.sandbox.transport())

    def args(self, *extra: str) -> argparse.Namespace:
        return build_parser().parse_args(["health", "--config", str(self.config_path), "--warehouse",
                                          self.warehouse_url, *extra])

    def health(self, capsys: pytest.CaptureFixture[str], *extra: str, now: datetime | None = None) -> Outcome:
        capsys.readouterr()
        code = health(self.args(*extra), env=self.env, transport=self.sandbox.transport(), now=now)
        captured = capsys.readouterr()
        return Outcome(code, captured.out, captured.err)

    def deliver_a_change(self, receiver_password: str | None = None) -> None:
        """Change a person in Pipedrive and let the sandbox deliver the event to the receiver app."""
        credentials = credentials_for("demo", self.env)
        if receiver_password is not None:  # a receiver configured with another password than registered
            credentials = BasicCredentials(credentials.user, receiver_password)
        app = create_app(ReceiverSettings(credentials={"demo": credentials}), self.inbox)
        self.sandbox.webhooks.transport = SyncASGITransport(app)
        with httpx.Client(transport=self.sandbox.transport(), base_url="https://sandbox.pipedrive.com",
                          headers={"x-api-token": TOKEN}) as api:
            api.patch("/api/v2/persons/1", json={"name": "Changed Name"}).raise_for_status()
        self.sandbox.webhooks.deliver_due()

    def record_sync(self, run_id: str, finished_at: datetime) -> None:
        started_at = finished_at - timedelta(minutes=10)
        with open_warehouse(self.warehouse_url) as warehouse:
            record_step(warehouse, run_id, "demo", StepFigures("pipedrive/persons", "pipedrive", started_at,
                                                               finished_at, rows_extracted=5))
            record_step(warehouse, run_id, "demo", reconcile_figures("reconcile", started_at))
            write_sync_run(warehouse, summarise_run(warehouse, run_id, "demo", now=finished_at))


@pytest.fixture
def world(tmp_path: Path, warehouse_url: str) -> Iterator[World]:
    clock = FakeClock(datetime.now(UTC))  # deliveries are stamped on this clock; the checks compare with now
    sandbox = Sandbox(plan="ultimate", seats=5, clock=clock, api_tokens=(TOKEN,))
    seed_pipedrive(sandbox, persons=5, organizations=2, deals=2, activities=2, seed=1)
    config_path = tmp_path / "sync.yaml"
    config_path.write_text(SYNC_YAML)
    env = {"PIPEDRIVE_API_TOKEN": TOKEN, "PIPEDRIVE_WEBHOOK_PASSWORD": "hook-password",
           "PIPEDRIVE_WEBHOOK_PUBLIC_URL": PUBLIC_URL}
    with Inbox(f"sqlite:///{tmp_path}/webhooks.db") as inbox:
        built = World(sandbox, clock, config_path, warehouse_url, env, inbox)
        with built.client() as client:
            register_workspace(client, "demo", PUBLIC_URL, credentials_for("demo", env))
        built.deliver_a_change()
        built.record_sync("last-night", datetime.now(UTC) - timedelta(hours=3))
        yield built
