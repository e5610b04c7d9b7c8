"""sync.yaml's field references to create: a name, a creatable type, options only for enum and set."""

from __future__ import annotations

import typing

import pytest

from pipedrive_etl.config import ConfigError, PipedriveFieldRef, parse_config
from pipedrive_etl.pipedrive.field_writes import CREATABLE_FIELD_TYPES

from .conftest import WORKSPACE


def _parse(pipedrive: dict) -> PipedriveFieldRef:
    config = parse_config({"workspaces": [WORKSPACE],
                           "field_mappings": [{"coldcopy_field": "custom_fields.x", "pipedrive": pipedrive}]},
                          env={})
    return config.field_mappings[0].pipedrive


def test_a_complete_field_to_create_is_accepted() -> None:
    ref = _parse({"entity": "deal", "name": "Tier", "create_if_missing": True, "field_type": "set",
                  "options": ["Gold", "Silver"]})
    assert (ref.field_type, ref.options) == ("set", ["Gold", "Silver"])


@pytest.mark.parametrize(("pipedrive", "message"), [
    ({"entity": "person", "name": "Tier", "create_if_missing": True},
     "create_if_missing needs 'field_type'"),
    ({"entity": "person", "key": "a" * 40, "create_if_missing": True, "field_type": "varchar"},
     "create_if_missing needs 'name'"),
    ({"entity": "activity", "name": "Tier", "create_if_missing": True, "field_type": "varchar"},
     "activity fields are read-only"),
    ({"entity": "person", "name": "Tier", "create_if_missing": True, "field_type": "varchar",
      "options": ["a"]},
     "'options' are only for field_type enum or set, not 'varchar'"),
    ({"entity": "person", "name": "Tier", "field_type": "varchar"},
     "set create_if_missing: true or remove them"),
    ({"entity": "person", "name": "Tier", "create_if_missing": True, "field_type": "enum",
      "options": ["Gold", "gold"]},
     "repeated: Gold, gold"),
    ({"entity": "person", "name": "Tier", "create_if_missing": True, "field_type": "enum", "options": [" "]},
     "option labels must be 1 to 255 characters"),
    ({"entity": "person", "name": " ", "create_if_missing": True, "field_type": "varchar"},
     "create_if_missing needs a non-blank 'name'"),
])
def test_an_incomplete_field_to_create_is_an_error_naming_the_mapping(pipedrive: dict, message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        _parse(pipedrive)
    assert "field_mappings[0].pipedrive" in str(caught.value) and message in str(caught.value)


def test_a_type_pipedrive_cannot_create_is_refused_listing_the_creatable_ones() -> None:
    with pytest.raises(ConfigError, match=r"field_mappings\[0\]\.pipedrive\.field_type: 'int' is not "
                                          r"allowed; allowed: 'varchar', 'varchar_auto'"):
        _parse({"entity": "person", "name": "Count", "create_if_missing": True, "field_type": "int"})


def test_the_config_and_the_client_agree_on_the_creatable_types() -> None:
    annotation = PipedriveFieldRef.model_fields["field_type"].annotation
    literal = next(arg for arg in typing.get_args(annotation) if arg is not type(None))
    assert set(typing.get_args(literal)) == set(CREATABLE_FIELD_TYPES)
    assert len(CREATABLE_FIELD_TYPES) == 16
