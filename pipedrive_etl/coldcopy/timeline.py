"""ColdCopy's timeline of Pipedrive activities: a table we own in ColdCopy's database, one row per
lead and activity.

ColdCopy shows it on the lead's page. Rows are keyed by (workspace, lead, Pipedrive activity id): writing an
entry again (a rerun after a crash, or the activity edited in Pipedrive) updates the row in place, and a
deleted activity keeps its row with `deleted_at` set, so ColdCopy can show it struck through rather than
lose it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from .writes import metadata

activity_timeline = sa.Table(
    "pipedrive_activity_timeline", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("workspace_id", sa.String(64), nullable=False),
    sa.Column("lead_id", sa.String(64), nullable=False),
    sa.Column("pipedrive_activity_id", sa.BigInteger, nullable=False),
    # ColdCopy's type, mapped from Pipedrive's type key
    sa.Column("entry_type", sa.String(64), nullable=False),
    sa.Column("pipedrive_type", sa.String(64)),
    sa.Column("occurred_at", sa.DateTime(timezone=True)),  # the activity's due date and time, UTC
    sa.Column("title", sa.Text),
    sa.Column("description", sa.Text),
    sa.Column("done", sa.Boolean, nullable=False),
    sa.Column("duration_seconds", sa.Integer),
    sa.Column("pipedrive_person_id", sa.BigInteger),
    sa.Column("pipedrive_deal_id", sa.BigInteger),
    sa.Column("pipedrive_updated_at", sa.DateTime(timezone=True)),
    sa.Column("content_hash", sa.String(64), nullable=False),
    sa.Column("deleted_at", sa.DateTime(timezone=True)),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    sa.UniqueConstraint("workspace_id", "lead_id", "pipedrive_activity_id",
                        name="uq_pipedrive_activity_timeline"),
    sa.Index("ix_pipedrive_activity_timeline_lead", "workspace_id", "lead_id", "occurred_at"),
)


@dataclass(frozen=True)
class TimelineEntry:
    lead_id: str
    pipedrive_activity_id: int
    entry_type: str
    pipedrive_type: str | None
    occurred_at: datetime | None
    title: str | None
    description: str | None
    done: bool
    duration_seconds: int | None
    pipedrive_person_id: int | None
    pipedrive_deal_id: int | None
    pipedrive_updated_at: datetime | None
    content_hash: str


def ensure_timeline(engine: sa.Engine) -> None:
    metadata.create_all(engine, tables=[activity_timeline])


def _key(workspace_id: str, lead_id: str, activity_id: int) -> sa.ColumnElement[bool]:
    table = activity_timeline.c
    return sa.and_(table.workspace_id == workspace_id, table.lead_id == lead_id,
                   table.pipedrive_activity_id == activity_id)


def upsert_entry(connection: sa.Connection, workspace_id: str, entry: TimelineEntry, now: datetime) -> str:
    """Insert the entry, or update it in place; 'created', 'updated' or 'unchanged' (same content already
    there)."""
    key = _key(workspace_id, entry.lead_id, entry.pipedrive_activity_id)
    current = connection.execute(sa.select(activity_timeline.c.content_hash, activity_timeline.c.deleted_at)
                                 .where(key)).first()
    values = {name: getattr(entry, name) for name in TimelineEntry.__dataclass_fields__}
    if current is None:
        connection.execute(sa.insert(activity_timeline).values(workspace_id=workspace_id, **values,
                                                                created_at=now, updated_at=now))
        return "created"
    if current.content_hash == entry.content_hash and current.deleted_at is None:
        return "unchanged"
    connection.execute(sa.update(activity_timeline).where(key)
                       .values(**values, deleted_at=None, updated_at=now))
    return "updated"


def mark_deleted(connection: sa.Connection, workspace_id: str, lead_id: str, activity_id: int,
                 now: datetime) -> bool:
    """Set `deleted_at` on the entry; False when there is no entry (the activity was never copied)."""
    result = connection.execute(sa.update(activity_timeline)
                                .where(_key(workspace_id, lead_id, activity_id),
                                       activity_timeline.c.deleted_at.is_(None))
                                .values(deleted_at=now, updated_at=now))
    return result.rowcount > 0
