"""Copying inbox events to the warehouse: faithful rows, stage moves, tombstones, moved links, repeatably."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from pipedrive_etl.warehouse import Warehouse, open_warehouse
from pipedrive_etl.webhooks import Inbox, copy_inbox_to_warehouse, parse_event

from .conftest import v2_event

NOW = datetime(2026, 9, 2, 3, 0, tzinfo=UTC)


@pytest.fixture
def warehouse(warehouse_url: str) -> Iterator[Warehouse]:
    with open_warehouse(warehouse_url) as opened:
        yield opened


def _store(inbox: Inbox, payload: dict, workspace: str = "demo") -> None:
    inbox.store(workspace, parse_event(json.dumps(payload).encode()), NOW)


def _raw_person(warehouse: Warehouse, person_id: int) -> None:
    warehouse.execute("insert into raw.pipedrive_persons (workspace_id, id, raw, extracted_at) "
                      "values (?, ?, ?, ?)", ["demo", person_id, "{}", NOW])


def _link(warehouse: Warehouse, lead: str, person_id: int) -> None:
    warehouse.execute("insert into state.sync_links (workspace_id, coldcopy_lead_id, pipedrive_person_id, "
                      "linked_by, linked_at) values (?, ?, ?, 'email', ?)", ["demo", lead, person_id, NOW])


def test_every_event_of_the_workspace_lands_in_state_webhook_events(
        sqlite_inbox: Inbox, warehouse: Warehouse) -> None:
    _store(sqlite_inbox, v2_event("person", "change", 8, event_id="p-1"))
    _store(sqlite_inbox, v2_event("person", "change", 9, event_id="p-2"), workspace="acme")
    result = copy_inbox_to_warehouse(sqlite_inbox, warehouse, "demo", now=NOW)
    rows = warehouse.fetchall("select workspace_id, event_id, version, action, entity, entity_id, "
                              "occurred_at from state.webhook_events")
    assert result.events == 1
    assert [(*row[:6], row[6].astimezone(UTC)) for row in rows] == [
        ("demo", "p-1", "2.0", "change", "person", 8, datetime(2026, 9, 1, 9, 0, tzinfo=UTC))]


def test_the_payload_is_stored_as_json(sqlite_inbox: Inbox, warehouse: Warehouse) -> None:
    _store(sqlite_inbox, v2_event("person", "change", 8, event_id="p-1", previous={"name": "Old"}))
    copy_inbox_to_warehouse(sqlite_inbox, warehouse, "demo", now=NOW)
    payload = warehouse.fetchone("select payload from state.webhook_events")[0]
    assert (json.loads(payload) if isinstance(payload, str) else payload)["previous"] == {"name": "Old"}


def test_a_deal_stage_move_is_stored_as_a_transition_at_the_webhooks_time(
        sqlite_inbox: Inbox, warehouse: Warehouse) -> None:
    _store(sqlite_inbox, v2_event("deal", "change", 5, event_id="d-1", data={"id": 5, "stage_id": 3},
                                  previous={"stage_id": 2}, timestamp="2026-09-01T10:11:12.345Z"))
    result = copy_inbox_to_warehouse(sqlite_inbox, warehouse, "demo", now=NOW)
    old, new, at = warehouse.fetchone(
        "select old_stage_id, new_stage_id, occurred_at from state.webhook_events")
    assert (result.stage_transitions, old, new, at.astimezone(UTC)) == (
        1, 2, 3, datetime(2026, 9, 1, 10, 11, 12, 345000, tzinfo=UTC))


def test_a_delete_marks_the_raw_row_deleted(sqlite_inbox: Inbox, warehouse: Warehouse) -> None:
    _raw_person(warehouse, 8)
    _raw_person(warehouse, 9)
    _store(sqlite_inbox, v2_event("person", "delete", 8, event_id="del-8", previous={"id": 8}))
    result = copy_inbox_to_warehouse(sqlite_inbox, warehouse, "demo", now=NOW)
    rows = warehouse.fetchall("select id, is_deleted from raw.pipedrive_persons order by id")
    assert rows == [(8, True), (9, False)]
    assert result.tombstones == {"person": 1}


def test_a_merge_moves_the_link_to_the_surviving_person(sqlite_inbox: Inbox, warehouse: Warehouse) -> None:
    _link(warehouse, "lead-1", 41)
    _link(warehouse, "lead-2", 7)
    _store(sqlite_inbox, v2_event("person", "delete", 41, event_id="m-1", merged_to_id="40"))
    result = copy_inbox_to_warehouse(sqlite_inbox, warehouse, "demo", now=NOW)
    links = warehouse.fetchall(
        "select coldcopy_lead_id, pipedrive_person_id from state.sync_links order by 1")
    assert (links, result.links_moved) == ([("lead-1", 40), ("lead-2", 7)], 1)


def test_a_chain_of_merges_ends_on_the_last_survivor(sqlite_inbox: Inbox, warehouse: Warehouse) -> None:
    _link(warehouse, "lead-1", 1)
    _store(sqlite_inbox, v2_event("person", "delete", 1, event_id="m-1", merged_to_id="2"))
    _store(sqlite_inbox, v2_event("person", "delete", 2, event_id="m-2", merged_to_id="3"))
    copy_inbox_to_warehouse(sqlite_inbox, warehouse, "demo", now=NOW)
    assert warehouse.fetchone("select pipedrive_person_id from state.sync_links")[0] == 3


def test_a_v1_merged_event_moves_the_link_too(sqlite_inbox: Inbox, warehouse: Warehouse) -> None:
    _link(warehouse, "lead-1", 41)
    _store(sqlite_inbox, {"v": 1, "event": "merged.person", "retry": 0,
                          "meta": {"v": 1, "action": "merged", "object": "person", "id": 40,
                                   "timestamp": 1_767_000_000},
                          "current": {"id": 40, "merge_what_id": 41}, "previous": None})
    copy_inbox_to_warehouse(sqlite_inbox, warehouse, "demo", now=NOW)
    assert warehouse.fetchone("select pipedrive_person_id from state.sync_links")[0] == 40


def test_copying_again_copies_only_new_events(sqlite_inbox: Inbox, warehouse: Warehouse) -> None:
    _store(sqlite_inbox, v2_event(event_id="a"))
    first = copy_inbox_to_warehouse(sqlite_inbox, warehouse, "demo", now=NOW)
    _store(sqlite_inbox, v2_event(event_id="b"))
    second = copy_inbox_to_warehouse(sqlite_inbox, warehouse, "demo", now=NOW)
    third = copy_inbox_to_warehouse(sqlite_inbox, warehouse, "demo", now=NOW)
    assert (first.events, second.events, third.events) == (1, 1, 0)
    assert warehouse.fetchone("select count(*) from state.webhook_events")[0] == 2


def test_a_replaced_inbox_is_copied_from_its_start(tmp_path: Path, warehouse: Warehouse) -> None:
    with Inbox(f"sqlite:///{tmp_path}/old.db") as old:
        for name in "abc":
            _store(old, v2_event(event_id=name))
        copy_inbox_to_warehouse(old, warehouse, "demo", now=NOW)
    with Inbox(f"sqlite:///{tmp_path}/new.db") as new:
        _store(new, v2_event(event_id="d"))
        result = copy_inbox_to_warehouse(new, warehouse, "demo", now=NOW)
    assert (result.restarted, result.events) == (True, 1)
    assert warehouse.fetchone("select count(*) from state.webhook_events")[0] == 4


def test_rejects_of_the_workspace_are_copied_once(sqlite_inbox: Inbox, warehouse: Warehouse) -> None:
    sqlite_inbox.record_reject(status=401, reason="wrong Basic credentials", workspace_id="demo")
    sqlite_inbox.record_reject(status=404, reason="unknown workspace", workspace_id="other")
    copy_inbox_to_warehouse(sqlite_inbox, warehouse, "demo", now=NOW)
    copy_inbox_to_warehouse(sqlite_inbox, warehouse, "demo", now=NOW)
    assert warehouse.fetchall("select workspace_id, status, reason from state.webhook_rejects") == [
        ("demo", 401, "wrong Basic credentials")]
