"""Sensors: keep the `workspaces` partitions in step with sync.yaml."""

import dagster as dg

from ..config import ConfigError
from .partitions import workspaces
from .resources import SyncConfigResource


@dg.sensor(minimum_interval_seconds=60,
           description="Adds a `workspaces` partition for each workspace in sync.yaml.")
def register_workspaces(context: dg.SensorEvaluationContext,
                        sync_config: SyncConfigResource) -> dg.SensorResult:
    try:
        configured = [workspace.id for workspace in sync_config.load().workspaces]
    except ConfigError as exc:
        return dg.SensorResult(skip_reason=f"sync.yaml is invalid: {exc}")
    known = set(context.instance.get_dynamic_partitions(workspaces.name))
    new = [workspace_id for workspace_id in configured if workspace_id not in known]
    if not new:
        return dg.SensorResult(skip_reason="every configured workspace has its partition")
    return dg.SensorResult(dynamic_partitions_requests=[workspaces.build_add_request(new)])
