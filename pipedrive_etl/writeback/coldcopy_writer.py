"""Execute ColdCopy rows of the plan: lead updates and campaign actions, one ColdCopy transaction per batch.

The two databases cannot share a transaction. ColdCopy commits first, then the warehouse records the log and the
new baselines. A crash between the two is harmless: the next plan finds ColdCopy already holding the value, both
sides agreeing, and only advances the baseline; an outbox row already written is not written again.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import sqlalchemy as sa

from ..coldcopy.writes import ensure_outbox, queue_campaign_action, update_lead, utc_now
from .log import WritebackLog
from .plan import PlanRow

BATCH_SIZE = 500


@dataclass
class ColdCopyCounts:
    leads_updated: int = 0
    campaign_actions: int = 0
    missing_leads: list[str] = field(default_factory=list)


def _batches(rows: list[PlanRow]) -> Iterable[list[PlanRow]]:
    for start in range(0, len(rows), BATCH_SIZE):
        yield rows[start:start + BATCH_SIZE]


def write_coldcopy(engine: sa.Engine, log: WritebackLog, coldcopy_workspace_id: str,
                   rows: list[PlanRow]) -> ColdCopyCounts:
    counts = ColdCopyCounts()
    if not rows:
        return counts
    ensure_outbox(engine)
    leads = sa.Table("leads", sa.MetaData(), autoload_with=engine)
    for batch in _batches(rows):
        now = utc_now()
        applied: list[PlanRow] = []
        missing: list[PlanRow] = []
        with engine.begin() as connection:
            for row in batch:
                if row.entity == "lead":
                    changes = [(c.target_key, c.field_type, c.value) for c in row.changes]
                    if update_lead(connection, leads, coldcopy_workspace_id, str(row.coldcopy_lead_id), changes, now):
                        counts.leads_updated += 1
                        applied.append(row)
                    else:
                        missing.append(row)
                elif row.entity == "campaign_action":
                    queue_campaign_action(
                        connection, plan_key=row.plan_key, workspace_id=coldcopy_workspace_id,
                        lead_id=str(row.coldcopy_lead_id), action=str(row.campaign_action),
                        deal_id=row.pipedrive_deal_id, stage_id=row.stage_id, now=now,
                        payload={"stage_change_key": row.stage_change_key, "stage_entered_at": row.stage_entered_at})
                    counts.campaign_actions += 1
                    applied.append(row)
        with log.warehouse.transaction():
            for row in applied:
                log.succeed(row, row.operation_key, row.entity, pipedrive_id=row.pipedrive_deal_id, tokens=0,
                            baselines=row.changes)
            for row in missing:
                log.fail(row, row.operation_key, row.entity, "the lead no longer exists in ColdCopy")
        counts.missing_leads.extend(str(row.coldcopy_lead_id) for row in missing)
    return counts
