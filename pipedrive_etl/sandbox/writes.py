"""Create, update and soft-delete: the one write path of the sandbox.

Every write moves `update_time` to the clock's now, keeps the sort indexes in step, logs deal field changes
(stage moves included, with `stage_change_time`) and tells the change listeners (webhooks). The per-entity
rules that go beyond key-by-key checks are here: person names, deal stage/pipeline/status, activity
participants.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pipedrive_etl.sandbox.entities import EntitySpec
from pipedrive_etl.sandbox.state import CompanyState
from pipedrive_etl.sandbox.validation import ValidationError, WriteContext, check_body
from pipedrive_etl.sandbox.wireforms import v1_time


class NotFound(LookupError):
    """No live record with this id (Pipedrive answers 404)."""


DEFAULTS: dict[str, dict[str, Any]] = {
    "person": {
        "first_name": None,
        "last_name": None,
        "org_id": None,
        "emails": [],
        "phones": [],
        "visible_to": 3,
        "label_ids": [],
        "picture_id": None,
        "notes": None,
        "im": [],
        "birthday": None,
        "job_title": None,
        "postal_address": None,
        "marketing_status": "no_consent",
    },
    "organization": {
        "address": None,
        "visible_to": 3,
        "label_ids": [],
        "website": None,
        "linkedin": None,
        "industry": None,
        "annual_revenue": None,
        "employee_count": None,
    },
    "deal": {
        "value": 0,
        "person_id": None,
        "org_id": None,
        "currency": "EUR",
        "archive_time": None,
        "stage_change_time": None,
        "status": "open",
        "is_archived": False,
        "probability": None,
        "lost_reason": None,
        "visible_to": 3,
        "close_time": None,
        "won_time": None,
        "lost_time": None,
        "first_won_time": None,
        "local_won_date": None,
        "local_lost_date": None,
        "local_close_date": None,
        "expected_close_date": None,
        "label_ids": [],
        "origin": "API",
        "origin_id": None,
        "channel": None,
        "channel_id": None,
        "source_lead_id": None,
        "acv": None,
        "arr": None,
        "mrr": None,
    },
    "activity": {
        "type": "task",
        "deal_id": None,
        "lead_id": None,
        "person_id": None,
        "org_id": None,
        "project_id": None,
        "due_time": None,
        "duration": None,
        "busy": False,
        "done": False,
        "marked_as_done_time": None,
        "location": None,
        "participants": [],
        "attendees": [],
        "conference_meeting_client": None,
        "conference_meeting_url": None,
        "conference_meeting_id": None,
        "public_description": None,
        "priority": None,
        "note": None,
    },
    "pipeline": {"is_deal_probability_enabled": False},
    "stage": {"deal_probability": 100, "is_deal_rot_enabled": False, "days_to_rotten": None},
}


def defaults(entity: str) -> dict[str, Any]:
    """A fresh copy of an entity's defaults (no list shared between records)."""
    return {key: list(value) if isinstance(value, list) else value for key, value in DEFAULTS[entity].items()}


# Deal keys whose changes are logged (custom field keys are logged too).
_LOGGED = (
    "title",
    "owner_id",
    "person_id",
    "org_id",
    "pipeline_id",
    "stage_id",
    "value",
    "currency",
    "status",
    "probability",
    "lost_reason",
    "visible_to",
    "expected_close_date",
    "label_ids",
    "is_archived",
    "won_time",
    "lost_time",
    "close_time",
)


def _snapshot(record: dict[str, Any]) -> dict[str, Any]:
    return {**record, "custom_fields": dict(record.get("custom_fields") or {})}


def _context(state: CompanyState, spec: EntitySpec) -> WriteContext:
    return WriteContext(exists=state.exists, custom=state.custom(spec.name))


