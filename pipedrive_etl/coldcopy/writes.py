"""Writes to ColdCopy's database: mapped lead fields, lead status, and campaign actions in an outbox table.

ColdCopy owns its schema; we touch `leads` (mapped columns, `custom_fields` JSON keys, `status`, `updated_at`)
and own one table of our own, `pipedrive_campaign_actions`, an outbox ColdCopy's campaign engine consumes. An
outbox row is unique on the plan key that produced it, so writing it twice (a rerun after a crash) stores
it once.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

metadata = sa.MetaData()

campaign_actions_outbox = sa.Table(
    "pipedrive_campaign_actions", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("plan_key", sa.String(512), nullable=False, unique=True),
    sa.Column("workspace_id", sa.String(64), nullable=False, index=True),
    sa.Column("lead_id", sa.String(64), nullable=False),
    sa.Column("action", sa.String(64), nullable=False),
    sa.Column("pipedrive_deal_id", sa.BigInteger),
    sa.Column("stage_id", sa.BigInteger),
    sa.Column("payload", sa.Text, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("processed_at", sa.DateTime(timezone=True)),
)

_NUMERIC = {"double", "monetary", "int", "user", "org", "people"}


def ensure_outbox(engine: sa.Engine) -> None:
    metadata.create_all(engine, tables=[campaign_actions_outbox])


def _typed(field_type: str, value: str | None) -> Any:
    if value is None or field_type not in _NUMERIC:
        return value
    number = float(value)
    return int(number) if number.is_integer() else number


def update_lead(connection: sa.Connection, leads: sa.Table, workspace_id: str, lead_id: str,
                changes: list[tuple[str, str, str | None]], now: datetime) -> bool:
    """Apply (target_key, field_type, value) changes to one lead; False if the lead no longer exists."""
    columns: dict[str, Any] = {}
    custom: dict[str, Any] = {}
    for target_key, field_type, value in changes:
        if target_key.startswith("custom_fields."):
            custom[target_key.removeprefix("custom_fields.")] = _typed(field_type, value)
        else:
            columns[target_key] = _typed(field_type, value)
    if custom:
        current = connection.execute(sa.select(leads.c.custom_fields).where(
            leads.c.id == lead_id, leads.c.workspace_id == workspace_id)).scalar_one_or_none()
        merged = {**json.loads(current or "{}"), **custom}
        columns["custom_fields"] = json.dumps(merged, sort_keys=True)
    # updated_at moves so ColdCopy's own consumers see the change; the next extraction reads it back, finds it
    # equal to the new baseline, and plans nothing (echo suppression).
    result = connection.execute(sa.update(leads)
                                .where(leads.c.id == lead_id, leads.c.workspace_id == workspace_id)
                                .values(**columns, updated_at=now))
    return result.rowcount > 0


def queue_campaign_action(connection: sa.Connection, *, plan_key: str, workspace_id: str, lead_id: str,
                          action: str, deal_id: int | None, stage_id: int | None, payload: dict[str, Any],
                          now: datetime) -> bool:
    """Insert an outbox row unless this plan key already has one; True when inserted."""
    exists = connection.execute(sa.select(campaign_actions_outbox.c.id).where(
        campaign_actions_outbox.c.plan_key == plan_key)).first()
    if exists:
        return False
    connection.execute(sa.insert(campaign_actions_outbox).values(
        plan_key=plan_key, workspace_id=workspace_id, lead_id=lead_id, action=action,
        pipedrive_deal_id=deal_id, stage_id=stage_id,
        payload=json.dumps(payload, default=str, sort_keys=True), created_at=now))
    return True


def utc_now() -> datetime:
    return datetime.now(UTC)
