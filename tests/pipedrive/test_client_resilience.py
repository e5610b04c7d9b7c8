"""Retries, backoff, rate limits and the errors that stop a run, under a fake clock (no wall time)."""

import httpx
import pytest
import respx

from pipedrive_etl.pipedrive import (
    BlockedError,
    CircuitOpenError,
    DailyLimitReachedError,
    ForbiddenError,
    NotFoundError,
    OutcomeUnknownError,
    PipedriveClient,
    PipedriveConnectionError,
    PipedriveTimeoutError,
    RateLimitError,
    ServerError,
    UnauthorizedError,
)
from pipedrive_etl.pipedrive.models import PersonCreate, PersonUpdate

BASE = "https://acme.pipedrive.com"
TOKEN = "0123456789abcdef-secret-token"
PERSON = {"id": 7, "name": "Ada Lovelace", "add_time": "2026-01-01T00:00:00Z",
          "update_time": "2026-01-02T00:00:00Z", "emails": [], "phones": [], "custom_fields": {}}
OK = {"success": True, "data": PERSON}


@pytest.fixture
def client(fake_time):
    # jitter=0: backoff delays are exactly 0.5, 1, 2, ... seconds, so the recorded sleeps can be asserted.
    with PipedriveClient.with_api_token(TOKEN, company_domain="acme",
                                        clock=fake_time.clock, sleep=fake_time.sleep,
                                        jitter=lambda: 0.0) as pipedrive:
        yield pipedrive


@pytest.fixture
def api():
    with respx.mock(base_url=BASE, assert_all_called=False) as router:
        yield router


def _burst_sleeps(fake_time):
    return [s for s in fake_time.sleeps if s > 0]


def test_429_waits_x_ratelimit_reset_then_succeeds(client, api, fake_time):
    route = api.get("/api/v2/persons/7").mock(side_effect=[
        httpx.Response(429, headers={"x-ratelimit-remaining": "0", "x-ratelimit-reset": "1.5"}),
        httpx.Response(200, json=OK)])
    assert client.get_person(7).id == 7
    assert route.call_count == 2
    assert _burst_sleeps(fake_time) == [1.5]
    assert client.stats.rate_limited == 1


def test_429_prefers_retry_after_when_present(client, api, fake_time):
    api.get("/api/v2/persons/7").mock(side_effect=[
        httpx.Response(429, headers={"retry-after": "3", "x-ratelimit-remaining": "0",
                                     "x-ratelimit-reset": "1"}),
        httpx.Response(200, json=OK)])
    client.get_person(7)
    assert _burst_sleeps(fake_time) == [3.0]


def test_429_without_headers_backs_off_exponentially(client, api, fake_time):
    route = api.get("/api/v2/persons/7").mock(
        side_effect=[httpx.Response(429)] * 3 + [httpx.Response(200, json=OK)])
    client.get_person(7)
    assert route.call_count == 4
    assert _burst_sleeps(fake_time) == [0.5, 1.0, 2.0]


def test_retry_after_beyond_the_cap_falls_back_to_backoff(client, api, fake_time):
    api.get("/api/v2/persons/7").mock(side_effect=[httpx.Response(429, headers={"retry-after": "86400"}),
                                                   httpx.Response(200, json=OK)])
    client.get_person(7)
    assert _burst_sleeps(fake_time) == [0.5]


def test_429_while_the_burst_window_has_room_is_the_daily_budget_and_is_not_retried(client, api):
    route = api.get("/api/v2/persons/7").mock(return_value=httpx.Response(
        429, headers={"x-ratelimit-remaining": "37", "x-ratelimit-reset": "2"}, json={"success": False}))
    with pytest.raises(DailyLimitReachedError, match="daily token budget is spent"):
        client.get_person(7)
    assert route.call_count == 1


def test_persistent_429_gives_up_after_max_retries(fake_time, api):
    api.get("/api/v2/persons/7").mock(return_value=httpx.Response(429))
    with PipedriveClient.with_api_token(TOKEN, company_domain="acme",
                                        clock=fake_time.clock, sleep=fake_time.sleep,
                                        max_retries=2, jitter=lambda: 0.0) as pipedrive:
        with pytest.raises(RateLimitError, match="after 3 attempts"):
            pipedrive.get_person(7)


def test_5xx_on_a_read_is_retried_with_backoff(client, api, fake_time):
    route = api.get("/api/v2/persons/7").mock(side_effect=[httpx.Response(502), httpx.Response(503),
                                                           httpx.Response(200, json=OK)])
    assert client.get_person(7).name == "Ada Lovelace"
    assert route.call_count == 3
    assert _burst_sleeps(fake_time) == [0.5, 1.0]


def test_5xx_that_persists_raises_server_error(fake_time, api):
    api.get("/api/v2/persons/7").mock(return_value=httpx.Response(
        500, json={"success": False, "error": "boom"}))
    with PipedriveClient.with_api_token(TOKEN, company_domain="acme",
                                        clock=fake_time.clock, sleep=fake_time.sleep,
                                        max_retries=1) as pipedrive:
        with pytest.raises(ServerError, match="500: boom"):
            pipedrive.get_person(7)


def test_patch_is_retried_after_a_timeout_because_repeating_it_is_harmless(client, api):
    route = api.patch("/api/v2/persons/7").mock(side_effect=[httpx.ReadTimeout("slow"),
                                                             httpx.Response(200, json=OK)])
    client.update_person(7, PersonUpdate(name="Ada Lovelace"))
    assert route.call_count == 2


