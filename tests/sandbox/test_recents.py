"""`/v1/recents`: v1-shaped items changed since a timestamp, oldest first, one month back at most."""

from __future__ import annotations

import httpx

from pipedrive_etl.sandbox import FakeClock


def test_recents_lists_changes_since_the_timestamp_oldest_first_in_v1_shape(
    client: httpx.Client, clock: FakeClock
) -> None:
    client.post("/api/v2/organizations", json={"name": "Acme"})
    clock.advance(60)
    client.post("/api/v2/persons", json={"name": "Ann", "org_id": 1})
    body = client.get("/v1/recents", params={"since_timestamp": "2026-09-01 09:00:30"}).json()
    person = body["data"][0]
    assert [(item["item"], item["id"]) for item in body["data"]] == [("person", 1)]
    assert (
        person["data"]["active_flag"],
        person["data"]["org_id"]["value"],
        person["data"]["visible_to"],
    ) == (True, 1, "3")
    assert body["additional_data"]["last_timestamp_on_page"] == "2026-09-01 09:01:00"


def test_recents_sees_one_month_back_only(client: httpx.Client, clock: FakeClock) -> None:
    client.post("/api/v2/persons", json={"name": "Old"})
    clock.advance(31 * 86_400)
    client.post("/api/v2/persons", json={"name": "New"})
    body = client.get("/v1/recents", params={"since_timestamp": "2026-01-01 00:00:00"}).json()
    assert [item["data"]["name"] for item in body["data"]] == ["New"]


def test_recents_pages_with_start_and_reports_more_items(client: httpx.Client) -> None:
    for name in ("A", "B", "C"):
        client.post("/api/v2/persons", json={"name": name})
    body = client.get("/v1/recents", params={"since_timestamp": "2026-09-01 00:00:00", "limit": 2}).json()
    assert body["additional_data"]["pagination"] == {
        "start": 0,
        "limit": 2,
        "more_items_in_collection": True,
        "next_start": 2,
    }


def test_recents_requires_since_timestamp(client: httpx.Client) -> None:
    assert client.get("/v1/recents").status_code == 400
