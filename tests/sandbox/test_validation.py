"""v2 write validation (pipedrive-api.md §5-§7): what Pipedrive refuses with 400, and what it fills in."""

from __future__ import annotations

import httpx
import pytest

from pipedrive_etl.sandbox import Sandbox
from pipedrive_etl.sandbox.seed import SeedResult


def _error(response: httpx.Response) -> str:
    body = response.json()
    assert response.status_code == 400
    assert body["success"] is False and body["data"] is None and body["additional_data"] is None
    return body["error"]


@pytest.mark.parametrize(
    "body",
    [
        {"name": "Ann", "owner_id": "1000001"},
        {"name": "Ann", "visible_to": "3"},
        {"name": "Ann", "org_id": "1"},
    ],
)
def test_numbers_sent_as_strings_are_refused(client: httpx.Client, seeded: SeedResult, body: dict) -> None:
    assert "must be" in _error(client.post("/api/v2/persons", json=body))


def test_booleans_must_be_true_or_false_not_1(client: httpx.Client, seeded: SeedResult) -> None:
    assert "boolean" in _error(client.patch("/api/v2/activities/1", json={"done": 1}))


def test_a_person_needs_a_name_or_both_first_and_last_name(client: httpx.Client) -> None:
    assert "first_name" in _error(client.post("/api/v2/persons", json={"first_name": "Ann"}))


def test_first_and_last_name_make_the_name(client: httpx.Client) -> None:
    person = client.post("/api/v2/persons", json={"first_name": "Ann", "last_name": "Lee"}).json()["data"]
    assert person["name"] == "Ann Lee"


def test_a_name_cannot_be_emptied(client: httpx.Client, seeded: SeedResult) -> None:
    assert "empty" in _error(client.patch("/api/v2/persons/1", json={"name": ""}))


def test_empty_array_is_refused_for_a_set_field_and_null_clears_it(
    client: httpx.Client, seeded: SeedResult
) -> None:
    key = seeded.custom_fields["person"]["set"]
    refused = client.patch("/api/v2/persons/1", json={"custom_fields": {key: []}})
    cleared = client.patch("/api/v2/persons/1", json={"custom_fields": {key: None}})
    assert "null, not []" in _error(refused)
    assert cleared.json()["data"]["custom_fields"][key] is None


def test_an_enum_value_must_be_one_of_its_option_ids(client: httpx.Client, seeded: SeedResult) -> None:
    key = seeded.custom_fields["deal"]["enum"]
    assert "options" in _error(client.patch("/api/v2/deals/1", json={"custom_fields": {key: 999999}}))


def test_an_unknown_custom_field_key_is_refused(client: httpx.Client, seeded: SeedResult) -> None:
    body = {"custom_fields": {"0" * 40: "x"}}
    assert "not a custom field" in _error(client.patch("/api/v2/persons/1", json=body))


def test_emails_must_be_objects_not_strings(client: httpx.Client) -> None:
    assert "objects" in _error(
        client.post("/api/v2/persons", json={"name": "Ann", "emails": ["a@b.example"]})
    )


def test_only_one_email_may_be_primary(client: httpx.Client) -> None:
    emails = [{"value": "a@b.example", "primary": True}, {"value": "c@d.example", "primary": True}]
    assert "primary" in _error(client.post("/api/v2/persons", json={"name": "Ann", "emails": emails}))


def test_the_first_email_becomes_primary_with_label_work(client: httpx.Client) -> None:
    emails = [{"value": "a@b.example"}, {"value": "c@d.example", "label": "home"}]
    person = client.post("/api/v2/persons", json={"name": "Ann", "emails": emails}).json()["data"]
    assert person["emails"] == [
        {"value": "a@b.example", "primary": True, "label": "work"},
        {"value": "c@d.example", "primary": False, "label": "home"},
    ]


def test_unknown_body_keys_are_refused(client: httpx.Client) -> None:
    assert "nmae" in _error(client.post("/api/v2/persons", json={"name": "Ann", "nmae": "typo"}))


def test_activity_person_id_is_read_only_and_follows_the_primary_participant(
    client: httpx.Client, seeded: SeedResult
) -> None:
    refused = client.post("/api/v2/activities", json={"subject": "Call", "person_id": 3})
    created = client.post(
        "/api/v2/activities",
        json={
            "subject": "Call",
            "participants": [{"person_id": 3, "primary": False}, {"person_id": 5, "primary": True}],
        },
    )
    assert "read-only" in _error(refused)
    assert created.json()["data"]["person_id"] == 5


def test_a_reference_to_a_missing_record_is_refused(client: httpx.Client, seeded: SeedResult) -> None:
    assert "does not exist" in _error(client.post("/api/v2/deals", json={"title": "X", "org_id": 99999}))


def test_lost_reason_needs_status_lost(client: httpx.Client, seeded: SeedResult) -> None:
    assert "lost" in _error(client.post("/api/v2/deals", json={"title": "X", "lost_reason": "Price"}))


def test_a_body_that_is_not_json_is_refused(client: httpx.Client) -> None:
    response = client.post("/api/v2/persons", content=b"name=Ann", headers={"content-type": "text/plain"})
    assert "JSON" in _error(response)


def test_a_stage_needs_a_name_and_a_pipeline(
    client: httpx.Client, sandbox: Sandbox, seeded: SeedResult
) -> None:
    assert "pipeline_id" in _error(client.post("/api/v2/stages", json={"name": "New"}))
