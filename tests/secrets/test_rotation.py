"""Key rotation: everything re-encrypted under the newest key in one go, or nothing changed at all."""

import pytest

from pipedrive_etl import audit
from pipedrive_etl.secrets import (
    SECRET_KEYS_ENV,
    SecretKeyError,
    TokenStore,
    generate_key,
    load_keyring,
    rotate_keys,
)

from .conftest import fixture_token

ALL_CIPHERTEXT = ("select kind, name, encrypted_access_token, encrypted_refresh_token "
                  "from state.pipedrive_auth order by kind, name")


def _fill(warehouse, keyring):
    store = TokenStore(warehouse, keyring)
    store.save_oauth("acme", fixture_token())
    store.save_oauth("globex", fixture_token(access_token="v1u:globex-access", refresh_token="1:2:globex"))
    store.save_api_token("demo", "pd-api-token-0123456789abcdef")


def test_after_rotation_every_credential_reads_with_the_new_key_alone(warehouse, key):
    _fill(warehouse, load_keyring({SECRET_KEYS_ENV: key}))
    new_key = generate_key()
    result = rotate_keys(warehouse, load_keyring({SECRET_KEYS_ENV: f"{new_key},{key}"}), actor="ops")
    only_new = TokenStore(warehouse, load_keyring({SECRET_KEYS_ENV: new_key}))
    assert (result.credentials, result.keys) == (3, 2)
    assert only_new.load_oauth("acme") == fixture_token(expires_at=only_new.load_oauth("acme").expires_at)
    assert only_new.load_oauth("globex").refresh_token == "1:2:globex"
    assert only_new.load_api_token("demo") == "pd-api-token-0123456789abcdef"


def test_rotation_writes_an_audit_row_with_the_counts_and_the_actor(duckdb_warehouse, key):
    _fill(duckdb_warehouse, load_keyring({SECRET_KEYS_ENV: key}))
    rotate_keys(duckdb_warehouse, load_keyring({SECRET_KEYS_ENV: f"{generate_key()},{key}"}), actor="ops")
    [entry] = audit.entries(duckdb_warehouse, action="secrets.rotated")
    assert (entry.actor, entry.details) == ("ops", {"credentials": 3, "keys": 2})


def test_rotation_without_the_old_key_fails_clearly_and_changes_nothing(warehouse, key):
    _fill(warehouse, load_keyring({SECRET_KEYS_ENV: key}))
    before = warehouse.fetchall(ALL_CIPHERTEXT)
    with pytest.raises(SecretKeyError, match=rf"any of the 1 key\(s\) in {SECRET_KEYS_ENV}"):
        rotate_keys(warehouse, load_keyring({SECRET_KEYS_ENV: generate_key()}), actor="ops")
    assert warehouse.fetchall(ALL_CIPHERTEXT) == before
    assert audit.entries(warehouse, action="secrets.rotated") == []


def test_a_key_set_that_opens_only_some_rows_changes_no_row(duckdb_warehouse, key):
    # One row under another key: rotation must not re-encrypt the others and then stop half way.
    _fill(duckdb_warehouse, load_keyring({SECRET_KEYS_ENV: key}))
    stranger = TokenStore(duckdb_warehouse, load_keyring({SECRET_KEYS_ENV: generate_key()}))
    stranger.save_oauth("zeta", fixture_token())
    before = duckdb_warehouse.fetchall(ALL_CIPHERTEXT)
    with pytest.raises(SecretKeyError, match="'zeta'"):
        rotate_keys(duckdb_warehouse, load_keyring({SECRET_KEYS_ENV: f"{generate_key()},{key}"}))
    assert duckdb_warehouse.fetchall(ALL_CIPHERTEXT) == before


def test_rotating_an_empty_table_is_harmless(duckdb_warehouse, keyring):
    assert rotate_keys(duckdb_warehouse, keyring).credentials == 0
