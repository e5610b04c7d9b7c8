"""The end-of-run summary: what a run extracted, planned and wrote, and the tokens it used of the budget."""

from __future__ import annotations

from datetime import UTC, datetime

from .warehouse import open_warehouse

RAW_TABLES = ("pipedrive_persons", "pipedrive_organizations", "pipedrive_deals", "pipedrive_activities",
              "pipedrive_pipelines", "pipedrive_stages", "pipedrive_fields", "pipedrive_deal_stage_changes",
              "coldcopy_leads", "coldcopy_companies", "coldcopy_email_events")


def print_summary(warehouse_url: str, workspace_id: str, *, sandbox_tokens: int | None = None) -> None:
    with open_warehouse(warehouse_url) as warehouse:
        print(f"\nSummary of workspace {workspace_id!r} ({warehouse_url})")
        print("  extracted:")
        for table in RAW_TABLES:
            count = warehouse.fetchone(f"select count(*) from raw.{table} where workspace_id = ?", [workspace_id])[0]
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
