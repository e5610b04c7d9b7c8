"""What sync.yaml asks for, and which existing field types serve which wanted type (pure, no HTTP)."""

from __future__ import annotations

import pytest

from pipedrive_etl.config import ConfigError
from pipedrive_etl.custom_fields import compatible, required_fields
from pipedrive_etl.mappings.resolve import EXTERNAL_ID, KnownField

from .conftest import mapping, sync_config


def test_mappings_without_create_if_missing_ask_for_nothing() -> None:
    config = sync_config(mapping("custom_fields.score", "Lead score", create=False),
                         mapping("custom_fields.tier", "Tier", "enum", options=["Gold"]))
    [requirement] = required_fields(config)
    assert (requirement.entity, requirement.name, requirement.field_type, requirement.options) == (
        "person", "Tier", "enum", ("Gold",))
    assert requirement.sources == ("field_mappings[1] (custom_fields.tier)",)


def test_the_external_id_field_is_a_person_varchar_named_by_the_creation_rules() -> None:
    [requirement] = required_fields(sync_config(create_persons=True))
    assert (requirement.entity, requirement.name, requirement.field_type) == (
        "person", "ColdCopy lead id", "varchar")


def test_two_mappings_of_one_field_merge_their_options() -> None:
    config = sync_config(mapping("custom_fields.a", "Tier", "set", options=["Gold", "Silver"]),
                         mapping("custom_fields.b", "tier", "set", options=["silver", "Bronze"]))
    [requirement] = required_fields(config)
    assert requirement.options == ("Gold", "Silver", "Bronze")
    assert len(requirement.sources) == 2


def test_two_mappings_wanting_one_field_as_two_types_are_a_configuration_error() -> None:
    config = sync_config(mapping("custom_fields.a", "Tier", "enum", options=["Gold"]),
                         mapping("custom_fields.b", "Tier", "varchar"))
    with pytest.raises(ConfigError, match=r"'Tier' is wanted as enum by field_mappings\[0\].*as varchar by "
                                          r"field_mappings\[1\]"):
        required_fields(config)


def test_known_keys_travel_with_their_requirements() -> None:
    known = {"custom_fields.tier": KnownField("person", "a" * 40),
             EXTERNAL_ID: KnownField("person", "b" * 40, configured_name="ColdCopy lead id")}
    config = sync_config(mapping("custom_fields.tier", "Tier", "enum", options=["Gold"]), create_persons=True)
    assert [r.known.key if r.known else None for r in required_fields(config, known)] == ["b" * 40, "a" * 40]


def test_a_known_external_id_key_is_dropped_when_sync_yaml_now_names_another_field() -> None:
    known = {EXTERNAL_ID: KnownField("person", "b" * 40, configured_name="Old external id")}
    [requirement] = required_fields(sync_config(create_persons=True), known)
    assert requirement.known is None


@pytest.mark.parametrize(("existing", "wanted", "expected"), [
    ("varchar", "varchar", True),
    ("enum", "enum", True),
    ("varchar_auto", "varchar", True),
    ("varchar", "varchar_auto", True),
    ("text", "varchar", False),
    ("varchar", "text", False),
    ("enum", "set", False),
    ("set", "enum", False),
    ("double", "monetary", False),
    ("int", "double", False),
    ("date", "daterange", False),
])
def test_compatibility_is_equal_types_or_the_two_short_text_types(existing: str, wanted: str,
                                                                   expected: bool) -> None:
    assert compatible(existing, wanted) is expected