def test_post_that_timed_out_is_not_repeated_and_reports_an_unknown_outcome(client, api):
    route = api.post("/api/v2/persons").mock(side_effect=httpx.ReadTimeout("slow"))
    with pytest.raises(OutcomeUnknownError) as caught:
        client.create_person(PersonCreate(name="Ada Lovelace"))
    assert route.call_count == 1
    assert isinstance(caught.value.cause, httpx.ReadTimeout)


def test_post_that_got_a_5xx_is_not_repeated_and_reports_an_unknown_outcome(client, api):
    route = api.post("/api/v2/persons").mock(return_value=httpx.Response(502))
    with pytest.raises(OutcomeUnknownError, match="502"):
        client.create_person(PersonCreate(name="Ada Lovelace"))
    assert route.call_count == 1


def test_post_that_could_not_connect_is_retried_because_it_never_left(client, api):
    route = api.post("/api/v2/persons").mock(side_effect=[httpx.ConnectError("refused"),
                                                          httpx.Response(200, json=OK)])
    assert client.create_person(PersonCreate(name="Ada Lovelace")).id == 7
    assert route.call_count == 2


def test_post_is_retried_after_a_burst_429_because_pipedrive_applied_nothing(client, api):
    route = api.post("/api/v2/persons").mock(side_effect=[
        httpx.Response(429, headers={"x-ratelimit-remaining": "0", "x-ratelimit-reset": "1"}),
        httpx.Response(200, json=OK)])
    client.create_person(PersonCreate(name="Ada Lovelace"))
    assert route.call_count == 2


def test_read_timeouts_that_persist_raise_a_timeout_error(fake_time, api):
    api.get("/api/v2/persons/7").mock(side_effect=httpx.ReadTimeout("slow"))
    with PipedriveClient.with_api_token(TOKEN, company_domain="acme",
                                        clock=fake_time.clock, sleep=fake_time.sleep,
                                        max_retries=2) as pipedrive:
        with pytest.raises(PipedriveTimeoutError, match="ReadTimeout after 3 attempts"):
            pipedrive.get_person(7)


def test_network_errors_that_persist_raise_a_connection_error(fake_time, api):
    api.get("/api/v2/persons/7").mock(side_effect=httpx.ConnectError("refused"))
    with PipedriveClient.with_api_token(TOKEN, company_domain="acme",
                                        clock=fake_time.clock, sleep=fake_time.sleep,
                                        max_retries=1) as pipedrive:
        with pytest.raises(PipedriveConnectionError) as caught:
            pipedrive.get_person(7)
    assert not isinstance(caught.value, PipedriveTimeoutError)


def test_401_with_an_api_token_stops_at_once_with_a_clear_message(client, api):
    route = api.get("/api/v2/persons/7").mock(return_value=httpx.Response(
        401, json={"success": False, "error": "unauthorized access", "errorCode": 401}))
    with pytest.raises(UnauthorizedError, match="API token is wrong or revoked") as caught:
        client.get_person(7)
    assert route.call_count == 1
    assert TOKEN not in str(caught.value)


def test_cloudflare_403_html_page_stops_at_once(client, api):
    route = api.get("/api/v2/persons/7").mock(return_value=httpx.Response(
        403, headers={"content-type": "text/html"},
        text="<html><body>This error is produced by Cloudflare</body></html>"))
    with pytest.raises(BlockedError, match="Cloudflare block page"):
        client.get_person(7)
    assert route.call_count == 1


def test_403_json_is_a_forbidden_error_carrying_pipedrives_message(client, api):
    api.post("/api/v2/persons").mock(return_value=httpx.Response(403, json={
        "success": False, "error": "Couldn't add the deal. Open deals limit reached.",
        "code": "feature_capping_deals_limit"}))
    with pytest.raises(ForbiddenError, match="Open deals limit reached") as caught:
        client.create_person(PersonCreate(name="Ada Lovelace"))
    assert not isinstance(caught.value, BlockedError)
    assert caught.value.body["code"] == "feature_capping_deals_limit"


def test_404_is_not_found_and_carries_request_and_response(client, api):
    api.get("/api/v2/persons/8").mock(return_value=httpx.Response(404, json={
        "success": False, "error": "Entity was not found", "error_info": "Object was not found."},
        headers={"x-request-id": "req-42"}))
    with pytest.raises(NotFoundError) as caught:
        client.get_person(8)
    assert str(caught.value) == ("GET /api/v2/persons/8 -> 404: Entity was not found; Object was not found. "
                                 "(request id req-42)")
    assert caught.value.request.url.path == "/api/v2/persons/8" and caught.value.response.status_code == 404


def test_circuit_opens_after_consecutive_failures_and_refuses_without_sending(fake_time, api):
    route = api.get("/api/v2/persons/7").mock(return_value=httpx.Response(503))
    with PipedriveClient.with_api_token(TOKEN, company_domain="acme",
                                        clock=fake_time.clock, sleep=fake_time.sleep,
                                        max_retries=0) as pipedrive:
        for _ in range(5):
            with pytest.raises(ServerError):
                pipedrive.get_person(7)
        with pytest.raises(CircuitOpenError):
            pipedrive.get_person(7)
        assert route.call_count == 5
        fake_time.now += 61
        route.mock(return_value=httpx.Response(200, json=OK))
        assert pipedrive.get_person(7).id == 7
