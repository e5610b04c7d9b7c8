"""Seeded deals and activities: deals carry their past (stage moves, won/lost), activities their people.

Split from `seed.py`; the same `random.Random` is passed through, so the draw order and the data stay the
same.
"""

from __future__ import annotations

import random
import uuid
from datetime import datetime, timedelta
from typing import Any

from pipedrive_etl.sandbox import names
from pipedrive_etl.sandbox.fielddefs import DEAL_LABELS
from pipedrive_etl.sandbox.seed_fields import address_object, custom_values
from pipedrive_etl.sandbox.state import CompanyState
from pipedrive_etl.sandbox.wireforms import v1_time
from pipedrive_etl.sandbox.writes import defaults

DAY = 86_400


def between(rng: random.Random, start: datetime, end: datetime) -> datetime:
    span = max((end - start).total_seconds(), 0)
    return (start + timedelta(seconds=rng.uniform(0, span))).replace(microsecond=0)


def random_times(rng: random.Random, now: datetime, max_age_days: int = 730) -> tuple[datetime, datetime]:
    add = (now - timedelta(seconds=rng.uniform(DAY, max_age_days * DAY))).replace(microsecond=0)
    return add, between(rng, add, now)


def seed_deals(
    state: CompanyState,
    rng: random.Random,
    now: datetime,
    count: int,
    stage_ids: dict[int, list[int]],
    custom: dict,
    ids: dict[str, int],
) -> None:
    persons, orgs = state.tables["persons"].rows, state.tables["organizations"].rows
    pipeline_ids = list(stage_ids)
    weights = [0.6, 0.25, 0.15][: len(pipeline_ids)]
    rows = []
    for i in range(count):
        deal_id = i + 1
        person = persons.get(rng.randint(1, max(len(persons), 1)))
        org = orgs.get(person["org_id"]) if person and person["org_id"] else None
        pipeline_id = rng.choices(pipeline_ids, weights)[0]
        stages = stage_ids[pipeline_id]
        status = rng.choices(("open", "won", "lost"), (0.6, 0.25, 0.15))[0]
        reached = rng.randrange(len(stages)) if status != "won" else len(stages) - 1
        add, _ = random_times(rng, now)
        owner = rng.randint(1_000_001, ids["user"])
        closed = between(rng, add, now) if status != "open" else None
        moves = sorted(between(rng, add, closed or now) for _ in range(reached))
        state.log_deal_change(deal_id, "add_time", None, v1_time(add), owner, add)
        for step, moved in enumerate(moves, start=1):
            state.log_deal_change(deal_id, "stage_id", stages[step - 1], stages[step], owner, moved)
        if closed:
            state.log_deal_change(deal_id, "status", "open", status, owner, closed)
        last_event = max([add, *moves, *([closed] if closed else [])])
        value = rng.randint(1, 300) * 100
        row = {
            **defaults("deal"),
            "id": deal_id,
            "title": f"{org['name'] if org else person['name'] if person else 'Deal'}"
            f" - {rng.choice(names.PRODUCTS)}",
            "creator_user_id": owner,
            "owner_id": owner,
            "value": value,
            "person_id": person["id"] if person else None,
            "org_id": org["id"] if org else None,
            "stage_id": stages[reached],
            "pipeline_id": pipeline_id,
            "currency": rng.choice(("EUR", "EUR", "USD")),
            "add_time": add,
            "update_time": between(rng, last_event, now),
            "stage_change_time": moves[-1] if moves else None,
            "status": status,
            "is_deleted": False,
            "probability": rng.choice((None, 10, 25, 50, 75, 90)),
            "lost_reason": rng.choice(names.LOST_REASONS) if status == "lost" else None,
            "close_time": closed,
            "won_time": closed if status == "won" else None,
            "first_won_time": closed if status == "won" else None,
            "lost_time": closed if status == "lost" else None,
            "local_won_date": closed.date().isoformat() if status == "won" else None,
            "local_lost_date": closed.date().isoformat() if status == "lost" else None,
            "local_close_date": closed.date().isoformat() if closed else None,
            "expected_close_date": (add + timedelta(days=rng.randint(14, 120))).date().isoformat(),
            "label_ids": rng.sample([o["id"] for o in DEAL_LABELS], rng.randint(0, 1)),
            "origin": (origin := rng.choice(("ManuallyCreated", "API", "Marketplace"))),
            "origin_id": f"{rng.getrandbits(64):016x}" if origin == "Marketplace" else None,
            "channel": rng.choice((None, 52, 53)),
            "channel_id": rng.choice((None, "Webinar", "Billboards")),
            "source_lead_id": str(uuid.UUID(int=rng.getrandbits(128), version=4))
            if rng.random() < 0.1
            else None,
            "acv": value if rng.random() < 0.3 else None,
            "arr": value if rng.random() < 0.3 else None,
            "mrr": value // 12 if rng.random() < 0.3 else None,
            "custom_fields": custom_values(custom, rng, now, ids),
        }
        if rng.random() < 0.02:
            row.update(is_archived=True, archive_time=between(rng, last_event, now))
        rows.append(row)
    state.tables["deals"].bulk_insert(rows)


