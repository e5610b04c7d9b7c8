"""state.pipedrive_auth: what goes in comes back, and the warehouse's bytes never hold a plaintext token."""

from pathlib import Path

import pytest

from pipedrive_etl import audit
from pipedrive_etl.secrets import (
    SECRET_KEYS_ENV,
    MissingCredentialsError,
    SecretKeyError,
    TokenStore,
    generate_key,
    load_keyring,
    stored_credentials,
)
from pipedrive_etl.warehouse import open_warehouse

from .conftest import fixture_token


def test_an_oauth_connection_reads_back_as_it_was_saved(store):
    token = fixture_token()
    store.save_oauth("acme", token, actor="ops", workspace_id="demo")
    assert store.load_oauth("acme") == token


def test_saving_again_replaces_the_connection_and_audits_each_save(store, warehouse):
    store.save_oauth("acme", fixture_token(), actor="ops")
    newer = fixture_token(access_token="v1u:newer-access-token")
    store.save_oauth("acme", newer, actor="ops", action="oauth.token_refreshed")
    assert store.load_oauth("acme").access_token == "v1u:newer-access-token"
    assert warehouse.fetchone("select count(*) from state.pipedrive_auth")[0] == 1
    actions = [entry.action for entry in audit.entries(warehouse, limit=10)]
    assert sorted(actions) == ["oauth.connected", "oauth.token_refreshed"]


def test_an_api_token_is_stored_per_workspace(store):
    store.save_api_token("demo", "pd-api-token-0123456789abcdef", actor="ops")
    assert store.load_api_token("demo") == "pd-api-token-0123456789abcdef"
    assert store.load_api_token("other") is None


def test_a_connection_never_made_is_an_error_saying_how_to_make_it(duckdb_store):
    with pytest.raises(MissingCredentialsError, match="'acme' is not connected.*oauth connect acme"):
        duckdb_store.load_oauth("acme")


def test_a_token_saved_under_other_keys_cannot_be_read_and_the_error_names_the_variable(duckdb_store,
                                                                                         duckdb_warehouse):
    duckdb_store.save_oauth("acme", fixture_token())
    stranger = TokenStore(duckdb_warehouse, load_keyring({SECRET_KEYS_ENV: generate_key()}))
    with pytest.raises(SecretKeyError, match=f"'acme' cannot be decrypted .* in {SECRET_KEYS_ENV}"):
        stranger.load_oauth("acme")


def test_listing_shows_what_is_stored_without_any_secret(duckdb_store, duckdb_warehouse):
    token = fixture_token()
    duckdb_store.save_oauth("acme", token, workspace_id="demo")
    [listed] = stored_credentials(duckdb_warehouse)
    assert (listed.kind, listed.name, listed.workspace_id, listed.api_domain) == (
        "oauth", "acme", "demo", "https://user-company.pipedrive.com")
    assert token.access_token not in repr(listed) and token.refresh_token not in repr(listed)


def test_a_store_on_a_url_opens_the_warehouse_only_for_each_call(tmp_path, keyring):
    url = f"duckdb:///{tmp_path}/w.duckdb"
    TokenStore(url, keyring).save_oauth("acme", fixture_token())
    # Nothing holds the file now: another connection (another process, on DuckDB) can open it.
    with open_warehouse(url) as warehouse:
        assert TokenStore(warehouse, keyring).load_oauth("acme").scope == "base"


# -- the raw bytes -------------------------------------------------------------------------------------------

def _secrets_of(token):
    return [token.access_token.encode(), token.refresh_token.encode()]


def test_the_duckdb_wal_and_file_hold_ciphertext_but_no_plaintext_token(tmp_path, keyring):
    path = tmp_path / "warehouse.duckdb"
    token = fixture_token()
    warehouse = open_warehouse(f"duckdb:///{path}")
    TokenStore(warehouse, keyring).save_oauth("acme", token)
    ciphertext = warehouse.fetchone("select encrypted_access_token from state.pipedrive_auth")[0].encode()
    wal = Path(f"{path}.wal").read_bytes()  # before closing, the row lives in the write-ahead log
    warehouse.close()
    data = path.read_bytes()
    assert ciphertext in wal and ciphertext in data  # the check looks where the row really is
    assert not any(secret in wal or secret in data for secret in _secrets_of(token))


def test_the_duckdb_check_would_find_a_token_stored_in_the_clear(tmp_path):
    path = tmp_path / "control.duckdb"
    token = fixture_token()
    with open_warehouse(f"duckdb:///{path}") as warehouse:
        warehouse.execute("create table plain (value varchar)")
        warehouse.execute("insert into plain values (?)", [token.access_token])
    assert token.access_token.encode() in path.read_bytes()


def test_every_postgres_value_is_ciphertext_and_the_rows_as_text_hold_no_token(fresh_postgres_url, keyring):
    token = fixture_token()
    with open_warehouse(fresh_postgres_url) as warehouse:
        store = TokenStore(warehouse, keyring)
        store.save_oauth("acme", token)
        store.save_api_token("demo", "pd-api-token-0123456789abcdef")
        columns = warehouse.fetchall("select encrypted_access_token, encrypted_refresh_token "
                                     "from state.pipedrive_auth")
        rows = warehouse.fetchall("select t::text from state.pipedrive_auth t")
    rows_as_text = " ".join(row[0] for row in rows)
    assert all(value.startswith("gAAAAA") for row in columns for value in row if value is not None)
    for secret in (token.access_token, token.refresh_token, "pd-api-token-0123456789abcdef"):
        assert secret not in rows_as_text


def test_the_postgres_heap_pages_of_the_table_hold_no_plaintext_token(fresh_postgres_url, keyring):
    token = fixture_token()
    with open_warehouse(fresh_postgres_url) as warehouse:
        available = "select count(*) from pg_available_extensions where name = 'pageinspect'"
        if not warehouse.fetchone(available)[0]:
            pytest.skip("pageinspect is not installed on this PostgreSQL")
        warehouse.execute("create extension pageinspect")
        TokenStore(warehouse, keyring).save_oauth("acme", token)
        ciphertext = warehouse.fetchone("select encrypted_access_token from state.pipedrive_auth")[0].encode()
        pages = warehouse.fetchall("select get_raw_page('state.pipedrive_auth', n) from generate_series(0, "
                                   "(pg_relation_size('state.pipedrive_auth') / 8192)::int - 1) n")
    raw = b"".join(bytes(page[0]) for page in pages)
    assert ciphertext in raw
    assert not any(secret in raw for secret in _secrets_of(token))
