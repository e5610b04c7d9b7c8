"""Fixtures for the secrets tests: keys, a warehouse on DuckDB and Postgres, a token store, a known token."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from pipedrive_etl.pipedrive.auth import OAuthToken
from pipedrive_etl.secrets import SECRET_KEYS_ENV, Keyring, TokenStore, load_keyring
from pipedrive_etl.warehouse import Warehouse, open_warehouse

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures/pipedrive/pipedrive_oauth_token_response.json"


def fixture_token(**changes: object) -> OAuthToken:
    """The documented token response (a 700-character access token) as an OAuthToken, with `changes`."""
    body = json.loads(FIXTURE.read_text())
    token = OAuthToken(access_token=body["access_token"], refresh_token=body["refresh_token"],
                       expires_at=datetime.now(UTC) + timedelta(seconds=body["expires_in"]),
                       api_domain=body["api_domain"], scope=body["scope"])
    return replace(token, **changes)  # type: ignore[arg-type]


@pytest.fixture
def keyring(key: str) -> Keyring:
    return load_keyring({SECRET_KEYS_ENV: key})


@pytest.fixture
def warehouse(warehouse_url: str) -> Iterator[Warehouse]:
    with open_warehouse(warehouse_url) as opened:
        yield opened


@pytest.fixture
def store(warehouse: Warehouse, keyring: Keyring) -> TokenStore:
    """A store on both backends, for what touches SQL."""
    return TokenStore(warehouse, keyring)


@pytest.fixture
def duckdb_warehouse(tmp_path: Path) -> Iterator[Warehouse]:
    with open_warehouse(f"duckdb:///{tmp_path}/warehouse.duckdb") as opened:
        yield opened


@pytest.fixture
def duckdb_store(duckdb_warehouse: Warehouse, keyring: Keyring) -> TokenStore:
    """A store on DuckDB only, for decisions the backend cannot change."""
    return TokenStore(duckdb_warehouse, keyring)
