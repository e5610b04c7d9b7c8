"""`/api/v2/itemSearch` and `/api/v2/{persons,organizations,deals}/search`.

What the writeback needs from search (DESIGN.md decision 7): find a person by the exact value of a custom
field (the "ColdCopy lead id" external id) or by email. Matching is case-insensitive; `exact_match=true`
compares whole values, otherwise the term may appear anywhere. `term` needs 2 characters (1 with
`exact_match`); `limit` is at most 100 (pipedrive-api.md §3.3). Results are ordered by score, then id.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Iterator
from typing import Any

from pipedrive_etl.sandbox.http import Request, Response, flag, int_query, ok
from pipedrive_etl.sandbox.state import CompanyState
from pipedrive_etl.sandbox.validation import ValidationError
from pipedrive_etl.sandbox.wireforms import v2_time

SEARCH_FIELDS = {
    "person": ("name", "email", "phone", "notes", "custom_fields"),
    "organization": ("name", "address", "notes", "custom_fields"),
    "deal": ("title", "notes", "custom_fields"),
}
_PLURAL = {"person": "persons", "organization": "organizations", "deal": "deals"}


def _texts(state: CompanyState, entity: str, record: dict[str, Any], field: str) -> Iterator[str]:
    """The searchable strings of one record in one search field."""
    if field in ("name", "title"):
        yield record.get(field) or ""
    elif field == "email":
        yield from (email["value"] for email in record.get("emails") or ())
    elif field == "phone":
        yield from (phone["value"] for phone in record.get("phones") or ())
    elif field == "address":
        yield (record.get("address") or {}).get("value") or ""
    elif field == "notes":
        yield record.get("notes") or ""
    elif field == "custom_fields":
        stored = record.get("custom_fields") or {}
        for key, definition in state.custom(entity).items():
            value = stored.get(key)
            if definition.searchable and value is not None:
                yield str(value["value"] if isinstance(value, dict) else value)


def _score(
    state: CompanyState, entity: str, record: dict, fields: tuple[str, ...], term: str, exact: bool
) -> float:
    best = 0.0
    for field in fields:
        for text in _texts(state, entity, record, field):
            folded = text.casefold()
            if folded == term:
                return 1.0
            if not exact and term in folded:
                best = max(best, 0.5)
    return best


def _item(state: CompanyState, entity: str, record: dict[str, Any]) -> dict[str, Any]:
    org = state.record("organizations", record.get("org_id"))
    organization = (
        {"id": org["id"], "name": org["name"], "address": (org.get("address") or {}).get("value")}
        if org
        else None
    )
    common = {
        "id": record["id"],
        "type": entity,
        "visible_to": record["visible_to"],
        "owner": {"id": record["owner_id"]},
        "notes": [record["notes"]] if record.get("notes") else [],
        "update_time": v2_time(record["update_time"]),
        "custom_fields": [
            str(v["value"] if isinstance(v, dict) else v)
            for v in (record.get("custom_fields") or {}).values()
            if v is not None
        ],
    }
    if entity == "person":
        emails = [email["value"] for email in record.get("emails") or ()]
        primary = next((e["value"] for e in record.get("emails") or () if e["primary"]), None)
        return {
            **common,
            "name": record["name"],
            "phones": [p["value"] for p in record.get("phones") or ()],
            "emails": emails,
            "primary_email": primary,
            "organization": organization,
        }
    if entity == "organization":
        return {**common, "name": record["name"], "address": (record.get("address") or {}).get("value")}
    stage = state.record("stages", record["stage_id"])
    person = state.record("persons", record.get("person_id"))
    return {
        **common,
        "title": record["title"],
        "value": record["value"],
        "currency": record["currency"],
        "status": record["status"],
        "stage": {"id": stage["id"], "name": stage["name"]} if stage else None,
        "person": {"id": person["id"], "name": person["name"]} if person else None,
        "organization": organization,
    }


def _offset(cursor: str | None) -> int:
    if not cursor:
        return 0
    try:
        return int(json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))["start"])
    except (binascii.Error, ValueError, KeyError, TypeError) as error:
        raise ValidationError("Invalid cursor") from error


def _search(state: CompanyState, request: Request, entities: tuple[str, ...]) -> tuple[list, str | None]:
    query = request.query
    term = (query.get("term") or "").strip().casefold()
    exact = flag(query, "exact_match")
    if len(term) < (1 if exact else 2):
        raise ValidationError("term must be at least 2 characters long (1 with exact_match)")
    limit = int_query(query, "limit", 100, low=1, high=100)
    wanted = tuple(filter(None, query.get("fields", "").split(",")))
    hits = []
    for entity in entities:
        fields = tuple(f for f in wanted if f in SEARCH_FIELDS[entity]) if wanted else SEARCH_FIELDS[entity]
        for record in state.tables[_PLURAL[entity]].rows.values():
            if record["is_deleted"] or (
                entity == "person"
                and query.get("organization_id")
                and str(record.get("org_id")) != query["organization_id"]
            ):
                continue
            score = _score(state, entity, record, fields, term, exact)
            if score:
                hits.append((-score, entity, record["id"], record))
    hits.sort(key=lambda hit: hit[:3])
    start = _offset(query.get("cursor"))
    page = hits[start : start + limit]
    items = [
        {"result_score": -score, "item": _item(state, entity, record)} for score, entity, _, record in page
    ]
    more = start + limit < len(hits)
    next_cursor = (
        base64.urlsafe_b64encode(json.dumps({"start": start + limit}).encode()).decode() if more else None
    )
    return items, next_cursor


def item_search(state: CompanyState, request: Request) -> Response:
    types = tuple(filter(None, request.query.get("item_types", "").split(","))) or tuple(SEARCH_FIELDS)
    unknown = [t for t in types if t not in SEARCH_FIELDS]
    if unknown:
        raise ValidationError(f"item_types not searchable in the sandbox: {', '.join(unknown)}")
    items, next_cursor = _search(state, request, types)
    return ok({"items": items, "related_items": []}, {"next_cursor": next_cursor})


def entity_search(state: CompanyState, request: Request, entity: str) -> Response:
    items, next_cursor = _search(state, request, (entity,))
    return ok({"items": items}, {"next_cursor": next_cursor})
