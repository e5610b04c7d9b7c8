"""`state.writeback_log`, and the state a successful write moves with it: links and baselines.

One row per write (its operation key), whatever the number of attempts. A create is logged `pending` before it
is sent; success writes the log, the link and the new baselines in one transaction, so a crash leaves either
the pending row (settled by a search in the next run) or the whole outcome, never half of it.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from ..warehouse import Warehouse
from .plan import FieldChange, PlanRow

PENDING, SUCCEEDED, FAILED, UNKNOWN, DEFERRED = "pending", "succeeded", "failed", "unknown", "deferred"
UNSETTLED = (PENDING, UNKNOWN)


@dataclass(frozen=True)
class LogEntry:
    operation_key: str
    plan_key: str
    status: str
    pipedrive_id: int | None
    error: str | None


@dataclass(frozen=True)
class Link:
    coldcopy_lead_id: str
    pipedrive_person_id: int | None = None
    pipedrive_organization_id: int | None = None
    pipedrive_deal_id: int | None = None
    linked_by: str = "created"


class WritebackLog:
    def __init__(self, warehouse: Warehouse, workspace_id: str,
                 now: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self.warehouse = warehouse
        self.workspace_id = workspace_id
        self._now = now

    def entry(self, operation_key: str) -> LogEntry | None:
        row = self.warehouse.fetchone(
            "select operation_key, plan_key, status, pipedrive_id, error from state.writeback_log "
            "where workspace_id = ? and operation_key = ?", [self.workspace_id, operation_key])
        return LogEntry(*row) if row else None

    def _write(self, row: PlanRow, operation_key: str, entity: str, status: str, *,
               pipedrive_id: int | None = None, error: str | None = None, tokens: int | None = None,
               request: Any = None) -> None:
        now = self._now()
        existing = self.entry(operation_key)
        # A step of a row (the organization or deal of a person create) is its own plan key: only the row's
        # own entry may tell the planner that the row succeeded.
        plan_key = row.plan_key if operation_key.startswith(row.plan_key) else operation_key
        values = {
            "workspace_id": self.workspace_id, "operation_key": operation_key, "plan_key": plan_key,
            "target_system": row.target_system, "entity": entity, "operation": row.operation,
            "coldcopy_lead_id": row.coldcopy_lead_id,
            "pipedrive_id": (pipedrive_id if pipedrive_id is not None
                             else (existing.pipedrive_id if existing else None)),
            "status": status, "error": error, "tokens": tokens,
            "request": json.dumps(request, default=str) if request is not None else None,
            "attempted_at": now, "completed_at": now if status in (SUCCEEDED, FAILED) else None,
        }
        self.warehouse.upsert("state.writeback_log", [values], key=("workspace_id", "operation_key"))

    def begin(self, row: PlanRow, operation_key: str, entity: str, request: Any) -> None:
        """Record the attempt before the request leaves: a crash after this line is settled next run."""
        with self.warehouse.transaction():
            self._write(row, operation_key, entity, PENDING, request=request)

    def succeed(self, row: PlanRow, operation_key: str, entity: str, *, pipedrive_id: int | None, tokens: int,
                request: Any = None, link: Link | None = None, baselines: Iterable[FieldChange] = ()) -> None:
        with self.warehouse.transaction():
            self._write(row, operation_key, entity, SUCCEEDED, pipedrive_id=pipedrive_id, tokens=tokens,
                        request=request)
            if link is not None:
                self.store_link(link)
            self.store_baselines(row.coldcopy_lead_id, baselines)

    def fail(self, row: PlanRow, operation_key: str, entity: str, error: str, *, request: Any = None) -> None:
        with self.warehouse.transaction():
            self._write(row, operation_key, entity, FAILED, error=error[:2000], request=request)

    def mark_unknown(self, row: PlanRow, operation_key: str, entity: str, error: str) -> None:
        with self.warehouse.transaction():
            self._write(row, operation_key, entity, UNKNOWN, error=error[:2000])

    def defer(self, row: PlanRow, operation_key: str, entity: str, reason: str) -> None:
        existing = self.entry(operation_key)
        if existing is not None and existing.status in UNSETTLED:
            return  # an attempt whose outcome is unknown stays unknown until settled
        with self.warehouse.transaction():
            self._write(row, operation_key, entity, DEFERRED, error=reason)

    def store_link(self, link: Link) -> None:
        now = self._now()
        self.warehouse.execute(
            "insert into state.sync_links (workspace_id, coldcopy_lead_id, pipedrive_person_id, "
            "pipedrive_organization_id, pipedrive_deal_id, linked_by, linked_at, updated_at) "
            "values (?, ?, ?, ?, ?, ?, ?, ?) on conflict (workspace_id, coldcopy_lead_id) do update set "
            "pipedrive_person_id = coalesce(excluded.pipedrive_person_id, sync_links.pipedrive_person_id), "
            "pipedrive_organization_id = coalesce(excluded.pipedrive_organization_id, "
            "sync_links.pipedrive_organization_id), "
            "pipedrive_deal_id = coalesce(excluded.pipedrive_deal_id, sync_links.pipedrive_deal_id), "
            "updated_at = excluded.updated_at",
            [self.workspace_id, link.coldcopy_lead_id, link.pipedrive_person_id,
             link.pipedrive_organization_id, link.pipedrive_deal_id, link.linked_by, now, now])

    def store_baselines(self, coldcopy_lead_id: str | None, changes: Iterable[FieldChange]) -> None:
        now = self._now()
        rows = [{"workspace_id": self.workspace_id,
                 "coldcopy_lead_id": change.coldcopy_lead_id or coldcopy_lead_id,
                 "field": change.field, "value": change.baseline, "agreed_at": now} for change in changes]
        rows = [row for row in rows if row["coldcopy_lead_id"]]
        if rows:
            self.warehouse.upsert("state.sync_baseline", rows,
                                  key=("workspace_id", "coldcopy_lead_id", "field"))

    def unsettled(self) -> list[LogEntry]:
        rows = self.warehouse.fetchall(
            "select operation_key, plan_key, status, pipedrive_id, error from state.writeback_log "
            "where workspace_id = ? and status in (?, ?) order by operation_key",
            [self.workspace_id, *UNSETTLED])
        return [LogEntry(*row) for row in rows]
