"""Writes: `update_time`, soft delete and purge, deal stage moves (changelog, flow, `stage_change_time`)."""

from __future__ import annotations

import httpx

from pipedrive_etl.sandbox import FakeClock, Sandbox
from pipedrive_etl.sandbox.seed import SeedResult


def test_update_time_moves_to_the_clock_on_every_write(
    client: httpx.Client, seeded: SeedResult, clock: FakeClock
) -> None:
    clock.advance(90)
    person = client.patch("/api/v2/persons/2", json={"name": "New Name"}).json()["data"]
    assert person["update_time"] == "2026-09-01T09:01:30Z"


def test_create_answers_the_v2_record_with_add_time_and_update_time_now(client: httpx.Client) -> None:
    org = client.post("/api/v2/organizations", json={"name": "Acme"}).json()["data"]
    assert (org["id"], org["add_time"], org["update_time"], org["is_deleted"]) == (
        1,
        "2026-09-01T09:00:00Z",
        "2026-09-01T09:00:00Z",
        False,
    )


def test_delete_is_soft_answers_the_id_and_drops_the_record_from_lists(
    client: httpx.Client, seeded: SeedResult
) -> None:
    deleted = client.delete("/api/v2/persons/5")
    listed = [p["id"] for p in client.get("/api/v2/persons", params={"ids": "4,5,6"}).json()["data"]]
    assert deleted.json() == {"success": True, "data": {"id": 5}}
    assert listed == [4, 6]
    assert client.get("/api/v2/persons/5").json()["data"]["is_deleted"] is True


def test_a_deleted_record_cannot_be_patched_or_deleted_again(
    client: httpx.Client, seeded: SeedResult
) -> None:
    client.delete("/api/v2/organizations/3")
    assert client.patch("/api/v2/organizations/3", json={"name": "X"}).status_code == 404
    assert client.delete("/api/v2/organizations/3").status_code == 404


def test_deleted_deals_are_listed_under_status_deleted_for_30_days_then_purged(
    client: httpx.Client, seeded: SeedResult, clock: FakeClock
) -> None:
    client.delete("/api/v2/deals/8")
    listed = [d["id"] for d in client.get("/api/v2/deals", params={"status": "deleted"}).json()["data"]]
    clock.advance(31 * 86_400)
    assert listed == [8]
    assert client.get("/api/v2/deals", params={"status": "deleted"}).json()["data"] == []
    assert client.get("/api/v2/deals/8").status_code == 404


def test_a_stage_move_writes_changelog_flow_and_stage_change_time(
    client: httpx.Client, sandbox: Sandbox, seeded: SeedResult, clock: FakeClock
) -> None:
    deal = client.post("/api/v2/deals", json={"title": "Move me", "stage_id": seeded.stage_ids[1][0]}).json()[
        "data"
    ]
    clock.advance(3600)
    moved = client.patch(f"/api/v2/deals/{deal['id']}", json={"stage_id": seeded.stage_ids[1][2]}).json()[
        "data"
    ]
    changelog = client.get(f"/v1/deals/{deal['id']}/changelog").json()["data"]
    flow = client.get(f"/v1/deals/{deal['id']}/flow").json()["data"]
    assert moved["stage_change_time"] == "2026-09-01T10:00:00Z"
    assert changelog[0] | {"change_source_user_agent": None} == {
        "field_key": "stage_id",
        "old_value": str(seeded.stage_ids[1][0]),
        "new_value": str(seeded.stage_ids[1][2]),
        "actor_user_id": sandbox.admin_user_id,
        "time": "2026-09-01 10:00:00",
        "change_source": "api",
        "change_source_user_agent": None,
        "is_bulk_update_flag": False,
    }
    assert [(r["data"]["field_key"], r["data"]["new_value"]) for r in flow] == [
        ("stage_id", seeded.stage_ids[1][2]),
        ("add_time", "2026-09-01 09:00:00"),
    ]


def test_a_stage_in_another_pipeline_moves_the_deal_there(client: httpx.Client, seeded: SeedResult) -> None:
    deal = client.patch("/api/v2/deals/1", json={"stage_id": seeded.stage_ids[2][1]}).json()["data"]
    assert deal["pipeline_id"] == 2


def test_winning_a_deal_sets_won_and_close_time(client: httpx.Client, seeded: SeedResult) -> None:
    deal = client.post("/api/v2/deals", json={"title": "Win me"}).json()["data"]
    won = client.patch(f"/api/v2/deals/{deal['id']}", json={"status": "won"}).json()["data"]
    assert (won["won_time"], won["close_time"], won["local_won_date"]) == (
        "2026-09-01T09:00:00Z",
        "2026-09-01T09:00:00Z",
        "2026-09-01",
    )


def test_changelog_pages_with_a_cursor_newest_first(
    client: httpx.Client, seeded: SeedResult, clock: FakeClock
) -> None:
    deal = client.post("/api/v2/deals", json={"title": "A"}).json()["data"]
    for title in ("B", "C", "D"):
        clock.advance(60)
        client.patch(f"/api/v2/deals/{deal['id']}", json={"title": title})
    first = client.get(f"/v1/deals/{deal['id']}/changelog", params={"limit": 2}).json()
    second = client.get(
        f"/v1/deals/{deal['id']}/changelog",
        params={"limit": 2, "cursor": first["additional_data"]["next_cursor"]},
    ).json()
    assert [row["new_value"] for row in first["data"] + second["data"]] == [
        "D",
        "C",
        "B",
        "2026-09-01 09:00:00",
    ]
    assert second["additional_data"]["next_cursor"] is None


def test_flow_hides_custom_field_changes_unless_all_changes(client: httpx.Client, seeded: SeedResult) -> None:
    key = seeded.custom_fields["deal"]["double"]
    deal = client.post("/api/v2/deals", json={"title": "Custom"}).json()["data"]
    client.patch(f"/api/v2/deals/{deal['id']}", json={"custom_fields": {key: 12.5}})
    plain = client.get(f"/v1/deals/{deal['id']}/flow").json()["data"]
    everything = client.get(f"/v1/deals/{deal['id']}/flow", params={"all_changes": 1}).json()["data"]
    assert key not in [r["data"]["field_key"] for r in plain]
    assert (key, 12.5) in [(r["data"]["field_key"], r["data"]["new_value"]) for r in everything]


def test_v1_routes_answer_on_api_v1_too(client: httpx.Client, sandbox: Sandbox) -> None:
    assert client.get("/api/v1/users/me").json()["data"]["id"] == sandbox.admin_user_id


def test_a_known_path_with_the_wrong_method_answers_405(client: httpx.Client) -> None:
    response = client.put("/api/v2/persons/1", json={"name": "x"})
    assert (response.status_code, response.headers["allow"]) == (405, "DELETE, GET, PATCH")
