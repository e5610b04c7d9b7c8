"""marts.sync_runs after a real (small) run on the sandbox, on DuckDB and on Postgres: each figure checked
against what the sandbox, the warehouse or the other assets saw."""

from __future__ import annotations

import math
from typing import Any

import dagster as dg

from pipedrive_etl.metrics.latency import BUCKET_GROWTH
from pipedrive_etl.warehouse import open_warehouse

from .conftest import RATE_LIMITED_ORGANIZATION_PAGES, CompletedRun, raw_rows


def sync_run_row(run: CompletedRun) -> dict[str, Any]:
    def read() -> dict[str, Any]:
        with open_warehouse(run.warehouse_url) as warehouse:
            rows = warehouse.fetchall("select * from marts.sync_runs where workspace_id = 'demo'")
            names = [r[0] for r in warehouse.fetchall(
                "select column_name from information_schema.columns where table_schema = 'marts' "
                "and table_name = 'sync_runs' order by ordinal_position")]
        assert len(rows) == 1, rows
        return dict(zip(names, rows[0], strict=True))

    return run.remember("row", read)


def scalar(run: CompletedRun, sql: str) -> Any:
    with open_warehouse(run.warehouse_url) as warehouse:
        return warehouse.fetchone(sql)[0]


def test_the_run_has_one_row_keyed_by_its_dagster_run_id_and_succeeded(completed_run):
    row = sync_run_row(completed_run)
    assert row["run_id"] == completed_run.result.run_id
    assert row["status"] == "succeeded"
    assert row["started_at"] <= row["finished_at"]
    assert row["duration_seconds"] == round((row["finished_at"] - row["started_at"]).total_seconds(), 3)


def test_rows_extracted_are_the_rows_the_first_run_stored_from_each_side(completed_run):
    row = sync_run_row(completed_run)
    with open_warehouse(completed_run.warehouse_url) as warehouse:
        pipedrive_rows, coldcopy_rows = raw_rows(warehouse, "pipedrive_"), raw_rows(warehouse, "coldcopy_")
    assert row["pipedrive_rows_extracted"] == pipedrive_rows > 0
    assert row["coldcopy_rows_extracted"] == coldcopy_rows > 0
    assert row["rows_extracted"] == row["pipedrive_rows_extracted"] + row["coldcopy_rows_extracted"]


def test_api_requests_and_429s_are_what_the_sandbox_answered(completed_run):
    row = sync_run_row(completed_run)
    exchanges = completed_run.transport.exchanges
    assert row["api_requests"] == len(exchanges)
    answered_429 = sum(1 for exchange in exchanges if exchange.status == 429)
    assert row["api_rate_limited"] == answered_429 == RATE_LIMITED_ORGANIZATION_PAGES
    assert row["api_retries"] >= row["api_rate_limited"]


def test_mean_latency_is_exact_and_p95_is_within_one_histogram_bucket_above(completed_run):
    row = sync_run_row(completed_run)
    latencies = sorted(e.seconds for e in completed_run.transport.exchanges)
    exact_p95 = latencies[math.ceil(0.95 * len(latencies)) - 1]
    assert exact_p95 > 0
    assert row["latency_mean_ms"] == round(1000 * sum(latencies) / len(latencies), 3)
    assert 1000 * exact_p95 <= row["latency_p95_ms"] <= 1000 * exact_p95 * BUCKET_GROWTH


def test_tokens_used_are_the_ledger_charges_and_tokens_left_the_rest_of_the_day(completed_run):
    row = sync_run_row(completed_run)
    charged = scalar(completed_run, "select sum(used) from state.token_usage")
    assert row["tokens_used"] == charged > 0
    assert row["tokens_left_today"] == row["daily_token_budget"] - charged
    # The sandbox charged the same, less the pages it answered 429 without charging.
    assert completed_run.sandbox.tokens_used() < charged


def test_diffs_and_conflicts_are_the_marts_the_run_built(completed_run):
    row = sync_run_row(completed_run)
    assert row["field_diffs"] == scalar(completed_run, "select count(*) from marts.sync_field_diffs") > 0
    assert row["conflicts_raised"] == scalar(completed_run, "select count(*) from marts.sync_conflicts")
    assert row["conflicts_open"] == scalar(completed_run,
                                           "select count(*) from marts.sync_conflicts where is_open")
    assert row["conflicts_resolved"] == 0  # nobody resolved one by hand


def test_writes_by_outcome_are_the_writeback_steps_counts(completed_run):
    row = sync_run_row(completed_run)
    writeback = completed_run.metadata("writeback__changes")
    assert row["writes_succeeded"] == writeback["writes_succeeded"] > 0
    assert row["writes_planned"] == writeback["planned"]
    assert (row["writes_failed"], row["writes_deferred"], row["writes_unknown"]) == (0, 0, 0)


def test_webhook_events_received_and_rejected_before_the_run_are_counted(completed_run):
    row = sync_run_row(completed_run)
    assert row["webhook_events_received"] == completed_run.inbox_events
    assert row["webhook_events_rejected"] == completed_run.inbox_rejects


def test_the_asset_metadata_carries_the_same_figures_as_numbers_dagster_plots(completed_run):
    row = sync_run_row(completed_run)
    [event] = completed_run.result.asset_materializations_for_node("sync_runs")
    metadata = event.metadata
    for name in ("rows_extracted", "api_requests", "api_rate_limited", "tokens_used", "tokens_left_today",
                 "writes_succeeded", "field_diffs", "conflicts_raised", "webhook_events_received"):
        assert isinstance(metadata[name], dg.IntMetadataValue), name
        assert metadata[name].value == row[name], name
    for name in ("latency_mean_ms", "latency_p95_ms", "duration_seconds"):
        assert isinstance(metadata[name], dg.FloatMetadataValue), name
        assert metadata[name].value == row[name], name
    assert metadata["status"].value == "succeeded"


def test_every_step_recorded_its_figures_under_the_run(completed_run):
    with open_warehouse(completed_run.warehouse_url) as warehouse:
        steps = {r[0] for r in warehouse.fetchall("select step from state.run_metrics where run_id = ?",
                                                   [completed_run.result.run_id])}
    expected = {"pipedrive/persons", "pipedrive/fields", "coldcopy/leads", "reconcile", "writeback/changes"}
    assert expected <= steps
    assert len(steps) == sync_run_row(completed_run)["steps"]


def test_the_dbt_build_recorded_its_step_finished_between_extraction_and_writeback(completed_run):
    with open_warehouse(completed_run.warehouse_url) as warehouse:
        rows = {row[0]: row[1:] for row in warehouse.fetchall(
            "select step, source, started_at, finished_at, is_complete, stop_reason from state.run_metrics "
            "where run_id = ? and step in ('pipedrive/persons', 'reconcile', 'writeback/changes')",
            [completed_run.result.run_id])}
    source, started_at, finished_at, is_complete, stop_reason = rows["reconcile"]
    assert (source, is_complete, stop_reason) == ("dbt", True, None)
    assert rows["pipedrive/persons"][2] <= started_at < finished_at <= rows["writeback/changes"][1]


def test_the_end_of_run_summary_prints_the_runs_own_figures(completed_run, capsys):
    from pipedrive_etl.summary import print_summary

    print_summary(completed_run.warehouse_url, "demo")
    row = sync_run_row(completed_run)
    printed = capsys.readouterr().out
    assert "this run (marts.sync_runs): succeeded" in printed
    assert f"API requests {row['api_requests']:,}, 429s {row['api_rate_limited']:,}" in printed
