"""Copying a workspace's new inbox events into the warehouse, and applying what they say about deletes and
merges.

For dbt, `state.webhook_events` gets every event (upsert on (workspace_id, event_id), so a repeated copy is
harmless), with the stage a deal entered, if any, in typed columns. Then, in event order:

- a `delete` marks the record's `raw.pipedrive_<entity>` row `is_deleted` (a tombstone: the v2 lists no longer
  show deleted records, so extraction alone would keep it alive until the id sweep);
- a merge (v2: a `delete` with `meta.merged_to_id`; v1: `merged.<object>`) moves `state.sync_links` from the
  record merged away to the survivor (DESIGN.md decision 3), so a chain A -> B -> C ends on C.

The copy's cursor is the largest `inbox_seq` stored for the workspace. An inbox whose sequence is below it was
replaced (a new SQLite file): the copy starts again from its beginning, which the upserts make safe.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from pipedrive_etl.warehouse import Warehouse

from .events import stage_transition
from .inbox import Inbox, StoredEvent

COPY_BATCH = 5_000
RAW_TABLES = {
    "person": "raw.pipedrive_persons", "organization": "raw.pipedrive_organizations",
    "deal": "raw.pipedrive_deals", "activity": "raw.pipedrive_activities",
    "stage": "raw.pipedrive_stages", "pipeline": "raw.pipedrive_pipelines",
}
LINK_COLUMNS = {"person": "pipedrive_person_id", "organization": "pipedrive_organization_id",
                "deal": "pipedrive_deal_id"}


@dataclass
class CopyResult:
    events: int = 0
    rejects: int = 0
    stage_transitions: int = 0
    links_moved: int = 0
    tombstones: Counter[str] = field(default_factory=Counter)  # entity -> delete events applied
    last_seq: int = 0
    restarted: bool = False  # the inbox was replaced and the copy began again


def copy_inbox_to_warehouse(inbox: Inbox, warehouse: Warehouse, workspace_id: str, *,
                            batch: int = COPY_BATCH, now: datetime | None = None) -> CopyResult:
    now = now or datetime.now(UTC)
    result = CopyResult()
    cursor = int(_scalar(warehouse, "select max(inbox_seq) from state.webhook_events where workspace_id = ?",
                         workspace_id) or 0)
    if inbox.last_seq(workspace_id=workspace_id) < cursor:
        cursor, result.restarted = 0, True
    while events := inbox.events_after(cursor, workspace_id=workspace_id, limit=batch, with_payload=True):
        rows = [_event_row(event) for event in events]
        with warehouse.transaction():
            warehouse.upsert("state.webhook_events", rows, key=("workspace_id", "event_id"))
            for event in events:
                _apply(warehouse, workspace_id, event, now, result)
        result.events += len(events)
        result.stage_transitions += sum(1 for row in rows if row["new_stage_id"] is not None)
        cursor = events[-1].seq
    result.last_seq = cursor
    result.rejects = _copy_rejects(inbox, warehouse, workspace_id)
    return result


def _event_row(event: StoredEvent) -> dict[str, Any]:
    transition = None
    if event.entity == "deal":
        try:
            payload = json.loads(event.payload or "")
            transition = stage_transition(event.version, event.action, event.entity, payload)
        except ValueError:
            transition = None  # stored by the receiver, so JSON; a hand-edited inbox must not stop the copy
    return {
        "workspace_id": event.workspace_id, "event_id": event.event_id, "version": event.version,
        "action": event.action, "entity": event.entity, "entity_id": _bigint(event.entity_id),
        "occurred_at": event.occurred_at, "received_at": event.received_at,
        "merged_to_id": _bigint(event.merged_to_id), "payload": event.payload,
        "old_stage_id": transition.old_stage_id if transition else None,
        "new_stage_id": transition.new_stage_id if transition else None,
        "inbox_seq": event.seq,
    }


def _apply(warehouse: Warehouse, workspace_id: str, event: StoredEvent, now: datetime,
           result: CopyResult) -> None:
    entity_id, survivor = _bigint(event.entity_id), _bigint(event.merged_to_id)
    table = RAW_TABLES.get(event.entity)
    if event.action in ("delete", "merge") and table is not None and entity_id is not None:
        warehouse.execute(f"update {table} set is_deleted = true where workspace_id = ? and id = ?",
                          [workspace_id, entity_id])
        result.tombstones[event.entity] += 1
    column = LINK_COLUMNS.get(event.entity)
    if column is None or entity_id is None or survivor is None or survivor == entity_id:
        return
    moved = _scalar(warehouse,
                    f"select count(*) from state.sync_links where workspace_id = ? and {column} = ?",
                    workspace_id, entity_id)
    if moved:
        warehouse.execute(f"update state.sync_links set {column} = ?, updated_at = ? where workspace_id = ? "
                          f"and {column} = ?", [survivor, now, workspace_id, entity_id])
        result.links_moved += int(moved)


def _copy_rejects(inbox: Inbox, warehouse: Warehouse, workspace_id: str) -> int:
    cursor = int(_scalar(warehouse, "select max(inbox_id) from state.webhook_rejects where workspace_id = ?",
                         workspace_id) or 0)
    rejects = inbox.rejects_after(cursor, workspace_id=workspace_id, limit=COPY_BATCH)
    rows = [{"workspace_id": workspace_id, "inbox_id": r.id, "received_at": r.received_at, "status": r.status,
             "reason": r.reason, "remote_addr": r.remote_addr, "body_sample": r.body_sample} for r in rejects]
    return warehouse.upsert("state.webhook_rejects", rows, key=("workspace_id", "inbox_id"))


def _scalar(warehouse: Warehouse, sql: str, *params: Any) -> Any:
    row = warehouse.fetchone(sql, params)
    return row[0] if row else None


def _bigint(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None
