"""The `/api/v2` entity and field-definition endpoints: list, get, create, PATCH, soft delete.

Lists follow pipedrive-api.md §3.2-§3.3: cursor pages (default 100, max 500), `updated_since` inclusive and
`updated_until` exclusive, `ids` (at most 100), `owner_id`, `sort_by`/`sort_direction` and the per-entity
filters. Deleted records drop out of lists but stay readable by id until purged after 30 days; deals come
back under `status=deleted`. Archived deals live under `/deals/archived` only.

Custom fields are created with `POST /<entity>Fields` (person, organization and deal; activity fields are
read-only) and their options added with `POST /<entity>Fields/{field_code}/options`, a JSON array of
`{label}` that is applied whole or not at all and answers with the new options only (the v2 spec).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pipedrive_etl.sandbox import fielddefs, writes
from pipedrive_etl.sandbox.customfields import CUSTOM_TYPES, FieldDef
from pipedrive_etl.sandbox.entities import SPECS, EntitySpec
from pipedrive_etl.sandbox.http import HttpError, Request, Response, dumps, flag, int_query, json_response, ok
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


# Keys of the v2 create body (the spec's `addPersonField` schema, plus `description` that the fields carry).
_FIELD_BODY_KEYS = ("field_name", "field_type", "options", "description", "ui_visibility", "important_fields",
                    "required_fields")
_OPTION_TYPES = ("enum", "set")
_MAX_OPTIONS = 10_000  # "set and enum (<= 10,000 options)" (pipedrive-api.md §6)
_PLURAL_OF = {"person": "persons", "organization": "organizations", "deal": "deals"}


def _labels(value: Any, where: str) -> list[str]:
    if not isinstance(value, list) or not value:
        raise ValidationError(f"{where} must be a non-empty array of objects with a 'label'")
    labels = []
    for item in value:
        label = item.get("label") if isinstance(item, dict) else None
        if not isinstance(label, str) or not 1 <= len(label) <= 255:
            raise ValidationError(f"{where}[].label is required and must be a string of 1 to 255 characters")
        if set(item) - {"label"}:
            raise ValidationError(f"{where}[] accepts only 'label'")
        labels.append(label)
    return labels


def _field_body(body: Any) -> tuple[str, str, list[str] | None, str]:
    if not isinstance(body, dict):
        raise ValidationError("Request body must be a JSON object")
    unknown = sorted(set(body) - set(_FIELD_BODY_KEYS))
    if unknown:
        raise ValidationError(f"Unknown field(s): {', '.join(unknown)}")
    name, field_type = body.get("field_name"), body.get("field_type")
    if not isinstance(name, str) or not name.strip() or len(name) > 255:
        raise ValidationError("field_name is required and must be a string of 1 to 255 characters")
    if field_type not in CUSTOM_TYPES:
        raise ValidationError(f"field_type must be one of {', '.join(CUSTOM_TYPES)}")
    options = None
    if field_type in _OPTION_TYPES:
        # "Field options (required for enum and set field types)".
        options = _labels(body.get("options"), "options")
        if len(options) > _MAX_OPTIONS:
            raise ValidationError(f"options accepts at most {_MAX_OPTIONS} options")
    elif body.get("options") is not None:
        raise ValidationError(f"options are only accepted for enum and set fields, not {field_type}")
    description = body.get("description")
    if description is not None and not isinstance(description, str):
        raise ValidationError("description must be a string")
    return name, field_type, options, description or ""


def _writable_entity(collection: str) -> str:
    entity = FIELD_ENTITIES[collection]
    if entity not in _PLURAL_OF:
        raise HttpError(405, "Method not allowed")  # activityFields are read-only in v2
    return entity


def create_field(state: CompanyState, request: Request, collection: str) -> Response:
    entity = _writable_entity(collection)
    name, field_type, options, description = _field_body(request.json())
    definition = state.fields.add_custom(entity, name, field_type, created=state.now(), options=options)
    definition.description = description
    for record in state.tables[_PLURAL_OF[entity]].rows.values():
        record["_json"] = None  # every record's v2 form now carries one more custom field (null)
    return ok(fielddefs.render_v2(definition, {"ui_visibility", "important_fields", "required_fields"}))


def _custom_option_field(state: CompanyState, entity: str, code: str) -> FieldDef:
    definition = state.fields.find(entity, code)
    if definition is None:
        raise HttpError(404, "Entity was not found")
    if not definition.is_custom or definition.field_type not in _OPTION_TYPES:
        raise ValidationError(f"Field {code} does not support options: only custom enum and set fields do")
    return definition


def add_field_options(state: CompanyState, request: Request, collection: str) -> Response:
    entity = _writable_entity(collection)
    definition = _custom_option_field(state, entity, request.params["code"])
    labels = _labels(request.json(), "body")
    if len(definition.options or ()) + len(labels) > _MAX_OPTIONS:
        raise ValidationError(f"a field has at most {_MAX_OPTIONS} options")
    # Validated whole before anything is added: "all options are added or none are added".
    return json_response({"success": True, "data": state.fields.add_options(definition, labels),
                          "additional_data": None})
