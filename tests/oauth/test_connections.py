"""connections.pipedrive_client for `{type: oauth, connection: NAME}` workspaces, on the sandbox."""

import threading
from datetime import UTC, datetime

import httpx
import pytest

from pipedrive_etl.config import ConfigError, Workspace
from pipedrive_etl.connections import pipedrive_client
from pipedrive_etl.oauth import OAuthGrantError
from pipedrive_etl.sandbox import seed_pipedrive
from pipedrive_etl.secrets import SECRET_KEYS_ENV, MissingCredentialsError, SecretKeyError

from .helpers import connect, oauth_env

PAST = datetime(2020, 1, 1, tzinfo=UTC)


def _workspace(**pipedrive):
    return Workspace.model_validate({"id": "demo", "pipedrive": {
        "company_domain": "sandbox", "plan": "ultimate", "auth": {"type": "oauth", "connection": "acme"},
        **pipedrive}})


@pytest.fixture
def env(key, warehouse_path):
    return oauth_env(key, f"duckdb:///{warehouse_path}")


@pytest.fixture
def seeded(sandbox):
    return seed_pipedrive(sandbox, persons=12, organizations=3, deals=3, activities=3, seed=3)


def _client(sandbox, env, warehouse, transport=None, **pipedrive):
    return pipedrive_client(_workspace(**pipedrive), budget=None, env=env, warehouse=warehouse,
                            transport=transport or sandbox.transport())


class Hosts(httpx.BaseTransport):
    def __init__(self, inner):
        self.inner, self.hosts = inner, []

    def handle_request(self, request):
        self.hosts.append(request.url.host)
        return self.inner.handle_request(request)


def _ten_at_once(client):
    results, start = [], threading.Barrier(10)

    def one():
        start.wait()
        results.append(client.get_current_user().id)

    threads = [threading.Thread(target=one) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def test_requests_go_to_the_api_domain_with_the_stored_bearer_token(sandbox, seeded, env, store, warehouse):
    connect(sandbox, store)
    hosts = Hosts(sandbox.transport())
    with _client(sandbox, env, warehouse, transport=hosts) as client:
        assert len(next(client.iter_persons()).items) == 12
    assert hosts.hosts == ["sandbox.pipedrive.com"]


def test_a_configured_base_url_still_wins_over_the_api_domain(sandbox, env, store, warehouse):
    connect(sandbox, store)
    hosts = Hosts(sandbox.transport())
    with _client(sandbox, env, warehouse, transport=hosts, base_url="http://127.0.0.1:8765") as client:
        client.get_current_user()
    assert hosts.hosts == ["127.0.0.1"]


def test_ten_concurrent_requests_on_an_expired_token_cause_exactly_one_refresh(sandbox, env, store,
                                                                              warehouse):
    connect(sandbox, store, expires_at=PAST)
    with _client(sandbox, env, warehouse) as client:
        assert _ten_at_once(client) == [sandbox.admin_user_id] * 10
    assert sandbox.oauth.refresh_count() == 1


def test_ten_concurrent_requests_after_the_server_expired_the_token_cause_one_refresh(sandbox, clock, env,
                                                                                     store, warehouse):
    # Our clock says the token is fresh; the sandbox's clock is past its 60 minutes: every request gets a 401
    # first, and the refresh after a rejection is shared too.
    connect(sandbox, store)
    clock.advance(3601)
    with _client(sandbox, env, warehouse) as client:
        assert _ten_at_once(client) == [sandbox.admin_user_id] * 10
    assert sandbox.oauth.refresh_count() == 1


def test_the_refreshed_tokens_are_stored_for_the_next_run(sandbox, env, store, warehouse):
    old = connect(sandbox, store, expires_at=PAST)
    with _client(sandbox, env, warehouse) as client:
        client.get_current_user()
    assert store.load_oauth("acme").access_token != old.access_token


def test_without_a_warehouse_the_tokens_are_read_from_warehouse_url(sandbox, env, store, warehouse):
    connect(sandbox, store)
    warehouse.close()  # the client opens $WAREHOUSE_URL itself, briefly
    with _client(sandbox, env, None) as client:
        assert client.get_current_user().id == sandbox.admin_user_id


def test_a_revoked_refresh_token_stops_the_request_with_a_grant_error(sandbox, env, store, warehouse):
    token = connect(sandbox, store, expires_at=PAST)
    sandbox.oauth.revoke(token.refresh_token)  # the admin uninstalled the app
    with _client(sandbox, env, warehouse) as client:
        with pytest.raises(OAuthGrantError, match="connection 'acme': .*connect again"):
            client.get_current_user()


def test_a_missing_oauth_app_is_a_config_error_naming_workspace_connection_and_variables(sandbox, env, store,
                                                                                         warehouse):
    connect(sandbox, store)
    del env["PIPEDRIVE_OAUTH_CLIENT_SECRET"]
    with pytest.raises(ConfigError, match=r"'demo' \(OAuth connection 'acme'\): .*CLIENT_SECRET is not set"):
        _client(sandbox, env, warehouse)


def test_missing_keys_are_an_error_naming_the_variable(sandbox, env, warehouse):
    del env[SECRET_KEYS_ENV]
    with pytest.raises(SecretKeyError, match=f"{SECRET_KEYS_ENV} is not set"):
        _client(sandbox, env, warehouse)


def test_a_connection_never_made_fails_before_any_request(sandbox, env, warehouse):
    with pytest.raises(MissingCredentialsError, match="oauth connect acme"):
        _client(sandbox, env, warehouse)
    assert sandbox.tokens_used() == 0


def test_an_api_token_workspace_falls_back_to_the_stored_token_when_its_variable_is_unset(sandbox, env, store,
                                                                                         warehouse):
    store.save_api_token("demo", "sandbox-token")
    workspace = Workspace.model_validate({"id": "demo", "pipedrive": {
        "company_domain": "sandbox", "plan": "ultimate", "auth": {"env": "UNSET_TOKEN_VARIABLE"}}})
    with pipedrive_client(workspace, budget=None, env=env, warehouse=warehouse,
                          transport=sandbox.transport()) as client:
        assert client.get_current_user().id == sandbox.admin_user_id


def test_without_keys_an_api_token_workspace_reports_only_its_unset_variable(sandbox, env, warehouse):
    del env[SECRET_KEYS_ENV]
    workspace = Workspace.model_validate({"id": "demo", "pipedrive": {
        "company_domain": "sandbox", "auth": {"env": "UNSET_TOKEN_VARIABLE"}}})
    with pytest.raises(ConfigError, match=r"UNSET_TOKEN_VARIABLE \(its Pipedrive API token\) is not set$"):
        pipedrive_client(workspace, budget=None, env=env, warehouse=warehouse, transport=sandbox.transport())
