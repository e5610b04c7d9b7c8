"""Shared building blocks for the read models: a lenient base class and the wire types Pipedrive bends.

Read models keep what they do not know (`extra="allow"`): Pipedrive adds fields without notice, and a model
that rejected them would stop an extract over a column nobody asked for (pipedrive-api.md §5). The annotated
types below absorb the documented wire differences once, so every model reads v1 and v2 timestamps, string ids
and empty strings the same way.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, time, timedelta
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, GetPydanticSchema, WithJsonSchema
from pydantic_core import core_schema

CUSTOM_FIELD_KEY = re.compile(r"^[0-9a-f]{40}$")
"""A custom field key: "randomly generated 40-character hashes" (pipedrive-api.md §6)."""


class PipedriveModel(BaseModel):
    """Base of every read model: unknown fields are kept as extras, never rejected."""

    model_config = ConfigDict(extra="allow", populate_by_name=True)


def _as_utc(moment: datetime) -> datetime:
    # v1 sends "2019-01-22 08:55:59" without an offset but means UTC (D-date); an offset moves to UTC.
    offset = moment.utcoffset()
    if offset is None:
        return moment.replace(tzinfo=UTC)
    if offset:
        return moment.astimezone(UTC)
    return moment


def _utc_datetime_schema(_source: Any, _handler: Any) -> core_schema.CoreSchema:
    # v2 sends RFC 3339 with "Z": pydantic-core parses it and checks the zero offset without calling Python.
    # Only what fails that (naive v1 times, other offsets) parses again and goes through `_as_utc`. One
    # error for input neither accepts, rather than one per branch.
    at_utc = core_schema.datetime_schema(tz_constraint=0)
    any_zone = core_schema.no_info_after_validator_function(_as_utc, core_schema.datetime_schema())
    return core_schema.union_schema(
        [at_utc, any_zone], mode="left_to_right", custom_error_type="utc_datetime",
        custom_error_message="Input should be a timestamp: RFC 3339, 'YYYY-MM-DD HH:MM:SS' or Unix seconds")


def _blank_datetime_to_none(value: Any) -> Any:
    # v1 writes "0000-00-00 00:00:00" for "never" (picture update_time) and "" for unset times.
    if isinstance(value, str) and (not value or value.startswith("0000-00-00")):
        return None
    return value


def _blank_to_none(value: Any) -> Any:
    # v1 fills unset dates and times with "" rather than null (e.g. activity `due_time`).
    return None if value == "" else value


def _int_if_digits(value: Any) -> Any:
    # Webhook v2 meta sends ids as strings ("8"); leads use UUIDs, so a non-numeric id stays a string.
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return value


UtcDatetime = Annotated[datetime, GetPydanticSchema(_utc_datetime_schema),
                        WithJsonSchema({"type": "string", "format": "date-time"})]
"""A timestamp from either API version, as an aware datetime at UTC (naive v1 times are taken as UTC)."""

LenientUtcDatetime = Annotated[UtcDatetime | None, BeforeValidator(_blank_datetime_to_none)]
"""A v1-shaped timestamp that may also be "" or "0000-00-00 00:00:00"; both read as None.

v2 never sends either, so v2 entity models use `UtcDatetime | None` and save a Python call per timestamp.
"""

OptionalTime = Annotated[time | None, BeforeValidator(_blank_to_none)]
"""A clock time sent as "15:00:00" (v2 spec) or "15:00" (guides, v1); both are accepted (§5 Activity)."""

EntityId = Annotated[int | str, BeforeValidator(_int_if_digits)]
"""An entity id: an int for persons, deals, ...; a UUID string for leads."""
OptionalDuration = Annotated[timedelta | None, BeforeValidator(_blank_to_none)]
"""A duration sent as "01:00:00" (v2 spec) or "01:00" (guides, v1): hours and minutes first."""
