"""Connecting a company: the signed state, the browser's round trip, and what is stored and audited."""

import time

import httpx
import pytest

from pipedrive_etl import audit
from pipedrive_etl.oauth import (
    InvalidStateError,
    OAuthDeniedError,
    complete_authorization,
    start_authorization,
)
from pipedrive_etl.oauth.connect import callback_params, issue_state, read_state
from pipedrive_etl.secrets import SECRET_KEYS_ENV, MissingCredentialsError, generate_key, load_keyring


def _browser(sandbox, url):
    """The admin opens the URL and clicks Allow: returns the address Pipedrive redirects to."""
    with httpx.Client(transport=sandbox.transport()) as browser:
        return browser.get(url).headers["location"]


def test_the_browser_round_trip_stores_the_connection_with_its_api_domain(sandbox, oauth, store):
    url = start_authorization(oauth, store.keyring, "acme", workspace_id="demo", actor="alice")
    connected = complete_authorization(oauth, store, callback_params(_browser(sandbox, url)))
    assert (connected.connection, connected.api_domain) == ("acme", "https://sandbox.pipedrive.com")
    assert store.load_oauth("acme").scope == "base contacts:full"


def test_the_connection_is_audited_as_done_by_whoever_asked_for_the_url(sandbox, oauth, store, warehouse):
    url = start_authorization(oauth, store.keyring, "acme", workspace_id="demo", actor="alice")
    complete_authorization(oauth, store, callback_params(_browser(sandbox, url)))
    [entry] = audit.entries(warehouse, action="oauth.connected")
    assert (entry.actor, entry.subject, entry.workspace_id) == ("alice", "acme", "demo")
    assert entry.details["api_domain"] == "https://sandbox.pipedrive.com"


def test_a_declined_authorization_stores_nothing(sandbox, oauth, store):
    sandbox.oauth.approve = False
    url = start_authorization(oauth, store.keyring, "acme")
    with pytest.raises(OAuthDeniedError, match=r"did not grant access \(user_denied\)"):
        complete_authorization(oauth, store, callback_params(_browser(sandbox, url)))
    with pytest.raises(MissingCredentialsError):
        store.load_oauth("acme")


def test_an_altered_state_is_refused_before_the_code_is_spent(sandbox, oauth, store):
    params = callback_params(_browser(sandbox, start_authorization(oauth, store.keyring, "acme")))
    params["state"] = params["state"][:-6] + "AAAAAA"
    with pytest.raises(InvalidStateError, match="start again"):
        complete_authorization(oauth, store, params)
    assert sandbox.oauth.token_requests == []


def test_a_state_made_with_other_keys_is_refused(keyring):
    foreign = issue_state(load_keyring({SECRET_KEYS_ENV: generate_key()}), "acme")
    with pytest.raises(InvalidStateError):
        read_state(keyring, foreign)


def test_a_state_older_than_fifteen_minutes_is_refused(keyring, monkeypatch):
    state = issue_state(keyring, "acme")
    later = time.time() + 15 * 60 + 5
    monkeypatch.setattr("cryptography.fernet.time.time", lambda: later)
    with pytest.raises(InvalidStateError, match="older than 15 minutes"):
        read_state(keyring, state)


def test_a_state_carries_the_connection_workspace_and_actor(keyring):
    state = read_state(keyring, issue_state(keyring, "acme", workspace_id="demo", actor="alice"))
    assert (state.connection, state.workspace_id, state.actor) == ("acme", "demo", "alice")


def test_a_redirect_without_a_code_stores_nothing(oauth, store):
    from pipedrive_etl.oauth import OAuthFlowError

    with pytest.raises(OAuthFlowError, match="no authorization code"):
        complete_authorization(oauth, store, {"state": issue_state(store.keyring, "acme")})