def create(state: CompanyState, spec: EntitySpec, body: Any, *, user_id: int) -> dict[str, Any]:
    changes = check_body(spec, body, _context(state, spec), creating=True)
    now = state.now()
    table = state.tables[spec.plural]
    record: dict[str, Any] = {
        "id": table.new_id(),
        **defaults(spec.name),
        "is_deleted": False,
        "add_time": changes.pop("add_time", now),
        "update_time": now,
    }
    changes.pop("update_time", None)  # Pipedrive sets it; a body value does not stick
    if spec.has_custom_fields:
        record["custom_fields"] = {}
    if spec.owner_filter:
        record["owner_id"] = user_id
    if spec.name in ("deal", "activity"):
        record["creator_user_id"] = user_id
    _apply(state, spec, record, changes, now, creating=True)
    table.insert(record)
    if spec.name == "deal":
        state.log_deal_change(record["id"], "add_time", None, v1_time(record["add_time"]), user_id, now)
    state.notify(spec.name, "create", None, record)
    return record


def live_record(state: CompanyState, spec: EntitySpec, record_id: int) -> dict[str, Any]:
    record = state.tables[spec.plural].get(record_id)
    if record is None or record["is_deleted"]:
        raise NotFound(record_id)
    return record


def update(
    state: CompanyState, spec: EntitySpec, record_id: int, body: Any, *, user_id: int
) -> dict[str, Any]:
    record = live_record(state, spec, record_id)
    changes = check_body(spec, body, _context(state, spec), creating=False)
    changes.pop("update_time", None)
    before = _snapshot(record)
    now = state.now()
    if changes.get("is_deleted") is True:  # a deal PATCHed with is_deleted is a delete
        changes.pop("is_deleted")
        record["_deleted_at"] = now
        record["is_deleted"] = True
    else:
        changes.pop("is_deleted", None)
    _apply(state, spec, record, changes, now, creating=False)
    record["update_time"] = now
    record["_json"] = None  # the cached v2 form is stale now
    state.tables[spec.plural].reindex(before, record)
    if spec.name == "deal":
        _log_deal(state, before, record, user_id, now)
    state.notify(spec.name, "delete" if record["is_deleted"] else "change", before, record)
    return record


def delete(state: CompanyState, spec: EntitySpec, record_id: int, *, user_id: int) -> dict[str, Any]:
    record = live_record(state, spec, record_id)
    before = _snapshot(record)
    now = state.now()
    record.update(is_deleted=True, update_time=now, _deleted_at=now, _json=None)
    state.tables[spec.plural].reindex(before, record)
    state.notify(spec.name, "delete", before, record)
    return record


def _apply(
    state: CompanyState,
    spec: EntitySpec,
    record: dict[str, Any],
    changes: dict[str, Any],
    now: datetime,
    *,
    creating: bool,
) -> None:
    custom = changes.pop("custom_fields", None)
    rule = _RULES.get(spec.name)
    if rule:
        rule(state, record, changes, now, creating)
    record.update(changes)
    if custom:
        record["custom_fields"].update(custom)


def _person_rule(state: CompanyState, record: dict, changes: dict, now: datetime, creating: bool) -> None:
    if "name" in changes and not changes["name"]:
        raise ValidationError("name must not be empty")
    names_given = "first_name" in changes or "last_name" in changes
    if creating and not changes.get("name"):
        if not (changes.get("first_name") and changes.get("last_name")):
            raise ValidationError("Either name or both first_name and last_name must be provided")
    if changes.get("name") and not names_given:
        # A bare name goes to first_name whole (the documented "Update person" webhook shows this).
        changes["first_name"], changes["last_name"] = changes["name"], None
    elif names_given and not changes.get("name"):
        first = changes.get("first_name", record.get("first_name"))
        last = changes.get("last_name", record.get("last_name"))
        changes["name"] = " ".join(part for part in (first, last) if part)
        if not changes["name"]:
            raise ValidationError("name must not be empty")


