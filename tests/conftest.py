"""Shared test fixtures: a fake clock for the client, the sandbox Pipedrive on a fake clock, and the Postgres
URL for tests that need a real server."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from pipedrive_etl import redaction
from pipedrive_etl.sandbox import FakeClock, Sandbox
from pipedrive_etl.secrets import generate_key

from .postgres import temporary_database

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


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def sandbox(clock: FakeClock) -> Sandbox:
    # Ultimate: 120 requests per 2 s, so tests that are not about limits never meet one.
    return Sandbox(plan="ultimate", seats=5, clock=clock)


@pytest.fixture(scope="session")
def _postgres_server_url() -> str:
    url = os.environ.get(POSTGRES_URL_ENV)
    if not url:
        pytest.skip(f"{POSTGRES_URL_ENV} is not set: no PostgreSQL to test against (.ci/run sets it)")
    return url


@pytest.fixture
def fresh_postgres_url(_postgres_server_url: str) -> Iterator[str]:
    """A new, empty database on the test server for one test, dropped afterwards (tests never share state)."""
    with temporary_database(_postgres_server_url, "pipedrive_etl_test") as url:
        yield url


@pytest.fixture(params=["duckdb", "postgres"])
def warehouse_url(request: pytest.FixtureRequest, tmp_path) -> str:
    """Each warehouse test runs on DuckDB and on the real PostgreSQL."""
    if request.param == "duckdb":
        return f"duckdb:///{tmp_path}/warehouse.duckdb"
    return request.getfixturevalue("fresh_postgres_url")


@pytest.fixture(autouse=True)
def _forget_registered_secrets() -> Iterator[None]:
    """Secrets a test registers for redaction do not leak into the next test's logs."""
    yield
    redaction.forget_secrets()


@pytest.fixture
def key() -> str:
    """A fresh Fernet key for stored credentials."""
    return generate_key()
