"""Hand-built deal histories (workspace `stages`): each deal one situation stage history has to get right.

Pipeline 1 (Sales) has stages 1, 2, 3; pipeline 2 (Partners) has stage 10. Stage 99 was deleted and is gone
from the stage list. Every deal was added at T0.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime

from pipedrive_etl.warehouse import Warehouse

from .scenarios import DAY, EXTRACTED_AT, T0

WORKSPACE = "stages"
T1, T2 = T0 + 3 * DAY, T0 + 7 * DAY

(
    NEVER_MOVED,
    TIE,
    PIPELINE_MOVE,
    REOPENED,
    DELETED_STAGE,
    WEBHOOK_MOVE,
    WEBHOOK_DUPLICATE,
    SNAPSHOT_ONLY,
    LOST,
    TIE_BY_CHANGE_ID,
) = range(1, 11)


def _deal(
    deal_id: int,
    stage: int,
    pipeline: int,
    *,
    status: str = "open",
    stage_changed: datetime | None = None,
    **times: datetime,
) -> dict:
    raw = {
        "id": deal_id,
        "title": f"Deal {deal_id}",
        "status": status,
        "custom_fields": {},
        **{name: moment.isoformat() for name, moment in times.items()},
    }
    return {
        "workspace_id": WORKSPACE,
        "id": deal_id,
        "add_time": T0,
        "update_time": T2,
        "is_deleted": False,
        "swept_deleted_at": None,
        "person_id": None,
        "org_id": None,
        "pipeline_id": pipeline,
        "stage_id": stage,
        "status": status,
        "stage_change_time": stage_changed,
        "raw": json.dumps(raw),
        "extracted_at": EXTRACTED_AT,
    }


def _change(
    deal_id: int, at: datetime, old: int, new: int, ordinal: int, change_id: int | None = None
) -> dict:
    raw = {
        "field_key": "stage_id",
        "old_value": str(old),
        "new_value": str(new),
        "time": at.strftime("%Y-%m-%d %H:%M:%S"),
        **({"id": change_id} if change_id else {}),
    }
    text = json.dumps(raw, sort_keys=True)
    return {
        "workspace_id": WORKSPACE,
        "deal_id": deal_id,
        "change_key": hashlib.sha1(text.encode()).hexdigest(),
        "changed_at": at,
        "old_stage_id": old,
        "new_stage_id": new,
        "ordinal": ordinal,
        "raw": text,
        "extracted_at": EXTRACTED_AT,
    }


def _webhook(event_id: str, deal_id: int, at: datetime, data: dict, previous: dict) -> dict:
    payload = {
        "meta": {
            "action": "change",
            "entity": "deal",
            "entity_id": str(deal_id),
            "id": event_id,
            "timestamp": at.isoformat().replace("+00:00", "Z"),
            "version": "2.0",
        },
        "data": {"id": deal_id, **data},
        "previous": previous,
    }
    return {
        "workspace_id": WORKSPACE,
        "event_id": event_id,
        "version": "2.0",
        "action": "change",
        "entity": "deal",
        "entity_id": deal_id,
        "occurred_at": at,
        "received_at": at,
        "merged_to_id": None,
        "payload": json.dumps(payload),
    }


def write_stage_histories(warehouse: Warehouse) -> None:
    warehouse.upsert(
        "raw.pipedrive_pipelines",
        [
            {
                "workspace_id": WORKSPACE,
                "id": pipeline,
                "add_time": T0,
                "update_time": T0,
                "is_deleted": False,
                "swept_deleted_at": None,
                "raw": json.dumps({"id": pipeline, "name": name, "order_nr": pipeline}),
                "extracted_at": EXTRACTED_AT,
            }
            for pipeline, name in [(1, "Sales"), (2, "Partners")]
        ],
        key=("workspace_id", "id"),
    )
    warehouse.upsert(
        "raw.pipedrive_stages",
        [
            {
                "workspace_id": WORKSPACE,
                "id": stage,
                "add_time": T0,
                "update_time": T0,
                "is_deleted": False,
                "swept_deleted_at": None,
                "pipeline_id": pipeline,
                "raw": json.dumps({"id": stage, "name": name, "order_nr": order, "pipeline_id": pipeline}),
                "extracted_at": EXTRACTED_AT,
            }
            for stage, pipeline, name, order in [
                (1, 1, "Lead in", 1),
                (2, 1, "Qualified", 2),
                (3, 1, "Demo", 3),
                (10, 2, "Partner intro", 1),
            ]
        ],
        key=("workspace_id", "id"),
    )
    milliseconds = T2.replace(microsecond=250_000)
    warehouse.upsert(
        "raw.pipedrive_deals",
        [
            _deal(NEVER_MOVED, 1, 1),
            _deal(TIE, 3, 1, stage_changed=T1),
            _deal(PIPELINE_MOVE, 10, 2, stage_changed=T1),
            _deal(REOPENED, 2, 1),
            _deal(DELETED_STAGE, 3, 1, stage_changed=T2),
            _deal(WEBHOOK_MOVE, 3, 1, stage_changed=milliseconds.replace(microsecond=0)),
            _deal(WEBHOOK_DUPLICATE, 2, 1, stage_changed=T1),
            _deal(SNAPSHOT_ONLY, 3, 1, stage_changed=T1),
            _deal(LOST, 2, 1, status="lost", stage_changed=T1, lost_time=T2, close_time=T2),
            _deal(TIE_BY_CHANGE_ID, 3, 1, stage_changed=T1),
        ],
        key=("workspace_id", "id"),
    )
    warehouse.upsert(
        "raw.pipedrive_deal_stage_changes",
        [
            # Two moves in one second: the changelog lists newest first (ordinal 0), so 1 -> 2 came first.
            _change(TIE, T1, 1, 2, ordinal=1),
            _change(TIE, T1, 2, 3, ordinal=0),
            _change(PIPELINE_MOVE, T1, 1, 10, ordinal=0),
            _change(DELETED_STAGE, T1, 1, 99, ordinal=1),
            _change(DELETED_STAGE, T2, 99, 3, ordinal=0),
            _change(WEBHOOK_MOVE, T1, 1, 2, ordinal=0),
            _change(WEBHOOK_DUPLICATE, T1, 1, 2, ordinal=0),
            _change(LOST, T1, 1, 2, ordinal=0),
            # Change ids order a tie even against the listing order.
            _change(TIE_BY_CHANGE_ID, T1, 1, 2, ordinal=0, change_id=501),
            _change(TIE_BY_CHANGE_ID, T1, 2, 3, ordinal=1, change_id=502),
        ],
        key=("workspace_id", "deal_id", "change_key"),
    )
    warehouse.upsert(
        "state.webhook_events",
        [
            _webhook(
                "won-4", REOPENED, T1, {"status": "won", "stage_id": 2, "pipeline_id": 1}, {"status": "open"}
            ),
            _webhook(
                "reopened-4",
                REOPENED,
                T2,
                {"status": "open", "stage_id": 2, "pipeline_id": 1},
                {"status": "won"},
            ),
            _webhook(
                "moved-6",
                WEBHOOK_MOVE,
                milliseconds,
                {"stage_id": 3, "pipeline_id": 1, "status": "open"},
                {"stage_id": 2},
            ),
            _webhook(
                "moved-7",
                WEBHOOK_DUPLICATE,
                T1.replace(microsecond=400_000),
                {"stage_id": 2, "pipeline_id": 1, "status": "open"},
                {"stage_id": 1},
            ),
        ],
        key=("workspace_id", "event_id"),
    )
