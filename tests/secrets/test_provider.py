"""StoredTokenProvider: refreshes go to the store (encrypted, audited); fresher stored tokens are adopted."""

from datetime import UTC, datetime, timedelta

import pytest

from pipedrive_etl import audit
from pipedrive_etl.secrets import StoredTokenProvider, TokenStore

from ..oauth.helpers import connect, oauth_app, oauth_sandbox

PAST = datetime(2020, 1, 1, tzinfo=UTC)


@pytest.fixture
def sandbox():
    return oauth_sandbox()


def _provider(store, sandbox, **kwargs):
    return StoredTokenProvider(store, "acme", oauth_app(sandbox).refresh, actor="scheduler", **kwargs)


def test_an_expired_token_is_refreshed_and_the_new_tokens_are_stored(duckdb_store, sandbox):
    old = connect(sandbox, duckdb_store, expires_at=PAST)
    provider = _provider(duckdb_store, sandbox)
    fresh = provider.access_token()
    assert fresh != old.access_token and sandbox.oauth.refresh_count() == 1
    stored = duckdb_store.load_oauth("acme")
    assert stored.access_token == fresh and stored.expires_at > datetime.now(UTC) + timedelta(minutes=55)


def test_a_refresh_is_audited_with_actor_and_workspace_but_no_token(duckdb_store, duckdb_warehouse, sandbox):
    old = connect(sandbox, duckdb_store, expires_at=PAST)
    fresh = StoredTokenProvider(duckdb_store, "acme", oauth_app(sandbox).refresh, actor="scheduler",
                                workspace_id="demo").access_token()
    [entry] = audit.entries(duckdb_warehouse, action="oauth.token_refreshed")
    assert (entry.actor, entry.workspace_id, entry.subject) == ("scheduler", "demo", "acme")
    assert old.refresh_token not in str(entry.details) and fresh not in str(entry.details)


def test_a_rotated_refresh_token_is_stored_so_the_next_process_can_refresh(duckdb_store, sandbox):
    sandbox.oauth.rotate_refresh_tokens = True
    first = connect(sandbox, duckdb_store, expires_at=PAST)
    _provider(duckdb_store, sandbox).access_token()
    rotated = duckdb_store.load_oauth("acme")
    assert rotated.refresh_token != first.refresh_token
    # The next process starts from the store; expire its copy to force another refresh.
    duckdb_store.save_oauth("acme", rotated.__class__(rotated.access_token, rotated.refresh_token, PAST,
                                                      rotated.api_domain, rotated.scope))
    assert _provider(duckdb_store, sandbox).access_token()
    assert sandbox.oauth.refresh_count() == 2


def test_fresher_tokens_another_process_stored_are_used_without_calling_the_endpoint(duckdb_store, sandbox):
    connect(sandbox, duckdb_store, expires_at=PAST)
    ours = _provider(duckdb_store, sandbox)  # loaded the expired token
    theirs = _provider(duckdb_store, sandbox)
    refreshed_elsewhere = theirs.access_token()
    assert ours.access_token() == refreshed_elsewhere
    assert (sandbox.oauth.refresh_count(), ours.refreshes, ours.adoptions) == (1, 0, 1)


def test_the_provider_names_the_api_domain_the_token_was_issued_for(duckdb_store, sandbox):
    connect(sandbox, duckdb_store)
    assert _provider(duckdb_store, sandbox).api_domain == "https://sandbox.pipedrive.com"


def test_a_store_without_the_connection_fails_before_any_request(duckdb_warehouse, keyring, sandbox):
    from pipedrive_etl.secrets import MissingCredentialsError

    with pytest.raises(MissingCredentialsError):
        _provider(TokenStore(duckdb_warehouse, keyring), sandbox)
    assert sandbox.oauth.token_requests == []
