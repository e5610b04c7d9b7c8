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


@pytest.fixture
def postgres_url() -> Iterator[str]:
    url = os.environ.get(POSTGRES_URL_ENV)
    if not url:
        pytest.skip(f"{POSTGRES_URL_ENV} is not set: no PostgreSQL to test against (.ci/run sets it)")
    yield url
