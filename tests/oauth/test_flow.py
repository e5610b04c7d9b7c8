"""PipedriveOAuth (authlib underneath): the authorize URL, the code exchange, refresh, and clear errors."""

from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from pipedrive_etl.config import ConfigError
from pipedrive_etl.oauth import OAuthApp, OAuthEndpointError, OAuthGrantError, PipedriveOAuth

from .helpers import CLIENT_ID, CLIENT_SECRET, REDIRECT_URI, oauth_app


class Recording(httpx.BaseTransport):
    """Passes requests to the sandbox and keeps them, to look at what went over the wire."""

    def __init__(self, inner: httpx.BaseTransport) -> None:
        self.inner, self.requests = inner, []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return self.inner.handle_request(request)


def _code(sandbox, oauth):
    with httpx.Client(transport=sandbox.transport()) as browser:
        location = browser.get(oauth.authorization_url("s-1")).headers["location"]
    return parse_qs(urlsplit(location).query)["code"][0]


def test_the_authorize_url_names_the_app_the_callback_and_the_state(oauth):
    url = urlsplit(oauth.authorization_url("state-123"))
    assert f"{url.scheme}://{url.netloc}{url.path}" == "https://oauth.pipedrive.com/oauth/authorize"
    assert {k: v[0] for k, v in parse_qs(url.query).items()} == {
        "client_id": CLIENT_ID, "redirect_uri": REDIRECT_URI, "state": "state-123", "response_type": "code"}


def test_the_code_exchange_sends_basic_client_credentials_and_a_form_body(sandbox):
    recording = Recording(sandbox.transport())
    app = OAuthApp(CLIENT_ID, CLIENT_SECRET, REDIRECT_URI)
    PipedriveOAuth(app, transport=recording).exchange_code(_code(sandbox, oauth_app(sandbox)))
    [request] = recording.requests
    assert request.headers["authorization"].startswith("Basic ")
    assert request.headers["content-type"].startswith("application/x-www-form-urlencoded")
    assert parse_qs(request.content.decode())["grant_type"] == ["authorization_code"]


def test_exchanged_tokens_carry_the_api_domain_and_expire_from_when_they_were_asked_for(sandbox):
    asked_at = datetime(2026, 9, 1, 9, 0, tzinfo=UTC)
    oauth = PipedriveOAuth(OAuthApp(CLIENT_ID, CLIENT_SECRET, REDIRECT_URI), transport=sandbox.transport(),
                           now=lambda: asked_at)
    token = oauth.exchange_code(_code(sandbox, oauth))
    assert (token.api_domain, token.scope) == ("https://sandbox.pipedrive.com", "base contacts:full")
    assert token.expires_at == asked_at + timedelta(seconds=3599)


def test_a_refresh_keeps_the_refresh_token_pipedrive_returns(sandbox, oauth):
    sandbox.oauth.rotate_refresh_tokens = True
    issued = sandbox.oauth.issue_tokens(CLIENT_ID)
    refreshed = oauth.refresh(issued["refresh_token"])
    assert refreshed.refresh_token != issued["refresh_token"]
    assert refreshed.access_token != issued["access_token"]


def test_a_refused_code_is_a_grant_error_that_says_to_connect_again(oauth):
    with pytest.raises(OAuthGrantError, match=r"the authorization code \(invalid_grant.*oauth connect"):
        oauth.exchange_code("0" * 40)


def test_a_wrong_client_secret_is_a_grant_error_and_a_config_error(sandbox):
    with pytest.raises(OAuthGrantError, match="invalid_client") as caught:
        refresh_token = sandbox.oauth.issue_tokens(CLIENT_ID)["refresh_token"]
        oauth_app(sandbox, client_secret="wrong").refresh(refresh_token)
    assert isinstance(caught.value, ConfigError)  # Dagster does not retry a step for it


def test_an_unreachable_token_endpoint_is_an_endpoint_error_worth_retrying():
    def refuse(request):
        raise httpx.ConnectError("connection refused", request=request)

    oauth = PipedriveOAuth(OAuthApp(CLIENT_ID, CLIENT_SECRET), transport=httpx.MockTransport(refuse))
    with pytest.raises(OAuthEndpointError, match="ConnectError calling Pipedrive's token endpoint") as caught:
        oauth.refresh("1:2:refresh-token-value")
    assert not isinstance(caught.value, ConfigError)


def test_a_gateway_error_page_is_an_endpoint_error_naming_the_status():
    page = httpx.MockTransport(lambda request: httpx.Response(502, text="<html>Bad gateway</html>"))
    oauth = PipedriveOAuth(OAuthApp(CLIENT_ID, CLIENT_SECRET), transport=page)
    with pytest.raises(OAuthEndpointError, match="answered 502"):
        oauth.refresh("1:2:refresh-token-value")


def test_an_error_never_shows_the_refresh_token_or_the_client_secret():
    echo = httpx.MockTransport(lambda request: httpx.Response(
        400, json={"error": "invalid_request", "error_description": f"bad body {request.content.decode()}"}))
    oauth = PipedriveOAuth(OAuthApp(CLIENT_ID, CLIENT_SECRET), transport=echo)
    with pytest.raises(OAuthEndpointError) as caught:
        oauth.refresh("1:2:refresh-token-value")
    assert "refresh-token-value" not in str(caught.value) and CLIENT_SECRET not in str(caught.value)


def test_connecting_without_a_callback_url_is_a_config_error_naming_the_variable():
    with pytest.raises(ConfigError, match="PIPEDRIVE_OAUTH_REDIRECT_URI is not set"):
        PipedriveOAuth(OAuthApp(CLIENT_ID, CLIENT_SECRET)).authorization_url("s")


def test_the_app_from_the_environment_names_every_missing_variable():
    with pytest.raises(ConfigError, match="PIPEDRIVE_OAUTH_CLIENT_ID and PIPEDRIVE_OAUTH_CLIENT_SECRET are"):
        OAuthApp.from_env({})


def test_the_app_from_the_environment_points_at_a_configured_server_and_hides_its_secret():
    app = OAuthApp.from_env({"PIPEDRIVE_OAUTH_CLIENT_ID": CLIENT_ID,
                             "PIPEDRIVE_OAUTH_CLIENT_SECRET": CLIENT_SECRET,
                             "PIPEDRIVE_OAUTH_BASE_URL": "http://127.0.0.1:8765/"})
    assert app.base_url == "http://127.0.0.1:8765" and CLIENT_SECRET not in repr(app)
