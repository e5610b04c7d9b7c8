"""Parsing deliveries of both versions into one stored shape, and reading stage moves out of them."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from pipedrive_etl.webhooks import MalformedPayload, parse_event, stage_transition

from .conftest import fixture_bytes, v2_event


def test_a_v2_fixture_is_keyed_on_its_meta_id_with_its_timestamp() -> None:
    event = parse_event(fixture_bytes("pipedrive_webhook_v2_deal_change.json"))
    assert (event.event_id, event.version, event.action, event.entity, event.entity_id) == (
        "df47d877-b58c-4886-91cd-1aa83e1d7366", "2.0", "change", "deal", "8")
    assert event.occurred_at == datetime(2022, 11, 24, 15, 11, 55, 724000, tzinfo=UTC)


def test_the_body_is_kept_exactly_as_received() -> None:
    body = fixture_bytes("pipedrive_webhook_v2_person_change.json")  # with its tab-indented line
    assert parse_event(body).payload == body.decode()


def test_a_v1_fixture_gets_a_hash_key_and_its_action_renamed() -> None:
    event = parse_event(fixture_bytes("pipedrive_webhook_v1_deal_updated.json"))
    assert event.event_id.startswith("v1-") and len(event.event_id) == 43
    assert (event.version, event.action, event.entity, event.entity_id) == ("1.0", "change", "deal", "9")
    assert event.occurred_at == datetime(2025, 2, 17, 21, 22, 41, 322662, tzinfo=UTC)


def _key(payload: dict) -> str:
    return parse_event(json.dumps(payload).encode()).event_id


def test_a_v1_retry_hashes_to_the_same_key_as_the_first_attempt() -> None:
    first = json.loads(fixture_bytes("pipedrive_webhook_v1_deal_updated.json"))
    later_publish = first["meta"]["prepublish_timestamp"] + 33_000
    retry = {**first, "retry": 2, "meta": {**first["meta"], "prepublish_timestamp": later_publish}}
    assert _key(retry) == _key(first)


def test_two_v1_updates_of_one_deal_get_different_keys() -> None:
    first = json.loads(fixture_bytes("pipedrive_webhook_v1_deal_updated.json"))
    later = {**first, "meta": {**first["meta"], "timestamp_micro": first["meta"]["timestamp_micro"] + 1}}
    assert _key(later) != _key(first)


def test_a_v2_delete_caused_by_a_merge_names_the_survivor() -> None:
    event = parse_event(json.dumps(v2_event("person", "delete", 41, merged_to_id="40")).encode())
    assert (event.action, event.entity_id, event.merged_to_id) == ("delete", "41", "40")


def test_a_v1_merge_names_the_record_merged_away_and_the_survivor() -> None:
    body = {"v": 1, "event": "merged.person", "retry": 0,
            "meta": {"v": 1, "action": "merged", "object": "person", "id": 40, "company_id": 1, "user_id": 1,
                     "timestamp": 1_767_000_000},
            "current": {"id": 40, "name": "Ann", "merge_what_id": 41}, "previous": {"id": 40, "name": "Ann"}}
    event = parse_event(json.dumps(body).encode())
    assert (event.action, event.entity_id, event.merged_to_id) == ("merge", "41", "40")


@pytest.mark.parametrize(("body", "reason"), [
    (b"{not json", "not JSON"),
    (b"\xff\xfe", "not JSON"),
    (b"[1, 2]", "expected a JSON object, got list"),
    (b'{"data": {}}', "no 'meta' object"),
    (b'{"meta": {"action": "change", "entity": "deal"}}', "v2 payload: meta.id: Field required"),
    (json.dumps(v2_event(action="merged")).encode(), "v2 payload: unknown meta.action 'merged'"),
    (b'{"v": 1, "event": "x", "meta": {"action": "updated"}}', "v1 payload: meta.object: Field required"),
])
def test_malformed_bodies_are_rejected_with_a_reason(body: bytes, reason: str) -> None:
    with pytest.raises(MalformedPayload) as caught:
        parse_event(body)
    assert caught.value.reason.startswith(reason) and caught.value.status == 400


def test_a_v2_deal_change_with_stage_id_in_previous_is_a_stage_transition() -> None:
    payload = v2_event("deal", "change", 8, data={"id": 8, "stage_id": 3}, previous={"stage_id": 2})
    transition = stage_transition("2.0", "change", "deal", payload)
    assert (transition.deal_id, transition.old_stage_id, transition.new_stage_id) == (8, 2, 3)


def test_a_v2_deal_change_without_stage_id_in_previous_moves_nothing() -> None:
    payload = json.loads(fixture_bytes("pipedrive_webhook_v2_deal_change.json"))
    assert stage_transition("2.0", "change", "deal", payload) is None


def test_a_created_deal_enters_its_first_stage() -> None:
    payload = v2_event("deal", "create", 8, data={"id": 8, "stage_id": 1})
    transition = stage_transition("2.0", "create", "deal", payload)
    assert (transition.old_stage_id, transition.new_stage_id) == (None, 1)


def test_a_v1_deal_update_moves_a_stage_only_when_the_two_stage_ids_differ() -> None:
    payload = json.loads(fixture_bytes("pipedrive_webhook_v1_deal_updated.json"))
    assert stage_transition("1.0", "change", "deal", payload) is None  # both sides hold stage_id 1
    payload["current"]["stage_id"] = 4
    assert stage_transition("1.0", "change", "deal", payload).old_stage_id == 1


def test_a_stage_object_change_is_not_a_deal_stage_transition() -> None:
    payload = json.loads(fixture_bytes("pipedrive_webhook_v2_stage_change.json"))
    assert stage_transition("2.0", "change", "stage", payload) is None


def test_a_body_only_the_standard_json_parser_reads_is_still_accepted() -> None:
    # orjson refuses NaN, which Python's json (and so a receiver before orjson) accepted: no delivery is
    # refused now that was taken then.
    body = json.dumps(v2_event(event_id="nan-1", data={"id": 8, "score": float("nan")})).encode()
    assert b"NaN" in body
    event = parse_event(body)
    assert (event.event_id, event.payload) == ("nan-1", body.decode())
