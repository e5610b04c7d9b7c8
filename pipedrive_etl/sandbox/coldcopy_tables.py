"""The ColdCopy demo database's tables (SQLAlchemy Core): ColdCopy's own schema as the sync reads it.

Workspaces, companies, campaigns, leads, email events and call logs; `seed_coldcopy` (sandbox/coldcopy.py)
fills them. The tables pipedrive-etl itself owns in ColdCopy's database live in pipedrive_etl/coldcopy/.
"""

from __future__ import annotations

import sqlalchemy as sa

LEAD_STATUSES = (
    "new",
    "contacted",
    "replied",
    "interested",
    "meeting_booked",
    "not_interested",
    "bounced",
    "unsubscribed",
)

metadata = sa.MetaData()
workspaces = sa.Table(
    "workspaces",
    metadata,
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("name", sa.String(255), nullable=False),
    sa.Column("pipedrive_company_domain", sa.String(255)),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
)
companies = sa.Table(
    "companies",
    metadata,
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("workspace_id", sa.String(64), sa.ForeignKey("workspaces.id"), nullable=False, index=True),
    sa.Column("name", sa.String(255), nullable=False),
    sa.Column("domain", sa.String(255)),
    sa.Column("industry", sa.String(100)),
    sa.Column("employee_count", sa.Integer),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
)
campaigns = sa.Table(
    "campaigns",
    metadata,
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("workspace_id", sa.String(64), sa.ForeignKey("workspaces.id"), nullable=False, index=True),
    sa.Column("name", sa.String(255), nullable=False),
    sa.Column("status", sa.String(32), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
)
leads = sa.Table(
    "leads",
    metadata,
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("workspace_id", sa.String(64), sa.ForeignKey("workspaces.id"), nullable=False),
    sa.Column("email", sa.String(320), nullable=False),
    sa.Column("first_name", sa.String(255)),
    sa.Column("last_name", sa.String(255)),
    sa.Column("phone", sa.String(64)),
    sa.Column("job_title", sa.String(255)),
    sa.Column("company_id", sa.String(64), sa.ForeignKey("companies.id")),
    sa.Column("company_name", sa.String(255)),
    sa.Column("status", sa.String(32), nullable=False),
    sa.Column("custom_fields", sa.Text, nullable=False),  # JSON object, portable across SQLite and Postgres
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    sa.Index("ix_leads_workspace_email", "workspace_id", "email"),
    sa.Index("ix_leads_workspace_updated_at", "workspace_id", "updated_at"),
)
email_events = sa.Table(
    "email_events",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("workspace_id", sa.String(64), sa.ForeignKey("workspaces.id"), nullable=False),
    sa.Column("lead_id", sa.String(64), sa.ForeignKey("leads.id"), nullable=False, index=True),
    sa.Column("campaign_id", sa.String(64), sa.ForeignKey("campaigns.id"), nullable=False),
    sa.Column("event_type", sa.String(32), nullable=False),
    sa.Column("subject", sa.String(255)),
    sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
    sa.Index("ix_email_events_workspace_occurred_at", "workspace_id", "occurred_at"),
)
# A call a salesperson logged against a lead in ColdCopy's dialer; notes may be edited afterwards.
call_logs = sa.Table(
    "call_logs",
    metadata,
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("workspace_id", sa.String(64), sa.ForeignKey("workspaces.id"), nullable=False),
    sa.Column("lead_id", sa.String(64), sa.ForeignKey("leads.id"), nullable=False, index=True),
    sa.Column("direction", sa.String(16), nullable=False),  # outbound | inbound
    sa.Column("outcome", sa.String(32), nullable=False),  # connected | no_answer | voicemail | busy
    sa.Column("duration_seconds", sa.Integer, nullable=False),
    sa.Column("notes", sa.Text),
    sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    sa.Index("ix_call_logs_workspace_updated_at", "workspace_id", "updated_at"),
)
CALL_OUTCOMES = ("connected", "no_answer", "voicemail", "busy")
