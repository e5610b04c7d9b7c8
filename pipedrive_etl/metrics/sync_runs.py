"""`marts.sync_runs`: one row per run and workspace, added up from the run's step records and the warehouse.

The steps' own figures (`state.run_metrics`) give rows extracted, requests, 429s, retries, latencies, tokens
and writes by outcome. The rest is read when the run ends: diffs and conflicts from the marts the run just
built, conflict resolutions and webhook events (received and rejected) of the window since the previous run of
the workspace began (each event and resolution counts in exactly one run), tokens left today from the ledger.
Writing is an upsert on (run_id, workspace_id): summarising the same run again replaces its row.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from ..pipedrive.budget import TokenBudget
from ..warehouse import Warehouse
from ..writeback.log import DEFERRED, FAILED, SUCCEEDED, UNKNOWN
from .latency import LatencyHistogram
from .steps import (
    COLDCOPY,
    EXTRACTION_SOURCES,
    PIPEDRIVE,
    RECONCILE,
    StepFigures,
    aware,
    load_steps,
    utc_now,
)

TABLE = "marts.sync_runs"
SUCCEEDED_RUN, PARTIAL_RUN, FAILED_RUN = "succeeded", "partial", "failed"
# A partial run stopped cleanly with work left for the next one (a budget ran out): it still counts as a sync.
SYNCED_STATUSES = (SUCCEEDED_RUN, PARTIAL_RUN)


@dataclass(frozen=True)
class SyncRun:
    run_id: str
    workspace_id: str
    job_name: str | None
    status: str
    started_at: datetime
    finished_at: datetime
    duration_seconds: float
    previous_run_started_at: datetime | None
    steps: int
    rows_extracted: int
    pipedrive_rows_extracted: int
    coldcopy_rows_extracted: int
    streams_deferred: int
    field_diffs: int | None
    conflicts_raised: int | None
    conflicts_open: int | None
    conflicts_resolved: int
    writes_planned: int
    writes_succeeded: int
    writes_failed: int
    writes_unknown: int
    writes_deferred: int
    writes_by_outcome: dict[str, int] = field(default_factory=dict)
    is_dry_run: bool = False
    tokens_used: int = 0
    tokens_left_today: int | None = None
    daily_token_budget: int | None = None
    api_requests: int = 0
    api_retries: int = 0
    api_rate_limited: int = 0
    latency_mean_ms: float | None = None
    latency_p95_ms: float | None = None
    webhook_events_received: int = 0
    webhook_events_rejected: int = 0
    recorded_at: datetime = field(default_factory=utc_now)

    def figures(self) -> dict[str, int | float]:
        """The numbers, for Dagster metadata (plotted over time in the UI); unknown ones left out."""
        return {name: value for name, value in asdict(self).items()
                if isinstance(value, int | float) and not isinstance(value, bool)}


@dataclass(frozen=True)
class Window:
    """What happened for a workspace after the previous run began (exclusive) until this one began."""

    workspace_id: str
    after: datetime | None
    until: datetime

    def count(self, warehouse: Warehouse, table: str, column: str) -> int:
        sql = f"select count(*) from {table} where workspace_id = ? and {column} <= ?"
        params: list[Any] = [self.workspace_id, self.until]
        if self.after is not None:
            sql += f" and {column} > ?"
            params.append(self.after)
        row = warehouse.fetchone(sql, params)
        return int(row[0]) if row else 0


def summarise_run(warehouse: Warehouse, run_id: str, workspace_id: str, *, job_name: str | None = None,
                  run_started_at: datetime | None = None, failed: bool = False,
                  budget: TokenBudget | None = None, now: datetime | None = None) -> SyncRun:
    """The run's row. Diffs and conflicts are counted only when the run's own dbt build finished: a run that
    failed, or one that only extracted (a full refresh), would otherwise report an earlier run's marts, so
    they are left unknown (null)."""
    steps = load_steps(warehouse, run_id, workspace_id)
    finished_at = now or utc_now()
    starts = [step.started_at for step in steps] + ([aware(run_started_at)] if run_started_at else [])
    started_at = min(starts, default=finished_at)
    previous_start = _previous_run_start(warehouse, run_id, workspace_id, started_at)
    window = Window(workspace_id, previous_start, started_at)
    writes = _add_counts(step.writes_by_outcome for step in steps)
    latency = LatencyHistogram()
    for step in steps:
        latency = latency.merge(step.latency)
    reconciled = any(step.source == RECONCILE and step.is_complete for step in steps)
    marts = _mart_counts(warehouse, workspace_id) if reconciled and not failed else {}
    return SyncRun(
        run_id=run_id, workspace_id=workspace_id, job_name=job_name,
        status=FAILED_RUN if failed else _status(steps, writes), started_at=started_at,
        finished_at=finished_at, duration_seconds=round((finished_at - started_at).total_seconds(), 3),
        previous_run_started_at=window.after, steps=len(steps),
        rows_extracted=sum(step.rows_extracted for step in steps),
        pipedrive_rows_extracted=sum(step.rows_extracted for step in steps if step.source == PIPEDRIVE),
        coldcopy_rows_extracted=sum(step.rows_extracted for step in steps if step.source == COLDCOPY),
        streams_deferred=sum(1 for step in steps
                             if step.source in EXTRACTION_SOURCES and not step.is_complete),
        field_diffs=marts.get("field_diffs"), conflicts_raised=marts.get("conflicts_raised"),
        conflicts_open=marts.get("conflicts_open"),
        conflicts_resolved=window.count(warehouse, "state.conflict_resolutions", "resolved_at"),
        writes_planned=sum(step.writes_planned for step in steps), writes_succeeded=writes.get(SUCCEEDED, 0),
        writes_failed=writes.get(FAILED, 0), writes_unknown=writes.get(UNKNOWN, 0),
        writes_deferred=writes.get(DEFERRED, 0), writes_by_outcome=writes,
        is_dry_run=any(step.is_dry_run for step in steps),
        tokens_used=sum(step.tokens_used for step in steps),
        tokens_left_today=budget.remaining() if budget is not None else None,
        daily_token_budget=budget.daily_tokens if budget is not None else None,
        api_requests=sum(step.api_requests for step in steps),
        api_retries=sum(step.api_retries for step in steps),
        api_rate_limited=sum(step.api_rate_limited for step in steps),
        latency_mean_ms=_ms(latency.mean_seconds), latency_p95_ms=_ms(latency.quantile_seconds(0.95)),
        webhook_events_received=window.count(warehouse, "state.webhook_events", "received_at"),
        webhook_events_rejected=window.count(warehouse, "state.webhook_rejects", "received_at"),
        recorded_at=finished_at,
    )


def write_sync_run(warehouse: Warehouse, run: SyncRun) -> None:
    row: dict[str, Any] = asdict(run)
    row["writes_by_outcome"] = json.dumps(run.writes_by_outcome, sort_keys=True)
    warehouse.upsert(TABLE, [row], key=("run_id", "workspace_id"))


def last_synced_at(warehouse: Warehouse, workspace_id: str) -> tuple[datetime, str] | None:
    """When the workspace's latest succeeded (or partial) run that reconciled finished, and its status. A run
    that only extracted (a full refresh) is not a sync: its diffs are null, as summarise_run leaves them."""
    row = warehouse.fetchone(
        f"select finished_at, status from {TABLE} where workspace_id = ? and status in (?, ?) "
        f"and field_diffs is not null order by finished_at desc limit 1", [workspace_id, *SYNCED_STATUSES])
    return (aware(row[0]), row[1]) if row else None


def recorded_status(warehouse: Warehouse, run_id: str, workspace_id: str) -> str | None:
    row = warehouse.fetchone(f"select status from {TABLE} where run_id = ? and workspace_id = ?",
                             [run_id, workspace_id])
    return row[0] if row else None


def _status(steps: Sequence[StepFigures], writes: dict[str, int]) -> str:
    left_for_next_run = any(not step.is_complete for step in steps) or writes.get(DEFERRED, 0) > 0
    return PARTIAL_RUN if left_for_next_run else SUCCEEDED_RUN


def _add_counts(counts: Any) -> dict[str, int]:
    total: dict[str, int] = {}
    for one in counts:
        for outcome, amount in one.items():
            total[outcome] = total.get(outcome, 0) + amount
    return dict(sorted(total.items()))


def _previous_run_start(warehouse: Warehouse, run_id: str, workspace_id: str,
                        before: datetime) -> datetime | None:
    row = warehouse.fetchone(f"select max(started_at) from {TABLE} where workspace_id = ? and run_id <> ? "
                             f"and started_at < ?", [workspace_id, run_id, before])
    return aware(row[0]) if row and row[0] is not None else None


def _mart_counts(warehouse: Warehouse, workspace_id: str) -> dict[str, int]:
    counts: dict[str, int] = {}
    queries = {"field_diffs": ("sync_field_diffs", "count(*)"),
               "conflicts_raised": ("sync_conflicts", "count(*)"),
               "conflicts_open": ("sync_conflicts", "count(case when is_open then 1 end)")}
    for name, (mart, expression) in queries.items():
        row = None
        if warehouse.table_exists("marts", mart):  # not yet, when a first dbt build selected other models
            row = warehouse.fetchone(f"select {expression} from marts.{mart} where workspace_id = ?",
                                     [workspace_id])
        counts[name] = int(row[0]) if row else 0
    return counts


def _ms(seconds: float | None) -> float | None:
    return round(seconds * 1000, 3) if seconds is not None else None
