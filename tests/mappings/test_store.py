"""Storing a workspace's resolved mappings: read from the warehouse, replace that workspace's rows, nothing on
error."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from pipedrive_etl.config import parse_config
from pipedrive_etl.mappings import MappingError, sync_workspace_config
from pipedrive_etl.warehouse import Warehouse, open_warehouse

from .test_resolve import DEFINITIONS

NOW = datetime(2026, 1, 1, tzinfo=UTC)


@pytest.fixture
def warehouse(warehouse_url: str) -> Iterator[Warehouse]:
    with open_warehouse(warehouse_url) as opened:
        for workspace in ("acme", "other"):
            opened.upsert(
                "raw.pipedrive_fields",
                [
                    {
                        "workspace_id": workspace,
                        "entity": entity,
                        "field_code": raw["field_code"],
                        "field_name": raw["field_name"],
                        "field_type": raw["field_type"],
                        "is_custom_field": raw["is_custom_field"],
                        "raw": json.dumps(raw),
                        "extracted_at": NOW,
                    }
                    for entity, raw in DEFINITIONS
                ],
                key=("workspace_id", "entity", "field_code"),
            )
            opened.upsert(
                "raw.pipedrive_pipelines",
                [
                    {
                        "workspace_id": workspace,
                        "id": 1,
                        "add_time": NOW,
                        "update_time": NOW,
                        "is_deleted": False,
                        "swept_deleted_at": None,
                        "raw": json.dumps({"id": 1, "name": "Sales"}),
                        "extracted_at": NOW,
                    }
                ],
                key=("workspace_id", "id"),
            )
            opened.upsert(
                "raw.pipedrive_stages",
                [
                    {
                        "workspace_id": workspace,
                        "id": 11,
                        "add_time": NOW,
                        "update_time": NOW,
                        "is_deleted": False,
                        "swept_deleted_at": None,
                        "pipeline_id": 1,
                        "raw": json.dumps({"id": 11, "name": "Lead in"}),
                        "extracted_at": NOW,
                    }
                ],
                key=("workspace_id", "id"),
            )
        yield opened


def _config(*mappings: dict) -> object:
    return parse_config(
        {
            "workspaces": [
                {"id": workspace, "pipedrive": {"company_domain": workspace, "auth": {"env": "TOKEN"}}}
                for workspace in ("acme", "other")
            ],
            "field_mappings": list(mappings),
            "stage_mappings": [{"pipeline": "Sales", "stage": "Lead in", "lead_status": "contacted"}],
        },
        env={},
    )


def _mapped(warehouse: Warehouse, workspace: str) -> list[tuple]:
    return warehouse.fetchall(
        "select mapping_id, pipedrive_field_key from state.field_mappings "
        "where workspace_id = ? order by mapping_id",
        [workspace],
    )


SCORE = {
    "coldcopy_field": "custom_fields.lead_score",
    "pipedrive": {"entity": "person", "name": "Lead score"},
}
FIRST = {"coldcopy_field": "first_name", "pipedrive": {"entity": "person", "key": "first_name"}}


def test_a_workspaces_mappings_are_stored_with_keys_for_dbt(warehouse: Warehouse) -> None:
    sync_workspace_config(_config(SCORE, FIRST), warehouse, "acme", now=NOW)
    assert _mapped(warehouse, "acme") == [
        ("custom_fields.lead_score", "a" * 40),
        ("first_name", "first_name"),
    ]
    assert warehouse.fetchall("select stage_id, lead_status from state.stage_mappings") == [(11, "contacted")]


def test_storing_again_replaces_that_workspaces_rows_and_leaves_others_alone(warehouse: Warehouse) -> None:
    sync_workspace_config(_config(SCORE, FIRST), warehouse, "acme", now=NOW)
    sync_workspace_config(_config(SCORE, FIRST), warehouse, "other", now=NOW)
    sync_workspace_config(_config(FIRST), warehouse, "acme", now=NOW)
    assert _mapped(warehouse, "acme") == [("first_name", "first_name")]
    assert len(_mapped(warehouse, "other")) == 2


def test_a_name_that_does_not_resolve_writes_nothing(warehouse: Warehouse) -> None:
    sync_workspace_config(_config(FIRST), warehouse, "acme", now=NOW)
    bad = {"coldcopy_field": "custom_fields.x", "pipedrive": {"entity": "person", "name": "No such field"}}
    with pytest.raises(MappingError, match="No such field"):
        sync_workspace_config(_config(FIRST, bad), warehouse, "acme", now=NOW)
    assert _mapped(warehouse, "acme") == [("first_name", "first_name")]


def test_without_field_definitions_the_error_says_to_extract_them_first(warehouse: Warehouse) -> None:
    warehouse.execute("delete from raw.pipedrive_fields where workspace_id = 'acme'")
    with pytest.raises(MappingError, match="materialize pipedrive/fields first"):
        sync_workspace_config(_config(FIRST), warehouse, "acme", now=NOW)
