from datetime import UTC, datetime, timedelta

import pytest

from pipedrive_etl.pipedrive import BudgetExhaustedError, InMemoryLedger, TokenBudget, daily_budget
from pipedrive_etl.pipedrive.costs import is_search, route_template, token_cost


@pytest.mark.parametrize(
    ("plan", "seats", "topups", "expected"),
    [("lite", 1, 0, 30_000), ("growth", 5, 0, 300_000), ("premium", 2, 0, 300_000),
     ("ultimate", 3, 10_000, 640_000), ("Growth", 1, 0, 60_000)],
)
def test_daily_budget_is_base_times_plan_multiplier_times_seats_plus_topups(plan, seats, topups, expected):
    assert daily_budget(plan, seats, topups) == expected


def test_unknown_plan_is_an_error_that_lists_the_plans():
    with pytest.raises(ValueError, match="unknown Pipedrive plan 'gold'.*growth"):
        daily_budget("gold", 1)


@pytest.mark.parametrize(
    ("method", "path", "cost"),
    [("GET", "/api/v2/persons", 10), ("GET", "/api/v2/persons/17", 1), ("POST", "/api/v2/deals", 5),
     ("PATCH", "/api/v2/organizations/3", 5), ("DELETE", "/api/v2/activities/9", 3),
     ("GET", "/api/v2/stages", 5), ("GET", "/api/v2/pipelines", 5), ("GET", "/api/v2/personFields", 10),
     ("GET", "/api/v2/dealFields/abc123", 1), ("GET", "/api/v2/itemSearch", 20),
     ("GET", "/api/v2/persons/search", 20), ("GET", "/api/v1/deals/5/changelog", 20),
     ("GET", "/v1/deals/5/flow", 40), ("GET", "/api/v1/webhooks", 10), ("POST", "/api/v1/webhooks", 10),
     ("DELETE", "/api/v1/webhooks/4", 6), ("GET", "/api/v1/users/me", 2), ("GET", "/api/v1/recents", 20)],
)
def test_token_cost_follows_the_published_cost_tables(method, path, cost):
    assert token_cost(method, path) == cost


def test_unknown_routes_are_charged_the_highest_common_cost_of_their_version():
    assert token_cost("GET", "/api/v2/somethingNew") == 20
    assert token_cost("GET", "/api/v1/somethingOld") == 40


def test_route_template_names_numeric_segments_and_field_codes():
    assert route_template("/api/v2/personFields/dcf558aac1ae4e8c4f849ba5e668430d8df9be12") == (
        "v2", "/personFields/{field_code}")
    assert route_template("/api/v2/deals/12/followers/7") == ("v2", "/deals/{id}/followers/{id}")


def test_search_routes_use_the_search_bucket():
    assert is_search("/api/v2/itemSearch") and is_search("/api/v2/persons/search")
    assert not is_search("/api/v2/persons")


def _budget(daily: int, *, share: float = 1.0, ledger=None, now=None) -> TokenBudget:
    moment = now or datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
    return TokenBudget(daily_tokens=daily, share=share, ledger=ledger or InMemoryLedger(), now=lambda: moment)


def test_charge_refuses_a_request_that_would_overrun_and_records_nothing():
    budget = _budget(25)
    budget.charge(10)
    budget.charge(10)
    with pytest.raises(BudgetExhaustedError) as caught:
        budget.charge(10, what="GET /api/v2/persons")
    assert caught.value.needed == 10 and caught.value.remaining == 5
    assert budget.used() == 20


def test_a_share_caps_one_user_while_the_whole_budget_stays_for_another():
    ledger = InMemoryLedger()
    extraction = _budget(100, share=0.8, ledger=ledger)
    writeback = extraction.with_share(1.0)
    for _ in range(8):
        extraction.charge(10)
    with pytest.raises(BudgetExhaustedError):
        extraction.charge(10)
    writeback.charge(10)
    assert writeback.used() == 90 and extraction.remaining() == 0 and writeback.remaining() == 10


def test_usage_starts_again_after_the_daily_reset():
    ledger = InMemoryLedger()
    moment = [datetime(2026, 11, 27, 23, 59, tzinfo=UTC)]
    budget = TokenBudget(daily_tokens=10, ledger=ledger, now=lambda: moment[0])
    budget.charge(10)
    assert budget.resets_at() == datetime(2026, 11, 28, 0, 0, tzinfo=UTC)
    moment[0] += timedelta(minutes=2)
    assert budget.remaining() == 10
    budget.charge(10)


def test_share_outside_zero_to_one_is_refused():
    with pytest.raises(ValueError, match="share"):
        _budget(100, share=1.5)
