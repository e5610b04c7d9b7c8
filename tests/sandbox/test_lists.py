"""v2 lists: cursor pagination, filters and sorting (pipedrive-api.md §3.2-§3.3)."""

from __future__ import annotations

import base64
import json
from datetime import timedelta

import httpx

from pipedrive_etl.sandbox import FakeClock, Sandbox
from pipedrive_etl.sandbox.seed import SeedResult


def _all(client: httpx.Client, path: str, **params: object) -> list[dict]:
    items, cursor = [], None
    while True:
        body = client.get(path, params={**params, **({"cursor": cursor} if cursor else {})}).json()
        items += body["data"]
        cursor = body["additional_data"]["next_cursor"]
        if cursor is None:
            return items


def test_list_follows_next_cursor_until_null_and_returns_every_person_once(
    client: httpx.Client, seeded: SeedResult
) -> None:
    ids = [person["id"] for person in _all(client, "/api/v2/persons", limit=7)]
    assert ids == list(range(1, seeded.persons + 1))


def test_default_page_is_100_and_the_last_page_has_a_null_cursor(
    client: httpx.Client, seeded: SeedResult
) -> None:
    first = client.get("/api/v2/persons").json()
    second = client.get("/api/v2/persons", params={"cursor": first["additional_data"]["next_cursor"]}).json()
    assert (len(first["data"]), len(second["data"]), second["additional_data"]["next_cursor"]) == (
        100,
        20,
        None,
    )


def test_next_cursor_is_base64url_json_like_pipedrives(client: httpx.Client, seeded: SeedResult) -> None:
    cursor = client.get("/api/v2/persons", params={"limit": 7}).json()["additional_data"]["next_cursor"]
    payload = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    assert payload == {"field": "id", "fieldValue": 7, "sortDirection": "asc", "id": 7}


def test_updated_since_is_inclusive_and_updated_until_exclusive(
    client: httpx.Client, sandbox: Sandbox, clock: FakeClock
) -> None:
    for name in ("Ann Lee", "Bo Kim", "Cy Day"):
        client.post("/api/v2/persons", json={"name": name})
        clock.advance(60)
    since, until = "2026-09-01T09:01:00Z", "2026-09-01T09:02:00Z"
    names = [p["name"] for p in _all(client, "/api/v2/persons", updated_since=since, updated_until=until)]
    assert names == ["Bo Kim"]


def test_sort_by_update_time_desc_lists_the_latest_change_first(
    client: httpx.Client, seeded: SeedResult, clock: FakeClock
) -> None:
    clock.advance(5)
    client.patch("/api/v2/persons/42", json={"name": "Latest Change"})
    items = _all(client, "/api/v2/persons", sort_by="update_time", sort_direction="desc", limit=50)
    times = [item["update_time"] for item in items]
    assert items[0]["id"] == 42 and times == sorted(times, reverse=True) and len(items) == seeded.persons


def test_ids_filter_returns_only_those_records(client: httpx.Client, seeded: SeedResult) -> None:
    body = client.get("/api/v2/deals", params={"ids": "9,3,5"}).json()
    assert [deal["id"] for deal in body["data"]] == [3, 5, 9]


def test_owner_and_pipeline_filters_combine(
    client: httpx.Client, sandbox: Sandbox, seeded: SeedResult
) -> None:
    deals = [d for d in sandbox.state.tables["deals"].rows.values() if not d["is_archived"]]
    owner = deals[0]["owner_id"]
    expected = sorted(d["id"] for d in deals if d["owner_id"] == owner and d["pipeline_id"] == 1)
    items = _all(client, "/api/v2/deals", owner_id=owner, pipeline_id=1)
    assert [d["id"] for d in items] == expected and expected


def test_deal_status_filter_takes_a_comma_list(client: httpx.Client, seeded: SeedResult) -> None:
    statuses = {deal["status"] for deal in _all(client, "/api/v2/deals", status="won,lost")}
    assert statuses == {"won", "lost"}


def test_archived_deals_are_listed_only_under_deals_archived(
    client: httpx.Client, sandbox: Sandbox, seeded: SeedResult
) -> None:
    client.patch("/api/v2/deals/4", json={"is_archived": True})
    archived = [d["id"] for d in _all(client, "/api/v2/deals/archived")]
    listed = [d["id"] for d in _all(client, "/api/v2/deals")]
    assert 4 in archived and 4 not in listed


def test_stages_filter_by_pipeline_and_sort_by_order_nr(client: httpx.Client, seeded: SeedResult) -> None:
    body = client.get(
        "/api/v2/stages", params={"pipeline_id": 2, "sort_by": "order_nr", "sort_direction": "desc"}
    )
    assert [stage["id"] for stage in body.json()["data"]] == list(reversed(seeded.stage_ids[2]))


def test_custom_fields_parameter_limits_the_custom_keys_returned(
    client: httpx.Client, seeded: SeedResult
) -> None:
    key = seeded.custom_fields["person"]["enum"]
    person = client.get("/api/v2/persons/1", params={"custom_fields": key}).json()["data"]
    assert list(person["custom_fields"]) == [key]


def test_include_option_labels_returns_enum_values_with_their_label(
    client: httpx.Client, sandbox: Sandbox, seeded: SeedResult
) -> None:
    key = seeded.custom_fields["person"]["enum"]
    option = sandbox.state.custom("person")[key].options[1]
    client.patch("/api/v2/persons/1", json={"custom_fields": {key: option["id"]}})
    person = client.get("/api/v2/persons/1", params={"include_option_labels": "true"}).json()["data"]
    assert person["custom_fields"][key] == option


def test_limit_above_500_is_refused_with_400(client: httpx.Client, seeded: SeedResult) -> None:
    response = client.get("/api/v2/persons", params={"limit": 501})
    assert (response.status_code, response.json()["success"]) == (400, False)


def test_a_cursor_from_another_sort_order_is_refused(client: httpx.Client, seeded: SeedResult) -> None:
    cursor = client.get("/api/v2/persons", params={"limit": 5}).json()["additional_data"]["next_cursor"]
    response = client.get("/api/v2/persons", params={"cursor": cursor, "sort_by": "update_time"})
    assert response.status_code == 400


def test_unknown_sort_field_is_refused(client: httpx.Client) -> None:
    assert client.get("/api/v2/persons", params={"sort_by": "name"}).status_code == 400


def test_more_than_100_ids_are_refused(client: httpx.Client) -> None:
    ids = ",".join(str(i) for i in range(1, 102))
    assert client.get("/api/v2/persons", params={"ids": ids}).status_code == 400


def test_listing_after_a_write_moves_the_record_in_the_update_time_order(
    client: httpx.Client, seeded: SeedResult, clock: FakeClock
) -> None:
    since = (clock.now() + timedelta(seconds=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    clock.advance(2)
    client.patch("/api/v2/deals/7", json={"title": "Moved"})
    items = _all(client, "/api/v2/deals", updated_since=since, sort_by="update_time")
    assert [deal["id"] for deal in items] == [7]
