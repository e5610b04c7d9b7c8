"""Whole response bodies: lists (v1 and v2), errors, the OAuth token (pipedrive-api.md §4).

The client reads envelopes as dicts on its hot path; these models are for code and tests that want the whole
body typed, and they absorb the published quirks: the recents example's `"pagination\""` key with `"0,"`
numbers (§11, §13), and the deal-flow example's `related_objects` wrapped in a spurious `allOf` array (§13).
"""

from __future__ import annotations

from functools import cache
from typing import Annotated, Any, Generic, TypeVar

from pydantic import AliasChoices, BaseModel, BeforeValidator, Field, SecretStr, TypeAdapter

from ._gc import gc_paused
from ._wire import LenientUtcDatetime, PipedriveModel

T = TypeVar("T")
M = TypeVar("M", bound=BaseModel)


def _lenient_int(value: Any) -> Any:
    # The recents spec example has `"start": "0,"` and `"limit": "100,"`; the real API sends integers.
    if isinstance(value, str):
        return value.strip().rstrip(",")
    return value


LenientInt = Annotated[int | None, BeforeValidator(_lenient_int)]


def related_objects(raw: Any) -> dict[str, dict[str, Any]]:
    """v1 `related_objects` as `{type: {id: object}}`; merges the spec artefact `{"allOf": [{type: ...}]}`."""
    if not isinstance(raw, dict):
        return {}
    parts = raw.get("allOf")
    if not isinstance(parts, list):
        return raw
    merged: dict[str, dict[str, Any]] = {key: value for key, value in raw.items() if key != "allOf"}
    for part in parts:
        for object_type, by_id in (part or {}).items():
            merged.setdefault(object_type, {}).update(by_id or {})
    return merged


RelatedObjects = Annotated[dict[str, dict[str, Any]], BeforeValidator(related_objects)]


class V1Pagination(PipedriveModel):
    """v1 offset paging: stop on `more_items_in_collection == false`, as `next_start` may be set anyway."""

    start: LenientInt = None
    limit: LenientInt = None
    more_items_in_collection: bool | None = None
    next_start: LenientInt = None


class AdditionalData(PipedriveModel):
    """`additional_data` of a list: v2 `next_cursor`, v1 `pagination`, recents timestamps."""

    next_cursor: str | None = None
    pagination: V1Pagination | None = Field(None, validation_alias=AliasChoices("pagination", 'pagination"'))
    since_timestamp: LenientUtcDatetime = None
    last_timestamp_on_page: LenientUtcDatetime = None


class ListResponse(PipedriveModel, Generic[T]):
    """A list body, v1 or v2: `{success, data: [...], additional_data, related_objects (v1 only)}`."""

    success: bool | None = None
    data: list[T] | None = None
    additional_data: AdditionalData | None = None
    related_objects: RelatedObjects | None = None


class ErrorBody(PipedriveModel):
    """An error body. Shapes vary by endpoint (§4), so every field is optional; never parse a 429 body."""

    success: bool | None = None
    error: str | None = None
    error_info: str | None = None
    code: str | None = None  # feature capping, e.g. "feature_capping_deals_limit"
    error_code: int | None = Field(None, validation_alias=AliasChoices("errorCode", "error_code"))
    errors: dict[str, Any] | None = None  # webhooks: {"subscription_url": ["invalid or non-reachable URL"]}
    message: str | None = None
    status: str | None = None


class OAuthTokenResponse(PipedriveModel):
    """`POST oauth.pipedrive.com/oauth/token` 200. Requests then go to `api_domain`, not api.pipedrive.com."""

    access_token: SecretStr
    token_type: str | None = None
    refresh_token: SecretStr | None = None
    scope: str | None = None
    expires_in: int | None = None
    api_domain: str | None = None


@cache
def _list_adapter(model: type[BaseModel]) -> TypeAdapter[Any]:
    return TypeAdapter(ListResponse[model])  # type: ignore[valid-type]


def parse_list(model: type[M], body: bytes | str) -> ListResponse[M]:
    """Validate a whole list body from its raw bytes into models in one pass, without building dicts first."""
    with gc_paused():
        page: ListResponse[M] = _list_adapter(model).validate_json(body)
    return page
