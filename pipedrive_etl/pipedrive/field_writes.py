"""Write models for custom field definitions: `POST /api/v2/<entity>Fields` and its options endpoint.

Strict like every write model (`models_write.py`): the v2 create body takes `field_name` and `field_type` (one
of the 16 creatable types, pipedrive-api.md §6), `options` as `[{label}]`, "required for enum and set field
types", and an optional `description`. Options are refused for other types here, before a request costs 5
tokens to learn the same. `POST /<entity>Fields/{field_code}/options` takes a bare JSON array of `{label}`
(at least one) and answers with the new options only; `FieldOptionsAdd.to_body()` builds that array.
"""

from __future__ import annotations

from typing import Any, Literal, get_args

from pydantic import Field, model_validator

from .models_write import WriteModel

CreatableFieldType = Literal["varchar", "varchar_auto", "text", "double", "monetary", "date", "daterange",
                             "time", "timerange", "set", "enum", "user", "org", "people", "phone", "address"]
CREATABLE_FIELD_TYPES: tuple[str, ...] = get_args(CreatableFieldType)
OPTION_FIELD_TYPES = frozenset({"enum", "set"})
MAX_OPTIONS = 10_000  # "set and enum (<= 10,000 options)"

FieldWriteEntity = Literal["person", "organization", "deal"]
"""Entities whose fields v2 can create; activityFields are read-only."""


class FieldOptionWrite(WriteModel):
    label: str = Field(min_length=1, max_length=255)


class FieldCreate(WriteModel):
    """`POST /api/v2/{person,organization,deal}Fields`: a new custom field; Pipedrive picks its 40-hex key."""

    field_name: str = Field(min_length=1, max_length=255)
    field_type: CreatableFieldType
    options: list[FieldOptionWrite] | None = Field(None, max_length=MAX_OPTIONS)
    description: str | None = None

    @model_validator(mode="after")
    def _options_match_the_type(self) -> FieldCreate:
        if not self.field_name.strip():
            raise ValueError("field_name must not be blank")
        if self.field_type in OPTION_FIELD_TYPES and not self.options:
            raise ValueError(f"a {self.field_type} field needs at least one option")
        if self.field_type not in OPTION_FIELD_TYPES and self.options is not None:
            raise ValueError(f"options are only for enum and set fields, not {self.field_type}")
        return self

    @classmethod
    def of(cls, name: str, field_type: str, options: list[str] | None = None,
           description: str | None = None) -> FieldCreate:
        """Build from plain values (labels as strings), validated like any write model."""
        values: dict[str, Any] = {"field_name": name, "field_type": field_type}
        if options:
            values["options"] = [FieldOptionWrite(label=label) for label in options]
        if description is not None:
            values["description"] = description
        return cls.model_validate(values)


class FieldOptionsAdd(WriteModel):
    """`POST /api/v2/<entity>Fields/{field_code}/options`: options added in one atomic request."""

    options: list[FieldOptionWrite] = Field(min_length=1, max_length=MAX_OPTIONS)

    @classmethod
    def of(cls, labels: list[str]) -> FieldOptionsAdd:
        return cls(options=[FieldOptionWrite(label=label) for label in labels])

    def to_body(self) -> list[dict[str, Any]]:  # type: ignore[override]  # the API wants a bare array
        return [option.to_body() for option in self.options]
