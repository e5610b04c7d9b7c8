"""`state.audit_log`: who did what, when. One row per action that changes what the product does or holds.

Callers name the action as `<thing>.<verb-ed>`; the ones in use:
`oauth.connected`, `oauth.token_refreshed`, `secrets.api_token_stored`, `secrets.rotated` (this package's),
and for others to write: `config.changed`, `conflict.resolved`, `writeback.run` (details: the counts),
`webhook.registered`.

The actor is whoever asked: an explicit `--actor`, else `PIPEDRIVE_ETL_ACTOR` (set it for a scheduler or a
service), else the OS user. Details are JSON and pass through `redact_value` first, so a token handed in by
mistake is stored masked. `record` joins the caller's transaction when there is one, so an action and its
audit row commit together.
"""

from __future__ import annotations

import getpass
import json
import os
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from .redaction import redact, redact_value
from .warehouse import Warehouse

ACTOR_ENV = "PIPEDRIVE_ETL_ACTOR"


@dataclass(frozen=True)
class AuditEntry:
    id: str
    recorded_at: datetime
    actor: str
    action: str
    workspace_id: str | None
    subject: str | None
    details: dict[str, Any]


def current_actor(explicit: str | None = None, env: Mapping[str, str] | None = None) -> str:
    """`explicit`, else $PIPEDRIVE_ETL_ACTOR, else the OS user name."""
    if explicit:
        return explicit
    env = os.environ if env is None else env
    if env.get(ACTOR_ENV):
        return env[ACTOR_ENV]
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no user name in a bare container: still say something true
        return f"uid:{os.getuid()}" if hasattr(os, "getuid") else "unknown"


def record(warehouse: Warehouse, *, action: str, actor: str | None = None, workspace_id: str | None = None,
           subject: str | None = None, details: Mapping[str, Any] | None = None,
           recorded_at: datetime | None = None) -> AuditEntry:
    """Write one audit row and return it."""
    if not action:
        raise ValueError("an audit row needs an action")
    entry = AuditEntry(id=uuid.uuid4().hex, recorded_at=recorded_at or datetime.now(UTC),
                       actor=current_actor(actor), action=action, workspace_id=workspace_id,
                       subject=redact(subject) if subject is not None else None,
                       details=redact_value(dict(details or {})))
    warehouse.execute(
        "insert into state.audit_log (id, recorded_at, actor, action, workspace_id, subject, details) "
        "values (?, ?, ?, ?, ?, ?, ?)",
        [entry.id, entry.recorded_at, entry.actor, entry.action, entry.workspace_id, entry.subject,
         json.dumps(entry.details, default=str, sort_keys=True)])
    return entry


def entries(warehouse: Warehouse, *, action: str | None = None, workspace_id: str | None = None,
            limit: int = 100) -> list[AuditEntry]:
    """The newest entries first, optionally of one action or workspace."""
    where, params = [], []
    if action is not None:
        where.append("action = ?")
        params.append(action)
    if workspace_id is not None:
        where.append("workspace_id = ?")
        params.append(workspace_id)
    condition = f" where {' and '.join(where)}" if where else ""
    rows = warehouse.fetchall(
        "select id, recorded_at, actor, action, workspace_id, subject, details from state.audit_log"
        f"{condition} order by recorded_at desc, id limit ?", [*params, limit])
    return [AuditEntry(row[0], row[1], row[2], row[3], row[4], row[5], _json(row[6])) for row in rows]


def _json(value: Any) -> dict[str, Any]:
    # DuckDB hands JSON back as text, psycopg as the decoded value.
    if isinstance(value, str):
        return json.loads(value)
    return dict(value or {})
