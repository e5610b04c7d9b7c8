"""The callback route the receiver mounts: finishes a connection from Pipedrive's redirect."""

import httpx
import pytest
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from pipedrive_etl.oauth import oauth_routes, oauth_routes_from_env, start_authorization
from pipedrive_etl.oauth.flow import PipedriveOAuth
from pipedrive_etl.secrets import SECRET_KEYS_ENV, MissingCredentialsError, SecretKeyError, TokenStore

from ..webhooks.asgi import SyncASGITransport
from .helpers import CLIENT_ID, CLIENT_SECRET


def _receiver(oauth, store):
    """Stands for the webhook receiver: its own routes plus ours."""
    async def health(_):
        return PlainTextResponse("ok")

    return Starlette(routes=[Route("/health", health), *oauth_routes(oauth, store)])


def _browser_on(app):
    return httpx.Client(transport=SyncASGITransport(app), base_url="https://etl.example.com")


@pytest.fixture
def receiver(oauth, store):
    with _browser_on(_receiver(oauth, store)) as http:
        yield http


def _redirect(sandbox, oauth, store):
    url = start_authorization(oauth, store.keyring, "acme", actor="alice")
    with httpx.Client(transport=sandbox.transport()) as browser:
        return browser.get(url).headers["location"]


def test_the_callback_stores_the_connection_and_says_so_without_any_secret(sandbox, oauth, store, receiver):
    response = receiver.get(_redirect(sandbox, oauth, store))
    token = store.load_oauth("acme")
    assert response.status_code == 200
    assert "'acme' is connected (https://sandbox.pipedrive.com" in response.text
    assert token.access_token not in response.text and "code" not in response.text
    assert response.headers["cache-control"] == "no-store"


def test_a_declined_authorization_answers_400_and_stores_nothing(sandbox, oauth, store, receiver):
    sandbox.oauth.approve = False
    response = receiver.get(_redirect(sandbox, oauth, store))
    assert response.status_code == 400 and "user_denied" in response.text
    with pytest.raises(MissingCredentialsError):
        store.load_oauth("acme")


def test_a_forged_state_answers_400(receiver):
    response = receiver.get("/oauth/callback", params={"code": "abc", "state": "forged"})
    assert response.status_code == 400 and "This link cannot be used" in response.text


def test_an_unreachable_token_endpoint_answers_502(sandbox, oauth, store):
    def refuse(request):
        raise httpx.ConnectError("refused", request=request)

    unreachable = PipedriveOAuth(oauth.app, transport=httpx.MockTransport(refuse))
    with _browser_on(_receiver(unreachable, store)) as http:
        assert http.get(_redirect(sandbox, oauth, store)).status_code == 502


def test_the_route_mounts_beside_the_receiver_s_own(receiver):
    assert receiver.get("/health").text == "ok"


def test_from_the_environment_no_app_means_no_route():
    assert oauth_routes_from_env({}) == []


def test_from_the_environment_a_configured_app_gives_the_callback_route(tmp_path, key):
    env = {"PIPEDRIVE_OAUTH_CLIENT_ID": CLIENT_ID, "PIPEDRIVE_OAUTH_CLIENT_SECRET": CLIENT_SECRET,
           SECRET_KEYS_ENV: key, "WAREHOUSE_URL": f"duckdb:///{tmp_path}/w.duckdb"}
    assert [route.path for route in oauth_routes_from_env(env)] == ["/oauth/callback"]


def test_from_the_environment_a_configured_app_without_keys_fails_at_start_up():
    with pytest.raises(SecretKeyError, match=SECRET_KEYS_ENV):
        oauth_routes_from_env({"PIPEDRIVE_OAUTH_CLIENT_ID": CLIENT_ID, "PIPEDRIVE_OAUTH_CLIENT_SECRET": "x"})


def test_tokens_that_cannot_be_stored_answer_503_and_say_so(sandbox, oauth, store, warehouse, keyring):
    class LockedStore(TokenStore):
        def save_oauth(self, *args, **kwargs):
            raise OSError("Could not set lock on file: Conflicting lock is held")

    locked = LockedStore(warehouse, keyring)
    with _browser_on(_receiver(oauth, locked)) as http:
        response = http.get(_redirect(sandbox, oauth, store))
    assert response.status_code == 503 and "could not be stored" in response.text
