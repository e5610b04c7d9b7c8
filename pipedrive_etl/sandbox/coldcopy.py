"""The ColdCopy demo database, seeded: workspaces, companies, campaigns, leads, email events and call logs
(the tables are in coldcopy_tables.py).

It overlaps a seeded sandbox Pipedrive on purpose, with the differences a sync has to handle:
- most persons are leads too, some identical, some with another phone or job title, some with the email in
  other letter case or with stray spaces (normalisation must link them);
- some persons are missing from ColdCopy, some leads are missing from Pipedrive;
- a few leads share an email with another lead (the same contact imported twice).
Everything comes from `random.Random(seed)` and the sandbox's persons, so the same seed gives the same
database.
Seeding a workspace replaces that workspace's rows and leaves other workspaces alone.
"""

from __future__ import annotations

import json
import random
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from pipedrive_etl.sandbox import names
from pipedrive_etl.sandbox.clock import FakeClock
from pipedrive_etl.sandbox.coldcopy_tables import (  # noqa: F401 - the tables are part of this module's API
    CALL_OUTCOMES,
    LEAD_STATUSES,
    call_logs,
    campaigns,
    companies,
    email_events,
    leads,
    metadata,
    workspaces,
)
from pipedrive_etl.sandbox.sandbox import Sandbox

DEFAULT_URL = "sqlite:///data/demo/coldcopy.db"


@dataclass
class ColdCopySeed:
    """What was written, and which leads carry which deliberate difference (lead id, person id)."""

    workspace_id: str
    identical: list[tuple[str, int]] = field(default_factory=list)
    different_phone: list[tuple[str, int]] = field(default_factory=list)
    different_job_title: list[tuple[str, int]] = field(default_factory=list)
    email_case_variant: list[tuple[str, int]] = field(default_factory=list)
    leads_only: list[str] = field(default_factory=list)
    persons_only: list[int] = field(default_factory=list)
    duplicate_email_leads: list[tuple[str, str]] = field(default_factory=list)  # (original, duplicate)
    counts: dict[str, int] = field(default_factory=dict)


def _sandbox_from(source: Sandbox | Mapping[str, Any] | None) -> Sandbox:
    if isinstance(source, Sandbox):
        return source
    from pipedrive_etl.sandbox.seed import seed_pipedrive

    params = dict(source or {})
    sandbox = Sandbox(clock=FakeClock(params.pop("start")) if "start" in params else None)
    seed_pipedrive(sandbox, **params)
    return sandbox


