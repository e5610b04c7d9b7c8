"""Shared test fixtures: a fake clock for the client, and the Postgres URL for tests that need a real server."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

POSTGRES_URL_ENV = "PIPEDRIVE_ETL_TEST_POSTGRES_URL"


class FakeTime:
    """A monotonic clock that only moves when the code under test sleeps: retry tests take no wall time."""

    def __init__(self) -> None:
        self.now = 1_000.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


@pytest.fixture
def fake_time() -> FakeTime:
    return FakeTime()


@pytest.fixture(scope="session")
def _postgres_server_url() -> str:
    url = os.environ.get(POSTGRES_URL_ENV)
    if not url:
        pytest.skip(f"{POSTGRES_URL_ENV} is not set: no PostgreSQL to test against (.ci/run sets it)")
    return url


@pytest.fixture
def fresh_postgres_url(_postgres_server_url: str) -> Iterator[str]:
    """A new, empty database on the test server for one test, dropped afterwards (tests never share state)."""
    import uuid

    import psycopg

    name = f"pipedrive_etl_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(_postgres_server_url, autocommit=True) as admin:
        admin.execute(f'create database "{name}"')
    base, _, _ = _postgres_server_url.rpartition("/")
    try:
        yield f"{base}/{name}"
    finally:
        with psycopg.connect(_postgres_server_url, autocommit=True) as admin:
            admin.execute(f'drop database if exists "{name}" with (force)')


@pytest.fixture(params=["duckdb", "postgres"])
def warehouse_url(request: pytest.FixtureRequest, tmp_path) -> str:
    """Each warehouse test runs on DuckDB and on the real PostgreSQL."""
    if request.param == "duckdb":
        return f"duckdb:///{tmp_path}/warehouse.duckdb"
    return request.getfixturevalue("fresh_postgres_url")
