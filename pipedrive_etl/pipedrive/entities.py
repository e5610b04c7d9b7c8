"""Read models for the v2 entities we extract: persons, organizations, deals, activities, pipelines, stages.

Shapes follow pipedrive-api.md §5. Every field is optional except `id`: v2 omits fields that need
`include_fields`, webhook `data` carries "only crucial information", and Contact Sync fields exist only on
some accounts. Anything else Pipedrive sends is kept as a pydantic extra. `custom_fields` holds the wire
values as received (a dict keyed by the 40-hex field key); decode them with `pipedrive.fields` and a
`FieldCatalog`.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import AliasChoices, ConfigDict, Field, model_validator, with_config
from typing_extensions import TypedDict

from ._wire import OptionalDuration, OptionalTime, PipedriveModel, UtcDatetime


@with_config(ConfigDict(extra="allow"))
class ContactEntry(TypedDict, total=False):
    """One email, phone or IM: `{value, primary, label}`; label `work|home|mobile|other` (IMs: `skype`, ...).

    A typed dict rather than a model: a person carries several, and model instances for them took about a
    third of the time to parse a person (bench/client_parse.py). A dict also loads into a JSON column as is.
    """

    value: str | None
    primary: bool | None
    label: str | None


class Address(PipedriveModel):
    """A geocoded address object: organization `address`, person `postal_address`, activity `location`."""

    value: str | None = None
    country: str | None = None
    admin_area_level_1: str | None = None
    admin_area_level_2: str | None = None
    locality: str | None = None
    sublocality: str | None = None
    route: str | None = None
    street_number: str | None = None
    subpremise: str | None = None
    postal_code: str | None = None
    formatted_address: str | None = None


class Participant(PipedriveModel):
    """An activity participant. The migration guide's example still says `primary_flag` (§5 Activity)."""

    person_id: int | None = None
    primary: bool | None = Field(None, validation_alias=AliasChoices("primary", "primary_flag"))


class Attendee(PipedriveModel):
    """An activity attendee (only with `include_fields=attendees`); v1 called the address `email_address`."""

    email: str | None = Field(None, validation_alias=AliasChoices("email", "email_address"))
    name: str | None = None
    status: str | None = None
    is_organizer: bool | None = None
    person_id: int | None = None
    user_id: int | None = None


class Person(PipedriveModel):
    """A v2 person (`GET /api/v2/persons`)."""

    id: int
    name: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    owner_id: int | None = None
    org_id: int | None = None
    add_time: UtcDatetime | None = None
    update_time: UtcDatetime | None = None
    emails: list[ContactEntry] | None = None
    phones: list[ContactEntry] | None = None
    is_deleted: bool | None = None
    # v2 sends an int; v2 webhooks still send "3" (§9.2), which lax parsing turns into 3.
    visible_to: int | None = None
    label_ids: list[int] | None = None
    picture_id: int | None = None
    marketing_status: str | None = None
    custom_fields: dict[str, Any] = Field(default_factory=dict)
    # Contact Sync only. The guide says `ims`, the spec `im` (CONFLICT, §5): we follow the spec; an `ims`
    # would be kept as an extra.
    notes: str | None = None
    im: list[ContactEntry] | None = None
    birthday: date | None = None
    job_title: str | None = None
    postal_address: Address | None = None

    @property
    def primary_email(self) -> str | None:
        """The email marked primary; else the first one, as Pipedrive does when none is marked (§5)."""
        return _primary_value(self.emails)

    @property
    def primary_phone(self) -> str | None:
        return _primary_value(self.phones)


def _primary_value(entries: list[ContactEntry] | None) -> str | None:
    if not entries:
        return None
    for entry in entries:
        if entry.get("primary"):
            return entry.get("value")
    return entries[0].get("value")


class Organization(PipedriveModel):
    """A v2 organization. The spec example also carries a stray `org_id` (§13); it is kept as an extra."""

    id: int
    name: str | None = None
    owner_id: int | None = None
    add_time: UtcDatetime | None = None
    update_time: UtcDatetime | None = None
    address: Address | None = None
    is_deleted: bool | None = None
    visible_to: int | None = None
    label_ids: list[int] | None = None
    picture_id: int | None = None
    website: str | None = None
    linkedin: str | None = None
    industry: int | str | None = None
    annual_revenue: float | None = None
    employee_count: int | None = None
    custom_fields: dict[str, Any] = Field(default_factory=dict)