def seed_coldcopy(
    url: str = DEFAULT_URL,
    sandbox_or_seed_params: Sandbox | Mapping[str, Any] | None = None,
    *,
    workspace_id: str = "demo",
    seed: int = 42,
) -> ColdCopySeed:
    """Create (or refill) the demo database at `url` from a seeded sandbox or the params to seed one with."""
    sandbox = _sandbox_from(sandbox_or_seed_params)
    with sandbox.lock:
        persons = [dict(p) for p in sandbox.state.tables["persons"].rows.values() if not p["is_deleted"]]
        orgs = {o["id"]: dict(o) for o in sandbox.state.tables["organizations"].rows.values()}
        domain, now = sandbox.state.company_domain, sandbox.state.now()
    if url.startswith("sqlite:///") and not url.startswith("sqlite:///:memory:"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    # The workspace is part of the seed: two workspaces in one database never share a row id.
    rows, result = _build(random.Random(f"{workspace_id}:{seed}"), persons, orgs, now, workspace_id, domain)
    engine = sa.create_engine(url)
    try:
        metadata.create_all(engine)
        with engine.begin() as connection:
            for table in (call_logs, email_events, leads, campaigns, companies, workspaces):  # children first
                column = table.c.id if table is workspaces else table.c.workspace_id
                connection.execute(table.delete().where(column == workspace_id))
            for table in (workspaces, companies, campaigns, leads, email_events, call_logs):
                if rows[table.name]:
                    connection.execute(table.insert(), rows[table.name])
    finally:
        engine.dispose()
    result.counts = {name: len(table_rows) for name, table_rows in rows.items()}
    return result


def _build(
    rng: random.Random,
    persons: list[dict],
    orgs: dict[int, dict],
    now: datetime,
    workspace_id: str,
    domain: str,
) -> tuple[dict[str, list[dict]], ColdCopySeed]:
    result = ColdCopySeed(workspace_id)
    created = now - timedelta(days=400)
    rows: dict[str, list[dict]] = {
        "workspaces": [
            {
                "id": workspace_id,
                "name": f"{workspace_id.title()} workspace",
                "pipedrive_company_domain": domain,
                "created_at": created,
            }
        ],
        "companies": [],
        "campaigns": [],
        "leads": [],
        "email_events": [],
        "call_logs": [],
    }
    for n, name in enumerate(("Q3 outbound", "Founders intro", "Webinar follow-up")):
        rows["campaigns"].append(
            {
                "id": f"{workspace_id}-campaign-{n + 1}",
                "workspace_id": workspace_id,
                "name": name,
                "status": "active" if n else "finished",
                "created_at": created,
            }
        )
    company_for_org: dict[int, str] = {}

    def company(org: dict | None, name: str, site: str) -> str:
        key = org["id"] if org else -len(rows["companies"]) - 1
        if key not in company_for_org:
            company_id = str(uuid.UUID(int=rng.getrandbits(128), version=4))
            # Some companies are spelled differently from their Pipedrive organization ("Inc" vs ", Inc.").
            shown = name.replace(" Inc", ", Inc.") if rng.random() < 0.1 else name
            rows["companies"].append(
                {
                    "id": company_id,
                    "workspace_id": workspace_id,
                    "name": shown,
                    "domain": site,
                    "industry": rng.choice(names.COMPANY_KINDS),
                    "employee_count": rng.choice((5, 12, 40, 85, 200, 650)),
                    "created_at": created,
                    "updated_at": _recent(rng, now, 200),
                }
            )
            company_for_org[key] = company_id
        return company_for_org[key]

    for person in sorted(persons, key=lambda p: p["id"]):
        if rng.random() < 0.3:
            result.persons_only.append(person["id"])
            continue
        org = orgs.get(person["org_id"]) if person["org_id"] else None
        email = next((e["value"] for e in person["emails"] if e["primary"]), None)
        if email is None:
            result.persons_only.append(person["id"])
            continue
        phone = next((p["value"] for p in person["phones"] if p["primary"]), None)
        lead = _lead(
            rng,
            workspace_id,
            email,
            person["first_name"],
            person["last_name"],
            phone,
            person["job_title"],
            now,
        )
        if org:
            lead.update(company_id=company(org, org["name"], org["_domain"]), company_name=org["name"])
        kind = rng.random()
        if kind < 0.15:
            lead["phone"] = f"+1 555 {rng.randint(100, 999)} {rng.randint(1000, 9999)}"
            result.different_phone.append((lead["id"], person["id"]))
        elif kind < 0.30:
            lead["job_title"] = rng.choice([t for t in names.JOB_TITLES if t != person["job_title"]])
            result.different_job_title.append((lead["id"], person["id"]))
        elif kind < 0.38:
            lead["email"] = f" {email.title()} " if rng.random() < 0.5 else email.upper()
            result.email_case_variant.append((lead["id"], person["id"]))
        else:
            result.identical.append((lead["id"], person["id"]))
        if kind < 0.30:
            lead["updated_at"] = _recent(rng, now, 10)  # a ColdCopy-side edit the sync has not seen yet
        rows["leads"].append(lead)
    for n in range(max(len(persons) // 4, 1)):
        first, last = rng.choice(names.FIRST_NAMES), rng.choice(names.LAST_NAMES)
        stem = rng.choice(names.COMPANY_STEMS)
        site = f"{stem.lower().replace(' ', '')}-{n}.example"
        lead = _lead(
            rng,
            workspace_id,
            f"{first}.{last}@{site}".lower(),
            first,
            last,
            f"+44 20 {rng.randint(1000, 9999)} {rng.randint(1000, 9999)}",
            rng.choice(names.JOB_TITLES),
            now,
        )
        lead.update(
            company_id=company(None, f"{stem} {rng.choice(names.COMPANY_KINDS)}", site),
            company_name=rows["companies"][-1]["name"],
        )
        rows["leads"].append(lead)
        result.leads_only.append(lead["id"])
    mirrored = [lead for lead in rows["leads"] if lead["id"] not in set(result.leads_only)]
    for original in mirrored[:: max(len(mirrored) // 5, 1)][:5]:
        duplicate = {
            **original,
            "id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
            "email": original["email"].strip().lower(),
            "status": "new",
            "created_at": _recent(rng, now, 60),
        }
        duplicate["updated_at"] = duplicate["created_at"]
        rows["leads"].append(duplicate)
        result.duplicate_email_leads.append((original["id"], duplicate["id"]))
    rows["email_events"] = _events(rng, rows["leads"], rows["campaigns"], now)
    # A generator of its own, so adding call logs left every other seeded row as it was.
    rows["call_logs"] = _calls(random.Random(f"{workspace_id}:calls:{rng.random()}"), rows["leads"], now)
    return rows, result


def _recent(rng: random.Random, now: datetime, days: int) -> datetime:
    return (now - timedelta(seconds=rng.uniform(60, days * 86_400))).replace(microsecond=0)


def _lead(
    rng: random.Random,
    workspace_id: str,
    email: str,
    first: str | None,
    last: str | None,
    phone: str | None,
    job_title: str | None,
    now: datetime,
) -> dict[str, Any]:
    created = _recent(rng, now, 365)
    custom = {
        "lead_source": rng.choice(("ColdCopy", "Import", "Website")),
        "lead_score": rng.randint(0, 100),
        "linkedin_url": f"https://www.linkedin.com/in/{(first or 'x').lower()}-{rng.randint(100, 999)}",
    }
    return {
        "id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
        "workspace_id": workspace_id,
        "email": email,
        "first_name": first,
        "last_name": last,
        "phone": phone,
        "job_title": job_title,
        "company_id": None,
        "company_name": None,
        "status": rng.choice(LEAD_STATUSES),
        "custom_fields": json.dumps(custom, sort_keys=True),
        "created_at": created,
        "updated_at": created + (now - created) * rng.random() * 0.5,
    }


def _events(
    rng: random.Random, lead_rows: list[dict], campaign_rows: list[dict], now: datetime
) -> list[dict]:
    events = []
    ladder = {"contacted": 2, "replied": 4, "interested": 4, "meeting_booked": 4, "not_interested": 4}
    for lead in lead_rows:
        if lead["status"] == "new":
            continue
        campaign = rng.choice(campaign_rows)
        kinds = ["sent"]
        if lead["status"] == "bounced":
            kinds.append("bounced")
        else:
            kinds += ["delivered", "opened", "clicked", "replied"][: ladder.get(lead["status"], 1)]
            if lead["status"] == "unsubscribed":
                kinds.append("unsubscribed")
        at = lead["created_at"]
        for kind in kinds:
            at = min(at + timedelta(minutes=rng.randint(1, 3000)), now)
            events.append(
                {
                    "workspace_id": lead["workspace_id"],
                    "lead_id": lead["id"],
                    "campaign_id": campaign["id"],
                    "event_type": kind,
                    "subject": f"{campaign['name']}: quick question",
                    "occurred_at": at,
                }
            )
    return events


def _calls(rng: random.Random, lead_rows: list[dict], now: datetime) -> list[dict]:
    """One or two logged calls for leads that answered (replied, interested, meeting booked, not
    interested)."""
    calls = []
    for lead in lead_rows:
        if lead["status"] not in ("replied", "interested", "meeting_booked", "not_interested"):
            continue
        for _ in range(rng.randint(1, 2)):
            outcome = rng.choice(CALL_OUTCOMES)
            started = _recent(rng, now, 90)
            connected = outcome == "connected"
            calls.append(
                {
                    "id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                    "workspace_id": lead["workspace_id"],
                    "lead_id": lead["id"],
                    "direction": "inbound" if rng.random() < 0.2 else "outbound",
                    "outcome": outcome,
                    "duration_seconds": rng.randint(60, 1_800) if connected else rng.randint(0, 40),
                    "notes": rng.choice(("Asked for pricing", "Call back next week", "Interested in a demo",
                                         "Not the right person", None)) if connected else None,
                    "started_at": started,
                    "created_at": started,
                    "updated_at": started,
                }
            )
    return calls
