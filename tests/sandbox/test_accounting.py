"""Rate limiting as Pipedrive does it: daily budget, per-endpoint costs, burst windows, search bucket,
headers,
429s, the 403 Cloudflare page after sustained 429s, and the three ways to authenticate."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest

from pipedrive_etl.sandbox import FakeClock, Sandbox

from .conftest import TOKEN, make_client


def test_daily_budget_is_30000_times_plan_multiplier_times_seats_plus_topups() -> None:
    assert Sandbox(plan="premium", seats=3, topups=1000).accounting.daily_budget == 30_000 * 5 * 3 + 1000


@pytest.mark.parametrize(
    ("method", "path", "cost"),
    [
        ("GET", "/api/v2/persons", 10),
        ("GET", "/api/v2/persons/1", 1),
        ("POST", "/api/v2/persons", 5),
        ("GET", "/api/v2/stages", 5),
        ("GET", "/api/v2/itemSearch?term=ann", 20),
        ("DELETE", "/api/v2/persons/1", 3),
        ("GET", "/v1/deals/1/changelog", 20),
        ("GET", "/v1/deals/1/flow", 40),
        ("GET", "/v1/users/me", 2),
    ],
)
def test_each_request_is_charged_its_endpoint_cost(
    clock: FakeClock, method: str, path: str, cost: int
) -> None:
    sandbox = Sandbox(clock=clock)
    client = make_client(sandbox, **{"x-api-token": TOKEN})
    client.post("/api/v2/persons", json={"name": "Ann"})
    before = sandbox.tokens_used()
    client.request(method, path, json={"name": "Bo"} if method == "POST" else None)
    assert sandbox.tokens_used() - before == cost


def test_an_exhausted_budget_answers_429_until_the_midnight_reset(clock: FakeClock) -> None:
    sandbox = Sandbox(clock=clock, daily_budget=25)
    client = make_client(sandbox, **{"x-api-token": TOKEN})
    statuses = [client.get("/api/v2/persons").status_code for _ in range(3)]
    refused = client.get("/api/v2/persons")
    clock.advance(15 * 3600)  # past midnight UTC
    assert statuses == [200, 200, 429]
    assert refused.json()["success"] is False and int(refused.headers["x-ratelimit-remaining"]) > 0
    assert client.get("/api/v2/persons").status_code == 200


def test_the_41st_request_in_2_seconds_on_growth_gets_429_with_burst_headers(clock: FakeClock) -> None:
    sandbox = Sandbox(plan="growth", clock=clock)
    client = make_client(sandbox, **{"x-api-token": TOKEN})
    answers = [client.get("/api/v2/persons/1") for _ in range(41)]
    assert [a.status_code for a in answers[:40]] == [404] * 40
    last = answers[40]
    assert last.status_code == 429
    assert (
        last.headers["x-ratelimit-limit"],
        last.headers["x-ratelimit-remaining"],
        last.headers["x-ratelimit-reset"],
    ) == ("40", "0", "2")
    clock.sleep(int(last.headers["x-ratelimit-reset"]))
    assert client.get("/api/v2/persons/1").status_code == 404


def test_every_answer_carries_the_ratelimit_headers(client: httpx.Client) -> None:
    response = client.get("/api/v2/persons/77")
    assert (
        response.status_code,
        response.headers["x-ratelimit-limit"],
        response.headers["x-ratelimit-remaining"],
        response.headers["x-ratelimit-reset"],
    ) == (404, "120", "119", "2")


def test_search_has_its_own_bucket_of_10_per_2_seconds(clock: FakeClock) -> None:
    sandbox = Sandbox(plan="ultimate", clock=clock)
    client = make_client(sandbox, **{"x-api-token": TOKEN})
    searches = [client.get("/api/v2/itemSearch", params={"term": "ann"}).status_code for _ in range(11)]
    assert searches == [200] * 10 + [429]
    assert client.get("/api/v2/persons").status_code == 200


def test_oauth_tokens_get_the_oauth_burst_limit_until_they_expire(clock: FakeClock) -> None:
    sandbox = Sandbox(plan="growth", clock=clock)
    sandbox.add_oauth_token("oauth-1", expires_at=clock.now() + timedelta(hours=1))
    client = make_client(sandbox, authorization="Bearer oauth-1")
    fresh = client.get("/api/v2/persons")
    clock.advance(3600)
    expired = client.get("/api/v2/persons")
    assert (fresh.status_code, fresh.headers["x-ratelimit-limit"]) == (200, "160")
    assert (expired.status_code, expired.json()) == (
        401,
        {"success": False, "error": "unauthorized access", "errorCode": 401},
    )


def test_an_unknown_token_gets_401(sandbox: Sandbox) -> None:
    assert make_client(sandbox, **{"x-api-token": "nope"}).get("/api/v2/persons").status_code == 401


def test_the_legacy_api_token_query_parameter_is_accepted(sandbox: Sandbox) -> None:
    assert make_client(sandbox).get("/api/v2/persons", params={"api_token": TOKEN}).status_code == 200


def test_sustained_requests_through_429s_get_the_cloudflare_403_page(clock: FakeClock) -> None:
    sandbox = Sandbox(clock=clock, daily_budget=10, block_after_429s=5, block_seconds=600)
    client = make_client(sandbox, **{"x-api-token": TOKEN})
    statuses = [client.get("/api/v2/persons").status_code for _ in range(7)]
    blocked = client.get("/api/v2/persons")
    assert statuses == [200, 429, 429, 429, 429, 403, 403]
    assert blocked.headers["content-type"].startswith("text/html") and "Cloudflare" in blocked.text


def test_oauth_traffic_is_never_blocked_with_the_403_page(clock: FakeClock) -> None:
    sandbox = Sandbox(clock=clock, daily_budget=10, block_after_429s=2)
    sandbox.add_oauth_token("oauth-1", expires_at=clock.now() + timedelta(hours=1))
    client = make_client(sandbox, authorization="Bearer oauth-1")
    assert {client.get("/api/v2/persons").status_code for _ in range(6)} == {200, 429}


def test_accounting_off_never_refuses_but_still_counts_tokens(clock: FakeClock) -> None:
    sandbox = Sandbox(clock=clock, daily_budget=10, accounting=False)
    client = make_client(sandbox, **{"x-api-token": TOKEN})
    assert {client.get("/api/v2/persons").status_code for _ in range(50)} == {200}
    assert sandbox.tokens_used() == 500
