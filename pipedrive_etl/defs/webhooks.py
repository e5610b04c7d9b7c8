"""Webhooks in Dagster: the sensor that turns new inbox events into targeted runs, and the asset that copies
them.

The sensor reads events after its cursor (the inbox's `seq`), groups them per workspace and requests one run
per workspace of the entity assets the events touch plus everything downstream (the copy of the events,
reconciliation, writeback), keyed `pipedrive-webhook-<last event id>` so a re-evaluated tick never runs twice.
Which assets is decided by `assets_for_events`, a pure function. Webhooks are hints: the nightly run still
reads everything, so an event Pipedrive dropped during a ban costs freshness, never data.
"""

import os
from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Protocol

import dagster as dg

from ..webhooks.inbox import DEFAULT_INBOX_URL, Inbox, StoredEvent, sqlite_inbox_exists
from ..webhooks.warehouse_copy import copy_inbox_to_warehouse
from .partitions import workspaces
from .resources import WarehouseResource

WEBHOOK_EVENTS = dg.AssetKey(["pipedrive", "webhook_events"])
# What an event about each Pipedrive object makes stale. A pipeline change can add or drop its stages.
ENTITY_ASSETS: dict[str, tuple[dg.AssetKey, ...]] = {
    "person": (dg.AssetKey(["pipedrive", "persons"]),),
    "organization": (dg.AssetKey(["pipedrive", "organizations"]),),
    "deal": (dg.AssetKey(["pipedrive", "deals"]), dg.AssetKey(["pipedrive", "deal_stage_changes"])),
    "activity": (dg.AssetKey(["pipedrive", "activities"]),),
    "stage": (dg.AssetKey(["pipedrive", "stages"]),),
    "pipeline": (dg.AssetKey(["pipedrive", "pipelines"]), dg.AssetKey(["pipedrive", "stages"])),
}
EXTRACTED = sorted({key for keys in ENTITY_ASSETS.values() for key in keys
                    if key.path[1] != "deal_stage_changes"}, key=lambda key: key.path)
MAX_EVENTS_PER_TICK = 10_000


class EventLike(Protocol):
    entity: str
    action: str


def assets_for_events(events: Iterable[EventLike]) -> set[dg.AssetKey]:
    """The assets to refresh for these events: the touched entities' and the event copy (which applies
    deletes, merges and stage moves). Empty when no event is about an object we extract (a note, a
    product)."""
    keys = {key for event in events for key in ENTITY_ASSETS.get(event.entity, ())}
    return keys | {WEBHOOK_EVENTS} if keys else set()


class WebhookInboxResource(dg.ConfigurableResource):
    """The receiver's inbox. Unset, the URL is read at run time from PIPEDRIVE_WEBHOOK_INBOX_URL, else the
    local SQLite file `data/webhooks.db`."""

    url: str | None = None

    @property
    def resolved_url(self) -> str:
        return self.url or os.environ.get("PIPEDRIVE_WEBHOOK_INBOX_URL", DEFAULT_INBOX_URL)

    def exists(self) -> bool:
        return sqlite_inbox_exists(self.resolved_url)

    @contextmanager
    def open(self) -> Iterator[Inbox]:
        inbox = Inbox(self.resolved_url)
        try:
            yield inbox
        finally:
            inbox.close()


webhook_sync = dg.define_asset_job(
    "webhook_sync", selection=dg.AssetSelection.all(),  # partitioned by workspaces, as every asset is
    description="Targeted refresh of one workspace after Pipedrive webhooks: the touched entities and "
                "everything downstream. Requested by pipedrive_webhook_sensor with an asset selection.",
    tags={"pipedrive-etl/job": "webhook_sync"})


def _selection(context: dg.SensorEvaluationContext, roots: set[dg.AssetKey]) -> list[dg.AssetKey]:
    repository = context.repository_def
    if repository is None:  # evaluated outside a code location (a bare test): the roots alone
        return sorted(roots, key=lambda key: key.path)
    graph = repository.asset_graph
    known = {key for key in roots if graph.has(key)}
    keys = dg.AssetSelection.assets(*known).downstream().resolve(graph)
    # A run has one partition key: leave out anything partitioned otherwise (and sources, which cannot run).
    return sorted((key for key in keys if graph.get(key).is_materializable
                   and graph.get(key).partitions_def in (None, workspaces)), key=lambda key: key.path)


