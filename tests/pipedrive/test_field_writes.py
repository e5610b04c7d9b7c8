"""Creating custom fields and adding options: what the client sends, what a lost response raises, and what the
write models refuse before anything is sent (respx; no network)."""

from __future__ import annotations

import json

import httpx
import pytest
from pydantic import ValidationError

from pipedrive_etl.pipedrive import OutcomeUnknownError, token_cost
from pipedrive_etl.pipedrive.field_writes import FieldCreate, FieldOptionsAdd

BASE = "https://acme.pipedrive.com"
KEY = "946947d1b02fd3ef20798d6112ec5d895a686a21"
CREATED = {"field_name": "Lead Source", "field_code": KEY, "description": "", "field_type": "enum",
           "options": [{"id": 1, "label": "Inbound"}, {"id": 2, "label": "Outbound"}], "subfields": None,
           "is_custom_field": True, "is_optional_response_field": False}


def test_create_field_posts_name_type_and_option_labels_and_reads_the_new_key(client, api):
    route = api.post("/api/v2/personFields").mock(
        return_value=httpx.Response(200, json={"success": True, "data": CREATED}))
    created = client.create_field("person", FieldCreate.of("Lead Source", "enum", ["Inbound", "Outbound"]))
    assert json.loads(route.calls.last.request.content) == {
        "field_name": "Lead Source", "field_type": "enum",
        "options": [{"label": "Inbound"}, {"label": "Outbound"}]}
    assert (created.key, created.field_type, [o.label for o in created.options or []]) == (
        KEY, "enum", ["Inbound", "Outbound"])


def test_a_field_without_options_sends_no_options_key(client, api):
    route = api.post("/api/v2/dealFields").mock(return_value=httpx.Response(200, json={
        "success": True, "data": {**CREATED, "field_name": "Score", "field_type": "double",
                                  "options": None}}))
    client.create_field("deal", FieldCreate.of("Score", "double"))
    assert json.loads(route.calls.last.request.content) == {"field_name": "Score", "field_type": "double"}


def test_add_field_options_posts_a_bare_array_of_labels_and_returns_the_new_options(client, api):
    route = api.post(f"/api/v2/organizationFields/{KEY}/options").mock(return_value=httpx.Response(
        200, json={"success": True, "data": [{"id": 3, "label": "Referral"}], "additional_data": None}))
    added = client.add_field_options("organization", KEY, ["Referral"])
    assert json.loads(route.calls.last.request.content) == [{"label": "Referral"}]
    assert [(o.id, o.label) for o in added] == [(3, "Referral")]


@pytest.mark.parametrize("failure", [httpx.ReadTimeout("read timed out"), httpx.Response(502)])
def test_a_create_whose_outcome_is_unknown_raises_and_is_not_repeated(client, api, failure):
    route = api.post("/api/v2/personFields")
    if isinstance(failure, httpx.Response):
        route.mock(return_value=failure)
    else:
        route.mock(side_effect=failure)
    with pytest.raises(OutcomeUnknownError, match="POST /api/v2/personFields: outcome unknown"):
        client.create_field("person", FieldCreate.of("Nickname", "varchar"))
    assert route.call_count == 1


def test_an_option_add_whose_response_was_lost_raises_outcome_unknown(client, api):
    route = api.post(f"/api/v2/personFields/{KEY}/options").mock(
        side_effect=httpx.RemoteProtocolError("gone"))
    with pytest.raises(OutcomeUnknownError):
        client.add_field_options("person", KEY, ["Referral"])
    assert route.call_count == 1


def test_a_create_that_never_left_is_sent_again(client, api):
    route = api.post("/api/v2/personFields").mock(side_effect=[
        httpx.ConnectError("refused"), httpx.Response(200, json={"success": True, "data": CREATED})])
    assert client.create_field("person", FieldCreate.of("Lead Source", "enum", ["Inbound"])).key == KEY
    assert route.call_count == 2


@pytest.mark.parametrize(("values", "message"), [
    ({"field_name": "Tier", "field_type": "enum"}, "needs at least one option"),
    ({"field_name": "Tier", "field_type": "varchar", "options": [{"label": "a"}]}, "only for enum and set"),
    ({"field_name": "Count", "field_type": "int"}, "field_type"),
    ({"field_name": "", "field_type": "varchar"}, "field_name"),
    ({"field_name": "Tier", "field_type": "set", "options": [{"label": ""}]}, "label"),
    ({"field_name": "Tier", "field_type": "varchar", "field_key": "x"}, "field_key"),
])
def test_the_write_model_refuses_what_pipedrive_would(values, message):
    with pytest.raises(ValidationError, match=message):
        FieldCreate.model_validate(values)


def test_adding_no_options_is_refused_before_sending(client, api):
    with pytest.raises(ValidationError):
        client.add_field_options("person", KEY, [])
    assert FieldOptionsAdd.of(["a", "b"]).to_body() == [{"label": "a"}, {"label": "b"}]


@pytest.mark.parametrize("path", ["/api/v2/personFields", "/api/v2/dealFields",
                                  f"/api/v2/organizationFields/{KEY}/options"])
def test_field_creates_and_option_adds_are_charged_five_tokens(path):
    assert token_cost("POST", path) == 5
