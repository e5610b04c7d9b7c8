"""v1-shaped records, for the endpoints that still speak v1: `/v1/recents`, `/v1/deals/{id}/flow` and v1
webhook payloads (pipedrive-api.md §5, §9.2, §11).

v1 puts custom fields flat at the top level (`<key>`, `<key>_currency`, ...), says `active_flag` and
`user_id`, writes times as "YYYY-MM-DD HH:MM:SS" and `visible_to` as a string. Persons embed their owner and
organization as objects (the v1 person shape); deals and activities carry plain ids (the recents and webhook
examples). Counters that need joins the sandbox does not keep (`files_count`, `notes_count`, ...) are 0.
"""

from __future__ import annotations

from typing import Any, Protocol

from pipedrive_etl.sandbox import customfields
from pipedrive_etl.sandbox.customfields import ADDRESS_PARTS, FieldDef
from pipedrive_etl.sandbox.wireforms import v1_time

_SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£"}
_PERSON_COUNTS = (
    "open_deals_count",
    "related_open_deals_count",
    "closed_deals_count",
    "related_closed_deals_count",
    "participant_open_deals_count",
    "participant_closed_deals_count",
    "email_messages_count",
    "activities_count",
    "done_activities_count",
    "undone_activities_count",
    "files_count",
    "notes_count",
    "followers_count",
    "won_deals_count",
    "related_won_deals_count",
    "lost_deals_count",
    "related_lost_deals_count",
)
_DEAL_COUNTS = (
    "products_count",
    "files_count",
    "notes_count",
    "followers_count",
    "email_messages_count",
    "activities_count",
    "done_activities_count",
    "undone_activities_count",
    "participants_count",
)
_NEXT_ACTIVITY = (
    "next_activity_date",
    "next_activity_time",
    "next_activity_id",
    "last_activity_id",
    "last_activity_date",
)


class Lookup(Protocol):
    company_id: int
    company_domain: str

    def user(self, user_id: int | None) -> dict[str, Any] | None: ...
    def record(self, plural: str, record_id: int | None) -> dict[str, Any] | None: ...
    def custom(self, entity: str) -> dict[str, FieldDef]: ...


def _flat_custom(record: dict[str, Any], custom: dict[str, FieldDef]) -> dict[str, Any]:
    stored = record.get("custom_fields") or {}
    out: dict[str, Any] = {}
    for key, definition in custom.items():
        out.update(customfields.v1_flat(definition, stored.get(key)))
    return out


def _parts(prefix: str, address: dict[str, Any]) -> dict[str, Any]:
    """v1's flat address keys; v2 objects may lack `formatted_address`, v1 always has it."""
    parts = {f"{prefix}_{part}": address.get(part) for part in ADDRESS_PARTS}
    parts[f"{prefix}_formatted_address"] = address.get("formatted_address") or address.get("value")
    return parts


def user_object(lookup: Lookup, user_id: int | None) -> dict[str, Any] | None:
    user = lookup.user(user_id)
    if user is None:
        return None
    return {
        "id": user["id"],
        "name": user["name"],
        "email": user["email"],
        "has_pic": 1,
        "pic_hash": f"{user['id'] * 2654435761 % 16**32:032x}",
        "active_flag": True,
        "value": user["id"],
    }


def _money(amount: float, currency: str) -> str:
    symbol = _SYMBOLS.get(currency)
    text = f"{amount:,.0f}" if float(amount).is_integer() else f"{amount:,.2f}"
    return f"{symbol}{text}" if symbol else f"{text} {currency}"


def _labels(record: dict[str, Any]) -> str | None:
    return ",".join(str(label) for label in record.get("label_ids") or ()) or None


def _user_name(lookup: Lookup, user_id: int | None) -> str | None:
    user = lookup.user(user_id)
    return user["name"] if user else None


