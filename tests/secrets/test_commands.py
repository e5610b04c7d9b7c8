"""`pipedrive-etl secrets ...`: keys, rotation, storing an API token, listing; never printing a secret."""

import pytest
from cryptography.fernet import Fernet

from pipedrive_etl.cli import main
from pipedrive_etl.secrets import SECRET_KEYS_ENV, TokenStore, generate_key, load_keyring
from pipedrive_etl.warehouse import open_warehouse

API_TOKEN = "pd-api-token-0123456789abcdef"


@pytest.fixture
def cli_env(tmp_path, monkeypatch, key):
    url = f"duckdb:///{tmp_path}/warehouse.duckdb"
    monkeypatch.setenv("WAREHOUSE_URL", url)
    monkeypatch.setenv(SECRET_KEYS_ENV, key)
    monkeypatch.setenv("PIPEDRIVE_ETL_ACTOR", "ops@example.com")
    return url


def test_generate_key_prints_one_usable_fernet_key(capsys):
    assert main(["secrets", "generate-key"]) == 0
    key = capsys.readouterr().out.strip()
    assert Fernet(key.encode()).decrypt(Fernet(key.encode()).encrypt(b"x")) == b"x"


def test_store_api_token_encrypts_a_token_from_a_variable_and_never_echoes_it(cli_env, key, monkeypatch,
                                                                              capsys):
    monkeypatch.setenv("ACME_TOKEN", API_TOKEN)
    assert main(["secrets", "store-api-token", "acme", "--from-env", "ACME_TOKEN"]) == 0
    assert API_TOKEN not in capsys.readouterr().out
    with open_warehouse(cli_env) as warehouse:
        assert TokenStore(warehouse, load_keyring({SECRET_KEYS_ENV: key})).load_api_token("acme") == API_TOKEN


def test_rotate_reencrypts_under_the_new_key_and_says_how_many(cli_env, key, monkeypatch, capsys):
    monkeypatch.setenv("ACME_TOKEN", API_TOKEN)
    main(["secrets", "store-api-token", "acme", "--from-env", "ACME_TOKEN"])
    new_key = generate_key()
    monkeypatch.setenv(SECRET_KEYS_ENV, f"{new_key},{key}")
    assert main(["secrets", "rotate"]) == 0
    assert "re-encrypted 1 stored credential(s) under the newest of 2 key(s)" in capsys.readouterr().out
    with open_warehouse(cli_env) as warehouse:
        only_new = TokenStore(warehouse, load_keyring({SECRET_KEYS_ENV: new_key}))
        assert only_new.load_api_token("acme") == API_TOKEN


def test_rotate_with_a_wrong_key_exits_2_saying_nothing_changed_and_no_key(cli_env, monkeypatch, capsys):
    monkeypatch.setenv("ACME_TOKEN", API_TOKEN)
    main(["secrets", "store-api-token", "acme", "--from-env", "ACME_TOKEN"])
    wrong = generate_key()
    monkeypatch.setenv(SECRET_KEYS_ENV, wrong)
    assert main(["secrets", "rotate"]) == 2
    err = capsys.readouterr().err
    assert f"in {SECRET_KEYS_ENV}" in err and "nothing was changed" in err and wrong not in err


def test_rotate_without_keys_exits_2_naming_the_variable(cli_env, monkeypatch, capsys):
    monkeypatch.delenv(SECRET_KEYS_ENV)
    assert main(["secrets", "rotate"]) == 2
    assert f"{SECRET_KEYS_ENV} is not set" in capsys.readouterr().err


def test_list_names_what_is_stored_and_needs_no_key(cli_env, monkeypatch, capsys):
    monkeypatch.setenv("ACME_TOKEN", API_TOKEN)
    main(["secrets", "store-api-token", "acme", "--from-env", "ACME_TOKEN"])
    monkeypatch.delenv(SECRET_KEYS_ENV)
    capsys.readouterr()
    assert main(["secrets", "list"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("api_token acme (workspace acme)") and API_TOKEN not in out
