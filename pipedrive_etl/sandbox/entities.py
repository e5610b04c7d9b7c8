"""The six v2 entities: which keys they render (in the spec's order) and which keys a write may carry.

Write checks follow the v2 rules (pipedrive-api.md §5, §7): numbers are not strings, booleans are booleans,
times are RFC 3339, references must exist. Entity-specific rules (person names, deal status) live in
`validation.py`; this module is the table they work from.
"""

from __future__ import annotations

from dataclasses import dataclass

TIME_KEYS = frozenset(
    {
        "add_time",
        "update_time",
        "stage_change_time",
        "won_time",
        "lost_time",
        "close_time",
        "archive_time",
        "marked_as_done_time",
        "first_won_time",
    }
)


@dataclass(frozen=True)
class EntitySpec:
    name: str  # singular, as in webhooks and itemSearch: "person"
    plural: str  # as in paths: "persons"
    v2_keys: tuple[str, ...]
    writable: dict[str, str]  # key -> check kind (see validation.KIND_CHECKS); "?" = nullable
    required: tuple[str, ...] = ()
    has_custom_fields: bool = False
    sortable: tuple[str, ...] = ("id", "update_time", "add_time")
    owner_filter: str = "owner_id"


PERSON = EntitySpec(
    "person",
    "persons",
    (
        "id",
        "name",
        "first_name",
        "last_name",
        "owner_id",
        "org_id",
        "add_time",
        "update_time",
        "emails",
        "phones",
        "is_deleted",
        "visible_to",
        "label_ids",
        "picture_id",
        "custom_fields",
        "notes",
        "im",
        "birthday",
        "job_title",
        "postal_address",
    ),
    {
        "name": "str",
        "first_name": "str?",
        "last_name": "str?",
        "owner_id": "user",
        "org_id": "organization?",
        "add_time": "datetime",
        "update_time": "datetime",
        "emails": "contacts",
        "phones": "contacts",
        "visible_to": "visible_to",
        "label_ids": "ids",
        "marketing_status": "marketing_status",
        "custom_fields": "custom",
    },
    has_custom_fields=True,
)

ORGANIZATION = EntitySpec(
    "organization",
    "organizations",
    (
        "id",
        "name",
        "owner_id",
        "add_time",
        "update_time",
        "address",
        "is_deleted",
        "visible_to",
        "label_ids",
        "website",
        "linkedin",
        "industry",
        "annual_revenue",
        "employee_count",
        "custom_fields",
    ),
    {
        "name": "str",
        "owner_id": "user",
        "add_time": "datetime",
        "update_time": "datetime",
        "address": "address?",
        "visible_to": "visible_to",
        "label_ids": "ids",
        "website": "str?",
        "linkedin": "str?",
        "industry": "int?",
        "annual_revenue": "num?",
        "employee_count": "int?",
        "custom_fields": "custom",
    },
    required=("name",),
    has_custom_fields=True,
)

DEAL = EntitySpec(
    "deal",
    "deals",
    (
        "id",
        "title",
        "creator_user_id",
        "owner_id",
        "value",
        "person_id",
        "org_id",
        "stage_id",
        "pipeline_id",
        "currency",
        "archive_time",
        "add_time",
        "update_time",
        "stage_change_time",
        "status",
        "is_archived",
        "is_deleted",
        "probability",
        "lost_reason",
        "visible_to",
        "close_time",
        "won_time",
        "lost_time",
        "local_won_date",
        "local_lost_date",
        "local_close_date",
        "expected_close_date",
        "label_ids",
        "origin",
        "origin_id",
        "channel",
        "channel_id",
        "source_lead_id",
        "acv",
        "arr",
        "mrr",
        "custom_fields",
    ),
    {
        "title": "str",
        "owner_id": "user",
        "person_id": "person?",
        "org_id": "organization?",
        "pipeline_id": "pipeline",
        "stage_id": "stage",
        "value": "num",
        "currency": "str",
        "is_deleted": "bool",
        "is_archived": "bool",
        "archive_time": "datetime?",
        "status": "deal_status",
        "probability": "num?",
        "lost_reason": "str?",
        "visible_to": "visible_to",
        "close_time": "datetime?",
        "won_time": "datetime?",
        "lost_time": "datetime?",
        "expected_close_date": "date?",
        "label_ids": "ids",
        "add_time": "datetime",
        "custom_fields": "custom",
    },
    required=("title",),
    has_custom_fields=True,
)

ACTIVITY = EntitySpec(
    "activity",
    "activities",
    (
        "id",
        "subject",
        "type",
        "owner_id",
        "creator_user_id",
        "is_deleted",
        "add_time",
        "update_time",
        "deal_id",
        "lead_id",
        "person_id",
        "org_id",
        "project_id",
        "due_date",
        "due_time",
        "duration",
        "busy",
        "done",
        "marked_as_done_time",
        "location",
        "participants",
        "conference_meeting_client",
        "conference_meeting_url",
        "conference_meeting_id",
        "public_description",
        "priority",
        "note",
    ),
    {
        "subject": "str",
        "type": "str",
        "owner_id": "user",
        "deal_id": "deal?",
        "lead_id": "str?",
        "org_id": "organization?",
        "project_id": "int?",
        "due_date": "date?",
        "due_time": "time?",
        "duration": "time?",
        "busy": "bool",
        "done": "bool",
        "location": "address?",
        "participants": "participants",
        "attendees": "attendees",
        "public_description": "str?",
        "priority": "int?",
        "note": "str?",
    },
    sortable=("id", "update_time", "add_time", "due_date"),
)

PIPELINE = EntitySpec(
    "pipeline",
    "pipelines",
    ("id", "name", "order_nr", "is_deleted", "is_deal_probability_enabled", "add_time", "update_time"),
    {"name": "str", "is_deal_probability_enabled": "bool"},
    required=("name",),
    owner_filter="",
)

STAGE = EntitySpec(
    "stage",
    "stages",
    (
        "id",
        "order_nr",
        "name",
        "is_deleted",
        "deal_probability",
        "pipeline_id",
        "is_deal_rot_enabled",
        "days_to_rotten",
        "add_time",
        "update_time",
    ),
    {
        "name": "str",
        "pipeline_id": "pipeline",
        "deal_probability": "int",
        "is_deal_rot_enabled": "bool",
        "days_to_rotten": "int?",
    },
    required=("name", "pipeline_id"),
    sortable=("id", "update_time", "add_time", "order_nr"),
    owner_filter="",
)

SPECS = {spec.plural: spec for spec in (PERSON, ORGANIZATION, DEAL, ACTIVITY, PIPELINE, STAGE)}
BY_NAME = {spec.name: spec for spec in SPECS.values()}