def person_v1(record: dict[str, Any], lookup: Lookup) -> dict[str, Any]:
    org = lookup.record("organizations", record.get("org_id"))
    emails, phones = record.get("emails") or [], record.get("phones") or []
    org_object = None
    if org is not None:
        org_object = {
            "name": org["name"],
            "people_count": 0,
            "owner_id": org["owner_id"],
            "address": (org.get("address") or {}).get("value"),
            "active_flag": not org["is_deleted"],
            "cc_email": f"{lookup.company_domain}@pipedrivemail.com",
            "label_ids": org["label_ids"],
            "owner_name": _user_name(lookup, org["owner_id"]),
            "value": org["id"],
        }
    picture = None
    if record.get("picture_id"):
        picture = {
            "item_type": "person",
            "item_id": record["id"],
            "active_flag": True,
            "add_time": v1_time(record["add_time"]),
            "update_time": "0000-00-00 00:00:00",
            "added_by_user_id": record["owner_id"],
            "file_size": 5445,
            "pictures": {
                "128": f"https://pictures.sandbox.invalid/{record['picture_id']}_128.jpg",
                "512": f"https://pictures.sandbox.invalid/{record['picture_id']}_512.jpg",
            },
            "value": record["picture_id"],
        }
    out = {
        "id": record["id"],
        "company_id": lookup.company_id,
        "owner_id": user_object(lookup, record["owner_id"]),
        "org_id": org_object,
        "name": record["name"],
        "first_name": record["first_name"],
        "last_name": record["last_name"],
        **dict.fromkeys(_PERSON_COUNTS, 0),
        "active_flag": not record["is_deleted"],
        "phone": phones,
        "email": emails,
        "primary_email": next((e["value"] for e in emails if e["primary"]), None),
        "first_char": (record["name"] or " ")[0].lower(),
        "update_time": v1_time(record["update_time"]),
        "add_time": v1_time(record["add_time"]),
        "visible_to": str(record["visible_to"]),
        "marketing_status": record.get("marketing_status") or "no_consent",
        "picture_id": picture,
        **dict.fromkeys(_NEXT_ACTIVITY),
        "last_incoming_mail_time": None,
        "last_outgoing_mail_time": None,
        "label": record["label_ids"][0] if record.get("label_ids") else None,
        "label_ids": record["label_ids"],
        "org_name": org["name"] if org else None,
        "owner_name": _user_name(lookup, record["owner_id"]),
        "cc_email": f"{lookup.company_domain}@pipedrivemail.com",
    }
    out.update(_flat_custom(record, lookup.custom("person")))
    return out


def organization_v1(record: dict[str, Any], lookup: Lookup) -> dict[str, Any]:
    address = record.get("address") or {}
    out = {
        "id": record["id"],
        "company_id": lookup.company_id,
        "owner_id": user_object(lookup, record["owner_id"]),
        "name": record["name"],
        **dict.fromkeys(_PERSON_COUNTS, 0),
        "people_count": 0,
        "active_flag": not record["is_deleted"],
        "picture_id": None,
        "country_code": None,
        "first_char": (record["name"] or " ")[0].lower(),
        "update_time": v1_time(record["update_time"]),
        "add_time": v1_time(record["add_time"]),
        "visible_to": str(record["visible_to"]),
        **dict.fromkeys(_NEXT_ACTIVITY),
        "label": _labels(record),
        "label_ids": record["label_ids"],
        "address": address.get("value"),
        **_parts("address", address),
        "owner_name": _user_name(lookup, record["owner_id"]),
        "cc_email": f"{lookup.company_domain}@pipedrivemail.com",
    }
    out.update(_flat_custom(record, lookup.custom("organization")))
    return out


def deal_v1(record: dict[str, Any], lookup: Lookup) -> dict[str, Any]:
    person = lookup.record("persons", record.get("person_id"))
    org = lookup.record("organizations", record.get("org_id"))
    stage = lookup.record("stages", record.get("stage_id"))
    value, currency = record["value"], record["currency"]
    weighted = value * record["probability"] / 100 if record.get("probability") is not None else value
    out = {
        "id": record["id"],
        "creator_user_id": record["creator_user_id"],
        "user_id": record["owner_id"],
        "person_id": record.get("person_id"),
        "org_id": record.get("org_id"),
        "stage_id": record["stage_id"],
        "title": record["title"],
        "value": value,
        "currency": currency,
        "add_time": v1_time(record["add_time"]),
        "update_time": v1_time(record["update_time"]),
        "stage_change_time": v1_time(record.get("stage_change_time")),
        "active": record["status"] == "open",
        "deleted": record["is_deleted"],
        "status": record["status"],
        "probability": record.get("probability"),
        **dict.fromkeys(_NEXT_ACTIVITY),
        "lost_reason": record.get("lost_reason"),
        "visible_to": str(record["visible_to"]),
        "close_time": v1_time(record.get("close_time")),
        "pipeline_id": record["pipeline_id"],
        "won_time": v1_time(record.get("won_time")),
        "first_won_time": v1_time(record.get("first_won_time")),
        "lost_time": v1_time(record.get("lost_time")),
        **dict.fromkeys(_DEAL_COUNTS, 0),
        "expected_close_date": record.get("expected_close_date"),
        "last_incoming_mail_time": None,
        "last_outgoing_mail_time": None,
        "label": _labels(record),
        "stage_order_nr": stage["order_nr"] if stage else 0,
        "person_name": person["name"] if person else None,
        "org_name": org["name"] if org else None,
        "next_activity_subject": None,
        "next_activity_type": None,
        "next_activity_duration": None,
        "next_activity_note": None,
        "formatted_value": _money(value, currency),
        "weighted_value": weighted,
        "formatted_weighted_value": _money(weighted, currency),
        "weighted_value_currency": currency,
        "rotten_time": None,
        "owner_name": _user_name(lookup, record["owner_id"]),
        "cc_email": f"{lookup.company_domain}+deal{record['id']}@pipedrivemail.com",
        "org_hidden": False,
        "person_hidden": False,
        "archive_time": v1_time(record.get("archive_time")),
        "is_archived": record["is_archived"],
        "channel": record.get("channel"),
        "channel_id": record.get("channel_id"),
        "origin": record.get("origin"),
        "origin_id": record.get("origin_id"),
        "local_won_date": record.get("local_won_date"),
        "local_lost_date": record.get("local_lost_date"),
        "local_close_date": record.get("local_close_date"),
        "acv": record.get("acv"),
        "arr": record.get("arr"),
        "mrr": record.get("mrr"),
        "acv_currency": currency if record.get("acv") is not None else None,
        "arr_currency": currency if record.get("arr") is not None else None,
        "mrr_currency": currency if record.get("mrr") is not None else None,
    }
    out.update(_flat_custom(record, lookup.custom("deal")))
    return out


