"""The sandbox's field-create and option-add endpoints answer as Pipedrive's v2 spec does (plain httpx)."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from pipedrive_etl.sandbox import Sandbox

from .conftest import TOKEN


@pytest.fixture
def http(sandbox: Sandbox) -> Iterator[httpx.Client]:
    with httpx.Client(transport=sandbox.transport(), base_url="https://sandbox.pipedrive.com",
                      headers={"x-api-token": TOKEN}) as opened:
        yield opened


def test_a_created_field_gets_a_new_40_hex_key_and_is_listed(http: httpx.Client) -> None:
    answer = http.post("/api/v2/dealFields", json={"field_name": "Tier", "field_type": "set",
                                                   "options": [{"label": "Gold"}, {"label": "Silver"}]})
    assert answer.status_code == 200
    data = answer.json()["data"]
    key = data["field_code"]
    assert len(key) == 40 and int(key, 16) >= 0
    assert (data["field_name"], data["field_type"], data["is_custom_field"]) == ("Tier", "set", True)
    assert [o["label"] for o in data["options"]] == ["Gold", "Silver"]
    assert all(isinstance(o["id"], int) for o in data["options"])
    listed = http.get("/api/v2/dealFields", params={"limit": 500}).json()["data"]
    assert [f["field_code"] for f in listed if f["field_name"] == "Tier"] == [key]


def test_a_new_person_field_appears_on_every_person_as_null(http: httpx.Client, sandbox: Sandbox) -> None:
    person = http.post("/api/v2/persons", json={"name": "Ada"}).json()["data"]
    http.get("/api/v2/persons")  # the list caches each person's rendered JSON
    key = http.post("/api/v2/personFields", json={"field_name": "Nickname",
                                                  "field_type": "varchar"}).json()["data"]["field_code"]
    [listed] = http.get("/api/v2/persons").json()["data"]
    assert listed["id"] == person["id"] and listed["custom_fields"][key] is None
    written = http.patch(f"/api/v2/persons/{person['id']}", json={"custom_fields": {key: "Countess"}})
    assert written.json()["data"]["custom_fields"][key] == "Countess"


def test_adding_options_returns_only_the_new_ones_and_keeps_the_old(http: httpx.Client) -> None:
    key = http.post("/api/v2/personFields",
                    json={"field_name": "Tier", "field_type": "enum",
                          "options": [{"label": "Gold"}]}).json()["data"]["field_code"]
    answer = http.post(f"/api/v2/personFields/{key}/options", json=[{"label": "Silver"}, {"label": "Bronze"}])
    assert answer.status_code == 200 and answer.json()["additional_data"] is None
    assert [o["label"] for o in answer.json()["data"]] == ["Silver", "Bronze"]
    options = http.get(f"/api/v2/personFields/{key}").json()["data"]["options"]
    assert [o["label"] for o in options] == ["Gold", "Silver", "Bronze"]


@pytest.mark.parametrize(("body", "error"), [
    ({"field_name": "Tier", "field_type": "enum"}, "options must be a non-empty array"),
    ({"field_name": "Tier", "field_type": "varchar", "options": [{"label": "a"}]},
     "options are only accepted for enum and set fields"),
    ({"field_name": "Count", "field_type": "int"}, "field_type must be one of"),
    ({"field_name": "", "field_type": "varchar"}, "field_name is required"),
    ({"field_name": "Tier", "field_type": "varchar", "key": "x"}, "Unknown field(s): key"),
    ({"field_name": "Tier", "field_type": "set", "options": [{"label": ""}]}, "options[].label is required"),
])
def test_a_bad_create_is_a_400_in_the_standard_error_envelope(http: httpx.Client, body: dict,
                                                              error: str) -> None:
    answer = http.post("/api/v2/personFields", json=body)
    assert answer.status_code == 400
    envelope = answer.json()
    assert envelope["success"] is False and error in envelope["error"] and envelope["data"] is None


def test_options_are_refused_for_built_in_and_non_option_fields(http: httpx.Client) -> None:
    key = http.post("/api/v2/personFields",
                    json={"field_name": "Nick", "field_type": "varchar"}).json()["data"]
    assert http.post(f"/api/v2/personFields/{key['field_code']}/options",
                     json=[{"label": "a"}]).status_code == 400
    assert http.post("/api/v2/personFields/label_ids/options", json=[{"label": "a"}]).status_code == 400
    assert http.post("/api/v2/personFields/" + "f" * 40 + "/options",
                     json=[{"label": "a"}]).status_code == 404


def test_an_empty_option_list_adds_nothing_and_is_refused(http: httpx.Client) -> None:
    key = http.post("/api/v2/personFields",
                    json={"field_name": "Tier", "field_type": "enum",
                          "options": [{"label": "Gold"}]}).json()["data"]["field_code"]
    assert http.post(f"/api/v2/personFields/{key}/options", json=[]).status_code == 400
    assert http.post(f"/api/v2/personFields/{key}/options",
                     json=[{"label": "B"}, {"label": ""}]).status_code == 400
    assert [o["label"] for o in http.get(f"/api/v2/personFields/{key}").json()["data"]["options"]] == ["Gold"]


def test_activity_fields_cannot_be_created(http: httpx.Client) -> None:
    answer = http.post("/api/v2/activityFields", json={"field_name": "X", "field_type": "varchar"})
    assert answer.status_code == 405 and answer.headers["allow"] == "GET"


def test_creates_and_option_adds_are_charged_five_tokens(http: httpx.Client, sandbox: Sandbox) -> None:
    before = sandbox.tokens_used()
    key = http.post("/api/v2/organizationFields",
                    json={"field_name": "Tier", "field_type": "enum",
                          "options": [{"label": "A"}]}).json()["data"]["field_code"]
    assert sandbox.tokens_used() - before == 5
    http.post(f"/api/v2/organizationFields/{key}/options", json=[{"label": "B"}])
    assert sandbox.tokens_used() - before == 10
