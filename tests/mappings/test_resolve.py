"""Resolving sync.yaml against a workspace's Pipedrive: names to keys and ids, or a clear error naming each
problem."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from pipedrive_etl.config import parse_config
from pipedrive_etl.mappings import MappingError, resolve_workspace
from pipedrive_etl.mappings.resolve import Named, catalogs
from pipedrive_etl.mappings.transforms import canonical_text

LEAD_SCORE, TIER, LEAD_ID = "a" * 40, "b" * 40, "c" * 40
NOW = datetime(2026, 1, 1, tzinfo=UTC)
DEFINITIONS = [
    (
        "person",
        {
            "field_code": "first_name",
            "field_name": "First name",
            "field_type": "varchar",
            "is_custom_field": False,
        },
    ),
    (
        "person",
        {"field_code": "phone", "field_name": "Phone", "field_type": "phone", "is_custom_field": False},
    ),
    (
        "person",
        {
            "field_code": LEAD_SCORE,
            "field_name": "Lead score",
            "field_type": "double",
            "is_custom_field": True,
        },
    ),
    (
        "person",
        {
            "field_code": TIER,
            "field_name": "Tier",
            "field_type": "enum",
            "is_custom_field": True,
            "options": [{"id": 1, "label": "Gold"}],
        },
    ),
    (
        "person",
        {
            "field_code": LEAD_ID,
            "field_name": "ColdCopy lead id",
            "field_type": "varchar",
            "is_custom_field": True,
        },
    ),
    (
        "organization",
        {"field_code": "d" * 40, "field_name": "Tier", "field_type": "enum", "is_custom_field": True},
    ),
]
PIPELINES = [Named(1, "Sales"), Named(2, "Partners"), Named(3, "Old", is_deleted=True)]
STAGES = [
    Named(11, "Lead in", pipeline_id=1),
    Named(12, "Qualified", pipeline_id=1),
    Named(21, "Lead in", pipeline_id=2),
    Named(13, "Gone", is_deleted=True, pipeline_id=1),
]


def _config(**sections: Any) -> Any:
    return parse_config(
        {
            "workspaces": [
                {
                    "id": "acme",
                    "conflict_strategy": "pipedrive_wins",
                    "pipedrive": {"company_domain": "acme", "auth": {"env": "TOKEN"}},
                }
            ],
            **sections,
        },
        env={},
    )


def _resolve(**sections: Any) -> Any:
    return resolve_workspace(
        _config(**sections), "acme", catalogs(DEFINITIONS), PIPELINES, STAGES, resolved_at=NOW
    )


def _mapping(coldcopy_field: str, **pipedrive: Any) -> dict[str, Any]:
    return {"coldcopy_field": coldcopy_field, "pipedrive": {"entity": "person", **pipedrive}}


def test_a_custom_field_named_in_sync_yaml_resolves_to_its_key_and_type() -> None:
    [row] = _resolve(field_mappings=[_mapping("custom_fields.lead_score", name="Lead score")]).field_mappings
    assert (row["pipedrive_field_key"], row["field_type"], row["is_custom_field"]) == (
        LEAD_SCORE,
        "double",
        True,
    )
    assert (row["mapping_id"], row["coldcopy_custom_key"], row["coldcopy_column"]) == (
        "custom_fields.lead_score",
        "lead_score",
        None,
    )


def test_a_field_without_its_own_rule_takes_the_workspace_strategy() -> None:
    rows = _resolve(
        field_mappings=[
            _mapping("first_name", key="first_name"),
            {**_mapping("last_name", key="last_name"), "rule": "manual"},
        ]
    ).field_mappings
    assert [(row["rule"], row["rule_source"]) for row in rows] == [
        ("pipedrive_wins", "workspace"),
        ("manual", "field"),
    ]


def test_the_phone_built_in_is_written_as_the_phones_attribute() -> None:
    [row] = _resolve(field_mappings=[_mapping("phone", key="phone")]).field_mappings
    assert (row["pipedrive_field_key"], row["pipedrive_field_code"], row["field_type"]) == (
        "phones",
        "phone",
        "phone",
    )


def test_an_unknown_field_name_is_an_error_naming_it_and_suggesting_the_closest() -> None:
    with pytest.raises(MappingError) as error:
        _resolve(field_mappings=[_mapping("custom_fields.score", name="Lead scor")])
    assert "field_mappings[0] (custom_fields.score)" in str(error.value)
    assert "'Lead scor'" in str(error.value) and "'Lead score'" in str(error.value)


def test_a_name_two_fields_share_is_an_error_listing_both_keys() -> None:
    definitions = [
        *DEFINITIONS,
        (
            "person",
            {"field_code": "e" * 40, "field_name": "Tier", "field_type": "varchar", "is_custom_field": True},
        ),
    ]
    with pytest.raises(MappingError) as error:
        resolve_workspace(
            _config(field_mappings=[_mapping("custom_fields.tier", name="Tier")]),
            "acme",
            catalogs(definitions),
            PIPELINES,
            STAGES,
            resolved_at=NOW,
        )
    assert TIER in str(error.value) and "e" * 40 in str(error.value) and "use a key" in str(error.value)


def test_a_custom_key_the_workspace_does_not_have_is_an_error() -> None:
    with pytest.raises(MappingError, match="f{40}"):
        _resolve(field_mappings=[_mapping("custom_fields.x", key="f" * 40)])


def test_every_bad_mapping_is_reported_at_once() -> None:
    with pytest.raises(MappingError) as error:
        _resolve(
            field_mappings=[
                _mapping("custom_fields.a", name="Nope"),
                _mapping("custom_fields.b", name="Neither"),
            ],
            stage_mappings=[{"pipeline": "Sales", "stage": "Won", "lead_status": "won"}],
        )
    assert all(
        part in str(error.value) for part in ("field_mappings[0]", "field_mappings[1]", "stage_mappings[0]")
    )


def test_stage_mappings_resolve_pipeline_and_stage_names_within_the_pipeline() -> None:
    resolved = _resolve(
        stage_mappings=[
            {
                "pipeline": "Partners",
                "stage": "Lead in",
                "lead_status": "contacted",
                "campaign_actions": ["stop_campaign"],
            }
        ]
    )
    assert [(row["pipeline_id"], row["stage_id"]) for row in resolved.stage_mappings] == [(2, 21)]
    assert [(row["stage_id"], row["campaign_action"]) for row in resolved.stage_mapping_actions] == [
        (21, "stop_campaign")
    ]


def test_a_deleted_stage_does_not_resolve_by_name() -> None:
    with pytest.raises(MappingError, match="stage of pipeline 'Sales' 'Gone' is unknown"):
        _resolve(stage_mappings=[{"pipeline": "Sales", "stage": "Gone", "lead_status": "x"}])


def test_creation_rules_resolve_the_deal_stage_and_the_external_id_field() -> None:
    workspace = _resolve(
        creation_rules={
            "create_persons_for_statuses": ["interested"],
            "create_deals": {"pipeline": "Sales", "stage": "Qualified"},
        }
    ).workspace
    assert (workspace["deal_pipeline_id"], workspace["deal_stage_id"]) == (1, 12)
    assert (workspace["external_id_field_key"], workspace["conflict_strategy"]) == (LEAD_ID, "pipedrive_wins")


def test_an_unknown_coldcopy_column_is_an_error() -> None:
    with pytest.raises(MappingError, match="ColdCopy lead field 'nickname' is unknown"):
        _resolve(field_mappings=[_mapping("nickname", key="first_name")])


def test_a_custom_key_that_would_read_as_a_json_path_is_an_error() -> None:
    with pytest.raises(MappingError, match="must be non-empty and not start with"):
        _resolve(field_mappings=[_mapping("custom_fields.$score", name="Lead score")])


def test_a_lookup_transform_becomes_rows_in_the_canonical_text_dbt_compares() -> None:
    resolved = _resolve(
        field_mappings=[
            {
                **_mapping("custom_fields.tier", name="Tier"),
                "transform": {"lookup": {"Gold": "Gold", "1": 2.50}, "default": False},
            }
        ]
    )
    assert [(row["from_value"], row["to_value"]) for row in resolved.field_mapping_lookups] == [
        ("Gold", "Gold"),
        ("1", "2.5"),
    ]
    assert (
        resolved.field_mappings[0]["transform_kind"],
        resolved.field_mappings[0]["transform_default"],
    ) == ("lookup", "false")


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (77, "77"),
        (77.0, "77"),
        (0.5, "0.5"),
        (True, "true"),
        (" Gold ", "Gold"),
        (None, None),
        (1e20, "100000000000000000000"),
    ],
)
def test_canonical_text_writes_values_as_the_dbt_macros_do(value: Any, text: str | None) -> None:
    assert canonical_text(value) == text
