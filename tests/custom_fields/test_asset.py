"""The pipedrive/custom_fields asset through Dagster on the sandbox: it runs between the field extraction and
sync_config, reports its counts as metadata, and fails naming an incompatible field."""

from __future__ import annotations

from pathlib import Path

import dagster as dg
import pytest
import yaml

from pipedrive_etl.config import Workspace
from pipedrive_etl.connections import pipedrive_client
from pipedrive_etl.defs.custom_fields import pipedrive_custom_fields
from pipedrive_etl.defs.extract import pipedrive_fields
from pipedrive_etl.defs.resources import SyncConfigResource, WarehouseResource
from pipedrive_etl.defs.sync_config import sync_config
from pipedrive_etl.pipedrive import TokenBudget
from pipedrive_etl.sandbox import FakeClock, Sandbox

from .conftest import WORKSPACE, fields_named, mapping

TIER = mapping("custom_fields.tier", "Tier", "enum", options=["Gold", "Silver"])


class SandboxPipedrive:
    """Stands in for PipedriveResource: the same client, on the sandbox's in-process transport."""

    def __init__(self, sandbox: Sandbox, clock: FakeClock) -> None:
        self.sandbox, self.clock = sandbox, clock

    def client(self, workspace: Workspace, budget: TokenBudget, warehouse=None):
        return pipedrive_client(workspace, budget=budget, env={"PD_TOKEN": "sandbox-token"},
                                transport=self.sandbox.transport(), clock=self.clock.monotonic,
                                sleep=self.clock.sleep)


@pytest.fixture
def setup(tmp_path: Path, sandbox: Sandbox, clock: FakeClock):
    sync_path = tmp_path / "sync.yaml"
    sync_path.write_text(yaml.safe_dump({"workspaces": [WORKSPACE], "field_mappings": [TIER]}))
    instance = dg.DagsterInstance.ephemeral()
    instance.add_dynamic_partitions("workspaces", ["acme"])
    resources = {"sync_config": SyncConfigResource(path=str(sync_path)),
                 "warehouse": WarehouseResource(url=f"duckdb:///{tmp_path}/warehouse.duckdb"),
                 "pipedrive": SandboxPipedrive(sandbox, clock)}
    return instance, resources


def test_sync_config_depends_on_the_custom_fields_which_depend_on_the_field_extraction() -> None:
    assert (dg.AssetKey(["pipedrive", "fields"])
            in pipedrive_custom_fields.asset_deps[pipedrive_custom_fields.key])
    assert pipedrive_custom_fields.key in sync_config.asset_deps[sync_config.key]


def test_one_run_creates_the_field_and_its_sync_config_maps_it(setup, sandbox: Sandbox) -> None:
    instance, resources = setup
    result = dg.materialize([pipedrive_fields, pipedrive_custom_fields, sync_config], partition_key="acme",
                            instance=instance, resources=resources)
    assert result.success
    [tier] = fields_named(sandbox, "person", "Tier")
    metadata = result.asset_materializations_for_node("pipedrive__custom_fields")[0].metadata
    assert (metadata["created"].value, metadata["options_added"].value,
            metadata["unchanged"].value) == (1, 0, 0)
    mapped = result.asset_materializations_for_node("sync_config")[0].metadata["field_keys"].value
    assert mapped == {"custom_fields.tier": tier.key}


def test_an_incompatible_field_fails_the_step_naming_it_without_retries(setup, sandbox: Sandbox) -> None:
    instance, resources = setup
    existing = sandbox.add_custom_field("person", "Tier", "double")
    result = dg.materialize([pipedrive_custom_fields], partition_key="acme", instance=instance,
                            resources=resources, raise_on_error=False)
    assert not result.success
    failure = result.get_step_failure_events()[0].event_specific_data.error
    assert "person field 'Tier'" in failure.message and existing.key in failure.message
    assert "exists as double" in failure.message
    assert not result.filter_events(lambda event: event.event_type_value == "STEP_UP_FOR_RETRY")
