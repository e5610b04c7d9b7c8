"""PipedriveClient: the endpoints we use, named as the API names them, on top of the request engine.

Reads are v2 (`/api/v2`), except what only v1 has: deal changelog and flow, webhooks, `users/me`. Writes are
v2 POST and PATCH (there is no bulk write and no upsert in Pipedrive) and DELETE (a soft delete); custom
fields are created, and enum/set options added, through the v2 field endpoints.
Lists are generators of whole pages, so a caller can store a page and commit its cursor
before asking for more.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import UTC, datetime
from typing import Any, Literal, TypeVar

import httpx
from pydantic import BaseModel, TypeAdapter, ValidationError

from ._constants import DEFAULT_TIMEOUT, MAX_IDS_PER_REQUEST, MAX_PAGE_LIMIT, MAX_SEARCH_LIMIT
from ._gc import gc_paused
from ._http import Reply, RequestEngine, RequestStats
from .auth import ApiTokenAuth, BearerAuth, Credentials, TokenProvider, company_base_url
from .budget import TokenBudget
from .errors import ResponseValidationError
from .field_writes import FieldCreate, FieldOptionsAdd, FieldWriteEntity
from .models import (
    Activity,
    ActivityCreate,
    ActivityUpdate,
    Deal,
    DealChangelogEntry,
    DealCreate,
    DealFlowItem,
    DealUpdate,
    FieldDefinition,
    FieldOption,
    Organization,
    OrganizationCreate,
    OrganizationUpdate,
    Person,
    PersonCreate,
    PersonUpdate,
    Pipeline,
    Stage,
    User,
    WebhookSubscription,
)
from .pagination import Page, cursor_of, iter_cursor_pages, iter_offset_pages, next_start_of

M = TypeVar("M", bound=BaseModel)
Entity = Literal["persons", "organizations", "deals", "activities"]
FieldEntity = Literal["person", "organization", "deal", "activity"]
SortBy = Literal["id", "update_time", "add_time"]

_ADAPTERS: dict[type, TypeAdapter[Any]] = {}


def _adapter(model: type[M]) -> TypeAdapter[list[M]]:
    if model not in _ADAPTERS:
        _ADAPTERS[model] = TypeAdapter(list[model])  # type: ignore[valid-type]
    return _ADAPTERS[model]


def rfc3339(moment: datetime) -> str:
    """Pipedrive v2 wants RFC 3339 in UTC, e.g. `2025-01-01T10:20:00Z`."""
    if moment.tzinfo is None:
        raise ValueError(f"naive datetime {moment!r}: pass an aware one (UTC)")
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _params(**values: Any) -> dict[str, str]:
    params: dict[str, str] = {}
    for key, value in values.items():
        if value is None:
            continue
        if isinstance(value, bool):
            params[key] = "true" if value else "false"
        elif isinstance(value, datetime):
            params[key] = rfc3339(value)
        elif isinstance(value, list | tuple | set | frozenset):
            params[key] = ",".join(str(v) for v in value)
        else:
            params[key] = str(value)
    return params


class PipedriveClient:
    """One company's Pipedrive, through one set of credentials.
    Not tied to Dagster; safe to share across threads."""

    def __init__(self, *, base_url: str, credentials: Credentials, plan: str = "growth",
                 budget: TokenBudget | None = None, transport: httpx.BaseTransport | None = None,
                 timeout: httpx.Timeout = DEFAULT_TIMEOUT, max_retries: int | None = None,
                 clock: Callable[[], float] = time.monotonic, sleep: Callable[[float], None] = time.sleep,
                 jitter: Callable[[], float] | None = None) -> None:
        extra: dict[str, Any] = {}
        if max_retries is not None:
            extra["max_retries"] = max_retries
        if jitter is not None:
            extra["jitter"] = jitter
        self._engine = RequestEngine(base_url=base_url, credentials=credentials, plan=plan, budget=budget,
                                     transport=transport, timeout=timeout, clock=clock, sleep=sleep, **extra)

    @classmethod
    def with_api_token(cls, token: str, *, company_domain: str, **kwargs: Any) -> PipedriveClient:
        return cls(base_url=company_base_url(company_domain), credentials=ApiTokenAuth(token), **kwargs)

    @classmethod
    def with_oauth(cls, provider: TokenProvider, **kwargs: Any) -> PipedriveClient:
        # OAuth requests must go to the company's api_domain, not api.pipedrive.com.
        return cls(base_url=provider.api_domain.rstrip("/"), credentials=BearerAuth(provider), **kwargs)

    @property
    def stats(self) -> RequestStats:
        return self._engine.stats

    @property
    def budget(self) -> TokenBudget | None:
        return self._engine.budget

    def close(self) -> None:
        self._engine.close()

    def __enter__(self) -> PipedriveClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- plumbing --------------------------------------------------------------------------------------------

    def _request(self, method: str, path: str, *, params: Mapping[str, Any] | None = None,
                 json_body: Any = None) -> Reply:
        return self._engine.request(method, path, params=params, json_body=json_body)

    @staticmethod
    def _parse(model: type[M], data: Any, reply: Reply) -> list[M]:
        try:
            with gc_paused():  # a page allocates thousands of objects; see _gc
                return _adapter(model).validate_python(data or [])
        except ValidationError as exc:
            raise ResponseValidationError(f"{model.__name__}: {exc}", request=reply.response.request,
                                          response=reply.response) from exc

    def _page(self, model: type[M] | None, reply: Reply) -> Page[Any]:
        body = reply.body
        data = body.get("data") or []
        items = data if model is None else self._parse(model, data, reply)
        return Page(items=items, raw=data, next_cursor=cursor_of(body),
                    next_start=next_start_of(body), additional_data=body.get("additional_data") or {})

    def _iter_v2(self, model: type[M] | None, path: str, params: dict[str, str],
                 cursor: str | None) -> Iterator[Page[Any]]:
        def fetch(page_cursor: str | None) -> Page[Any]:
            page_params = dict(params, **({"cursor": page_cursor} if page_cursor else {}))
            return self._page(model, self._request("GET", path, params=page_params))

        return iter_cursor_pages(fetch, cursor=cursor)

    def _one(self, model: type[M], method: str, path: str, json_body: Any = None) -> M:
        reply = self._request(method, path, json_body=json_body)
        return self._parse(model, [reply.body.get("data")], reply)[0]

    # -- v2 lists --------------------------------------------------------------------------------------------

    def iter_entity_pages(self, entity: str, model: type[M] | None, *, updated_since: datetime | None = None,
                          updated_until: datetime | None = None, sort_by: str | None = None,
                          sort_direction: Literal["asc", "desc"] | None = None,
                          ids: Iterable[int] | None = None,
                          owner_id: int | None = None, limit: int = MAX_PAGE_LIMIT, cursor: str | None = None,
                          **filters: Any) -> Iterator[Page[Any]]:
        """Pages of `entity`, parsed into `model`; with `model=None` the items are the raw JSON objects (bulk
        extraction stores them whole and types them in dbt, so it skips validating half a million fields)."""
        if not 1 <= limit <= MAX_PAGE_LIMIT:
            raise ValueError(f"limit must be between 1 and {MAX_PAGE_LIMIT}, got {limit}")
        id_list = list(ids) if ids is not None else None
        if id_list is not None and len(id_list) > MAX_IDS_PER_REQUEST:
            raise ValueError(f"at most {MAX_IDS_PER_REQUEST} ids per request, got {len(id_list)}")
        params = _params(updated_since=updated_since, updated_until=updated_until, sort_by=sort_by,
                         sort_direction=sort_direction, ids=id_list, owner_id=owner_id, limit=limit,
                         **filters)
        return self._iter_v2(model, f"/api/v2/{entity}", params, cursor)

    def iter_persons(self, **filters: Any) -> Iterator[Page[Person]]:
        return self.iter_entity_pages("persons", Person, **filters)

    def iter_organizations(self, **filters: Any) -> Iterator[Page[Organization]]:
        return self.iter_entity_pages("organizations", Organization, **filters)

    def iter_deals(self, **filters: Any) -> Iterator[Page[Deal]]:
        return self.iter_entity_pages("deals", Deal, **filters)

    def iter_activities(self, **filters: Any) -> Iterator[Page[Activity]]:
        return self.iter_entity_pages("activities", Activity, **filters)

    def iter_pipelines(self, *, sort_by: str | None = None, sort_direction: str | None = None,
                       limit: int = MAX_PAGE_LIMIT, cursor: str | None = None) -> Iterator[Page[Pipeline]]:
        params = _params(sort_by=sort_by, sort_direction=sort_direction, limit=limit)
        return self._iter_v2(Pipeline, "/api/v2/pipelines", params, cursor)

    def iter_stages(self, *, pipeline_id: int | None = None, sort_by: str | None = None,
                    sort_direction: str | None = None, limit: int = MAX_PAGE_LIMIT,
                    cursor: str | None = None) -> Iterator[Page[Stage]]:
        params = _params(pipeline_id=pipeline_id, sort_by=sort_by, sort_direction=sort_direction, limit=limit)
        return self._iter_v2(Stage, "/api/v2/stages", params, cursor)

    def iter_fields(self, entity: FieldEntity, *, limit: int = MAX_PAGE_LIMIT,
                    cursor: str | None = None) -> Iterator[Page[FieldDefinition]]:
        return self._iter_v2(FieldDefinition, f"/api/v2/{entity}Fields", _params(limit=limit), cursor)

    def search_items(self, term: str, *, item_types: Iterable[str] = ("person",),
                     fields: Iterable[str] | None = None,
                     exact_match: bool = False, limit: int = MAX_SEARCH_LIMIT,
                     cursor: str | None = None) -> Iterator[Page[dict[str, Any]]]:
        """v2 itemSearch: pages of `{result_score, item}` hits.
        `term` needs 2 characters (1 with exact_match)."""
        if len(term) < (1 if exact_match else 2):
            raise ValueError("search term needs at least 2 characters (1 with exact_match)")
        params = _params(term=term, item_types=list(item_types), fields=list(fields) if fields else None,
                         exact_match=exact_match or None, limit=min(limit, MAX_SEARCH_LIMIT))

        def fetch(page_cursor: str | None) -> Page[dict[str, Any]]:
            body = self._request("GET", "/api/v2/itemSearch",
                                 params=dict(params, **({"cursor": page_cursor} if page_cursor else {}))).body
            hits = list(((body.get("data") or {}).get("items")) or [])
            return Page(items=hits, raw=hits, next_cursor=cursor_of(body),
                        additional_data=body.get("additional_data") or {})

        return iter_cursor_pages(fetch, cursor=cursor)

    # -- v2 single records -----------------------------------------------------------------------------------

    def get_person(self, person_id: int) -> Person:
        return self._one(Person, "GET", f"/api/v2/persons/{person_id}")

    def get_organization(self, organization_id: int) -> Organization:
        return self._one(Organization, "GET", f"/api/v2/organizations/{organization_id}")

    def get_deal(self, deal_id: int) -> Deal:
        return self._one(Deal, "GET", f"/api/v2/deals/{deal_id}")

    def get_activity(self, activity_id: int) -> Activity:
        return self._one(Activity, "GET", f"/api/v2/activities/{activity_id}")

    def get_pipeline(self, pipeline_id: int) -> Pipeline:
        return self._one(Pipeline, "GET", f"/api/v2/pipelines/{pipeline_id}")

    def get_stage(self, stage_id: int) -> Stage:
        return self._one(Stage, "GET", f"/api/v2/stages/{stage_id}")

    # -- v2 writes -------------------------------------------------------------------------------------------

    def create_person(self, person: PersonCreate) -> Person:
        return self._one(Person, "POST", "/api/v2/persons", person.to_body())

    def update_person(self, person_id: int, changes: PersonUpdate) -> Person:
        return self._one(Person, "PATCH", f"/api/v2/persons/{person_id}", changes.to_body())

    def create_organization(self, organization: OrganizationCreate) -> Organization:
        return self._one(Organization, "POST", "/api/v2/organizations", organization.to_body())

    def update_organization(self, organization_id: int, changes: OrganizationUpdate) -> Organization:
        return self._one(Organization, "PATCH", f"/api/v2/organizations/{organization_id}", changes.to_body())

    def create_deal(self, deal: DealCreate) -> Deal:
        return self._one(Deal, "POST", "/api/v2/deals", deal.to_body())

    def update_deal(self, deal_id: int, changes: DealUpdate) -> Deal:
        return self._one(Deal, "PATCH", f"/api/v2/deals/{deal_id}", changes.to_body())

    def create_activity(self, activity: ActivityCreate) -> Activity:
        return self._one(Activity, "POST", "/api/v2/activities", activity.to_body())

    def update_activity(self, activity_id: int, changes: ActivityUpdate) -> Activity:
        return self._one(Activity, "PATCH", f"/api/v2/activities/{activity_id}", changes.to_body())

    def create_field(self, entity: FieldWriteEntity, field: FieldCreate) -> FieldDefinition:
        """Create a custom field; Pipedrive gives it a new 40-hex key. Names are not unique in Pipedrive, so a
        lost response (OutcomeUnknownError) must be settled by listing the fields before creating again."""
        return self._one(FieldDefinition, "POST", f"/api/v2/{entity}Fields", field.to_body())

    def add_field_options(self, entity: FieldWriteEntity, field_code: str,
                          labels: Iterable[str]) -> list[FieldOption]:
        """Add options to an enum/set custom field in one atomic request; returns only the new options."""
        body = FieldOptionsAdd.of(list(labels)).to_body()
        reply = self._request("POST", f"/api/v2/{entity}Fields/{field_code}/options", json_body=body)
        return self._parse(FieldOption, reply.body.get("data"), reply)

    def delete(self, entity: Entity, record_id: int) -> int:
        """Soft-delete one record (Pipedrive purges it after 30 days); returns the deleted id."""
        body = self._request("DELETE", f"/api/v2/{entity}/{record_id}").body
        return int((body.get("data") or {}).get("id", record_id))

    # -- v1 only ---------------------------------------------------------------------------------------------

    def iter_deal_changelog(self, deal_id: int, *, limit: int = MAX_PAGE_LIMIT,
                            cursor: str | None = None) -> Iterator[Page[DealChangelogEntry]]:
        path = f"/api/v1/deals/{deal_id}/changelog"

        def fetch(page_cursor: str | None) -> Page[DealChangelogEntry]:
            params = _params(limit=limit, cursor=page_cursor)
            return self._page(DealChangelogEntry, self._request("GET", path, params=params))

        return iter_cursor_pages(fetch, cursor=cursor)

    def iter_deal_flow(self, deal_id: int, *, items: Iterable[str] | None = None, all_changes: bool = False,
                       limit: int = MAX_PAGE_LIMIT, start: int = 0) -> Iterator[Page[DealFlowItem]]:
        path = f"/api/v1/deals/{deal_id}/flow"

        def fetch(page_start: int) -> Page[DealFlowItem]:
            params = _params(start=page_start, limit=limit, items=list(items) if items else None,
                             all_changes=1 if all_changes else None)
            return self._page(DealFlowItem, self._request("GET", path, params=params))

        return iter_offset_pages(fetch, start=start)

    def list_webhooks(self) -> list[WebhookSubscription]:
        reply = self._request("GET", "/api/v1/webhooks")
        return self._parse(WebhookSubscription, reply.body.get("data"), reply)

    def create_webhook(self, *, subscription_url: str, event_action: str, event_object: str, name: str,
                       http_auth_user: str | None = None, http_auth_password: str | None = None,
                       version: Literal["1.0", "2.0"] = "2.0",
                       user_id: int | None = None) -> WebhookSubscription:
        body = {k: v for k, v in {
            "subscription_url": subscription_url, "event_action": event_action, "event_object": event_object,
            "name": name, "http_auth_user": http_auth_user, "http_auth_password": http_auth_password,
            "version": version, "user_id": user_id}.items() if v is not None}
        return self._one(WebhookSubscription, "POST", "/api/v1/webhooks", body)

    def delete_webhook(self, webhook_id: int) -> None:
        self._request("DELETE", f"/api/v1/webhooks/{webhook_id}")

    def get_current_user(self) -> User:
        return self._one(User, "GET", "/api/v1/users/me")
