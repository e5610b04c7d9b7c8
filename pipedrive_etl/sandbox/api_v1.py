"""The v1-only endpoints the sync uses: deal changelog and flow, recents, `users/me`, v1 field lists.

- `/v1/deals/{id}/changelog`: cursor paging, newest first, values as strings (the spec example).
- `/v1/deals/{id}/flow`: offset paging, newest first, `dealChange` rows with typed values (custom-field
changes
  only with `all_changes=1`) and the deal's activities; `related_objects` is a map keyed by type (the spec
  example's `allOf` array is an artefact, not reproduced).
- `/v1/recents`: items changed since `since_timestamp`, oldest first, v1-shaped; it sees one month back only.
"""

from __future__ import annotations

import base64
import binascii
import heapq
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

from pipedrive_etl.sandbox import fielddefs
from pipedrive_etl.sandbox.http import HttpError, Request, Response, error_envelope, flag, int_query, ok
from pipedrive_etl.sandbox.state import CompanyState, DealChange
from pipedrive_etl.sandbox.validation import ValidationError
from pipedrive_etl.sandbox.wireforms import v1_time
from pipedrive_etl.sandbox.wireforms_v1 import RENDER_V1, activity_v1, user_object

RECENTS_LOOKBACK = timedelta(days=30)
RECENT_ITEMS = {
    "activity": "activities",
    "deal": "deals",
    "organization": "organizations",
    "person": "persons",
    "pipeline": "pipelines",
    "stage": "stages",
}
FIELD_LISTS = {
    "personFields": "person",
    "organizationFields": "organization",
    "dealFields": "deal",
    "activityFields": "activity",
}


def _deal(state: CompanyState, request: Request) -> dict[str, Any]:
    deal = state.tables["deals"].get(request.int_param("id"))
    if deal is None or state.is_purged(deal):
        raise HttpError(404, "Deal not found", body=error_envelope("Deal not found"))
    return deal


