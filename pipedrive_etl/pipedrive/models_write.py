"""Write models: v2 POST and PATCH bodies for persons, organizations, deals and activities.

Strict on purpose. v2 "no longer coerces string input" for numbers and takes only true/false for booleans
(pipedrive-api.md §5, §7), so `strict=True` refuses "100" for a number and 1 for a boolean here, before a
request costs 5 tokens to learn the same. `extra="forbid"` stops typos and read-only fields (an activity's
`person_id`) from reaching the API. `to_body()` sends only the fields that were set, so a PATCH changes
nothing else; a field set to None is sent as null.
"""

from __future__ import annotations

from datetime import UTC, date, time, timedelta
from typing import Annotated, Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, InstanceOf, PlainSerializer, model_validator

from .field_values import CustomFieldValue
from .fields import encode_v2

VisibleTo = Literal[1, 3, 5, 7]
"""A visibility group (1 owner and followers, 3 entire company; 5 and 7 on plans with visibility groups).
v2 wants the integer, never v1's "3"."""

MarketingStatus = Literal["no_consent", "unsubscribed", "subscribed", "archived"]

UtcTimestamp = Annotated[
    AwareDatetime, PlainSerializer(lambda moment: moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"))
]
"""An aware datetime, sent as RFC 3339 in UTC (`2025-01-01T10:20:00Z`, D-mig)."""

ClockTime = Annotated[time, PlainSerializer(lambda moment: moment.strftime("%H:%M"))]
"""An activity `due_time`, sent as "HH:MM" (the guides' form; the spec's reads show "HH:MM:SS")."""


def _hours_minutes(span: timedelta) -> str:
    minutes = int(span.total_seconds()) // 60
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


Duration = Annotated[timedelta, PlainSerializer(_hours_minutes)]
"""An activity `duration`, sent as "HH:MM"."""

CustomFields = dict[str, InstanceOf[CustomFieldValue]]


class WriteModel(BaseModel):
    """Base of every write body: strict types, no unknown fields, only set fields sent."""

    model_config = ConfigDict(extra="forbid", strict=True)

    def to_body(self) -> dict[str, Any]:
        """The JSON body: set fields only; `custom_fields` in the v2 write form."""
        body = self.model_dump(mode="json", exclude_unset=True, exclude={"custom_fields"})
        custom_fields = getattr(self, "custom_fields", None)
        if "custom_fields" in self.model_fields_set and custom_fields is not None:
            body["custom_fields"] = encode_v2(custom_fields)
        return body


def _check_custom_fields(custom_fields: CustomFields | None) -> None:
    for key, value in (custom_fields or {}).items():
        if value.field_type == "set" and value.value is not None and not value.value:
            # v2: "sending an empty array [] is not supported and will result in a validation error".
            raise ValueError(f"custom field {key}: an empty set is refused by Pipedrive; clear it with None")


class ContactEntryWrite(WriteModel):
    """An email or phone to write. Only `value` is required; Pipedrive defaults `label` to "work"."""

    value: str = Field(min_length=1)
    primary: bool | None = None
    label: str | None = None


def _check_one_primary(entries: list[ContactEntryWrite] | None, what: str) -> None:
    # "at most one primary (else the first)" (§5): refuse the ambiguity instead of letting Pipedrive pick.
    if entries and sum(1 for entry in entries if entry.primary) > 1:
        raise ValueError(f"{what}: at most one entry may be primary")


class AddressWrite(WriteModel):
    """An address to write: "Only the value subfield is required when updating an address field" (D-mig)."""

    value: str
    country: str | None = None
    admin_area_level_1: str | None = None
    admin_area_level_2: str | None = None
    locality: str | None = None
    sublocality: str | None = None
    route: str | None = None
    street_number: str | None = None
    subpremise: str | None = None
    postal_code: str | None = None


class _PersonFields(WriteModel):
    name: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    owner_id: int | None = None
    org_id: int | None = None
    emails: list[ContactEntryWrite] | None = None
    phones: list[ContactEntryWrite] | None = None
    visible_to: VisibleTo | None = None
    label_ids: list[int] | None = None
    marketing_status: MarketingStatus | None = None
    custom_fields: CustomFields | None = None

    @model_validator(mode="after")
    def _check_lists(self) -> _PersonFields:
        _check_one_primary(self.emails, "emails")
        _check_one_primary(self.phones, "phones")
        _check_custom_fields(self.custom_fields)
        return self


class PersonCreate(_PersonFields):
    """`POST /api/v2/persons`: "Either `name` or both `first_name` and `last_name` must be provided" (§5)."""

    @model_validator(mode="after")
    def _check_name(self) -> PersonCreate:
        if not self.name and not (self.first_name and self.last_name):
            raise ValueError("a person needs either name, or both first_name and last_name")
        return self


class PersonUpdate(_PersonFields):
    """`PATCH /api/v2/persons/{id}`: any subset of fields."""


class _OrganizationFields(WriteModel):
    name: str | None = None
    owner_id: int | None = None
    address: AddressWrite | None = None
    visible_to: VisibleTo | None = None
    label_ids: list[int] | None = None
    custom_fields: CustomFields | None = None

    @model_validator(mode="after")
    def _check_lists(self) -> _OrganizationFields:
        _check_custom_fields(self.custom_fields)
        return self


class OrganizationCreate(_OrganizationFields):
    """`POST /api/v2/organizations`: only `name` is required (the spec's `required: ['title']` is a slip)."""

    name: str = Field(min_length=1)


class OrganizationUpdate(_OrganizationFields):
    """`PATCH /api/v2/organizations/{id}`."""


class _DealFields(WriteModel):
    title: str | None = None
    owner_id: int | None = None
    person_id: int | None = None
    org_id: int | None = None
    pipeline_id: int | None = None
    stage_id: int | None = None
    value: float | None = None
    currency: str | None = Field(None, min_length=3, max_length=3)
    status: Literal["open", "won", "lost"] | None = None
    probability: float | None = None
    lost_reason: str | None = None
    visible_to: VisibleTo | None = None
    is_archived: bool | None = None
    archive_time: UtcTimestamp | None = None
    close_time: UtcTimestamp | None = None
    won_time: UtcTimestamp | None = None
    lost_time: UtcTimestamp | None = None
    expected_close_date: date | None = None
    label_ids: list[int] | None = None
    custom_fields: CustomFields | None = None

    @model_validator(mode="after")
    def _check_status_fields(self) -> _DealFields:
        # `lost_reason` is accepted "only if lost", `won_time` "only if won" (§5). When the body leaves status
        # out, the deal's current status decides, which only Pipedrive knows.
        if self.status is not None and self.status != "lost" and self.lost_reason is not None:
            raise ValueError(f"lost_reason needs status 'lost', not {self.status!r}")
        if self.status is not None and self.status != "won" and self.won_time is not None:
            raise ValueError(f"won_time needs status 'won', not {self.status!r}")
        _check_custom_fields(self.custom_fields)
        return self


class DealCreate(_DealFields):
    """`POST /api/v2/deals`: only `title` is required (§5)."""

    title: str = Field(min_length=1)


class DealUpdate(_DealFields):
    """`PATCH /api/v2/deals/{id}`."""


class ParticipantWrite(WriteModel):
    person_id: int
    primary: bool | None = None


class _ActivityFields(WriteModel):
    # No `person_id`: it "is now read-only. It is set indirectly by adding a primary participant" (§5).
    subject: str | None = None
    type: str | None = None  # an activity type `key_string`: call, meeting, deadline, ...
    owner_id: int | None = None
    deal_id: int | None = None
    lead_id: str | None = None
    org_id: int | None = None
    project_id: int | None = None
    due_date: date | None = None
    due_time: ClockTime | None = None
    duration: Duration | None = None
    busy: bool | None = None
    done: bool | None = None
    location: AddressWrite | None = None
    participants: list[ParticipantWrite] | None = None
    public_description: str | None = None
    priority: int | None = None
    note: str | None = None

    @model_validator(mode="after")
    def _check_participants(self) -> _ActivityFields:
        if self.participants and sum(1 for p in self.participants if p.primary) > 1:
            raise ValueError("participants: at most one may be primary")
        return self


class ActivityCreate(_ActivityFields):
    """`POST /api/v2/activities`."""


class ActivityUpdate(_ActivityFields):
    """`PATCH /api/v2/activities/{id}`."""
