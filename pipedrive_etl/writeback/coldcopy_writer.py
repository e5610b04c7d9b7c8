"""Execute ColdCopy rows of the plan: lead updates, campaign actions and timeline entries, one ColdCopy
transaction per batch.

The two databases cannot share a transaction. ColdCopy commits first, then the warehouse records the log and
the new baselines. A crash between the two is harmless: the next plan finds ColdCopy already holding the
value, both sides agreeing, and only advances the baseline; an outbox row already written is not written
again, and a timeline entry written again updates its row in place.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa

from ..coldcopy.timeline import TimelineEntry, ensure_timeline, mark_deleted, upsert_entry
from ..coldcopy.writes import ensure_outbox, queue_campaign_action, update_lead, utc_now
from .log import WritebackLog
from .plan import PlanRow

BATCH_SIZE = 500


@dataclass
class ColdCopyCounts:
    leads_updated: int = 0
    campaign_actions: int = 0
    timeline_entries: int = 0
    missing_leads: list[str] = field(default_factory=list)

    @property
    def written(self) -> int:
        return self.leads_updated + self.campaign_actions + self.timeline_entries


def _batches(rows: list[PlanRow]) -> Iterable[list[PlanRow]]:
    for start in range(0, len(rows), BATCH_SIZE):
        yield rows[start:start + BATCH_SIZE]


def write_coldcopy(engine: sa.Engine, log: WritebackLog, coldcopy_workspace_id: str,
                   rows: list[PlanRow]) -> ColdCopyCounts:
    counts = ColdCopyCounts()
    if not rows:
        return counts
    ensure_outbox(engine)
    ensure_timeline(engine)
    leads = sa.Table("leads", sa.MetaData(), autoload_with=engine)
    for batch in _batches(rows):
        now = utc_now()
        applied: list[PlanRow] = []
        missing: list[PlanRow] = []
        with engine.begin() as connection:
            for row in batch:
                if row.entity == "lead":
                    changes = [(c.target_key, c.field_type, c.value) for c in row.changes]
                    if update_lead(connection, leads, coldcopy_workspace_id, str(row.coldcopy_lead_id),
                                   changes, now):
                        counts.leads_updated += 1
                        applied.append(row)
                    else:
                        missing.append(row)
                elif row.entity == "campaign_action":
                    queue_campaign_action(
                        connection, plan_key=row.plan_key, workspace_id=coldcopy_workspace_id,
                        lead_id=str(row.coldcopy_lead_id), action=str(row.campaign_action),
                        deal_id=row.pipedrive_deal_id, stage_id=row.stage_id, now=now,
                        payload={"stage_change_key": row.stage_change_key,
                                 "stage_entered_at": row.stage_entered_at})
                    counts.campaign_actions += 1
                    applied.append(row)
                elif row.entity == "timeline_entry":
                    _write_timeline_entry(connection, coldcopy_workspace_id, row, now)
                    counts.timeline_entries += 1
                    applied.append(row)
                else:
                    raise ValueError(f"{row.plan_key}: no ColdCopy writer for {row.entity} {row.operation}")
        with log.warehouse.transaction():
            for row in applied:
                log.succeed(row, row.operation_key, row.entity, pipedrive_id=_pipedrive_id(row), tokens=0,
                            baselines=row.changes)
            for row in missing:
                log.fail(row, row.operation_key, row.entity, "the lead no longer exists in ColdCopy")
        counts.missing_leads.extend(str(row.coldcopy_lead_id) for row in missing)
    return counts


def _pipedrive_id(row: PlanRow) -> int | None:
    """What the log records as the row's Pipedrive record: the activity of a timeline entry, else the deal."""
    if row.entity == "timeline_entry":
        return int(str(row.source_id))
    return row.pipedrive_deal_id


def _write_timeline_entry(connection: sa.Connection, workspace_id: str, row: PlanRow, now: datetime) -> None:
    activity_id = int(str(row.source_id))
    if row.operation == "delete":
        mark_deleted(connection, workspace_id, str(row.coldcopy_lead_id), activity_id, now)
        return
    upsert_entry(connection, workspace_id, TimelineEntry(
        lead_id=str(row.coldcopy_lead_id), pipedrive_activity_id=activity_id,
        entry_type=str(row.timeline_entry_type), pipedrive_type=row.activity_type, occurred_at=row.due_at,
        title=row.activity_subject, description=row.activity_note, done=bool(row.activity_done),
        duration_seconds=row.activity_duration_seconds, pipedrive_person_id=row.pipedrive_person_id,
        pipedrive_deal_id=row.pipedrive_deal_id, pipedrive_updated_at=row.pipedrive_updated_at,
        content_hash=str(row.content_hash)), now)
