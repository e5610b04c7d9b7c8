"""summarise_run and write_sync_run on recorded steps, on DuckDB and Postgres: windows between runs, the
run's status, and summarising a run again."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from pipedrive_etl.extract.pipedrive_runner import ExtractResult
from pipedrive_etl.metrics import (
    extraction_figures,
    last_synced_at,
    reconcile_figures,
    record_step,
    summarise_run,
    write_sync_run,
)
from pipedrive_etl.metrics.steps import writeback_figures
from pipedrive_etl.pipedrive._http import RequestStats
from pipedrive_etl.warehouse import Warehouse, open_warehouse
from pipedrive_etl.writeback.runner import WritebackResult

NIGHT = datetime(2026, 11, 27, 2, tzinfo=UTC)


@pytest.fixture
def warehouse(warehouse_url: str):
    with open_warehouse(warehouse_url) as opened:
        yield opened


def record_persons(warehouse: Warehouse, run_id: str, started: datetime, *, rows: int = 10,
                   deferred: str | None = None, requests: int = 3) -> None:
    stats = RequestStats(requests=requests, tokens=10 * requests, latencies=[0.1] * requests)
    result = ExtractResult("persons", "incremental", rows=rows, deferred=deferred)
    record_step(warehouse, run_id, "demo", extraction_figures("pipedrive/persons", started, result, stats))


def receive_event(warehouse: Warehouse, event_id: str, at: datetime) -> None:
    warehouse.upsert("state.webhook_events", [{
        "workspace_id": "demo", "event_id": event_id, "version": "2.0", "action": "change",
        "entity": "person", "entity_id": 1, "received_at": at, "payload": json.dumps({}), "inbox_seq": None}],
        key=("workspace_id", "event_id"))


def resolve_conflict(warehouse: Warehouse, lead: str, at: datetime) -> None:
    warehouse.upsert("state.conflict_resolutions", [{
        "workspace_id": "demo", "coldcopy_lead_id": lead, "field": "phone", "chosen_side": "coldcopy",
        "chosen_value": None, "resolved_by": "ops", "resolved_at": at}],
        key=("workspace_id", "coldcopy_lead_id", "field", "resolved_at"))


def summarise(warehouse: Warehouse, run_id: str, started: datetime, **kwargs) -> object:
    run = summarise_run(warehouse, run_id, "demo", run_started_at=started, now=started + timedelta(minutes=5),
                        **kwargs)
    write_sync_run(warehouse, run)
    return run


def test_summarising_the_same_run_again_replaces_its_row(warehouse):
    record_persons(warehouse, "run-1", NIGHT, rows=10)
    summarise(warehouse, "run-1", NIGHT)
    record_persons(warehouse, "run-1", NIGHT, rows=12)  # the step was retried: its row replaced
    summarise(warehouse, "run-1", NIGHT)
    rows = warehouse.fetchall("select run_id, rows_extracted, steps from marts.sync_runs")
    assert rows == [("run-1", 12, 1)]


def test_each_webhook_event_and_resolution_counts_in_the_first_run_that_began_after_it(warehouse):
    second_night = NIGHT + timedelta(days=1)
    receive_event(warehouse, "before-first", NIGHT - timedelta(hours=1))
    record_persons(warehouse, "run-1", NIGHT)
    first = summarise(warehouse, "run-1", NIGHT)
    receive_event(warehouse, "during-first", NIGHT + timedelta(minutes=1))
    receive_event(warehouse, "between", NIGHT + timedelta(hours=12))
    resolve_conflict(warehouse, "lead-1", NIGHT + timedelta(hours=13))
    record_persons(warehouse, "run-2", second_night)
    second = summarise(warehouse, "run-2", second_night)
    assert (first.webhook_events_received, first.conflicts_resolved) == (1, 0)
    assert (second.webhook_events_received, second.conflicts_resolved) == (2, 1)
    assert second.previous_run_started_at == NIGHT


def test_a_run_whose_extraction_stopped_on_the_budget_is_partial(warehouse):
    record_persons(warehouse, "run-1", NIGHT, deferred="daily token budget exhausted")
    run = summarise(warehouse, "run-1", NIGHT)
    assert (run.status, run.streams_deferred) == ("partial", 1)


def test_a_run_that_deferred_writes_is_partial_and_counts_them(warehouse):
    result = WritebackResult(dry_run=False, planned=5, counts={"succeeded": 3, "deferred": 2})
    figures = writeback_figures("writeback/changes", NIGHT, result, RequestStats())
    record_step(warehouse, "run-1", "demo", figures)
    run = summarise(warehouse, "run-1", NIGHT)
    assert (run.status, run.writes_succeeded, run.writes_deferred, run.writes_planned) == ("partial", 3, 2, 5)


def test_a_failed_run_keeps_its_steps_figures_but_not_the_marts_of_an_earlier_run(warehouse):
    record_persons(warehouse, "run-1", NIGHT, rows=7)
    run = summarise(warehouse, "run-1", NIGHT, failed=True)
    figures = (run.status, run.rows_extracted, run.field_diffs, run.conflicts_raised)
    assert figures == ("failed", 7, None, None)


def test_requests_tokens_and_latency_add_up_over_the_steps(warehouse):
    record_persons(warehouse, "run-1", NIGHT, requests=3)
    stats = RequestStats(requests=1, tokens=5, rate_limited=1, retries=1, latencies=[0.5])
    result = WritebackResult(dry_run=False, planned=1, counts={"succeeded": 1})
    record_step(warehouse, "run-1", "demo", writeback_figures("writeback/changes", NIGHT, result, stats))
    run = summarise(warehouse, "run-1", NIGHT)
    assert (run.api_requests, run.tokens_used, run.api_rate_limited, run.api_retries) == (4, 35, 1, 1)
    assert run.latency_mean_ms == pytest.approx(1000 * (3 * 0.1 + 0.5) / 4)
    assert run.latency_p95_ms == 500.0


def build_marts(warehouse: Warehouse, diffs: int, conflicts_open: list[bool]) -> None:
    """The two marts the summary counts, as an earlier dbt build left them."""
    warehouse.execute("create table marts.sync_field_diffs (workspace_id varchar, mapping_id varchar)")
    warehouse.execute("create table marts.sync_conflicts (workspace_id varchar, is_open boolean)")
    for index in range(diffs):
        warehouse.execute("insert into marts.sync_field_diffs values ('demo', ?)", [f"field-{index}"])
    warehouse.execute("insert into marts.sync_field_diffs values ('other', 'phone')")
    for is_open in conflicts_open:
        warehouse.execute("insert into marts.sync_conflicts values ('demo', ?)", [is_open])


def test_diffs_and_conflicts_are_counted_only_for_a_run_whose_dbt_build_finished(warehouse):
    build_marts(warehouse, diffs=3, conflicts_open=[True, False])
    record_persons(warehouse, "extracted-only", NIGHT)
    record_persons(warehouse, "reconciled", NIGHT + timedelta(hours=1))
    record_step(warehouse, "reconciled", "demo", reconcile_figures("reconcile", NIGHT + timedelta(hours=1)))
    record_persons(warehouse, "build-failed", NIGHT + timedelta(hours=2))
    record_step(warehouse, "build-failed", "demo", reconcile_figures(
        "reconcile", NIGHT + timedelta(hours=2), error="dbt build failed: 1 error"))
    runs = {run_id: summarise(warehouse, run_id, NIGHT + timedelta(hours=hour))
            for hour, run_id in enumerate(["extracted-only", "reconciled", "build-failed"])}
    counted = {run_id: (run.field_diffs, run.conflicts_raised, run.conflicts_open)
               for run_id, run in runs.items()}
    assert counted == {"extracted-only": (None, None, None), "reconciled": (3, 2, 1),
                       "build-failed": (None, None, None)}
    # A build that failed is a step that did not finish, not an extraction stream left for the next run.
    assert (runs["build-failed"].steps, runs["build-failed"].streams_deferred) == (2, 0)


def test_a_finished_dbt_build_with_no_marts_yet_counts_zero(warehouse):
    record_step(warehouse, "run-1", "demo", reconcile_figures("reconcile", NIGHT))
    run = summarise(warehouse, "run-1", NIGHT)
    assert (run.field_diffs, run.conflicts_raised, run.conflicts_open) == (0, 0, 0)


def test_the_last_sync_is_the_last_run_that_reconciled_not_a_later_extraction(warehouse):
    record_persons(warehouse, "nightly", NIGHT)
    record_step(warehouse, "nightly", "demo", reconcile_figures("reconcile", NIGHT))
    nightly = summarise(warehouse, "nightly", NIGHT)
    record_persons(warehouse, "full-refresh", NIGHT + timedelta(hours=3))
    summarise(warehouse, "full-refresh", NIGHT + timedelta(hours=3))
    assert last_synced_at(warehouse, "demo") == (nightly.finished_at, "succeeded")
