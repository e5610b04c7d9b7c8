"""The `/api/v2` entity and field-definition endpoints: list, get, create, PATCH, soft delete.

Lists follow pipedrive-api.md §3.2-§3.3: cursor pages (default 100, max 500), `updated_since` inclusive and
`updated_until` exclusive, `ids` (at most 100), `owner_id`, `sort_by`/`sort_direction` and the per-entity
filters. Deleted records drop out of lists but stay readable by id until purged after 30 days; deals come
back under `status=deleted`. Archived deals live under `/deals/archived` only.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pipedrive_etl.sandbox import fielddefs, writes
from pipedrive_etl.sandbox.entities import SPECS, EntitySpec
from pipedrive_etl.sandbox.http import HttpError, Request, Response, dumps, flag, int_query, ok
from pipedrive_etl.sandbox.state import CompanyState
from pipedrive_etl.sandbox.store import CursorError, decode_cursor, encode_cursor
from pipedrive_etl.sandbox.validation import ValidationError, parse_time
from pipedrive_etl.sandbox.wireforms import render_v2, v2_json

# Per-entity filters: query name -> record key (all integer ids except deal status and activity done).
_FILTERS = {
    "persons": {"org_id": "org_id"},
    "organizations": {},
    "deals": {
        "person_id": "person_id",
        "org_id": "org_id",
        "pipeline_id": "pipeline_id",
        "stage_id": "stage_id",
    },
    "activities": {"deal_id": "deal_id", "person_id": "person_id", "org_id": "org_id"},
    "pipelines": {},
    "stages": {"pipeline_id": "pipeline_id"},
}
FIELD_ENTITIES = {
    "personFields": "person",
    "organizationFields": "organization",
    "dealFields": "deal",
    "activityFields": "activity",
}


def _int_filter(query: dict[str, str], name: str) -> int | None:
    raw = query.get(name)
    if raw in (None, ""):
        return None
    try:
        return int(raw)
    except ValueError as error:
        raise ValidationError(f"{name} must be an integer") from error


def _predicate(
    spec: EntitySpec, query: dict[str, str], *, archived: bool, is_purged: Callable[[dict], bool]
) -> Callable[[dict], bool]:
    checks: list[Callable[[dict], bool]] = []
    statuses = None
    if spec.name == "deal":
        statuses = set(filter(None, query.get("status", "").split(","))) or None
        if statuses and not statuses <= {"open", "won", "lost", "deleted"}:
            raise ValidationError("status must be a comma-separated list of open, won, lost, deleted")
        checks.append(lambda r: r["is_archived"] == archived)
    if statuses and "deleted" in statuses:
        live = statuses - {"deleted"}
        # "deleted" means deleted within the last 30 days, i.e. not yet purged
        checks.append(
            lambda r: (r["is_deleted"] and not is_purged(r)) or (not r["is_deleted"] and r["status"] in live)
        )
    else:
        checks.append(lambda r: not r["is_deleted"])
        if statuses:
            checks.append(lambda r: r["status"] in statuses)
    if spec.owner_filter and (owner := _int_filter(query, "owner_id")) is not None:
        checks.append(lambda r: r.get("owner_id") == owner)
    for name, key in _FILTERS[spec.plural].items():
        if (wanted := _int_filter(query, name)) is not None:
            checks.append(lambda r, key=key, wanted=wanted: r.get(key) == wanted)
    if spec.name == "activity" and query.get("done") not in (None, ""):
        done = flag(query, "done")
        checks.append(lambda r: r["done"] == done)
    if query.get("updated_since"):
        since = parse_time(query["updated_since"])
        checks.append(lambda r: r["update_time"] >= since)
    if query.get("updated_until"):
        until = parse_time(query["updated_until"])
        checks.append(lambda r: r["update_time"] < until)
    if len(checks) == 1:
        return checks[0]
    return lambda r: all(check(r) for check in checks)


def _ids(query: dict[str, str]) -> list[int] | None:
    if not query.get("ids"):
        return None
    try:
        ids = [int(part) for part in query["ids"].split(",") if part.strip()]
    except ValueError as error:
        raise ValidationError("ids must be a comma-separated list of integers") from error
    if len(ids) > 100:
        raise ValidationError("ids accepts at most 100 ids")
    return ids


def _render_options(state: CompanyState, spec: EntitySpec, query: dict[str, str]) -> dict[str, Any]:
    only = None
    if query.get("custom_fields"):
        only = set(query["custom_fields"].split(","))
        if len(only) > 15:
            raise ValidationError("custom_fields accepts at most 15 keys")
    attendees = spec.name == "activity" and "attendees" in query.get("include_fields", "").split(",")
    return {"only_custom": only, "with_labels": flag(query, "include_option_labels"), "attendees": attendees}


def list_records(state: CompanyState, request: Request, plural: str, *, archived: bool = False) -> Response:
    spec, query = SPECS[plural], request.query
    limit = int_query(query, "limit", 100, low=1, high=500)
    sort_by = query.get("sort_by") or "id"
    if sort_by not in spec.sortable:
        raise ValidationError(f"sort_by must be one of {', '.join(spec.sortable)}")
    direction = query.get("sort_direction") or "asc"
    if direction not in ("asc", "desc"):
        raise ValidationError("sort_direction must be asc or desc")
    predicate = _predicate(spec, query, archived=archived, is_purged=state.is_purged)
    options = _render_options(state, spec, query)
    table = state.tables[plural]
    try:
        records, next_cursor = table.page(
            sort_by=sort_by,
            direction=direction,
            limit=limit,
            cursor=query.get("cursor"),
            predicate=predicate,
            candidates=_ids(query),
        )
    except CursorError as error:
        raise ValidationError(str(error)) from error
    custom = state.custom(spec.name)
    if not any(options.values()):
        # The common case (every extraction page): splice the cached JSON of each record.
        parts = b",".join([v2_json(spec, record, custom) for record in records])
        tail = dumps({"next_cursor": next_cursor})
        return Response(200, b'{"success":true,"data":[' + parts + b'],"additional_data":' + tail + b"}")
    data = [render_v2(spec, record, custom, **options) for record in records]
    return ok(data, {"next_cursor": next_cursor})


def get_record(state: CompanyState, request: Request, plural: str) -> Response:
    spec = SPECS[plural]
    record = state.tables[plural].get(request.int_param("id"))
    if record is None or state.is_purged(record):
        raise HttpError(404, "Entity was not found")
    return ok(render_v2(spec, record, state.custom(spec.name), **_render_options(state, spec, request.query)))


def create_record(state: CompanyState, request: Request, plural: str) -> Response:
    spec = SPECS[plural]
    record = writes.create(state, spec, request.json(), user_id=request.user_id)
    return ok(render_v2(spec, record, state.custom(spec.name)))


def update_record(state: CompanyState, request: Request, plural: str) -> Response:
    spec = SPECS[plural]
    try:
        record = writes.update(state, spec, request.int_param("id"), request.json(), user_id=request.user_id)
    except writes.NotFound as error:
        raise HttpError(404, "Entity was not found") from error
    return ok(render_v2(spec, record, state.custom(spec.name)))


def delete_record(state: CompanyState, request: Request, plural: str) -> Response:
    try:
        record = writes.delete(state, SPECS[plural], request.int_param("id"), user_id=request.user_id)
    except writes.NotFound as error:
        raise HttpError(404, "Entity was not found") from error
    return ok({"id": record["id"]})


def list_fields(state: CompanyState, request: Request, collection: str) -> Response:
    definitions = state.fields.by_entity[FIELD_ENTITIES[collection]]
    limit = int_query(request.query, "limit", 100, low=1, high=500)
    start = 0
    if request.query.get("cursor"):
        try:
            start = int(decode_cursor(request.query["cursor"])["fieldValue"])
        except (CursorError, ValueError) as error:
            raise ValidationError("Invalid cursor") from error
    include = set(request.query.get("include_fields", "").split(","))
    page = definitions[start : start + limit]
    end = start + len(page)
    next_cursor = encode_cursor("order", end, "asc", page[-1].id) if end < len(definitions) else None
    return ok([fielddefs.render_v2(d, include) for d in page], {"next_cursor": next_cursor})


def get_field(state: CompanyState, request: Request, collection: str) -> Response:
    definition = state.fields.find(FIELD_ENTITIES[collection], request.params["code"])
    if definition is None:
        raise HttpError(404, "Entity was not found")
    include = set(request.query.get("include_fields", "").split(","))
    return ok(fielddefs.render_v2(definition, include))
