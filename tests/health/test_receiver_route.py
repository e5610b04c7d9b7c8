"""GET /health/checks on the webhook receiver: the health report as JSON, 200 or 503, made off the event loop
and reused while fresh."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from pipedrive_etl.health.probe import HealthSettings, check_health
from pipedrive_etl.health.routes import CachedReport, health_routes, health_routes_from_env
from pipedrive_etl.webhooks import ReceiverSettings, create_app
from pipedrive_etl.webhooks.credentials import credentials_for
from tests.webhooks.asgi import SyncASGITransport

from .conftest import PUBLIC_URL, World


class CountingProbe:
    """The real checks against the sandbox, counting how often they ran."""

    def __init__(self, world: World) -> None:
        self.world, self.calls = world, 0

    def __call__(self):
        self.calls += 1
        world = self.world
        return check_health([world.workspace], warehouse_url=world.warehouse_url, env=world.env,
                            settings=HealthSettings(public_url=PUBLIC_URL),
                            transport=world.sandbox.transport())


def receiver(world: World, routes) -> httpx.Client:
    settings = ReceiverSettings(credentials={"demo": credentials_for("demo", world.env)})
    app = create_app(settings, world.inbox, extra_routes=routes)
    return httpx.Client(transport=SyncASGITransport(app), base_url="https://hooks.example")


def test_a_healthy_workspace_answers_200_with_the_report(world: World):
    with receiver(world, health_routes(CountingProbe(world))) as client:
        response = client.get("/health/checks")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok" and body["failing"] == []
    names = {check["name"] for check in body["checks"]}
    assert names >= {"api", "token", "webhook_subscriptions", "last_sync"}


def test_a_failing_check_answers_503_naming_it(world: World):
    world.env["PIPEDRIVE_API_TOKEN"] = "revoked-token"
    with receiver(world, health_routes(CountingProbe(world))) as client:
        response = client.get("/health/checks")
    assert response.status_code == 503
    assert response.json()["failing"] == ["demo/token"]


def test_probes_within_the_cache_time_reuse_one_report(world: World):
    probe = CountingProbe(world)
    with receiver(world, health_routes(probe, cache_seconds=60)) as client:
        first, second = client.get("/health/checks").json(), client.get("/health/checks").json()
    assert probe.calls == 1 and first == second


def test_a_report_older_than_the_cache_time_is_made_again():
    made: list[int] = []
    now = [0.0]

    def evaluate():
        made.append(len(made))
        return len(made)

    cached = CachedReport(evaluate, cache_seconds=30, clock=lambda: now[0])  # type: ignore[arg-type]
    assert (cached.get(), cached.get()) == (1, 1)
    now[0] = 31.0
    assert cached.get() == 2


def test_the_receivers_own_routes_still_answer_beside_it(world: World):
    with receiver(world, health_routes(CountingProbe(world))) as client:
        assert client.get("/health").status_code == 200


def test_a_broken_sync_yaml_answers_503_with_a_config_check(world: World, tmp_path: Path):
    broken = tmp_path / "broken.yaml"
    broken.write_text("workspaces: []\n")
    with receiver(world, health_routes_from_env(str(broken), world.env)) as client:
        response = client.get("/health/checks")
    assert response.status_code == 503
    [check] = response.json()["checks"]
    assert check["name"] == "config" and "workspaces" in check["detail"]


def test_a_cache_time_that_is_not_a_number_is_an_error_naming_the_variable(world: World):
    from pipedrive_etl.config import ConfigError

    with pytest.raises(ConfigError, match="PIPEDRIVE_ETL_HEALTH_CACHE_SECONDS"):
        health_routes_from_env("sync.yaml", {**world.env, "PIPEDRIVE_ETL_HEALTH_CACHE_SECONDS": "soon"})