def _deal_rule(state: CompanyState, record: dict, changes: dict, now: datetime, creating: bool) -> None:
    stage_id, pipeline_id = changes.get("stage_id"), changes.get("pipeline_id")
    if stage_id is not None:
        stage = state.tables["stages"].get(stage_id)
        if pipeline_id is not None and stage["pipeline_id"] != pipeline_id:
            raise ValidationError(f"stage {stage_id} is not in pipeline {pipeline_id}")
        changes["pipeline_id"] = stage["pipeline_id"]
    elif creating or (pipeline_id is not None and pipeline_id != record.get("pipeline_id")):
        stage = state.first_stage(pipeline_id)
        if stage is None:
            raise ValidationError("the pipeline has no stages")
        changes["stage_id"], changes["pipeline_id"] = stage["id"], stage["pipeline_id"]
    if not creating and changes.get("stage_id", record["stage_id"]) != record["stage_id"]:
        changes["stage_change_time"] = now
    status = changes.get("status", record.get("status", "open"))
    if changes.get("lost_reason") is not None and status != "lost":
        raise ValidationError("lost_reason can only be set when status is lost")
    if changes.get("won_time") is not None and status != "won":
        raise ValidationError("won_time can only be set when status is won")
    if "status" in changes and changes["status"] != record.get("status"):
        _move_status(record, changes, now)
    if "is_archived" in changes:
        changes.setdefault("archive_time", now if changes["is_archived"] else None)


def _move_status(record: dict, changes: dict, now: datetime) -> None:
    status = changes["status"]
    if status == "deleted":
        changes.pop("status")
        changes["is_deleted"], changes["_deleted_at"] = True, now
        return
    closed = {
        "close_time": None,
        "won_time": None,
        "lost_time": None,
        "local_close_date": None,
        "local_won_date": None,
        "local_lost_date": None,
    }
    if status == "open":
        changes.update(closed, lost_reason=None)
    elif status == "won":
        won = changes.get("won_time") or now
        changes.update(
            closed,
            won_time=won,
            close_time=won,
            local_won_date=won.date().isoformat(),
            local_close_date=won.date().isoformat(),
            lost_reason=None,
        )
        if record.get("first_won_time") is None:
            changes["first_won_time"] = won
    elif status == "lost":
        lost = changes.get("lost_time") or now
        changes.update(
            closed,
            lost_time=lost,
            close_time=lost,
            local_lost_date=lost.date().isoformat(),
            local_close_date=lost.date().isoformat(),
        )
        changes["lost_reason"] = changes.get("lost_reason", record.get("lost_reason"))


def _activity_rule(state: CompanyState, record: dict, changes: dict, now: datetime, creating: bool) -> None:
    if "participants" in changes:
        participants = changes["participants"]
        primary = next((p for p in participants if p["primary"]), participants[0] if participants else None)
        changes["person_id"] = primary["person_id"] if primary else None
    for key in ("due_time", "duration"):
        if changes.get(key) and len(changes[key]) == 5:
            changes[key] += ":00"  # stored as the spec shows it, "15:00:00"; "HH:MM" is accepted
    if "done" in changes and changes["done"] != record.get("done"):
        changes["marked_as_done_time"] = now if changes["done"] else None
    if creating:
        changes.setdefault("subject", changes.get("type", record["type"]).replace("_", " ").capitalize())
        changes.setdefault("due_date", now.date().isoformat())


def _ordered_rule(parent: str | None):  # noqa: ANN202 - small factory
    def rule(state: CompanyState, record: dict, changes: dict, now: datetime, creating: bool) -> None:
        if creating:
            table = "stages" if parent else "pipelines"
            siblings = [
                r["order_nr"]
                for r in state.tables[table].rows.values()
                if parent is None or r["pipeline_id"] == changes.get(parent)
            ]
            changes["order_nr"] = max(siblings, default=0) + 1

    return rule


_RULES = {
    "person": _person_rule,
    "deal": _deal_rule,
    "activity": _activity_rule,
    "stage": _ordered_rule("pipeline_id"),
    "pipeline": _ordered_rule(None),
}


def _log_deal(state: CompanyState, before: dict, after: dict, user_id: int, now: datetime) -> None:
    for key in _LOGGED:
        if before.get(key) != after.get(key):
            state.log_deal_change(after["id"], key, before.get(key), after.get(key), user_id, now)
    old_custom, new_custom = before["custom_fields"], after["custom_fields"]
    for key in new_custom.keys() | old_custom.keys():
        if old_custom.get(key) != new_custom.get(key):
            state.log_deal_change(after["id"], key, old_custom.get(key), new_custom.get(key), user_id, now)
