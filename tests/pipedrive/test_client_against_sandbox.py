"""The client against the sandbox, no mocks: pagination, 429s, the budget and injected faults."""

import pytest

from pipedrive_etl.pipedrive import (
    BlockedError,
    BudgetExhaustedError,
    DailyLimitReachedError,
    InMemoryLedger,
    OutcomeUnknownError,
    PipedriveClient,
    TokenBudget,
)
from pipedrive_etl.pipedrive.models import PersonCreate, PersonUpdate
from pipedrive_etl.sandbox import FakeClock, Sandbox, seed_pipedrive

BASE = "https://sandbox.pipedrive.com"


def _client(sandbox: Sandbox, clock: FakeClock, plan: str, **kwargs) -> PipedriveClient:
    return PipedriveClient.with_api_token("sandbox-token", company_domain="sandbox", plan=plan,
                                          transport=sandbox.transport(), clock=clock.monotonic,
                                          sleep=clock.sleep, **kwargs)


def _first_person_id(client: PipedriveClient) -> int:
    return next(iter(client.iter_persons(limit=1))).items[0].id


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


def test_pages_of_500_cover_every_person_once_and_cost_what_pipedrive_charges(clock):
    sandbox = Sandbox(plan="growth", seats=5, clock=clock)
    seed_pipedrive(sandbox, persons=1_234, organizations=50, deals=10, activities=10, seed=3)
    before = sandbox.tokens_used()
    with _client(sandbox, clock, "growth") as client:
        pages = list(client.iter_persons(limit=500))
        tokens = client.stats.tokens
    ids = [person.id for page in pages for person in page.items]
    assert [len(page) for page in pages] == [500, 500, 234]
    assert len(ids) == len(set(ids)) == 1_234
    assert tokens == 30 and sandbox.tokens_used() - before == 30


def test_resuming_from_a_cursor_continues_without_gap_or_repeat(clock):
    sandbox = Sandbox(plan="growth", seats=5, clock=clock)
    seed_pipedrive(sandbox, persons=1_100, organizations=20, deals=5, activities=5, seed=3)
    with _client(sandbox, clock, "growth") as client:
        first = next(iter(client.iter_persons(limit=500)))
        rest = list(client.iter_persons(limit=500, cursor=first.next_cursor))
        everything = list(client.iter_persons(limit=500))
    resumed = [p.id for p in first.items] + [p.id for page in rest for p in page.items]
    assert resumed == [p.id for page in everything for p in page.items]


def test_a_client_that_believes_in_a_bigger_plan_adapts_to_the_servers_window(clock):
    sandbox = Sandbox(plan="lite", seats=1, clock=clock)  # 20 requests per 2 s for an API token
    seed_pipedrive(sandbox, persons=5, organizations=2, deals=1, activities=1, seed=3)
    with _client(sandbox, clock, "ultimate") as client:  # believes 120 per 2 s
        person_id = _first_person_id(client)
        for _ in range(100):
            client.get_person(person_id)
        rate_limited = client.stats.rate_limited
    assert client.stats.requests - rate_limited == 101
    assert rate_limited <= 2  # one 429 teaches the client the real limit; pacing avoids the rest


def test_forced_429s_are_waited_out_and_the_read_succeeds(clock):
    sandbox = Sandbox(plan="growth", seats=5, clock=clock)
    seed_pipedrive(sandbox, persons=10, organizations=2, deals=1, activities=1, seed=3)
    sandbox.faults.add(route="GET /api/v2/persons", kind="rate_limit", count=2)
    with _client(sandbox, clock, "growth") as client:
        pages = list(client.iter_persons())
        assert client.stats.rate_limited == 2
    assert len(pages[0]) == 10


def test_the_company_budget_running_out_on_the_server_stops_the_client(clock):
    sandbox = Sandbox(plan="lite", seats=1, clock=clock, daily_budget=25)
    seed_pipedrive(sandbox, persons=10, organizations=2, deals=1, activities=1, seed=3)
    with _client(sandbox, clock, "lite") as client:
        list(client.iter_persons())
        list(client.iter_persons())
        with pytest.raises(DailyLimitReachedError):
            list(client.iter_persons())


def test_the_local_budget_refuses_before_the_sandbox_is_asked(clock):
    sandbox = Sandbox(plan="growth", seats=5, clock=clock)
    seed_pipedrive(sandbox, persons=10, organizations=2, deals=1, activities=1, seed=3)
    budget = TokenBudget(daily_tokens=15, ledger=InMemoryLedger(), now=clock.now)
    with _client(sandbox, clock, "growth", budget=budget) as client:
        list(client.iter_persons())
        used = sandbox.tokens_used()
        with pytest.raises(BudgetExhaustedError):
            list(client.iter_persons())
    assert sandbox.tokens_used() == used


def test_a_caller_that_keeps_going_after_429s_meets_the_cloudflare_page_and_stops(clock):
    sandbox = Sandbox(plan="growth", seats=5, clock=clock, daily_budget=10, block_after_429s=2)
    seed_pipedrive(sandbox, persons=3, organizations=1, deals=1, activities=1, seed=3)
    with _client(sandbox, clock, "growth") as client:
        list(client.iter_persons())
        with pytest.raises(DailyLimitReachedError):
            list(client.iter_persons())  # the first 429: the client stops, but its caller insists
        with pytest.raises(BlockedError, match="Cloudflare"):
            list(client.iter_persons())


def test_5xx_on_reads_is_retried_until_it_passes(clock):
    sandbox = Sandbox(plan="growth", seats=5, clock=clock)
    seed_pipedrive(sandbox, persons=3, organizations=1, deals=1, activities=1, seed=3)
    sandbox.faults.add(route="GET /api/v2/persons", kind="status", status=503, count=2)
    with _client(sandbox, clock, "growth") as client:
        assert len(list(client.iter_persons())[0]) == 3
        assert client.stats.retries == 2


def test_a_create_whose_response_was_dropped_is_reported_unknown_and_was_applied(clock):
    sandbox = Sandbox(plan="growth", seats=5, clock=clock)
    seed_pipedrive(sandbox, persons=3, organizations=1, deals=1, activities=1, seed=3)
    sandbox.faults.add(route="POST /api/v2/persons", kind="drop_response_after_apply", count=1)
    with _client(sandbox, clock, "growth") as client:
        with pytest.raises(OutcomeUnknownError):
            client.create_person(PersonCreate(name="Grace Hopper",
                                              emails=[{"value": "grace@navy.test", "primary": True}]))
        hits = [hit for page in client.search_items("grace@navy.test", item_types=["person"],
                                                    fields=["email"], exact_match=True) for hit in page.items]
    assert [hit["item"]["name"] for hit in hits] == ["Grace Hopper"]


def test_a_patch_that_timed_out_is_sent_again_and_lands_once(clock):
    sandbox = Sandbox(plan="growth", seats=5, clock=clock)
    seed_pipedrive(sandbox, persons=3, organizations=1, deals=1, activities=1, seed=3)
    sandbox.faults.add(route="PATCH /api/v2/persons/{id}", kind="timeout", count=1)
    with _client(sandbox, clock, "growth") as client:
        person_id = _first_person_id(client)
        updated = client.update_person(person_id, PersonUpdate(name="Renamed Person"))
    assert updated.name == "Renamed Person"
