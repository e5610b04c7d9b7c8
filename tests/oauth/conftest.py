"""Fixtures for the OAuth tests: the sandbox's OAuth server with our app registered, keys, a token store."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from pipedrive_etl.oauth import PipedriveOAuth
from pipedrive_etl.sandbox import FakeClock, Sandbox
from pipedrive_etl.secrets import SECRET_KEYS_ENV, Keyring, TokenStore, load_keyring
from pipedrive_etl.warehouse import Warehouse, open_warehouse

from .helpers import oauth_app, oauth_sandbox


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def sandbox(clock: FakeClock) -> Sandbox:
    return oauth_sandbox(clock)


@pytest.fixture
def oauth(sandbox: Sandbox) -> PipedriveOAuth:
    return oauth_app(sandbox)


@pytest.fixture
def keyring(key: str) -> Keyring:
    return load_keyring({SECRET_KEYS_ENV: key})


@pytest.fixture
def warehouse_path(tmp_path: Path) -> Path:
    return tmp_path / "warehouse.duckdb"


@pytest.fixture
def warehouse(warehouse_path: Path) -> Iterator[Warehouse]:
    with open_warehouse(f"duckdb:///{warehouse_path}") as opened:
        yield opened


@pytest.fixture
def store(warehouse: Warehouse, keyring: Keyring) -> TokenStore:
    return TokenStore(warehouse, keyring)
