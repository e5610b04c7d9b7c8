"""Seeding: deterministic data, custom fields of every type, deals with their past, search by external id."""

from __future__ import annotations

import re

import httpx

from pipedrive_etl.sandbox import FakeClock, Sandbox, seed_pipedrive
from pipedrive_etl.sandbox.customfields import CUSTOM_TYPES
from pipedrive_etl.sandbox.seed import SeedResult
from pipedrive_etl.sandbox.seed_fields import LEAD_ID_FIELD_NAME

from .conftest import TOKEN, make_client


def _dump(seed: int) -> list[bytes]:
    sandbox = Sandbox(plan="ultimate", clock=FakeClock())
    seed_pipedrive(sandbox, persons=30, seed=seed)
    client = make_client(sandbox, **{"x-api-token": TOKEN})
    paths = (
        "/api/v2/persons",
        "/api/v2/organizations",
        "/api/v2/deals",
        "/api/v2/activities",
        "/api/v2/personFields",
        "/v1/deals/3/changelog",
    )
    return [client.get(path, params={"limit": 100} if "v2" in path else {}).content for path in paths]


def test_the_same_seed_gives_the_same_company_byte_for_byte() -> None:
    assert _dump(5) == _dump(5)


def test_another_seed_gives_other_data() -> None:
    assert _dump(5)[0] != _dump(6)[0]


def test_persons_organizations_and_deals_have_a_custom_field_of_every_type(
    client: httpx.Client, seeded: SeedResult
) -> None:
    for collection in ("personFields", "organizationFields", "dealFields"):
        fields = client.get(f"/api/v2/{collection}").json()["data"]
        custom = [f for f in fields if f["is_custom_field"]]
        assert set(CUSTOM_TYPES) <= {f["field_type"] for f in custom}
        assert all(re.fullmatch(r"[0-9a-f]{40}", f["field_code"]) for f in custom)


def test_persons_have_the_coldcopy_lead_id_external_field(client: httpx.Client, seeded: SeedResult) -> None:
    field = client.get(f"/api/v2/personFields/{seeded.lead_id_field_key}").json()["data"]
    assert (field["field_name"], field["field_type"]) == (LEAD_ID_FIELD_NAME, "varchar")


def test_seeded_deals_carry_their_stage_moves_in_the_changelog(
    client: httpx.Client, sandbox: Sandbox, seeded: SeedResult
) -> None:
    deal = next(d for d in sandbox.state.tables["deals"].rows.values() if d["stage_change_time"])
    changelog = client.get(f"/v1/deals/{deal['id']}/changelog").json()["data"]
    moves = [row for row in changelog if row["field_key"] == "stage_id"]
    assert moves[0]["new_value"] == str(deal["stage_id"])
    assert moves[0]["time"] == deal["stage_change_time"].strftime("%Y-%m-%d %H:%M:%S")


def test_seeding_twice_into_one_sandbox_is_refused(sandbox: Sandbox, seeded: SeedResult) -> None:
    try:
        seed_pipedrive(sandbox, persons=5)
    except ValueError as error:
        assert "empty" in str(error)
    else:
        raise AssertionError("seeding a seeded sandbox should fail")


def test_some_seeded_persons_share_an_email_like_crm_duplicates(sandbox: Sandbox, seeded: SeedResult) -> None:
    persons = sandbox.state.tables["persons"].rows
    original, duplicate = seeded.duplicate_email_person_ids[0]
    assert persons[original]["emails"][0]["value"] == persons[duplicate]["emails"][0]["value"]


def test_item_search_finds_a_person_by_the_exact_external_id(
    client: httpx.Client, seeded: SeedResult
) -> None:
    key = seeded.lead_id_field_key
    client.patch("/api/v2/persons/17", json={"custom_fields": {key: "lead-0017"}})
    params = {"term": "lead-0017", "item_types": "person", "fields": "custom_fields", "exact_match": "true"}
    items = client.get("/api/v2/itemSearch", params=params).json()["data"]["items"]
    assert [(i["item"]["type"], i["item"]["id"]) for i in items] == [("person", 17)]


def test_item_search_finds_persons_by_email_case_insensitively(
    client: httpx.Client, sandbox: Sandbox, seeded: SeedResult
) -> None:
    email = sandbox.state.tables["persons"].rows[9]["emails"][0]["value"]
    params = {"term": email.upper(), "item_types": "person", "fields": "email", "exact_match": "true"}
    items = client.get("/api/v2/itemSearch", params=params).json()["data"]["items"]
    assert 9 in [item["item"]["id"] for item in items]
    assert items[0]["item"]["emails"] and items[0]["result_score"] == 1.0


def test_person_search_skips_deleted_persons(client: httpx.Client, seeded: SeedResult) -> None:
    client.patch("/api/v2/persons/3", json={"name": "Zyxwv Unique"})
    client.delete("/api/v2/persons/3")
    assert client.get("/api/v2/persons/search", params={"term": "zyxwv"}).json()["data"]["items"] == []


def test_search_terms_need_two_characters_without_exact_match(client: httpx.Client) -> None:
    assert client.get("/api/v2/itemSearch", params={"term": "a"}).status_code == 400
    assert client.get("/api/v2/itemSearch", params={"term": "a", "exact_match": "true"}).status_code == 200
