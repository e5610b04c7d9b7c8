"""`seed_pipedrive`: a deterministic company with pipelines, organizations, persons, deals and activities.

Same arguments (and the same sandbox clock) give the same data, byte for byte: every random choice comes from
one `random.Random(seed)`, times are offsets from `now`. Records go straight into the tables (`bulk_insert`,
one sort per index), which keeps 10k persons / 30k activities at a few seconds. Deals carry their past: a
deal in stage k moved through the earlier stages, each move logged (changelog, flow) with
`stage_change_time` at the last one. A few persons share an email with another person, as duplicates do in a
real CRM.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from pipedrive_etl.sandbox import names
from pipedrive_etl.sandbox.entities import SPECS
from pipedrive_etl.sandbox.fielddefs import INDUSTRIES, ORGANIZATION_LABELS, PERSON_LABELS
from pipedrive_etl.sandbox.sandbox import Sandbox
from pipedrive_etl.sandbox.seed_fields import address_object, create_custom_fields, custom_values
from pipedrive_etl.sandbox.seed_sales import random_times, seed_activities, seed_deals
from pipedrive_etl.sandbox.state import CompanyState
from pipedrive_etl.sandbox.wireforms import v2_json
from pipedrive_etl.sandbox.writes import defaults


@dataclass
class SeedResult:
    """What was seeded, for tests and for `seed_coldcopy`."""

    persons: int
    organizations: int
    deals: int
    activities: int
    pipeline_ids: list[int]
    stage_ids: dict[int, list[int]]
    custom_fields: dict[str, dict[str, str]]  # entity -> field_type (or "external_id") -> key
    lead_id_field_key: str
    duplicate_email_person_ids: list[tuple[int, int]] = field(default_factory=list)  # (original, duplicate)


def _slug(text: str) -> str:
    return "".join(ch for ch in text.lower().replace(" ", "-") if ch.isalnum() or ch == "-")


def seed_pipedrive(
    sandbox: Sandbox,
    *,
    persons: int = 200,
    organizations: int | None = None,
    deals: int | None = None,
    activities: int | None = None,
    pipelines: int = 3,
    seed: int = 42,
    now: datetime | None = None,
) -> SeedResult:
    """Fill an empty sandbox. Defaults: organizations = persons / 2, deals = persons, activities = 3 ×
    persons."""
    organizations = max(persons // 2, 1) if organizations is None else organizations
    deals = persons if deals is None else deals
    activities = 3 * persons if activities is None else activities
    with sandbox.lock:
        state = sandbox.state
        if any(len(table) for table in state.tables.values()):
            raise ValueError("seed_pipedrive fills an empty sandbox; this one already has records")
        rng = random.Random(seed)
        now = (now or state.now()).replace(microsecond=0)
        fields = create_custom_fields(state, rng)
        stage_ids = _pipelines(state, now, min(max(pipelines, 1), len(names.PIPELINES)))
        ids = {"user": max(state.users), "org": max(organizations, 1), "people": max(persons, 1)}
        org_records = _organizations(state, rng, now, organizations, fields["organization"], ids)
        duplicates = _persons(state, rng, now, persons, org_records, fields["person"], ids)
        seed_deals(state, rng, now, deals, stage_ids, fields["deal"], ids)
        seed_activities(state, rng, now, activities)
        _render(state)
    return SeedResult(
        persons,
        organizations,
        deals,
        activities,
        list(stage_ids),
        stage_ids,
        {entity: {kind: d.key for kind, d in by_type.items()} for entity, by_type in fields.items()},
        fields["person"]["external_id"].key,
        duplicates,
    )


def _pipelines(state: CompanyState, now: datetime, count: int) -> dict[int, list[int]]:
    created = now - timedelta(days=900)
    stage_ids: dict[int, list[int]] = {}
    pipeline_rows, stage_rows = [], []
    for order, (name, stages) in enumerate(names.PIPELINES[:count], start=1):
        pipeline_rows.append(
            {
                "id": order,
                "name": name,
                "order_nr": order,
                "is_deleted": False,
                "is_deal_probability_enabled": order == 1,
                "add_time": created,
                "update_time": created,
            }
        )
        stage_ids[order] = []
        for position, stage_name in enumerate(stages, start=1):
            stage_id = len(stage_rows) + 1
            stage_rows.append(
                {
                    "id": stage_id,
                    "order_nr": position,
                    "name": stage_name,
                    "is_deleted": False,
                    "deal_probability": min(100, position * 100 // len(stages)),
                    "pipeline_id": order,
                    "is_deal_rot_enabled": position < len(stages),
                    "days_to_rotten": 14 if position < len(stages) else None,
                    "add_time": created,
                    "update_time": created,
                }
            )
            stage_ids[order].append(stage_id)
    state.tables["pipelines"].bulk_insert(pipeline_rows)
    state.tables["stages"].bulk_insert(stage_rows)
    return stage_ids


def _organizations(
    state: CompanyState, rng: random.Random, now: datetime, count: int, custom: dict, ids: dict[str, int]
) -> list[dict[str, Any]]:
    rows = []
    stems, kinds = names.COMPANY_STEMS, names.COMPANY_KINDS
    for i in range(count):
        stem, kind = stems[i % len(stems)], kinds[(i // len(stems)) % len(kinds)]
        repeat = i // (len(stems) * len(kinds))
        base = f"{stem} {kind}" + (f" {repeat + 1}" if repeat else "")
        add, update = random_times(rng, now)
        rows.append(
            {
                **defaults("organization"),
                "id": i + 1,
                "name": f"{base} {rng.choice(names.COMPANY_SUFFIXES)}",
                "owner_id": rng.randint(1_000_001, ids["user"]),
                "add_time": add,
                "update_time": update,
                "is_deleted": False,
                "address": address_object(rng) if rng.random() < 0.8 else None,
                "label_ids": rng.sample([o["id"] for o in ORGANIZATION_LABELS], rng.randint(0, 1)),
                "website": f"https://www.{_slug(base)}.example",
                "linkedin": f"https://www.linkedin.com/company/{_slug(base)}" if rng.random() < 0.6 else None,
                "industry": rng.choice(INDUSTRIES)["id"],
                "annual_revenue": rng.randint(1, 500) * 100_000,
                "employee_count": rng.choice((5, 12, 40, 85, 200, 650, 2400)),
                "custom_fields": custom_values(custom, rng, now, ids),
                "_domain": f"{_slug(base)}.example",
            }
        )
    state.tables["organizations"].bulk_insert(rows)
    return rows


def _persons(
    state: CompanyState,
    rng: random.Random,
    now: datetime,
    count: int,
    orgs: list[dict],
    custom: dict,
    ids: dict[str, int],
) -> list[tuple[int, int]]:
    rows: list[dict[str, Any]] = []
    taken: set[str] = set()
    duplicates = []
    for i in range(count):
        first, last = rng.choice(names.FIRST_NAMES), rng.choice(names.LAST_NAMES)
        org = rng.choice(orgs) if orgs and rng.random() < 0.85 else None
        domain = org["_domain"] if org else rng.choice(("mail.example", "inbox.example", "post.example"))
        local = f"{first}.{last}".lower()
        email, n = f"{local}@{domain}", 1
        while email in taken:
            n += 1
            email = f"{local}{n}@{domain}"
        taken.add(email)
        emails = [{"value": email, "primary": True, "label": "work"}]
        if rng.random() < 0.2:
            emails.append(
                {"value": f"{local}{rng.randint(1, 99)}@home.example", "primary": False, "label": "home"}
            )
        add, update = random_times(rng, now)
        phones = (
            [
                {
                    "value": f"+372 5{rng.randint(100, 999)} {rng.randint(1000, 9999)}",
                    "primary": True,
                    "label": rng.choice(("work", "mobile")),
                }
            ]
            if rng.random() < 0.7
            else []
        )
        row = {
            **defaults("person"),
            "id": i + 1,
            "name": f"{first} {last}",
            "first_name": first,
            "last_name": last,
            "owner_id": rng.randint(1_000_001, ids["user"]),
            "org_id": org["id"] if org else None,
            "add_time": add,
            "update_time": update,
            "emails": emails,
            "phones": phones,
            "is_deleted": False,
            "label_ids": rng.sample([o["id"] for o in PERSON_LABELS], rng.randint(0, 2)),
            "picture_id": 10_000 + i if rng.random() < 0.1 else None,
            "job_title": rng.choice(names.JOB_TITLES) if rng.random() < 0.8 else None,
            "notes": "Met at a conference." if rng.random() < 0.1 else None,
            "birthday": f"{rng.randint(1960, 2000)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
            if rng.random() < 0.1
            else None,
            "im": [{"value": f"{local}.skype", "primary": True, "label": "skype"}]
            if rng.random() < 0.05
            else [],
            "postal_address": address_object(rng) if rng.random() < 0.1 else None,
            "marketing_status": rng.choice(("no_consent", "subscribed", "unsubscribed")),
            "custom_fields": custom_values(custom, rng, now, ids),
        }
        if i >= 50 and i % 97 == 0:
            # The same person entered twice: same name and email, another phone.
            original = rows[rng.randrange(len(rows))]
            row.update(
                name=original["name"],
                first_name=original["first_name"],
                last_name=original["last_name"],
                emails=[dict(original["emails"][0])],
                org_id=original["org_id"],
            )
            duplicates.append((original["id"], row["id"]))
        rows.append(row)
    state.tables["persons"].bulk_insert(rows)
    return duplicates


def _render(state: CompanyState) -> None:
    """Render each record's v2 form once now: seeded data is read far more often than it is written."""
    for plural, table in state.tables.items():
        spec, custom = SPECS[plural], state.custom(SPECS[plural].name)
        for record in table.rows.values():
            v2_json(spec, record, custom)
