"""Workspace `links`: a stored link whose person Pipedrive merged into another, and a lead whose last write
failed."""

from __future__ import annotations

import json

from pipedrive_etl.warehouse import Warehouse

from .scenarios import DAY, EXTRACTED_AT, T0

WORKSPACE = "links"
MERGED_AWAY, SURVIVOR, FAILING_PERSON = 3001, 3002, 3003
MOVED_LEAD, FAILING_LEAD = "moved-lead", "failing-lead"
FAILED_PLAN_KEY = f"pipedrive:person:update:{FAILING_PERSON}"


def _person(person_id: int, *, deleted: bool = False) -> dict:
    raw = {"id": person_id, "name": f"Person {person_id}", "emails": [], "custom_fields": {}}
    return {
        "workspace_id": WORKSPACE,
        "id": person_id,
        "add_time": T0,
        "update_time": T0 + DAY,
        "is_deleted": deleted,
        "swept_deleted_at": None,
        "org_id": None,
        "owner_id": 1,
        "raw": json.dumps(raw),
        "extracted_at": EXTRACTED_AT,
    }


def _lead(lead_id: str) -> dict:
    raw = {"id": lead_id, "email": f"{lead_id}@links.example", "status": "contacted", "custom_fields": "{}"}
    return {
        "workspace_id": WORKSPACE,
        "id": lead_id,
        "email": raw["email"],
        "updated_at": T0,
        "is_deleted": False,
        "raw": json.dumps(raw),
        "extracted_at": EXTRACTED_AT,
    }


def write_links(warehouse: Warehouse) -> None:
    warehouse.upsert(
        "raw.pipedrive_persons",
        [_person(MERGED_AWAY, deleted=True), _person(SURVIVOR), _person(FAILING_PERSON)],
        key=("workspace_id", "id"),
    )
    warehouse.upsert(
        "raw.coldcopy_leads", [_lead(MOVED_LEAD), _lead(FAILING_LEAD)], key=("workspace_id", "id")
    )
    warehouse.upsert(
        "state.sync_links",
        [
            {
                "workspace_id": WORKSPACE,
                "coldcopy_lead_id": lead,
                "pipedrive_person_id": person,
                "pipedrive_organization_id": None,
                "pipedrive_deal_id": None,
                "linked_by": "created",
                "linked_at": T0,
                "updated_at": None,
            }
            for lead, person in [(MOVED_LEAD, MERGED_AWAY), (FAILING_LEAD, FAILING_PERSON)]
        ],
        key=("workspace_id", "coldcopy_lead_id"),
    )
    payload = {
        "meta": {
            "action": "delete",
            "entity": "person",
            "entity_id": str(MERGED_AWAY),
            "version": "2.0",
            "timestamp": (T0 + 2 * DAY).isoformat(),
        },
        "data": None,
        "previous": {"id": MERGED_AWAY, "merged_to_id": SURVIVOR},
    }
    warehouse.upsert(
        "state.webhook_events",
        [
            {
                "workspace_id": WORKSPACE,
                "event_id": "merge-3001",
                "version": "2.0",
                "action": "delete",
                "entity": "person",
                "entity_id": MERGED_AWAY,
                "occurred_at": T0 + 2 * DAY,
                "received_at": T0 + 2 * DAY,
                "merged_to_id": SURVIVOR,
                "payload": json.dumps(payload),
            }
        ],
        key=("workspace_id", "event_id"),
    )
    warehouse.upsert(
        "state.writeback_log",
        [
            {
                "workspace_id": WORKSPACE,
                "operation_key": f"{FAILED_PLAN_KEY}:{n}",
                "plan_key": FAILED_PLAN_KEY,
                "target_system": "pipedrive",
                "entity": "person",
                "operation": "update",
                "coldcopy_lead_id": FAILING_LEAD,
                "pipedrive_id": FAILING_PERSON,
                "status": status,
                "error": error,
                "tokens": 5,
                "request": None,
                "attempted_at": T0 + n * DAY,
                "completed_at": T0 + n * DAY,
            }
            for n, status, error in [(1, "succeeded", None), (2, "failed", "422 Unprocessable: phones")]
        ],
        key=("workspace_id", "operation_key"),
    )
