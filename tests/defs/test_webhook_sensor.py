"""The webhook sensor: which assets new events make stale, and one run request per workspace keyed on its last
event."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import dagster as dg
import pytest

from pipedrive_etl.defs.coldcopy import coldcopy_assets
from pipedrive_etl.defs.extract import pipedrive_deal_stage_changes, pipedrive_fields, pipedrive_stream_assets
from pipedrive_etl.defs.partitions import workspaces
from pipedrive_etl.defs.resources import (
    ColdCopyResource,
    PipedriveResource,
    SyncConfigResource,
    WarehouseResource,
)
from pipedrive_etl.defs.webhooks import (
    WEBHOOK_EVENTS,
    WebhookInboxResource,
    assets_for_events,
    pipedrive_webhook_sensor,
    webhook_assets,
    webhook_jobs,
)
from pipedrive_etl.webhooks import Inbox, parse_event


def key(*path: str) -> dg.AssetKey:
    return dg.AssetKey(list(path))


@dataclass
class Event:
    entity: str
    action: str = "change"


def test_a_person_event_refreshes_persons_and_the_event_copy() -> None:
    assert assets_for_events([Event("person")]) == {key("pipedrive", "persons"), WEBHOOK_EVENTS}


def test_a_deal_event_refreshes_deals_and_their_stage_changes() -> None:
    assert assets_for_events([Event("deal")]) == {
        key("pipedrive", "deals"), key("pipedrive", "deal_stage_changes"), WEBHOOK_EVENTS}


def test_a_pipeline_event_refreshes_pipelines_and_stages() -> None:
    assert assets_for_events([Event("pipeline", "delete")]) >= {key("pipedrive", "pipelines"),
                                                                key("pipedrive", "stages")}


def test_events_about_several_objects_union_their_assets() -> None:
    keys = assets_for_events([Event("person"), Event("organization"), Event("activity", "create")])
    assert keys == {key("pipedrive", "persons"), key("pipedrive", "organizations"),
                    key("pipedrive", "activities"), WEBHOOK_EVENTS}


def test_events_about_objects_we_do_not_extract_need_no_run() -> None:
    assert assets_for_events([Event("note"), Event("product")]) == set()


# -- the sensor on a real (ephemeral) instance --------------------------------------------------------------

@dg.asset(key=["marts", "reconciled_stand_in"], deps=[WEBHOOK_EVENTS, key("pipedrive", "persons")],
          partitions_def=workspaces)
def reconciled_stand_in() -> None:
    """Stands for the dbt models and writeback that others are building: downstream of the event copy."""


@pytest.fixture
def inbox_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path}/webhooks.db"


@pytest.fixture(scope="module")
def instance() -> Iterator[dg.DagsterInstance]:
    # instance_for_test, not ephemeral(): it also replaces the process-wide state storage that building
    # Definitions consults, which an earlier test's instance may have left pointing at a closed instance.
    # One per module: the sensor only reads it (partitions it asks for are requested, never added here).
    with dg.instance_for_test() as instance:
        instance.add_dynamic_partitions("workspaces", ["demo", "acme"])
        yield instance


def _context(instance: dg.DagsterInstance, inbox_url: str,
             cursor: str | None = None) -> dg.SensorEvaluationContext:
    defs = dg.Definitions(
        assets=[*pipedrive_stream_assets, pipedrive_fields, pipedrive_deal_stage_changes, *coldcopy_assets,
                *webhook_assets, reconciled_stand_in],
        sensors=[pipedrive_webhook_sensor], jobs=webhook_jobs,
        resources=_resources(inbox_url))
    return dg.build_sensor_context(instance=instance, cursor=cursor, definitions=defs,
                                   resources=_resources(inbox_url))


def _resources(inbox_url: str) -> dict[str, object]:
    return {"webhook_inbox": WebhookInboxResource(url=inbox_url), "warehouse": WarehouseResource(),
            "sync_config": SyncConfigResource(), "pipedrive": PipedriveResource(),
            "coldcopy": ColdCopyResource()}


def _store(inbox_url: str, workspace: str, entity: str, event_id: str) -> None:
    meta = {"action": "change", "entity": entity, "entity_id": "1", "id": event_id,
            "timestamp": "2026-09-01T09:00:00Z"}
    payload = {"data": {"id": 1}, "previous": {}, "meta": meta}
    with Inbox(inbox_url) as inbox:
        inbox.store(workspace, parse_event(json.dumps(payload).encode()))


def test_without_an_inbox_the_sensor_skips(instance: dg.DagsterInstance, inbox_url: str) -> None:
    result = pipedrive_webhook_sensor(_context(instance, inbox_url))
    assert (result.run_requests, result.skip_reason.skip_message) == (
        [], "no webhook inbox yet: nothing has been received")


def test_new_events_request_one_run_per_workspace_keyed_on_its_last_event(
        instance: dg.DagsterInstance, inbox_url: str) -> None:
    _store(inbox_url, "demo", "person", "e-1")
    _store(inbox_url, "acme", "deal", "e-2")
    _store(inbox_url, "demo", "person", "e-3")
    result = pipedrive_webhook_sensor(_context(instance, inbox_url))
    assert [(r.partition_key, r.run_key) for r in result.run_requests] == [
        ("acme", "pipedrive-webhook-e-2"), ("demo", "pipedrive-webhook-e-3")]
    assert result.cursor == "3"


def test_a_run_selects_the_touched_entities_and_everything_downstream(
        instance: dg.DagsterInstance, inbox_url: str) -> None:
    _store(inbox_url, "demo", "person", "e-1")
    [request] = pipedrive_webhook_sensor(_context(instance, inbox_url)).run_requests
    assert set(request.asset_selection) == {key("pipedrive", "persons"), WEBHOOK_EVENTS,
                                            key("marts", "reconciled_stand_in")}


def test_a_deal_run_does_not_select_coldcopy_or_other_entities(
        instance: dg.DagsterInstance, inbox_url: str) -> None:
    _store(inbox_url, "demo", "deal", "e-1")
    [request] = pipedrive_webhook_sensor(_context(instance, inbox_url)).run_requests
    assert {k.path[0] for k in request.asset_selection} == {"pipedrive", "marts"}
    assert key("pipedrive", "persons") not in request.asset_selection


def test_a_run_request_carries_the_workspace_tag_of_the_nightly_runs(
        instance: dg.DagsterInstance, inbox_url: str) -> None:
    _store(inbox_url, "demo", "person", "e-1")
    [request] = pipedrive_webhook_sensor(_context(instance, inbox_url)).run_requests
    tags = request.tags
    assert (tags["pipedrive-etl/workspace"], tags["pipedrive-etl/trigger"]) == ("demo", "webhook")


def test_a_run_request_says_how_many_events_it_answers(instance: dg.DagsterInstance, inbox_url: str) -> None:
    for n in range(3):
        _store(inbox_url, "demo", "person", f"e-{n}")
    [request] = pipedrive_webhook_sensor(_context(instance, inbox_url)).run_requests
    tags = request.tags
    assert (tags["pipedrive-etl/webhook-events"], tags["pipedrive-etl/webhook-seq"]) == ("3", "1-3")


def test_the_next_tick_after_the_cursor_skips_when_nothing_is_new(
        instance: dg.DagsterInstance, inbox_url: str) -> None:
    _store(inbox_url, "demo", "person", "e-1")
    first = pipedrive_webhook_sensor(_context(instance, inbox_url))
    second = pipedrive_webhook_sensor(_context(instance, inbox_url, cursor=first.cursor))
    assert (second.run_requests, second.skip_reason.skip_message) == ([], "no webhook events after seq 1")


def test_a_workspace_without_a_partition_yet_gets_one_added(
        instance: dg.DagsterInstance, inbox_url: str) -> None:
    _store(inbox_url, "newco", "person", "e-1")
    result = pipedrive_webhook_sensor(_context(instance, inbox_url))
    assert result.dynamic_partitions_requests[0].partition_keys == ["newco"]


def test_events_about_notes_only_advance_the_cursor_without_a_run(
        instance: dg.DagsterInstance, inbox_url: str) -> None:
    _store(inbox_url, "demo", "note", "e-1")
    result = pipedrive_webhook_sensor(_context(instance, inbox_url))
    assert (result.run_requests, result.cursor) == ([], "1")


def test_the_requested_runs_are_accepted_by_the_webhook_sync_job(
        instance: dg.DagsterInstance, inbox_url: str) -> None:
    _store(inbox_url, "demo", "deal", "e-1")
    context = _context(instance, inbox_url)
    [request] = pipedrive_webhook_sensor(context).run_requests
    job = context.repository_def.get_job("webhook_sync")
    assert set(request.asset_selection) <= set(job.asset_layer.executable_asset_keys)