def activity_v1(record: dict[str, Any], lookup: Lookup) -> dict[str, Any]:
    location = record.get("location") or {}
    person = lookup.record("persons", record.get("person_id"))
    org = lookup.record("organizations", record.get("org_id"))
    deal = lookup.record("deals", record.get("deal_id"))
    return {
        "id": record["id"],
        "company_id": lookup.company_id,
        "user_id": record["owner_id"],
        "done": record["done"],
        "type": record["type"],
        "reference_type": None,
        "reference_id": None,
        "conference_meeting_client": record.get("conference_meeting_client"),
        "conference_meeting_url": record.get("conference_meeting_url"),
        "conference_meeting_id": record.get("conference_meeting_id"),
        "due_date": record.get("due_date"),
        "due_time": (record.get("due_time") or "")[:5],
        "duration": (record.get("duration") or "")[:5],
        "busy_flag": record["busy"],
        "add_time": v1_time(record["add_time"]),
        "marked_as_done_time": v1_time(record.get("marked_as_done_time")) or "",
        "last_notification_time": None,
        "last_notification_user_id": None,
        "notification_language_id": 1,
        "subject": record["subject"],
        "public_description": record.get("public_description") or "",
        "calendar_sync_include_context": "",
        "location": location.get("value"),
        "org_id": record.get("org_id"),
        "person_id": record.get("person_id"),
        "deal_id": record.get("deal_id"),
        "lead_id": record.get("lead_id"),
        "project_id": record.get("project_id"),
        "active_flag": not record["is_deleted"],
        "update_time": v1_time(record["update_time"]),
        "update_user_id": record["owner_id"],
        "gcal_event_id": "",
        "google_calendar_id": "",
        "google_calendar_etag": "",
        "source_timezone": "",
        "rec_rule": None,
        "rec_rule_extension": None,
        "rec_master_activity_id": None,
        "series": [],
        "note": record.get("note"),
        "created_by_user_id": record["creator_user_id"],
        **_parts("location", location),
        "attendees": [
            {
                "email_address": a.get("email"),
                "is_organizer": int(bool(a.get("is_organizer"))),
                "name": a.get("name"),
                "person_id": a.get("person_id"),
                "status": a.get("status"),
                "user_id": a.get("user_id"),
            }
            for a in record.get("attendees") or ()
        ],
        "participants": [
            {"person_id": p["person_id"], "primary_flag": p["primary"]}
            for p in record.get("participants") or ()
        ],
        "org_name": org["name"] if org else None,
        "person_name": person["name"] if person else None,
        "deal_title": deal["title"] if deal else None,
        "owner_name": _user_name(lookup, record["owner_id"]),
        "person_dropbox_bcc": f"{lookup.company_domain}@pipedrivemail.com",
        "deal_dropbox_bcc": f"{lookup.company_domain}+deal{deal['id']}@pipedrivemail.com" if deal else None,
        "assigned_to_user_id": record["owner_id"],
        "file": None,
    }


def stage_v1(record: dict[str, Any], lookup: Lookup) -> dict[str, Any]:
    pipeline = lookup.record("pipelines", record["pipeline_id"])
    return {
        "id": record["id"],
        "order_nr": record["order_nr"],
        "name": record["name"],
        "active_flag": not record["is_deleted"],
        "deal_probability": record["deal_probability"],
        "pipeline_id": record["pipeline_id"],
        "rotten_flag": record["is_deal_rot_enabled"],
        "rotten_days": record["days_to_rotten"],
        "add_time": v1_time(record["add_time"]),
        "update_time": v1_time(record["update_time"]),
        "pipeline_name": pipeline["name"] if pipeline else None,
        "pipeline_deal_probability": pipeline["is_deal_probability_enabled"] if pipeline else None,
    }


def pipeline_v1(record: dict[str, Any], lookup: Lookup) -> dict[str, Any]:
    return {
        "id": record["id"],
        "name": record["name"],
        "url_title": record["name"].lower().replace(" ", "-"),
        "order_nr": record["order_nr"],
        "active": not record["is_deleted"],
        "deal_probability": record["is_deal_probability_enabled"],
        "add_time": v1_time(record["add_time"]),
        "update_time": v1_time(record["update_time"]),
        "selected": record["order_nr"] == 1,
    }


RENDER_V1 = {
    "person": person_v1,
    "organization": organization_v1,
    "deal": deal_v1,
    "activity": activity_v1,
    "stage": stage_v1,
    "pipeline": pipeline_v1,
}