def _text(value: Any) -> str | None:
    """Changelog values are strings ("0" -> "100"); times in v1 form, sets comma-joined."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return v1_time(value)
    if isinstance(value, list):
        return ",".join(str(item) for item in value)
    if isinstance(value, dict):
        return str(value.get("value"))
    if isinstance(value, bool):
        return "1" if value else "0"
    return str(value)


def _typed(value: Any) -> Any:
    if isinstance(value, datetime):
        return v1_time(value)
    if isinstance(value, dict):
        return value.get("value")
    return value


def changelog(state: CompanyState, request: Request) -> Response:
    deal = _deal(state, request)
    limit = int_query(request.query, "limit", 100, low=1, high=500)
    rows = sorted(state.deal_changes.get(deal["id"], ()), key=lambda c: c.id, reverse=True)
    if cursor := request.query.get("cursor"):
        try:
            before = int(base64.b64decode(cursor + "=" * (-len(cursor) % 4)).decode().removeprefix("id:"))
        except (binascii.Error, ValueError, UnicodeDecodeError) as error:
            raise ValidationError("Invalid cursor") from error
        rows = [row for row in rows if row.id < before]
    page = rows[:limit]
    data = [
        {
            "field_key": c.field_key,
            "old_value": _text(c.old_value),
            "new_value": _text(c.new_value),
            "actor_user_id": c.user_id,
            "time": v1_time(c.time),
            "change_source": c.change_source,
            "change_source_user_agent": c.user_agent,
            "is_bulk_update_flag": False,
        }
        for c in page
    ]
    # Cursor like the spec's "aWQ6NTQ0" (base64 of "id:544").
    next_cursor = base64.b64encode(f"id:{page[-1].id}".encode()).decode() if len(rows) > limit else None
    return ok(data, {"next_cursor": next_cursor})


def _deal_change_row(change: DealChange) -> dict[str, Any]:
    return {
        "object": "dealChange",
        "timestamp": v1_time(change.time),
        "data": {
            "id": change.id,
            "item_id": change.deal_id,
            "user_id": change.user_id,
            "field_key": change.field_key,
            "old_value": _typed(change.old_value),
            "new_value": _typed(change.new_value),
            "is_bulk_update_flag": None,
            "log_time": v1_time(change.time),
            "change_source": change.change_source,
            "change_source_user_agent": change.user_agent,
            "additional_data": [],
        },
    }


def _activity_time(activity: dict[str, Any]) -> str:
    if activity.get("due_date"):
        return f"{activity['due_date']} {activity.get('due_time') or '00:00:00'}"
    return v1_time(activity["add_time"]) or ""


def flow(state: CompanyState, request: Request) -> Response:
    deal = _deal(state, request)
    start = int_query(request.query, "start", 0, high=10**9)
    limit = int_query(request.query, "limit", 100, low=1, high=500)
    items = set(filter(None, request.query.get("items", "").split(","))) or {"dealChange", "activity"}
    custom_keys = set(state.custom("deal"))
    rows = []
    if "dealChange" in items:
        all_changes = flag(request.query, "all_changes")
        rows += [
            _deal_change_row(c)
            for c in state.deal_changes.get(deal["id"], ())
            if all_changes or c.field_key not in custom_keys
        ]
    activities = []
    if items & {"activity", "plannedActivity"}:
        activities = [
            a
            for a in state.tables["activities"].rows.values()
            if a.get("deal_id") == deal["id"] and not a["is_deleted"]
        ]
        rows += [
            {"object": "activity", "timestamp": _activity_time(a), "data": activity_v1(a, state)}
            for a in activities
        ]
    rows.sort(key=lambda row: (row["timestamp"], row["data"]["id"]), reverse=True)
    page = rows[start : start + limit]
    more = start + limit < len(rows)
    pagination = {"start": start, "limit": limit, "more_items_in_collection": more}
    if more:
        pagination["next_start"] = start + limit
    return ok(page, {"pagination": pagination}, related_objects=_related(state, deal, page))


def _related(state: CompanyState, deal: dict[str, Any], page: list[dict[str, Any]]) -> dict[str, Any]:
    users = {row["data"]["user_id"] for row in page} | {deal["owner_id"]}
    related: dict[str, Any] = {"user": {}, "deal": {}, "person": {}, "organization": {}}
    for user_id in sorted(u for u in users if u is not None):
        if (user := user_object(state, user_id)) is not None:
            related["user"][str(user_id)] = {k: v for k, v in user.items() if k != "value"}
    related["deal"][str(deal["id"])] = {
        key: deal[key] for key in ("id", "title", "status", "value", "currency", "stage_id", "pipeline_id")
    }
    if person := state.record("persons", deal.get("person_id")):
        related["person"][str(person["id"])] = {
            "active_flag": not person["is_deleted"],
            "id": person["id"],
            "name": person["name"],
            "email": person["emails"],
            "phone": person["phones"],
            "owner_id": person["owner_id"],
        }
    if org := state.record("organizations", deal.get("org_id")):
        related["organization"][str(org["id"])] = {
            "id": org["id"],
            "name": org["name"],
            "people_count": 0,
            "owner_id": org["owner_id"],
            "address": (org.get("address") or {}).get("value"),
            "active_flag": not org["is_deleted"],
            "cc_email": f"{state.company_domain}@pipedrivemail.com",
        }
    return related


def recents(state: CompanyState, request: Request) -> Response:
    raw = request.query.get("since_timestamp")
    if not raw:
        raise ValidationError("since_timestamp is required (YYYY-MM-DD HH:MM:SS, UTC)")
    try:
        since = datetime.strptime(raw, "%Y-%m-%d %H:%M:%S").replace(tzinfo=UTC)
    except ValueError as error:
        raise ValidationError("since_timestamp must be YYYY-MM-DD HH:MM:SS") from error
    # Recents only see one month back: older changes are simply not there.
    since = max(since, state.now() - RECENTS_LOOKBACK)
    wanted = [i for i in filter(None, request.query.get("items", "").split(","))] or list(RECENT_ITEMS)
    start = int_query(request.query, "start", 0, high=10**9)
    limit = int_query(request.query, "limit", 100, low=1, high=500)
    streams = [_changed_since(state, item, since) for item in wanted if item in RECENT_ITEMS]
    merged = heapq.merge(*streams, key=lambda entry: entry[:3])
    window = []
    for position, entry in enumerate(merged):
        if position >= start + limit + 1:
            break
        if position >= start:
            window.append(entry)
    page, more = window[:limit], len(window) > limit
    data = [
        {"item": item, "id": record_id, "data": RENDER_V1[item](record, state)}
        for _time, item, record_id, record in page
    ]
    pagination = {"start": start, "limit": limit, "more_items_in_collection": more}
    if more:
        pagination["next_start"] = start + limit
    return ok(
        data,
        {
            "since_timestamp": raw,
            "last_timestamp_on_page": v1_time(page[-1][0]) if page else None,
            "pagination": pagination,
        },
    )


def _changed_since(
    state: CompanyState, item: str, since: datetime
) -> Iterator[tuple[datetime, str, int, dict]]:
    """One item type's records changed since `since`, oldest first (via the update_time index)."""
    for record in state.tables[RECENT_ITEMS[item]].iter_from_key("update_time", since.timestamp()):
        yield record["update_time"], item, record["id"], record


def users_me(state: CompanyState, request: Request) -> Response:
    user = state.users[request.user_id]
    created = v1_time(user["created"])
    return ok(
        {
            "id": user["id"],
            "name": user["name"],
            "default_currency": "EUR",
            "locale": "en_US",
            "lang": 1,
            "email": user["email"],
            "phone": None,
            "activated": True,
            "last_login": v1_time(state.now()),
            "created": created,
            "modified": created,
            "has_created_company": user["is_admin"],
            "access": [{"app": "sales", "admin": user["is_admin"], "permission_set_id": "sandbox-admin"}],
            "active_flag": True,
            "timezone_name": "UTC",
            "timezone_offset": "+00:00",
            "role_id": 1,
            "icon_url": None,
            "is_you": True,
            "is_deleted": False,
            "company_id": state.company_id,
            "company_name": f"{state.company_domain.capitalize()} Ltd",
            "company_domain": state.company_domain,
            "company_country": "EE",
            "company_industry": None,
            "language": {"language_code": "en", "country_code": "US"},
        }
    )


def list_fields_v1(state: CompanyState, request: Request, collection: str) -> Response:
    owner = min(state.users) if state.users else 0
    items = [
        item
        for d in state.fields.by_entity[FIELD_LISTS[collection]]
        for item in fielddefs.render_v1(d, owner)
    ]
    start = int_query(request.query, "start", 0, high=10**9)
    limit = int_query(request.query, "limit", 100, low=1, high=500)
    page, more = items[start : start + limit], start + limit < len(items)
    pagination = {"start": start, "limit": limit, "more_items_in_collection": more}
    if more:
        pagination["next_start"] = start + limit
    return ok(page, {"pagination": pagination})
