"""The daily budget is charged before sending; burst pacing keeps to the 2-second window without 429s."""

import httpx
import pytest
import respx

from pipedrive_etl.pipedrive import BudgetExhaustedError, InMemoryLedger, PipedriveClient, TokenBudget
from pipedrive_etl.pipedrive.burst import SAFETY_MARGIN_SECONDS, BurstLimiter

WINDOW = 2.0 + SAFETY_MARGIN_SECONDS  # the 2-second window, plus the slack kept against edge disagreements

BASE = "https://acme.pipedrive.com"
PAGE = {"success": True, "data": [], "additional_data": {"next_cursor": None}}


def test_budget_exhaustion_is_raised_before_the_request_is_sent(fake_time):
    budget = TokenBudget(daily_tokens=25, ledger=InMemoryLedger())
    with respx.mock(base_url=BASE) as api, PipedriveClient.with_api_token(
            "t", company_domain="acme", budget=budget, clock=fake_time.clock,
            sleep=fake_time.sleep) as client:
        route = api.get("/api/v2/persons").mock(return_value=httpx.Response(200, json=PAGE))
        list(client.iter_persons())
        list(client.iter_persons())
        with pytest.raises(BudgetExhaustedError, match="needs 10 tokens, 5 left"):
            list(client.iter_persons())
        assert route.call_count == 2
        assert budget.used() == 20


def test_each_retry_is_charged_because_pipedrive_counts_every_request(fake_time):
    budget = TokenBudget(daily_tokens=1000, ledger=InMemoryLedger())
    with respx.mock(base_url=BASE) as api, PipedriveClient.with_api_token(
            "t", company_domain="acme", budget=budget, clock=fake_time.clock,
            sleep=fake_time.sleep) as client:
        api.get("/api/v2/persons").mock(side_effect=[httpx.Response(503), httpx.Response(200, json=PAGE)])
        list(client.iter_persons())
    assert budget.used() == 20 and client.stats.tokens == 20


def test_burst_pacing_sends_the_plan_limit_then_waits_for_the_window(fake_time):
    limiter = BurstLimiter(40, clock=fake_time.clock, sleep=fake_time.sleep)
    waits = [limiter.acquire() for _ in range(81)]
    assert waits[:40] == [0.0] * 40
    assert waits[40] == pytest.approx(WINDOW)
    assert waits[41:80] == [0.0] * 39
    assert waits[80] == pytest.approx(WINDOW)
    assert fake_time.now == pytest.approx(1_000.0 + 2 * WINDOW)


def test_steady_traffic_never_exceeds_the_limit_in_any_two_second_window(fake_time):
    limiter = BurstLimiter(20, clock=fake_time.clock, sleep=fake_time.sleep)
    sent = []
    for _ in range(200):
        limiter.acquire()
        sent.append(fake_time.now)
        fake_time.now += 0.013  # the request itself takes a little time
    assert max(sum(1 for t in sent if start <= t < start + 2.0) for start in sent) == 20


def test_server_headers_shrink_the_local_window_when_someone_else_uses_the_token(fake_time):
    limiter = BurstLimiter(40, clock=fake_time.clock, sleep=fake_time.sleep)
    limiter.acquire()
    limiter.observe({"x-ratelimit-limit": "40", "x-ratelimit-remaining": "0", "x-ratelimit-reset": "1.25"})
    assert limiter.acquire() == pytest.approx(1.25 + SAFETY_MARGIN_SECONDS)


def test_server_limit_header_replaces_a_wrong_plan_limit(fake_time):
    limiter = BurstLimiter(120, clock=fake_time.clock, sleep=fake_time.sleep)
    limiter.observe({"x-ratelimit-limit": "20"})
    waits = [limiter.acquire() for _ in range(21)]
    assert waits[20] == pytest.approx(WINDOW)


def test_client_paces_a_growth_api_token_at_40_requests_per_2_seconds(fake_time):
    with respx.mock(base_url=BASE) as api, PipedriveClient.with_api_token(
            "t", company_domain="acme", plan="growth", clock=fake_time.clock,
            sleep=fake_time.sleep) as client:
        api.get("/api/v2/persons/1").mock(return_value=httpx.Response(
            200, json={"success": True, "data": {"id": 1, "name": "A"}}))
        for _ in range(41):
            client.get_person(1)
    assert [s for s in fake_time.sleeps if s > 0] == [pytest.approx(WINDOW)]


def test_search_has_its_own_bucket_of_ten_per_two_seconds(fake_time):
    with respx.mock(base_url=BASE) as api, PipedriveClient.with_api_token(
            "t", company_domain="acme", plan="ultimate", clock=fake_time.clock,
            sleep=fake_time.sleep) as client:
        api.get("/api/v2/itemSearch").mock(return_value=httpx.Response(
            200, json={"success": True, "data": {"items": []}, "additional_data": {"next_cursor": None}}))
        for _ in range(11):
            list(client.search_items("ada@example.com", exact_match=True))
    assert [s for s in fake_time.sleeps if s > 0] == [pytest.approx(WINDOW)]
