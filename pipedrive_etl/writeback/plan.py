"""The writeback plan as Python sees it: rows of `marts.writeback_plan`, in the order they are executed."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field, fields
from datetime import datetime
from typing import Any

from ..warehouse import Warehouse

# Default order of Pipedrive work when the budget cannot pay for everything: updates to linked records first,
# then creates, then activities (the plan's `priority`). State rows and ColdCopy writes cost no tokens.
DEFAULT_PRIORITY_ORDER = (1, 2, 3)


@dataclass(frozen=True)
class FieldChange:
    field: str                 # the mapping id (the ColdCopy field), the key of state.sync_baseline
    target_key: str            # Pipedrive field key (built-in name or 40-hex) or ColdCopy column
    field_type: str
    value: str | None          # canonical text to write
    previous: str | None       # the target's current value, canonical
    baseline: str | None       # what both sides agree on once written
    coldcopy_lead_id: str | None = None


@dataclass(frozen=True)
class PlanRow:
    workspace_id: str
    plan_key: str
    target_system: str
    entity: str
    operation: str
    priority: int
    coldcopy_lead_id: str | None = None
    pipedrive_id: int | None = None
    source_id: str | None = None
    changes: tuple[FieldChange, ...] = ()
    change_count: int = 0
    token_cost: int = 0
    last_writeback_status: str | None = None
    pipedrive_person_id: int | None = None
    pipedrive_organization_id: int | None = None
    pipedrive_deal_id: int | None = None
    link_source: str | None = None
    email: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    person_name: str | None = None
    phone: str | None = None
    company_name: str | None = None
    create_organization: bool | None = None
    organization_key: str | None = None
    organization_plan_key: str | None = None
    create_deal: bool | None = None
    deal_title: str | None = None
    deal_pipeline_id: int | None = None
    deal_stage_id: int | None = None
    external_id_field_key: str | None = None
    activity_subject: str | None = None
    activity_type: str | None = None
    due_at: datetime | None = None
    due_date: str | None = None
    due_time: str | None = None
    email_event_type: str | None = None
    campaign_action: str | None = None
    stage_id: int | None = None
    stage_change_key: str | None = None
    stage_entered_at: datetime | None = None
    source_kind: str | None = None
    activity_note: str | None = None
    activity_duration_seconds: int | None = None
    activity_done: bool | None = None
    timeline_entry_type: str | None = None
    content_hash: str | None = None
    pipedrive_updated_at: datetime | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def operation_key(self) -> str:
        """The writeback log's key. An update is keyed by its change set too: tomorrow's edit of the same
        person is another write, while repeating today's (after a crash) is the same one, logged once."""
        if self.operation != "update" or not self.changes:
            return self.plan_key
        digest = hashlib.sha1(
            json.dumps([(c.field, c.value) for c in self.changes]).encode()).hexdigest()[:12]
        return f"{self.plan_key}:{digest}"


_COLUMNS = [f.name for f in fields(PlanRow) if f.name != "extra"]


def _changes(value: Any) -> tuple[FieldChange, ...]:
    if value is None:
        return ()
    items = json.loads(value) if isinstance(value, str) else value
    return tuple(FieldChange(**{k: item.get(k) for k in FieldChange.__dataclass_fields__})
                 for item in items or [])


def row_from_mapping(values: dict[str, Any]) -> PlanRow:
    known = {name: values.get(name) for name in _COLUMNS if name in values}
    known["changes"] = _changes(values.get("changes"))
    known["priority"] = int(values.get("priority") or 0)
    known["token_cost"] = int(values.get("token_cost") or 0)
    known["change_count"] = int(values.get("change_count") or 0)
    return PlanRow(**known)


def load_plan(warehouse: Warehouse, workspace_id: str) -> list[PlanRow]:
    columns = ", ".join(_COLUMNS)
    rows = warehouse.fetchall(
        f"select {columns} from marts.writeback_plan where workspace_id = ? order by priority, plan_key",
        [workspace_id])
    return [row_from_mapping(dict(zip(_COLUMNS, row, strict=True))) for row in rows]
