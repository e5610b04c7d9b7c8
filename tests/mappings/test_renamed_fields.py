"""A field renamed in Pipedrive keeps its mapping: names resolve to keys once, and a known key outlives its
name (DESIGN.md decision 4)."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

from pipedrive_etl.config import parse_config
from pipedrive_etl.mappings import MappingError, resolve_workspace, sync_workspace_config
from pipedrive_etl.mappings.resolve import EXTERNAL_ID, KnownField, catalogs
from pipedrive_etl.mappings.store import known_fields
from pipedrive_etl.warehouse import Warehouse, open_warehouse

SCORE, LEAD_ID, OTHER = "a" * 40, "c" * 40, "e" * 40
NOW = datetime(2026, 1, 1, tzinfo=UTC)


def _field(key: str, name: str, field_type: str = "double") -> tuple[str, dict[str, Any]]:
    return ("person", {"field_code": key, "field_name": name, "field_type": field_type,
                       "is_custom_field": True})


def _config(*mappings: dict[str, Any], external_id: str = "ColdCopy lead id") -> Any:
    return parse_config({
        "workspaces": [{"id": "acme", "pipedrive": {"company_domain": "acme", "auth": {"env": "TOKEN"}}}],
        "field_mappings": list(mappings),
        "creation_rules": {"create_persons_for_statuses": ["interested"],
                           "external_id_field_name": external_id},
    }, env={})


SCORE_MAPPING = {"coldcopy_field": "custom_fields.lead_score",
                 "pipedrive": {"entity": "person", "name": "Lead score"}}
KNOWN = {"custom_fields.lead_score": KnownField("person", SCORE),
         EXTERNAL_ID: KnownField("person", LEAD_ID, configured_name="ColdCopy lead id")}


def _resolve(definitions: list, known: dict | None, config: Any = None) -> Any:
    return resolve_workspace(config or _config(SCORE_MAPPING), "acme", catalogs(definitions), [], [],
                             resolved_at=NOW, known=known)


def test_a_renamed_field_keeps_its_known_key_with_a_warning_naming_both_names(caplog) -> None:
    definitions = [_field(SCORE, "Score (0-100)"), _field(LEAD_ID, "ColdCopy lead id", "varchar")]
    with caplog.at_level(logging.WARNING, logger="pipedrive_etl.mappings.resolve"):
        resolved = _resolve(definitions, KNOWN)
    [row] = resolved.field_mappings
    assert (row["pipedrive_field_key"], row["pipedrive_field_name"]) == (SCORE, "Score (0-100)")
    assert resolved.warnings == [f"person field 'Lead score' was renamed in Pipedrive to 'Score (0-100)'; "
                                 f"still mapped by its key {SCORE} (update sync.yaml to the new name)"]
    assert resolved.warnings[0] in caplog.text


def test_without_an_earlier_resolution_a_renamed_field_is_still_an_error() -> None:
    definitions = [_field(SCORE, "Score (0-100)"), _field(LEAD_ID, "ColdCopy lead id", "varchar")]
    with pytest.raises(MappingError, match="unknown Pipedrive field 'Lead score'"):
        _resolve(definitions, None)


def test_a_known_key_that_no_longer_exists_does_not_hide_the_unknown_name() -> None:
    with pytest.raises(MappingError, match="unknown Pipedrive field 'Lead score'"):
        _resolve([_field(LEAD_ID, "ColdCopy lead id", "varchar")], KNOWN)


def test_a_name_that_still_resolves_wins_over_the_known_key() -> None:
    definitions = [_field(SCORE, "Old score"), _field(OTHER, "Lead score"),
                   _field(LEAD_ID, "ColdCopy lead id", "varchar")]
    resolved = _resolve(definitions, KNOWN)
    assert resolved.field_mappings[0]["pipedrive_field_key"] == OTHER and resolved.warnings == []


def test_a_namesake_added_later_does_not_make_a_known_field_ambiguous() -> None:
    definitions = [_field(SCORE, "Lead score"), _field(OTHER, "Lead score"),
                   _field(LEAD_ID, "ColdCopy lead id", "varchar")]
    resolved = _resolve(definitions, KNOWN)
    assert resolved.field_mappings[0]["pipedrive_field_key"] == SCORE
    assert "now shared by 2 fields" in resolved.warnings[0]


def test_a_renamed_external_id_field_keeps_its_key() -> None:
    definitions = [_field(SCORE, "Lead score"), _field(LEAD_ID, "Lead id (ColdCopy)", "varchar")]
    resolved = _resolve(definitions, KNOWN)
    assert resolved.workspace["external_id_field_key"] == LEAD_ID
    assert resolved.workspace["external_id_field_name"] == "ColdCopy lead id"  # sync.yaml's name, kept


def test_a_new_external_id_name_in_sync_yaml_does_not_reuse_the_old_key() -> None:
    definitions = [_field(SCORE, "Lead score"), _field(LEAD_ID, "Lead id (ColdCopy)", "varchar")]
    with pytest.raises(MappingError,
                       match="external_id_field_name: person unknown Pipedrive field 'Lead ref'"):
        _resolve(definitions, KNOWN, _config(SCORE_MAPPING, external_id="Lead ref"))


@pytest.fixture
def warehouse(warehouse_url: str) -> Iterator[Warehouse]:
    with open_warehouse(warehouse_url) as opened:
        yield opened


def _store_fields(warehouse: Warehouse, definitions: list) -> None:
    warehouse.execute("delete from raw.pipedrive_fields")
    warehouse.upsert("raw.pipedrive_fields", [
        {"workspace_id": "acme", "entity": entity, "field_code": raw["field_code"],
         "field_name": raw["field_name"], "field_type": raw["field_type"], "is_custom_field": True,
         "raw": json.dumps(raw), "extracted_at": NOW}
        for entity, raw in definitions], key=("workspace_id", "entity", "field_code"))


def test_runs_after_a_rename_keep_resolving_by_the_stored_key(warehouse: Warehouse) -> None:
    config = _config(SCORE_MAPPING)
    _store_fields(warehouse, [_field(SCORE, "Lead score"), _field(LEAD_ID, "ColdCopy lead id", "varchar")])
    sync_workspace_config(config, warehouse, "acme", now=NOW)
    assert known_fields(warehouse, "acme") == KNOWN

    _store_fields(warehouse, [_field(SCORE, "Score (0-100)"), _field(LEAD_ID, "ColdCopy lead id", "varchar")])
    for _ in range(2):  # the second run reads what the first stored after the rename
        resolved = sync_workspace_config(config, warehouse, "acme", now=NOW)
        assert resolved.field_mappings[0]["pipedrive_field_key"] == SCORE and resolved.warnings
