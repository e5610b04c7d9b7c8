"""Fault injection per route, and how each fault reaches an httpx client in process."""

from __future__ import annotations

import httpx
import pytest

from pipedrive_etl.sandbox import FakeClock, Sandbox
from pipedrive_etl.sandbox.faults import parse_fault_spec

from .conftest import TOKEN, make_client


def test_a_status_fault_answers_503_for_its_count_then_stops(client: httpx.Client, sandbox: Sandbox) -> None:
    sandbox.faults.add("GET /api/v2/persons", "status", status=503, count=2)
    statuses = [client.get("/api/v2/persons").status_code for _ in range(3)]
    assert statuses == [503, 503, 200]


def test_a_status_fault_matches_only_its_route(client: httpx.Client, sandbox: Sandbox) -> None:
    sandbox.faults.add("PATCH /api/v2/persons/{id}", "status", status=502)
    client.post("/api/v2/persons", json={"name": "Ann"})
    assert client.patch("/api/v2/persons/1", json={"name": "Bo"}).status_code == 502
    assert client.get("/api/v2/persons/1").json()["data"]["name"] == "Ann"


def test_a_forced_rate_limit_answers_429_with_an_empty_window_and_costs_nothing(
    client: httpx.Client, sandbox: Sandbox
) -> None:
    sandbox.faults.add("*", "rate_limit", count=1)
    response = client.get("/api/v2/persons")
    assert (response.status_code, response.headers["x-ratelimit-remaining"]) == (429, "0")
    assert sandbox.tokens_used() == 0


def test_latency_passes_on_the_sandbox_clock(
    client: httpx.Client, sandbox: Sandbox, clock: FakeClock
) -> None:
    sandbox.faults.add("GET /api/v2/persons", "latency", seconds=4.5)
    assert client.get("/api/v2/persons").status_code == 200
    assert clock.monotonic() == 4.5


def test_a_timeout_raises_read_timeout_and_applies_nothing(client: httpx.Client, sandbox: Sandbox) -> None:
    sandbox.faults.add("POST /api/v2/persons", "timeout", count=1)
    with pytest.raises(httpx.ReadTimeout):
        client.post("/api/v2/persons", json={"name": "Ann"})
    assert client.get("/api/v2/persons").json()["data"] == []


def test_a_dropped_response_applies_the_write_then_raises_remote_protocol_error(
    client: httpx.Client, sandbox: Sandbox
) -> None:
    sandbox.faults.add("POST /api/v2/persons", "drop_response_after_apply", count=1)
    with pytest.raises(httpx.RemoteProtocolError):
        client.post("/api/v2/persons", json={"name": "Ann"})
    assert [p["name"] for p in client.get("/api/v2/persons").json()["data"]] == ["Ann"]


def test_fault_rates_draw_from_a_seeded_rng(clock: FakeClock) -> None:
    def pattern(seed: int) -> list[int]:
        sandbox = Sandbox(plan="ultimate", clock=clock, seed=seed, accounting=False)
        sandbox.faults.add("GET /api/v2/persons", "status", status=500, rate=0.5)
        client = make_client(sandbox, **{"x-api-token": TOKEN})
        return [client.get("/api/v2/persons").status_code for _ in range(20)]

    assert pattern(3) == pattern(3) and {500, 200} <= set(pattern(3))


def test_v1_and_api_v1_paths_match_the_same_rule(client: httpx.Client, sandbox: Sandbox) -> None:
    sandbox.faults.add("GET /v1/users/me", "status", status=500)
    assert client.get("/api/v1/users/me").status_code == 500


def test_the_cli_fault_spec_parses_kind_options_and_route() -> None:
    assert parse_fault_spec("status:status=503,rate=0.1@GET /api/v2/persons") == {
        "kind": "status",
        "route": "GET /api/v2/persons",
        "status": 503,
        "rate": 0.1,
    }
