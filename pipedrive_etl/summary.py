"""The end-of-run summary: what a run extracted, planned and wrote, and the tokens it used of the budget."""

from __future__ import annotations

from datetime import UTC, datetime

from .warehouse import Warehouse, open_warehouse

RAW_TABLES = ("pipedrive_persons", "pipedrive_organizations", "pipedrive_deals", "pipedrive_activities",
              "pipedrive_pipelines", "pipedrive_stages", "pipedrive_fields", "pipedrive_deal_stage_changes",
              "coldcopy_leads", "coldcopy_companies", "coldcopy_email_events", "coldcopy_call_logs")


def print_summary(warehouse_url: str, workspace_id: str, *, sandbox_tokens: int | None = None) -> None:
    with open_warehouse(warehouse_url) as warehouse:
        print(f"\nSummary of workspace {workspace_id!r} ({warehouse_url})")
        print("  extracted:")
        for table in RAW_TABLES:
            count = warehouse.fetchone(f"select count(*) from raw.{table} where workspace_id = ?",
                                       [workspace_id])[0]
            print(f"    raw.{table:<32} {count:>8,}")
        for mart, label in (("sync_field_diffs", "field diffs"), ("sync_conflicts", "conflicts"),
                            ("writeback_plan", "planned writes")):
            if warehouse.table_exists("marts", mart):
                count = warehouse.fetchone(f"select count(*) from marts.{mart} where workspace_id = ?",
                                           [workspace_id])[0]
                print(f"  {label + ':':<38} {count:>8,}")
        if warehouse.table_exists("state", "writeback_log"):
            outcomes = warehouse.fetchall("select entity, status, count(*) from state.writeback_log where "
                                          "workspace_id = ? group by entity, status order by entity, status",
                                          [workspace_id])
            if outcomes:
                print("  writes:")
                for entity, status, count in outcomes:
                    print(f"    {entity + ' ' + status:<36} {count:>8,}")
        used = warehouse.fetchone("select coalesce(sum(used), 0) from state.token_usage where day = ?",
                                  [datetime.now(UTC).date()])[0]
        line = f"  tokens used today (all runs):{used:>18,}"
        if sandbox_tokens is not None:
            line += f"   (the sandbox counted {sandbox_tokens:,})"
        print(line)
        _print_last_run(warehouse, workspace_id)


def _print_last_run(warehouse: Warehouse, workspace_id: str) -> None:
    """The run's own figures, from marts.sync_runs (its last asset wrote them)."""
    row = warehouse.fetchone(
        "select status, duration_seconds, api_requests, api_rate_limited, api_retries, latency_mean_ms, "
        "latency_p95_ms, tokens_used, tokens_left_today, webhook_events_received, webhook_events_rejected "
        "from marts.sync_runs where workspace_id = ? order by started_at desc limit 1", [workspace_id])
    if row is None:
        return
    status, duration, requests, rate_limited, retries, mean_ms, p95_ms, tokens, left, received, rejected = row
    print(f"  this run (marts.sync_runs): {status} in {duration:,.0f} s")
    print(f"    API requests {requests:,}, 429s {rate_limited:,}, retries {retries:,}; latency mean "
          f"{mean_ms or 0:,.0f} ms, p95 {p95_ms or 0:,.0f} ms")
    left_today = f"{left:,}" if left is not None else "unknown"
    print(f"    tokens used {tokens:,}, left today {left_today}; webhook events received {received:,}, "
          f"rejected {rejected:,}")