class Deal(PipedriveModel):
    """A v2 deal. `stage_change_time` is only the *last* stage change; history comes from the flow (§10)."""

    id: int
    title: str | None = None
    creator_user_id: int | None = None
    owner_id: int | None = None
    value: float | None = None
    currency: str | None = None
    person_id: int | None = None
    org_id: int | None = None
    stage_id: int | None = None
    pipeline_id: int | None = None
    status: str | None = None
    is_archived: bool | None = None
    is_deleted: bool | None = None
    probability: float | None = None
    lost_reason: str | None = None
    visible_to: int | None = None
    add_time: UtcDatetime | None = None
    update_time: UtcDatetime | None = None
    stage_change_time: UtcDatetime | None = None
    archive_time: UtcDatetime | None = None
    close_time: UtcDatetime | None = None
    won_time: UtcDatetime | None = None
    lost_time: UtcDatetime | None = None
    first_won_time: UtcDatetime | None = None
    local_won_date: date | None = None
    local_lost_date: date | None = None
    local_close_date: date | None = None
    expected_close_date: date | None = None
    label_ids: list[int] | None = None
    origin: str | None = None
    origin_id: str | None = None
    # The spec example has `channel` numeric and `channel_id` a free string ("Jun23 Billboards", §13).
    channel: int | None = None
    channel_id: str | None = None
    source_lead_id: str | None = None
    # "Only available in Growth and above plans".
    acv: float | None = None
    arr: float | None = None
    mrr: float | None = None
    custom_fields: dict[str, Any] = Field(default_factory=dict)


class Activity(PipedriveModel):
    """A v2 activity. `person_id` is read-only: it follows the primary participant (§5 Activity)."""

    id: int
    subject: str | None = None
    type: str | None = None
    owner_id: int | None = None
    creator_user_id: int | None = None
    is_deleted: bool | None = None
    add_time: UtcDatetime | None = None
    update_time: UtcDatetime | None = None
    deal_id: int | None = None
    lead_id: str | None = None
    person_id: int | None = None
    org_id: int | None = None
    project_id: int | None = None
    due_date: date | None = None
    due_time: OptionalTime = None
    duration: OptionalDuration = None
    busy: bool | None = None
    done: bool | None = None
    marked_as_done_time: UtcDatetime | None = None
    location: Address | None = None
    participants: list[Participant] | None = None
    attendees: list[Attendee] | None = None
    conference_meeting_client: str | None = None
    conference_meeting_url: str | None = None
    conference_meeting_id: str | None = None
    public_description: str | None = None
    priority: int | None = None
    note: str | None = None
    custom_fields: dict[str, Any] = Field(default_factory=dict)


def _is_deleted_from_active_flag(data: Any) -> Any:
    # v2 webhooks keep v1 names for stages and pipelines (§5, D-whmig); `active_flag` is the negation of
    # `is_deleted`. The original key stays as an extra.
    if isinstance(data, dict) and "is_deleted" not in data and isinstance(data.get("active_flag"), bool):
        return {**data, "is_deleted": not data["active_flag"]}
    return data


class Pipeline(PipedriveModel):
    """A v2 pipeline; also reads the v1 names a v2 webhook sends (`active_flag`, `deal_probability`)."""

    id: int
    name: str | None = None
    order_nr: int | None = None
    is_deleted: bool | None = None
    is_deal_probability_enabled: bool | None = Field(
        None, validation_alias=AliasChoices("is_deal_probability_enabled", "deal_probability")
    )
    add_time: UtcDatetime | None = None
    update_time: UtcDatetime | None = None
    custom_fields: dict[str, Any] = Field(default_factory=dict)

    @model_validator(mode="before")
    @classmethod
    def _accept_v1_names(cls, data: Any) -> Any:
        return _is_deleted_from_active_flag(data)


class Stage(PipedriveModel):
    """A v2 stage; also reads the v1 names v2 webhooks send (`active_flag`, `rotten_flag`, `rotten_days`)."""

    id: int
    name: str | None = None
    order_nr: int | None = None
    pipeline_id: int | None = None
    deal_probability: int | None = None
    is_deleted: bool | None = None
    is_deal_rot_enabled: bool | None = Field(
        None, validation_alias=AliasChoices("is_deal_rot_enabled", "rotten_flag")
    )
    days_to_rotten: int | None = Field(None, validation_alias=AliasChoices("days_to_rotten", "rotten_days"))
    add_time: UtcDatetime | None = None
    update_time: UtcDatetime | None = None
    custom_fields: dict[str, Any] = Field(default_factory=dict)

    @model_validator(mode="before")
    @classmethod
    def _accept_v1_names(cls, data: Any) -> Any:
        return _is_deleted_from_active_flag(data)


ENTITY_MODELS: dict[str, type[PipedriveModel]] = {
    "persons": Person,
    "organizations": Organization,
    "deals": Deal,
    "activities": Activity,
    "pipelines": Pipeline,
    "stages": Stage,
}
"""The read model for each v2 list path (`/api/v2/<name>`)."""

WEBHOOK_ENTITY_MODELS: dict[str, type[PipedriveModel]] = {
    "person": Person,
    "organization": Organization,
    "deal": Deal,
    "activity": Activity,
    "pipeline": Pipeline,
    "stage": Stage,
}
"""The read model for each webhook `meta.entity` (v2) or `meta.object` (v1) we model."""
