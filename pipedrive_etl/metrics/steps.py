"""Per-step figures of a run, recorded in `state.run_metrics` by the step itself.

Each step already knows what it did (an `ExtractResult`, a `WritebackResult`) and how the API behaved (the
client's `RequestStats`); the constructors here turn those into one `StepFigures`, and `record_step` stores it
keyed on (run, workspace, step), so a retried step replaces its own row instead of adding one.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from ..extract.pipedrive_runner import ExtractResult
from ..pipedrive._http import RequestStats
from ..warehouse import Warehouse
from ..writeback.runner import WritebackResult
from .latency import LatencyHistogram

TABLE = "state.run_metrics"
# A step's `source`: where its figures come from. Extraction reads the first two; `dbt` is the reconciliation
# (one `dbt build`), whose completed step is what makes a run's marts its own.
PIPEDRIVE, COLDCOPY, WRITEBACK, RECONCILE = "pipedrive", "coldcopy", "writeback", "dbt"
EXTRACTION_SOURCES = (PIPEDRIVE, COLDCOPY)


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class StepFigures:
    step: str  # the asset key, "pipedrive/persons"
    source: str  # pipedrive | coldcopy | writeback | dbt
    started_at: datetime
    finished_at: datetime
    rows_extracted: int = 0
    api_requests: int = 0
    api_retries: int = 0
    api_rate_limited: int = 0
    tokens_used: int = 0
    latency: LatencyHistogram = field(default_factory=LatencyHistogram)
    writes_planned: int = 0
    writes_by_outcome: dict[str, int] = field(default_factory=dict)
    is_complete: bool = True
    stop_reason: str | None = None
    is_dry_run: bool = False

    def with_requests(self, stats: RequestStats) -> StepFigures:
        self.api_requests, self.api_retries = stats.requests, stats.retries
        self.api_rate_limited, self.tokens_used = stats.rate_limited, stats.tokens
        self.latency = LatencyHistogram.of(stats.latencies)
        return self


def extraction_figures(step: str, started_at: datetime, result: ExtractResult,
                       stats: RequestStats | None = None, *, source: str = PIPEDRIVE) -> StepFigures:
    """A Pipedrive stream (with its client's stats) or a ColdCopy table (no API: `stats` None)."""
    figures = StepFigures(step, source, started_at, utc_now(), rows_extracted=result.rows,
                          is_complete=result.complete, stop_reason=result.deferred)
    return figures.with_requests(stats) if stats is not None else figures


def writeback_figures(step: str, started_at: datetime, result: WritebackResult,
                      stats: RequestStats | None) -> StepFigures:
    stopped = result.blocked or result.stopped
    figures = StepFigures(step, WRITEBACK, started_at, utc_now(), writes_planned=result.planned,
                          writes_by_outcome=dict(result.counts), is_complete=stopped is None,
                          stop_reason=stopped, is_dry_run=result.dry_run)
    return figures.with_requests(stats) if stats is not None else figures


def reconcile_figures(step: str, started_at: datetime, *, error: str | None = None) -> StepFigures:
    """The `dbt build`: when it ran and whether it finished; `error` is why it did not (dbt's message)."""
    return StepFigures(step, RECONCILE, started_at, utc_now(), is_complete=error is None, stop_reason=error)


def record_step(warehouse: Warehouse, run_id: str, workspace_id: str, figures: StepFigures, *,
                job_name: str | None = None) -> None:
    warehouse.upsert(TABLE, [{
        "run_id": run_id, "workspace_id": workspace_id, "step": figures.step, "source": figures.source,
        "job_name": job_name, "started_at": figures.started_at, "finished_at": figures.finished_at,
        "rows_extracted": figures.rows_extracted, "api_requests": figures.api_requests,
        "api_retries": figures.api_retries, "api_rate_limited": figures.api_rate_limited,
        "tokens_used": figures.tokens_used, "latency_count": figures.latency.count,
        "latency_total_seconds": figures.latency.total_seconds,
        "latency_histogram": json.dumps(figures.latency.to_json()), "writes_planned": figures.writes_planned,
        "writes_by_outcome": json.dumps(figures.writes_by_outcome, sort_keys=True),
        "is_complete": figures.is_complete, "stop_reason": (figures.stop_reason or "")[:500] or None,
        "is_dry_run": figures.is_dry_run,
    }], key=("run_id", "workspace_id", "step"))


def load_steps(warehouse: Warehouse, run_id: str, workspace_id: str) -> list[StepFigures]:
    rows = warehouse.fetchall(
        f"select step, source, started_at, finished_at, rows_extracted, api_requests, api_retries, "
        f"api_rate_limited, tokens_used, latency_count, latency_total_seconds, latency_histogram, "
        f"writes_planned, writes_by_outcome, is_complete, stop_reason, is_dry_run from {TABLE} "
        f"where run_id = ? and workspace_id = ? order by started_at, step", [run_id, workspace_id])
    return [StepFigures(
        step=row[0], source=row[1], started_at=aware(row[2]), finished_at=aware(row[3]),
        rows_extracted=row[4], api_requests=row[5], api_retries=row[6], api_rate_limited=row[7],
        tokens_used=row[8],
        latency=LatencyHistogram.from_record(row[9], row[10], parsed_json(row[11])), writes_planned=row[12],
        writes_by_outcome={k: int(v) for k, v in (parsed_json(row[13]) or {}).items()}, is_complete=row[14],
        stop_reason=row[15], is_dry_run=row[16]) for row in rows]


def parsed_json(value: Any) -> Any:
    """DuckDB returns JSON columns as text, psycopg parses jsonb."""
    return json.loads(value) if isinstance(value, str) else value


def aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
