"""A seeded sandbox on a fake clock, and clients and warehouses to extract it with."""

from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest

from pipedrive_etl.pipedrive import InMemoryLedger, PipedriveClient, TokenBudget
from pipedrive_etl.sandbox import FakeClock, Sandbox, seed_pipedrive
from pipedrive_etl.warehouse import Warehouse, open_warehouse

PERSONS, ORGANIZATIONS, DEALS, ACTIVITIES = 1_100, 300, 600, 1_200


@dataclass
class SandboxWorld:
    sandbox: Sandbox
    clock: FakeClock

    def client(self, *, budget: TokenBudget | None = None) -> PipedriveClient:
        return PipedriveClient.with_api_token("sandbox-token", company_domain="sandbox", plan="ultimate",
                                              transport=self.sandbox.transport(), budget=budget,
                                              clock=self.clock.monotonic, sleep=self.clock.sleep)

    def http(self) -> httpx.Client:
        """A plain HTTP client standing for a salesperson editing Pipedrive."""
        return httpx.Client(transport=self.sandbox.transport(), base_url="https://sandbox.pipedrive.com",
                            headers={"x-api-token": "sandbox-token"})

    def budget(self, tokens: int) -> TokenBudget:
        return TokenBudget(daily_tokens=tokens, ledger=InMemoryLedger(), now=self.clock.now)


@pytest.fixture
def world() -> SandboxWorld:
    clock = FakeClock()
    sandbox = Sandbox(plan="ultimate", seats=5, clock=clock)
    seed_pipedrive(sandbox, persons=PERSONS, organizations=ORGANIZATIONS, deals=DEALS, activities=ACTIVITIES,
                   seed=11)
    clock.advance(3600)
    return SandboxWorld(sandbox, clock)


@pytest.fixture
def warehouse(warehouse_url: str) -> Iterator[Warehouse]:
    with open_warehouse(warehouse_url) as opened:
        yield opened
