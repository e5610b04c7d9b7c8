"""Health of an OAuth workspace: the token accepted after a refresh, and the refresh token's expiry (60 days
from its last use)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from pipedrive_etl import redaction
from pipedrive_etl.config import parse_config
from pipedrive_etl.health.checks import REFRESH_TOKEN_LIFETIME
from pipedrive_etl.health.probe import HealthSettings, check_health
from pipedrive_etl.sandbox import FakeClock
from pipedrive_etl.secrets import TokenStore, generate_key, load_keyring
from pipedrive_etl.secrets.keys import SECRET_KEYS_ENV
from pipedrive_etl.warehouse import open_warehouse
from tests.oauth.helpers import connect, oauth_env, oauth_sandbox

PAST = datetime(2020, 1, 1, tzinfo=UTC)
WORKSPACE = parse_config({"workspaces": [{"id": "demo", "pipedrive": {
    "company_domain": "sandbox", "base_url": "https://sandbox.pipedrive.com", "plan": "ultimate",
    "auth": {"type": "oauth", "connection": "acme"}}}]}).workspace("demo")


@pytest.fixture(autouse=True)
def _forget_registered_secrets():
    yield
    redaction.forget_secrets()


@pytest.fixture
def sandbox():
    return oauth_sandbox(FakeClock(datetime.now(UTC)))


@pytest.fixture
def env(warehouse_url):
    return oauth_env(generate_key(), warehouse_url)


def store_at(env, warehouse, moment: datetime) -> TokenStore:
    return TokenStore(warehouse, load_keyring({SECRET_KEYS_ENV: env[SECRET_KEYS_ENV]}), now=lambda: moment)


def checks(sandbox, env, warehouse_url) -> dict[str, tuple[str, str]]:
    report = check_health([WORKSPACE], warehouse_url=warehouse_url, env=env, settings=HealthSettings(),
                          transport=sandbox.transport())
    return {check.name: (check.status, check.detail) for check in report.checks}


def test_an_expired_access_token_is_refreshed_and_the_connection_is_healthy(sandbox, env, warehouse_url):
    with open_warehouse(warehouse_url) as warehouse:
        connect(sandbox, store_at(env, warehouse, datetime.now(UTC)), expires_at=PAST)
    found = checks(sandbox, env, warehouse_url)
    assert found["token"][0] == "ok" and "OAuth token accepted" in found["token"][1]
    assert found["oauth_tokens"][0] == "ok"


def test_a_refresh_token_unused_for_55_days_is_a_warning(sandbox, env, warehouse_url):
    last_used = datetime.now(UTC) - timedelta(days=55)
    with open_warehouse(warehouse_url) as warehouse:
        connect(sandbox, store_at(env, warehouse, last_used))  # access token still valid: no refresh now
    status, detail = checks(sandbox, env, warehouse_url)["oauth_tokens"]
    assert status == "warn"
    assert f"{last_used + REFRESH_TOKEN_LIFETIME:%Y-%m-%d %H:%M}" in detail


def test_a_refresh_token_unused_for_longer_than_60_days_fails(sandbox, env, warehouse_url):
    with open_warehouse(warehouse_url) as warehouse:
        connect(sandbox, store_at(env, warehouse, datetime.now(UTC) - timedelta(days=61)))
    status, detail = checks(sandbox, env, warehouse_url)["oauth_tokens"]
    assert status == "fail" and "connect again" in detail


def test_a_revoked_connection_fails_the_token_check(sandbox, env, warehouse_url):
    with open_warehouse(warehouse_url) as warehouse:
        token = connect(sandbox, store_at(env, warehouse, datetime.now(UTC)), expires_at=PAST)
    sandbox.oauth.revoke(token.refresh_token)  # the admin uninstalled the app
    status, detail = checks(sandbox, env, warehouse_url)["token"]
    assert status == "fail" and "connect again" in detail


def test_a_connection_never_made_fails_the_token_check_before_any_request(sandbox, env, warehouse_url):
    found = checks(sandbox, env, warehouse_url)
    assert found["token"][0] == "fail" and "oauth connect acme" in found["token"][1]
    assert sandbox.tokens_used() == 0
