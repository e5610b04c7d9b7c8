"""The sandbox's oauth.pipedrive.com: authorize, the token endpoint, and tokens the API then accepts."""

import asyncio
import base64
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from pipedrive_etl.sandbox import create_app

from .helpers import CLIENT_ID, CLIENT_SECRET, REDIRECT_URI

BASIC = "Basic " + base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()


@pytest.fixture
def http(sandbox):
    with httpx.Client(transport=sandbox.transport(), base_url="https://oauth.pipedrive.com") as client:
        yield client


def _authorize(http, **params):
    query = {"client_id": CLIENT_ID, "redirect_uri": REDIRECT_URI, "state": "s-1", **params}
    return http.get("/oauth/authorize", params=query)


def _code(http):
    return parse_qs(urlsplit(_authorize(http).headers["location"]).query)["code"][0]


def _token(http, headers=None, **form):
    return http.post("/oauth/token", data=form, headers={"authorization": BASIC, **(headers or {})})


def test_authorize_redirects_to_the_registered_callback_with_a_code_and_the_state(http):
    response = _authorize(http)
    callback, _, query = response.headers["location"].partition("?")
    assert (response.status_code, callback) == (302, REDIRECT_URI)
    assert parse_qs(query)["state"] == ["s-1"] and len(parse_qs(query)["code"][0]) == 40


def test_authorize_refuses_a_callback_the_app_did_not_register(http):
    assert _authorize(http, redirect_uri="https://evil.example/cb").status_code == 400


def test_a_declining_admin_is_sent_back_with_user_denied(http, sandbox):
    sandbox.oauth.approve = False
    assert parse_qs(urlsplit(_authorize(http).headers["location"]).query) == {"error": ["user_denied"],
                                                                              "state": ["s-1"]}


def test_a_code_is_exchanged_once_for_tokens_with_the_api_domain(http):
    code = _code(http)
    first = _token(http, grant_type="authorization_code", code=code, redirect_uri=REDIRECT_URI)
    again = _token(http, grant_type="authorization_code", code=code, redirect_uri=REDIRECT_URI)
    body = first.json()
    assert (body["token_type"], body["expires_in"], body["api_domain"]) == (
        "Bearer", 3599, "https://sandbox.pipedrive.com")
    assert again.status_code == 400 and again.json()["error"] == "invalid_grant"


def test_a_code_expires_after_five_minutes_on_the_sandbox_clock(http, clock):
    code = _code(http)
    clock.advance(301)
    response = _token(http, grant_type="authorization_code", code=code, redirect_uri=REDIRECT_URI)
    assert response.json()["error"] == "invalid_grant"


def test_client_credentials_in_the_form_instead_of_basic_auth_are_refused(http):
    response = http.post("/oauth/token", data={"grant_type": "authorization_code", "code": _code(http),
                                               "client_id": CLIENT_ID, "client_secret": CLIENT_SECRET})
    assert response.status_code == 401 and response.json()["error"] == "invalid_client"


def test_a_json_body_is_refused(http):
    response = http.post("/oauth/token", json={"grant_type": "authorization_code", "code": _code(http)},
                         headers={"authorization": BASIC})
    assert response.status_code == 400 and "x-www-form-urlencoded" in response.json()["error_description"]


def test_an_issued_access_token_works_on_the_api_until_its_lifetime_passes(sandbox, clock):
    sandbox.oauth.access_token_lifetime = timedelta(minutes=10)
    token = sandbox.oauth.issue_tokens(CLIENT_ID)["access_token"]
    with httpx.Client(transport=sandbox.transport(), base_url="https://sandbox.pipedrive.com",
                      headers={"authorization": f"Bearer {token}"}) as api:
        before = api.get("/api/v2/persons").status_code
        clock.advance(601)
        after = api.get("/api/v2/persons").status_code
    assert (before, after) == (200, 401)


def test_a_refresh_returns_the_same_refresh_token_as_pipedrive_does(http, sandbox):
    issued = sandbox.oauth.issue_tokens(CLIENT_ID)
    refreshed = _token(http, grant_type="refresh_token", refresh_token=issued["refresh_token"]).json()
    assert refreshed["refresh_token"] == issued["refresh_token"]
    assert refreshed["access_token"] != issued["access_token"]


def test_with_rotation_on_a_used_refresh_token_is_refused(http, sandbox):
    sandbox.oauth.rotate_refresh_tokens = True
    issued = sandbox.oauth.issue_tokens(CLIENT_ID)
    rotated = _token(http, grant_type="refresh_token", refresh_token=issued["refresh_token"]).json()
    reused = _token(http, grant_type="refresh_token", refresh_token=issued["refresh_token"])
    assert rotated["refresh_token"] != issued["refresh_token"] and reused.json()["error"] == "invalid_grant"


def test_a_refresh_token_unused_for_sixty_days_is_refused(http, sandbox, clock):
    issued = sandbox.oauth.issue_tokens(CLIENT_ID)
    clock.advance(timedelta(days=60, seconds=1).total_seconds())
    assert _token(http, grant_type="refresh_token", refresh_token=issued["refresh_token"]).status_code == 400


def test_the_oauth_endpoints_cost_no_api_tokens(http, sandbox):
    _token(http, grant_type="authorization_code", code=_code(http), redirect_uri=REDIRECT_URI)
    assert sandbox.tokens_used() == 0 and [grant for grant, _ in sandbox.oauth.token_requests] == [
        "authorization_code"]


def test_the_served_app_answers_the_token_endpoint_too(sandbox):
    async def call():
        transport = httpx.ASGITransport(app=create_app(sandbox))
        async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1:8765") as client:
            form = {"grant_type": "refresh_token",
                    "refresh_token": sandbox.oauth.issue_tokens(CLIENT_ID)["refresh_token"]}
            return await client.post("/oauth/token", headers={"authorization": BASIC}, data=form)

    assert asyncio.run(call()).json()["token_type"] == "Bearer"