@dg.sensor(job=webhook_sync, minimum_interval_seconds=30, default_status=dg.DefaultSensorStatus.RUNNING,
           description="Requests a targeted run per workspace for new Pipedrive webhook events in the inbox.")
def pipedrive_webhook_sensor(context: dg.SensorEvaluationContext,
                             webhook_inbox: WebhookInboxResource) -> dg.SensorResult:
    if not webhook_inbox.exists():
        return dg.SensorResult(skip_reason="no webhook inbox yet: nothing has been received")
    cursor = int(context.cursor or 0)
    with webhook_inbox.open() as inbox:
        events = inbox.events_after(cursor, limit=MAX_EVENTS_PER_TICK)
    if not events:
        return dg.SensorResult(skip_reason=f"no webhook events after seq {cursor}")
    per_workspace: dict[str, list[StoredEvent]] = defaultdict(list)
    for event in events:
        per_workspace[event.workspace_id].append(event)
    known = set(context.instance.get_dynamic_partitions(workspaces.name))
    requests, new_partitions = [], []
    for workspace_id, batch in sorted(per_workspace.items()):
        roots = assets_for_events(batch)
        if not roots:
            continue  # nothing we extract changed; the events reach the warehouse with the next run
        if workspace_id not in known:
            new_partitions.append(workspace_id)
        last = batch[-1]
        requests.append(dg.RunRequest(
            run_key=f"pipedrive-webhook-{last.event_id}", partition_key=workspace_id,
            asset_selection=_selection(context, roots),
            # Tagged as the nightly runs are; the `dagster/partition` limit keeps one run per workspace.
            tags={"pipedrive-etl/workspace": workspace_id, "pipedrive-etl/trigger": "webhook",
                  "pipedrive-etl/webhook-events": str(len(batch)),
                  "pipedrive-etl/webhook-seq": f"{batch[0].seq}-{last.seq}"}))
    return dg.SensorResult(
        run_requests=requests, cursor=str(events[-1].seq),
        dynamic_partitions_requests=[workspaces.build_add_request(new_partitions)] if new_partitions else [],
        skip_reason=None if requests else "new events touch nothing we extract")


@dg.asset(key=WEBHOOK_EVENTS, deps=EXTRACTED, partitions_def=workspaces, group_name="pipedrive",
          kinds={"pipedrive"}, pool="warehouse", owners=["team:pipedrive-etl"],
          description="Pipedrive webhook events copied from the receiver's inbox into state.webhook_events "
                      "(one row per event; deal stage moves in old_stage_id/new_stage_id at occurred_at), "
                      "with deletes applied to raw.pipedrive_* as tombstones and merges moving "
                      "state.sync_links. Runs after extraction, so its run never overwrites a tombstone.")
def pipedrive_webhook_events(context: dg.AssetExecutionContext, warehouse: WarehouseResource,
                             webhook_inbox: WebhookInboxResource) -> dg.MaterializeResult:
    if not webhook_inbox.exists():
        return dg.MaterializeResult(metadata={"events": 0, "inbox": "none yet"})
    with webhook_inbox.open() as inbox, warehouse.open() as store:
        result = copy_inbox_to_warehouse(inbox, store, context.partition_key)
    if result.restarted:
        context.log.warning("the inbox's sequence is behind the warehouse's copy: it was replaced; copied "
                            "from its start again (upserts keep this harmless)")
    context.log.info(f"{result.events} events, {result.stage_transitions} stage transitions, "
                     f"{sum(result.tombstones.values())} tombstones, {result.links_moved} links moved")
    return dg.MaterializeResult(metadata={
        "events": result.events, "stage_transitions": result.stage_transitions,
        "tombstones": dict(result.tombstones), "links_moved": result.links_moved, "rejects": result.rejects,
        "inbox_seq": result.last_seq})


webhook_assets = [pipedrive_webhook_events]
webhook_sensors = [pipedrive_webhook_sensor]
webhook_jobs = [webhook_sync]
webhook_resources = {"webhook_inbox": WebhookInboxResource()}
