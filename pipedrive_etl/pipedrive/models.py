"""Pydantic models of what Pipedrive sends and what we send it: the one import for client, extract, webhooks.

Read models (`extra="allow"`: unknown fields are kept, never rejected; timestamps are aware UTC):

    entities.py        Person, Organization, Deal, Activity, Pipeline, Stage, ENTITY_MODELS
    this module        FieldDefinition, FieldOption, User, WebhookSubscription
    history_models.py  DealChangelogEntry, DealFlowItem, DealFieldChange, RecentsItem
    webhook_models.py  WebhookV2Payload, WebhookV2Meta, WebhookV1Payload, WebhookV1Meta
    envelopes.py       ListResponse, parse_list, AdditionalData, V1Pagination, ErrorBody, OAuthTokenResponse

Write models (`extra="forbid"`, strict, `.to_body()`), in models_write.py: PersonCreate, PersonUpdate,
OrganizationCreate, OrganizationUpdate, DealCreate, DealUpdate, ActivityCreate, ActivityUpdate.
"""

from __future__ import annotations

from pydantic import AliasChoices, Field, SecretStr

from ._wire import CUSTOM_FIELD_KEY, LenientUtcDatetime, PipedriveModel, UtcDatetime
from .entities import (
    ENTITY_MODELS,
    WEBHOOK_ENTITY_MODELS,
    Activity,
    Address,
    Attendee,
    ContactEntry,
    Deal,
    Organization,
    Participant,
    Person,
    Pipeline,
    Stage,
)
from .envelopes import (
    AdditionalData,
    ErrorBody,
    ListResponse,
    OAuthTokenResponse,
    V1Pagination,
    parse_list,
    related_objects,
)
from .history_models import DealChangelogEntry, DealFieldChange, DealFlowItem, RecentsItem
from .models_write import (
    ActivityCreate,
    ActivityUpdate,
    AddressWrite,
    ContactEntryWrite,
    DealCreate,
    DealUpdate,
    OrganizationCreate,
    OrganizationUpdate,
    ParticipantWrite,
    PersonCreate,
    PersonUpdate,
)
from .webhook_models import WebhookV1Meta, WebhookV1Payload, WebhookV2Meta, WebhookV2Payload

__all__ = [
    "ENTITY_MODELS", "WEBHOOK_ENTITY_MODELS", "Activity", "ActivityCreate", "ActivityUpdate",
    "AdditionalData", "Address", "AddressWrite", "Attendee", "ContactEntry", "ContactEntryWrite", "Deal",
    "DealChangelogEntry", "DealCreate", "DealFieldChange", "DealFlowItem", "DealUpdate", "ErrorBody",
    "FieldDefinition", "FieldOption", "FieldSubfield", "ListResponse", "OAuthTokenResponse",
    "Organization", "OrganizationCreate", "OrganizationUpdate", "parse_list", "Participant",
    "ParticipantWrite", "Person", "PersonCreate", "PersonUpdate", "PipedriveModel", "Pipeline",
    "RecentsItem", "related_objects", "Stage", "User", "UtcDatetime", "V1Pagination",
    "WebhookSubscription", "WebhookV1Meta", "WebhookV1Payload", "WebhookV2Meta", "WebhookV2Payload",
]


class FieldOption(PipedriveModel):
    """An enum/set option. The id is an integer for custom fields and may be a string for built-ins (§6)."""

    id: int | str
    label: str | None = None
    color: str | None = None


class FieldSubfield(PipedriveModel):
    """A v2 subfield of a complex field (monetary `value`/`currency`, address parts)."""

    field_code: str
    field_name: str | None = None
    field_type: str | None = None


class FieldDefinition(PipedriveModel):
    """One field of an entity, from v2 `/<entity>Fields` or v1 `/<entity>Fields` (§6).

    The two versions name things differently (`field_code`/`key`, `field_name`/`name`,
    `is_custom_field`/`edit_flag`); both read into the same attributes, so either builds a catalog.
    """

    key: str = Field(validation_alias=AliasChoices("field_code", "key"))
    name: str | None = Field(None, validation_alias=AliasChoices("field_name", "name"))
    field_type: str
    description: str | None = None
    options: list[FieldOption] | None = None
    subfields: list[FieldSubfield] | None = None
    is_custom_field: bool | None = Field(None, validation_alias=AliasChoices("is_custom_field", "edit_flag"))
    # v1 only: a numeric id, and sibling items for `<key>_currency`-style subfields.
    id: int | None = None
    is_subfield: bool | None = None

    @property
    def is_custom(self) -> bool:
        if self.is_custom_field is not None:
            return self.is_custom_field
        return bool(CUSTOM_FIELD_KEY.match(self.key))


class User(PipedriveModel):
    """`GET /v1/users/me` (v1 only): who the token belongs to and which company it reaches."""

    id: int
    name: str | None = None
    email: str | None = None
    company_id: int | None = None
    company_name: str | None = None
    company_domain: str | None = None
    default_currency: str | None = None
    locale: str | None = None
    lang: int | str | None = None
    timezone_name: str | None = None
    timezone_offset: str | None = None
    is_admin: bool | None = None
    active_flag: bool | None = None
    role_id: int | None = None
    icon_url: str | None = None
    is_you: bool | None = None
    created: LenientUtcDatetime = None
    modified: LenientUtcDatetime = None
    last_login: LenientUtcDatetime = None


class WebhookSubscription(PipedriveModel):
    """One item of `GET /v1/webhooks` or the `POST /v1/webhooks` 201 `data` (§9.1)."""

    id: int
    event_action: str
    event_object: str
    subscription_url: str
    name: str | None = None
    version: str | None = None
    is_active: bool | None = None  # sent as 1/0
    type: str | None = None  # general | application
    company_id: int | None = None
    owner_id: int | None = None
    user_id: int | None = None
    admin_id: int | None = None
    http_auth_user: str | None = None
    # Secret so a logged or repr'd subscription never shows the receiver's Basic auth password.
    http_auth_password: SecretStr | None = None
    add_time: LenientUtcDatetime = None
    remove_time: LenientUtcDatetime = None
    remove_reason: str | None = None
    last_delivery_time: LenientUtcDatetime = None
    last_http_status: int | None = None
