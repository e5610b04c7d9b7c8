"""One writeback run for one workspace: state rows, the blocking check, the budget, ColdCopy, then Pipedrive.

`dry_run` plans and prices without writing anything and returns a per-field before/after table. A plan that
changes too many linked records stops before writing unless the run allows it. Pipedrive rows go out in
priority order while the budget lasts; what does not fit, or is left when the budget or Pipedrive gives out
mid-way, is logged `deferred` and planned again next run.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import sqlalchemy as sa

from ..pipedrive import (
    BudgetExhaustedError,
    CircuitOpenError,
    PipedriveClient,
    PipedriveConnectionError,
    ServerError,
)
from ..pipedrive.errors import BlockedError, RateLimitError, UnauthorizedError
from ..pipedrive.field_catalog import FieldCatalog
from ..warehouse import Warehouse
from .coldcopy_writer import write_coldcopy
from .encode import load_catalog
from .log import DEFERRED, Link, WritebackLog
from .pipedrive_writer import PipedriveWriter
from .plan import DEFAULT_PRIORITY_ORDER, PlanRow
from .selection import DEFAULT_MAX_CHANGED_SHARE, blocking_reason, fit_budget

# Pipedrive or the network gave out: stop writing and defer the rest (the client already retried).
STOP_ERRORS = (BudgetExhaustedError, CircuitOpenError, PipedriveConnectionError, ServerError, RateLimitError,
               BlockedError, UnauthorizedError)


@dataclass
class WritebackResult:
    dry_run: bool
    planned: int = 0
    tokens_planned: int = 0
    tokens_used: int = 0
    counts: dict[str, int] = field(default_factory=dict)
    blocked: str | None = None
    stopped: str | None = None
    report: list[dict[str, object]] = field(default_factory=list)

    def add(self, status: str, amount: int = 1) -> None:
        if amount:
            self.counts[status] = self.counts.get(status, 0) + amount


def change_report(rows: Sequence[PlanRow], limit: int = 200) -> list[dict[str, object]]:
    """The per-field before/after table a dry run shows."""
    lines: list[dict[str, object]] = []
    for row in rows:
        for change in row.changes:
            lines.append({"target": f"{row.target_system}:{row.entity}", "record": row.pipedrive_id or
                          row.coldcopy_lead_id, "operation": row.operation, "field": change.field,
                          "before": change.previous, "after": change.value})
        if not row.changes and row.operation == "create":
            lines.append({"target": f"{row.target_system}:{row.entity}", "record": row.coldcopy_lead_id or
                          row.source_id, "operation": "create", "field": "", "before": None, "after": None})
        if len(lines) >= limit:
            break
    return lines[:limit]


def _linked_records(warehouse: Warehouse, workspace_id: str) -> int:
    row = warehouse.fetchone("select count(*) from state.sync_links where workspace_id = ?", [workspace_id])
    return int(row[0]) if row else 0


def _apply_state_rows(rows: Sequence[PlanRow], log: WritebackLog) -> None:
    with log.warehouse.transaction():
        for row in rows:
            if row.entity == "link":
                log.store_link(Link(str(row.coldcopy_lead_id), row.pipedrive_person_id,
                                    row.pipedrive_organization_id, row.pipedrive_deal_id,
                                    linked_by=row.link_source or "matched"))
            elif row.entity == "baseline":
                log.store_baselines(row.coldcopy_lead_id, row.changes)


def run_writeback(plan: Sequence[PlanRow], *, warehouse: Warehouse, workspace_id: str,
                  coldcopy_workspace_id: str, client: PipedriveClient | None,
                  coldcopy_engine: sa.Engine | None, remaining_tokens: int,
                  dry_run: bool = False, allow_large_change: bool = False,
                  max_changed_share: float = DEFAULT_MAX_CHANGED_SHARE,
                  priority_order: Sequence[int] = DEFAULT_PRIORITY_ORDER,
                  log: WritebackLog | None = None,
                  on_progress: Callable[[WritebackResult], None] | None = None) -> WritebackResult:
    log = log or WritebackLog(warehouse, workspace_id)
    state_rows = [row for row in plan if row.target_system == "state"]
    coldcopy_rows = [row for row in plan if row.target_system == "coldcopy"]
    pipedrive_rows = [row for row in plan if row.target_system == "pipedrive"]
    split = fit_budget(pipedrive_rows, remaining_tokens, priority_order)
    result = WritebackResult(dry_run=dry_run, planned=len(coldcopy_rows) + len(pipedrive_rows),
                             tokens_planned=sum(row.token_cost for row in pipedrive_rows))
    result.report = change_report([*coldcopy_rows, *pipedrive_rows])
    if dry_run:
        result.add("would_write", len(coldcopy_rows) + len(split.affordable))
        result.add("would_defer", len(split.deferred))
        return result
    _apply_state_rows(state_rows, log)
    result.blocked = None if allow_large_change else blocking_reason(
        [*coldcopy_rows, *pipedrive_rows], _linked_records(warehouse, workspace_id), max_changed_share)
    if result.blocked:
        return result
    if coldcopy_rows and coldcopy_engine is not None:
        counts = write_coldcopy(coldcopy_engine, log, coldcopy_workspace_id, coldcopy_rows)
        result.add("succeeded", counts.written)
        result.add("failed", len(counts.missing_leads))
    for row in split.deferred:
        log.defer(row, row.operation_key, row.entity, "does not fit in today's token budget")
    result.add(DEFERRED, len(split.deferred))
    if client is None:
        return result
    catalog_cache: list[FieldCatalog] = []

    def person_catalog() -> FieldCatalog:
        if not catalog_cache:
            catalog_cache.append(load_catalog(warehouse, workspace_id, "person"))
        return catalog_cache[0]

    writer = PipedriveWriter(client, warehouse, log, person_catalog)
    tokens_before = client.stats.tokens
    for position, row in enumerate(split.affordable):
        try:
            outcome = writer.execute(row)
        except STOP_ERRORS as exc:
            result.stopped = f"stopped at {row.plan_key}: {exc}"
            for left in split.affordable[position:]:
                log.defer(left, left.operation_key, left.entity, str(exc)[:500])
            result.add(DEFERRED, len(split.affordable) - position)
            break
        result.add(outcome.status)
        if on_progress and position % 50 == 49:
            on_progress(result)
    result.tokens_used = client.stats.tokens - tokens_before
    return result
