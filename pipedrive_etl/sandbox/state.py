"""The company's data: record tables, users, field definitions and the deal change log.

`CompanyState` is plain data plus look-ups; writes go through `writes.py` so `update_time`, change logs and
webhook events are never skipped, and seeding fills the tables directly through `bulk_insert`.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pipedrive_etl.sandbox.clock import Clock
from pipedrive_etl.sandbox.customfields import FieldDef
from pipedrive_etl.sandbox.entities import SPECS
from pipedrive_etl.sandbox.fielddefs import FieldRegistry
from pipedrive_etl.sandbox.store import Table

# (entity, action, record before, record after); action is "create", "change" or "delete".
ChangeListener = Callable[[str, str, dict[str, Any] | None, dict[str, Any]], None]
PURGE_AFTER_SECONDS = 30 * 86_400  # soft-deleted records are purged after 30 days


@dataclass
class DealChange:
    """One row of a deal's change log, the source of both `/changelog` and the flow's `dealChange` rows."""

    id: int
    deal_id: int
    field_key: str
    old_value: Any
    new_value: Any
    user_id: int
    time: datetime
    change_source: str = "api"
    user_agent: str = "pipedrive-etl-sandbox"


class CompanyState:
    def __init__(self, clock: Clock, *, company_id: int, company_domain: str, seed: int) -> None:
        self.clock = clock
        self.company_id = company_id
        self.company_domain = company_domain
        self.rng = random.Random(seed)
        self.tables = {plural: Table(plural, spec.sortable) for plural, spec in SPECS.items()}
        self.users: dict[int, dict[str, Any]] = {}
        self.fields = FieldRegistry(self.rng, self.now())
        self.deal_changes: dict[int, list[DealChange]] = {}
        self._next_change_id = 1
        self.listeners: list[ChangeListener] = []

    def now(self) -> datetime:
        # Pipedrive times have whole seconds.
        return self.clock.now().replace(microsecond=0)

    # -- look-ups (also the `wireforms_v1.Lookup` protocol) --------------------------------------------------
    def user(self, user_id: int | None) -> dict[str, Any] | None:
        return self.users.get(user_id) if user_id is not None else None

    def record(self, plural: str, record_id: int | None) -> dict[str, Any] | None:
        return self.tables[plural].get(record_id) if record_id is not None else None

    def custom(self, entity: str) -> dict[str, FieldDef]:
        return self.fields.custom.get(entity, {})

    def is_purged(self, record: dict[str, Any]) -> bool:
        deleted_at = record.get("_deleted_at")
        return deleted_at is not None and (self.now() - deleted_at).total_seconds() > PURGE_AFTER_SECONDS

    def exists(self, kind: str, record_id: int) -> bool:
        """Whether a write may refer to this id: users, and records that are not deleted."""
        if kind == "user":
            return record_id in self.users
        record = self.tables[kind + "s" if kind != "activity" else "activities"].get(record_id)
        return record is not None and not record["is_deleted"]

    def add_user(self, user_id: int, name: str, email: str, *, is_admin: bool = True) -> dict[str, Any]:
        user = {"id": user_id, "name": name, "email": email, "is_admin": is_admin, "created": self.now()}
        self.users[user_id] = user
        return user

    def first_stage(self, pipeline_id: int | None = None) -> dict[str, Any] | None:
        """The lowest stage of a pipeline (of the first pipeline when None): where new deals land."""
        stages = self.tables["stages"].rows.values()
        if pipeline_id is None:
            pipelines = [p for p in self.tables["pipelines"].rows.values() if not p["is_deleted"]]
            if not pipelines:
                return None
            pipeline_id = min(pipelines, key=lambda p: (p["order_nr"], p["id"]))["id"]
        live = [s for s in stages if s["pipeline_id"] == pipeline_id and not s["is_deleted"]]
        return min(live, key=lambda s: (s["order_nr"], s["id"])) if live else None

    # -- the deal change log ----------------------------------------------------------------------------
    def log_deal_change(
        self, deal_id: int, field_key: str, old: Any, new: Any, user_id: int, when: datetime
    ) -> DealChange:
        change = DealChange(self._next_change_id, deal_id, field_key, old, new, user_id, when)
        self._next_change_id += 1
        self.deal_changes.setdefault(deal_id, []).append(change)
        return change

    def notify(self, entity: str, action: str, before: dict[str, Any] | None, after: dict[str, Any]) -> None:
        for listener in self.listeners:
            listener(entity, action, before, after)
