"""Ensuring a workspace's fields with the warehouse: the same run's sync_config resolves what was just
created, and a field renamed in Pipedrive is neither created again nor lost by the mappings."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from pipedrive_etl.custom_fields import ensure_workspace_fields
from pipedrive_etl.extract.pipedrive_runner import extract_fields
from pipedrive_etl.mappings import sync_workspace_config
from pipedrive_etl.pipedrive import PipedriveClient
from pipedrive_etl.sandbox import Sandbox
from pipedrive_etl.warehouse import Warehouse, open_warehouse

from .conftest import fields_named, mapping, sync_config

TIER = mapping("custom_fields.tier", "Tier", "enum", options=["Gold", "Silver"])


@pytest.fixture
def warehouse(warehouse_url: str) -> Iterator[Warehouse]:
    with open_warehouse(warehouse_url) as opened:
        yield opened


def _mapped_key(warehouse: Warehouse, mapping_id: str) -> str:
    row = warehouse.fetchone("select pipedrive_field_key from state.field_mappings "
                             "where workspace_id = 'acme' and mapping_id = ?", [mapping_id])
    assert row is not None
    return row[0]


def test_the_same_runs_sync_config_resolves_the_fields_just_created(client: PipedriveClient, sandbox: Sandbox,
                                                                    warehouse: Warehouse) -> None:
    config = sync_config(TIER, create_persons=True)
    report = ensure_workspace_fields(config, "acme", client, warehouse)
    resolved = sync_workspace_config(config, warehouse, "acme")
    [tier] = fields_named(sandbox, "person", "Tier")
    [lead_id] = fields_named(sandbox, "person", "ColdCopy lead id")
    assert {e.key for e in report.created} == {tier.key, lead_id.key}
    assert _mapped_key(warehouse, "custom_fields.tier") == tier.key
    assert resolved.workspace["external_id_field_key"] == lead_id.key
    stored = warehouse.fetchone("select field_type from raw.pipedrive_fields where workspace_id = 'acme' and "
                                "field_code = ?", [tier.key])
    assert stored == ("enum",)


def test_a_dry_run_stores_nothing(client: PipedriveClient, warehouse: Warehouse) -> None:
    ensure_workspace_fields(sync_config(TIER), "acme", client, warehouse, dry_run=True)
    assert warehouse.fetchone("select count(*) from raw.pipedrive_fields") == (0,)


def test_a_field_renamed_in_pipedrive_is_not_created_again_and_stays_mapped_by_its_key(
        client: PipedriveClient, sandbox: Sandbox, warehouse: Warehouse) -> None:
    config = sync_config(TIER)
    ensure_workspace_fields(config, "acme", client, warehouse)
    sync_workspace_config(config, warehouse, "acme")
    [tier] = fields_named(sandbox, "person", "Tier")
    with sandbox.lock:
        tier.name = "Customer tier"  # someone renames it in Pipedrive's settings

    report = ensure_workspace_fields(config, "acme", client, warehouse)
    assert report.created == [] and ([(e.name, e.key) for e in report.unchanged]
                                     == [("Customer tier", tier.key)])
    assert fields_named(sandbox, "person", "Tier") == []
    assert "renamed in Pipedrive to 'Customer tier'" in report.warnings[0]

    extract_fields(client, warehouse, "acme", full_refresh=True)  # the next extraction sees the new name
    resolved = sync_workspace_config(config, warehouse, "acme")
    assert _mapped_key(warehouse, "custom_fields.tier") == tier.key
    assert resolved.warnings == [
        "person field 'Tier' was renamed in Pipedrive to 'Customer tier'; still mapped by its key "
        f"{tier.key} (update sync.yaml to the new name)"]
