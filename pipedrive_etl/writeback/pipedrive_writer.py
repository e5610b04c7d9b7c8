"""Execute Pipedrive rows of the plan: PATCH updates, creates (organization, person, deal), activities (email
events, call logs).

Pipedrive has no upsert and no bulk write. A create is logged `pending` before it is sent; a create whose
outcome is unknown (the connection dropped after the request left, a 5xx) is settled by a search before
anything is created again: persons by the external-id custom field and then by email, organizations by exact
name, deals by the person's deals and title, activities by the event marker in their note. PATCH may simply be
repeated. Pipedrive's 4xx refusals are recorded with the error and not retried blindly.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, time, timedelta
from typing import Any

import orjson

from ..pipedrive import PipedriveClient
from ..pipedrive.errors import (
    BadRequestError,
    ForbiddenError,
    NotFoundError,
    OutcomeUnknownError,
    UnprocessableError,
)
from ..pipedrive.field_catalog import FieldCatalog
from ..pipedrive.fields import CustomFieldValue
from ..pipedrive.models import ActivityCreate, DealCreate, OrganizationCreate, PersonCreate, PersonUpdate
from ..warehouse import Warehouse
from .encode import EncodingError, person_fields
from .log import SUCCEEDED, UNSETTLED, Link, WritebackLog
from .plan import PlanRow

# Pipedrive refused the request as it stands: repeating it unchanged would be refused again.
REFUSED = (BadRequestError, ForbiddenError, NotFoundError, UnprocessableError, EncodingError)
CREATE_COST, SEARCH_COST, LIST_COST = 5, 20, 10


def event_marker(source_id: str | None, source_kind: str | None = "email_event") -> str:
    """Written into an activity's note so a create whose outcome was lost can be found again (and so the
    timeline copy back to ColdCopy knows the activity came from ColdCopy)."""
    return f"[coldcopy-{'call' if source_kind == 'call_log' else 'event'}:{source_id}]"


def activity_note(row: PlanRow) -> str:
    marker = event_marker(row.source_id, row.source_kind)
    if row.source_kind == "call_log":
        notes = f"{row.activity_note}\n" if row.activity_note else ""
        return f"{notes}ColdCopy call log {marker}"
    return f"ColdCopy email event: {row.email_event_type or 'email'} {marker}"


@dataclass
class WriteOutcome:
    status: str           # succeeded | failed | unknown | settled
    requests: int = 0
    error: str | None = None


class PipedriveWriter:
    def __init__(self, client: PipedriveClient, warehouse: Warehouse, log: WritebackLog,
                 person_catalog: Callable[[], FieldCatalog]) -> None:
        self.client = client
        self.warehouse = warehouse
        self.log = log
        self._person_catalog = person_catalog

    def execute(self, row: PlanRow) -> WriteOutcome:
        try:
            if row.entity == "person" and row.operation == "update":
                return self._update_person(row)
            if row.entity == "person" and row.operation == "create":
                return self._create_person(row)
            if row.entity == "activity" and row.operation == "create":
                return self._create_activity(row)
        except REFUSED as exc:
            self.log.fail(row, row.operation_key, row.entity, str(exc))
            return WriteOutcome("failed", error=str(exc))
        except OutcomeUnknownError as exc:
            self.log.mark_unknown(row, row.operation_key, row.entity, str(exc))
            return WriteOutcome("unknown", error=str(exc))
        raise ValueError(f"{row.plan_key}: no Pipedrive writer for {row.entity} {row.operation}")

    # -- updates ---------------------------------------------------------------------------------------------

    def _current(self, table: str, record_id: int | None) -> dict[str, Any] | None:
        row = self.warehouse.fetchone(f"select raw from raw.pipedrive_{table} "
                                      "where workspace_id = ? and id = ?",
                                      [self.log.workspace_id, record_id])
        if row is None:
            return None
        return orjson.loads(row[0]) if isinstance(row[0], str) else row[0]

    def _update_person(self, row: PlanRow) -> WriteOutcome:
        changes = PersonUpdate(**person_fields(row.changes, self._person_catalog(),
                                               self._current("persons", row.pipedrive_id)))
        body = changes.to_body()
        self.client.update_person(int(row.pipedrive_id), changes)  # type: ignore[arg-type]
        self.log.succeed(row, row.operation_key, "person", pipedrive_id=row.pipedrive_id, tokens=CREATE_COST,
                         request=body, baselines=row.changes)
        return WriteOutcome("succeeded", requests=1)

    # -- creates ---------------------------------------------------------------------------------------------

    def _settled_id(self, row: PlanRow, key: str, entity: str, find: Callable[[], int | None]) -> int | None:
        """The id of an earlier attempt's record: from the log, or found by `find` when its outcome
        was lost."""
        entry = self.log.entry(key)
        if entry is None:
            return None
        if entry.status == SUCCEEDED:
            return entry.pipedrive_id
        if entry.status in UNSETTLED:
            found = find()
            if found is not None:
                self.log.succeed(row, key, entity, pipedrive_id=found, tokens=0)
            return found
        return None

    def _create(self, row: PlanRow, key: str, entity: str, body: Any, send: Callable[[Any], Any]) -> int:
        self.log.begin(row, key, entity, body.to_body())
        try:
            created = send(body)
        except OutcomeUnknownError as exc:
            self.log.mark_unknown(row, key, entity, str(exc))
            raise
        except REFUSED as exc:
            self.log.fail(row, key, entity, str(exc), request=body.to_body())
            raise
        return int(created.id)

    def _organization(self, row: PlanRow) -> int | None:
        if row.pipedrive_organization_id is not None:
            return row.pipedrive_organization_id
        if not row.create_organization or not row.company_name:
            return None
        key = (row.organization_plan_key
               or f"pipedrive:organization:create:{row.organization_key or row.company_name}")
        found = self._settled_id(row, key, "organization",
                                 lambda: self._search("organization", row.company_name, "name"))
        if found is not None:
            return found
        org_id = self._create(row, key, "organization", OrganizationCreate(name=row.company_name),
                              self.client.create_organization)
        self.log.succeed(row, key, "organization", pipedrive_id=org_id, tokens=CREATE_COST)
        return org_id

    def _find_person(self, row: PlanRow) -> int | None:
        if row.external_id_field_key:
            found = self._search("person", row.coldcopy_lead_id, "custom_fields")
            if found is not None:
                return found
        return self._search("person", row.email, "email") if row.email else None

    def _create_person(self, row: PlanRow) -> WriteOutcome:
        """Organization, person, deal: each step logged under its own key and settled on its own, and the row
        marked succeeded (with the link and the baselines) only once all of them are done."""
        org_id = self._organization(row)
        key = f"pipedrive:person:record:{row.coldcopy_lead_id}"
        person_id = self._settled_id(row, key, "person", lambda: self._find_person(row))
        if person_id is None:
            person_id = self._create(row, key, "person", self._person_body(row, org_id),
                                     self.client.create_person)
            self.log.succeed(row, key, "person", pipedrive_id=person_id, tokens=CREATE_COST)
        deal_id = self._deal(row, person_id, org_id)
        self.log.succeed(row, row.plan_key, "person", pipedrive_id=person_id, tokens=0, baselines=row.changes,
                         link=Link(str(row.coldcopy_lead_id), pipedrive_person_id=person_id,
                                   pipedrive_organization_id=org_id, pipedrive_deal_id=deal_id))
        return WriteOutcome("succeeded")

    def _person_body(self, row: PlanRow, org_id: int | None) -> PersonCreate:
        fields = person_fields(row.changes, self._person_catalog())
        if row.external_id_field_key:
            custom = dict(fields.get("custom_fields") or {})
            custom[row.external_id_field_key] = CustomFieldValue("varchar", row.coldcopy_lead_id)
            fields["custom_fields"] = custom
        if not fields.get("name") and not (fields.get("first_name") and fields.get("last_name")):
            fields["name"] = row.person_name or row.email
        if row.email and "emails" not in fields:
            fields["emails"] = [{"value": row.email, "primary": True, "label": "work"}]
        if org_id is not None:
            fields["org_id"] = org_id
        return PersonCreate(**fields)

    def _deal(self, row: PlanRow, person_id: int, org_id: int | None) -> int | None:
        if not row.create_deal or not row.deal_title:
            return None
        key = f"pipedrive:deal:create:{row.coldcopy_lead_id}"
        found = self._settled_id(row, key, "deal", lambda: self._find_deal(person_id, row.deal_title))
        if found is not None:
            return found
        body = DealCreate(title=row.deal_title, person_id=person_id, org_id=org_id,
                          pipeline_id=row.deal_pipeline_id, stage_id=row.deal_stage_id)
        deal_id = self._create(row, key, "deal", body, self.client.create_deal)
        self.log.succeed(row, key, "deal", pipedrive_id=deal_id, tokens=CREATE_COST)
        return deal_id

    def _find_deal(self, person_id: int, title: str | None) -> int | None:
        for page in self.client.iter_deals(person_id=person_id):
            for deal in page.items:
                if deal.title == title:
                    return int(deal.id)
        return None

    def _create_activity(self, row: PlanRow) -> WriteOutcome:
        key = row.plan_key
        found = self._settled_id(row, key, "activity", lambda: self._find_activity(row))
        if found is not None:
            return WriteOutcome("settled")
        body = ActivityCreate(
            subject=row.activity_subject or "Email", type=row.activity_type or "email",
            done=True if row.activity_done is None else row.activity_done,
            due_date=date.fromisoformat(row.due_date) if row.due_date else None,
            due_time=time.fromisoformat(row.due_time) if row.due_time else None,
            duration=timedelta(seconds=row.activity_duration_seconds)
            if row.activity_duration_seconds is not None else None,
            deal_id=row.pipedrive_deal_id, org_id=row.pipedrive_organization_id,
            participants=[{"person_id": int(row.pipedrive_person_id), "primary": True}]  # type: ignore[arg-type]
            if row.pipedrive_person_id else None,
            note=activity_note(row))
        activity_id = self._create(row, key, "activity", body, self.client.create_activity)
        self.log.succeed(row, key, "activity", pipedrive_id=activity_id, tokens=CREATE_COST,
                         request=body.to_body())
        return WriteOutcome("succeeded", requests=1)

    def _find_activity(self, row: PlanRow) -> int | None:
        if row.pipedrive_person_id is None:
            return None
        marker = event_marker(row.source_id, row.source_kind)
        for page in self.client.iter_activities(person_id=row.pipedrive_person_id):
            for activity in page.items:
                if marker in (activity.note or ""):
                    return int(activity.id)
        return None

    def _search(self, item_type: str, term: str | None, field: str) -> int | None:
        if not term:
            return None
        for page in self.client.search_items(term, item_types=[item_type], fields=[field], exact_match=True):
            for hit in page.items:
                item = hit.get("item") or {}
                if item.get("id") is not None:
                    return int(item["id"])
        return None
