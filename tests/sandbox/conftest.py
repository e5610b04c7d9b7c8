"""Shared fixtures: a fake clock, a seeded sandbox and an httpx client on its in-process transport."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from pipedrive_etl.sandbox import Sandbox, seed_pipedrive
from pipedrive_etl.sandbox.seed import SeedResult

TOKEN = "sandbox-token"


@pytest.fixture
def seeded(sandbox: Sandbox) -> SeedResult:
    return seed_pipedrive(sandbox, persons=120, organizations=40, deals=120, activities=300, seed=7)


@pytest.fixture
def client(sandbox: Sandbox) -> Iterator[httpx.Client]:
    with httpx.Client(
        transport=sandbox.transport(),
        base_url="https://sandbox.pipedrive.com",
        headers={"x-api-token": TOKEN},
    ) as http:
        yield http


def make_client(sandbox: Sandbox, **headers: str) -> httpx.Client:
    return httpx.Client(
        transport=sandbox.transport(), base_url="https://sandbox.pipedrive.com", headers=headers
    )