def seed_activities(state: CompanyState, rng: random.Random, now: datetime, count: int) -> None:
    deals, persons = state.tables["deals"].rows, state.tables["persons"].rows
    rows = []
    for i in range(count):
        deal = deals.get(rng.randint(1, len(deals))) if deals and rng.random() < 0.6 else None
        person = (
            persons.get(deal["person_id"])
            if deal and deal["person_id"]
            else (persons.get(rng.randint(1, len(persons))) if persons else None)
        )
        kind = rng.choice(names.ACTIVITY_TYPES)
        add, update = random_times(rng, now)
        due = between(rng, add, now + timedelta(days=30))
        done = due < now and rng.random() < 0.7
        meeting = kind == "meeting"
        owner = deal["owner_id"] if deal else rng.randint(1_000_001, max(state.users))
        row = {
            **defaults("activity"),
            "id": i + 1,
            "subject": rng.choice(names.ACTIVITY_SUBJECTS[kind]),
            "type": kind,
            "owner_id": owner,
            "creator_user_id": min(state.users),
            "is_deleted": False,
            "add_time": add,
            "update_time": update,
            "deal_id": deal["id"] if deal else None,
            "person_id": person["id"] if person else None,
            "org_id": (deal or person or {}).get("org_id"),
            "due_date": due.date().isoformat(),
            "due_time": f"{rng.randint(8, 17):02d}:{rng.choice((0, 30)):02d}:00"
            if rng.random() < 0.7
            else None,
            "duration": rng.choice(("00:30:00", "01:00:00"))
            if kind in ("call", "meeting", "lunch")
            else None,
            "busy": meeting,
            "done": done,
            "marked_as_done_time": between(rng, due, now) if done else None,
            "location": address_object(rng) if meeting and rng.random() < 0.5 else None,
            "participants": [{"person_id": person["id"], "primary": True}] if person else [],
            "attendees": _attendees(state, owner, person) if meeting else [],
            "conference_meeting_client": "google_meet" if meeting else None,
            "conference_meeting_url": f"https://meet.example/{rng.getrandbits(40):010x}" if meeting else None,
            "conference_meeting_id": f"{rng.getrandbits(40):010x}" if meeting else None,
            "public_description": "Agenda: introductions, needs, next steps." if meeting else None,
            "lead_id": str(uuid.UUID(int=rng.getrandbits(128), version=4)) if rng.random() < 0.05 else None,
            "priority": rng.choice((None, 1, 2, 3)),
            "note": "Left a voicemail." if kind == "call" else None,
        }
        rows.append(row)
    state.tables["activities"].bulk_insert(rows)


def _attendees(state: CompanyState, owner: int, person: dict[str, Any] | None) -> list[dict[str, Any]]:
    """The organizing user, and the person when they have an email."""
    user = state.users[owner]
    attendees = [
        {
            "email": user["email"],
            "name": user["name"],
            "status": "accepted",
            "is_organizer": True,
            "person_id": None,
            "user_id": owner,
        }
    ]
    if person and person["emails"]:
        attendees.append(
            {
                "email": person["emails"][0]["value"],
                "name": person["name"],
                "status": "noreply",
                "is_organizer": False,
                "person_id": person["id"],
                "user_id": None,
            }
        )
    return attendees
