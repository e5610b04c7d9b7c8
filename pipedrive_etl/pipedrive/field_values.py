"""The canonical, wire-independent value of one custom field, and its plain JSON form for the warehouse.

Pipedrive sends the same custom field value in three shapes (v1 flat keys, v2 `custom_fields`, v2 webhook
typed objects; pipedrive-api.md §6). `pipedrive.fields` decodes all three into one `CustomFieldValue`, so
values from different sources compare equal and a sync diff never mistakes a change of wire format for one of
data.

Canonical Python types by `field_type`:

    varchar, varchar_auto, text, phone   str
    double                               float
    monetary                             float, plus `currency`
    enum                                 EnumOption(id, label)
    set                                  tuple[EnumOption, ...], sorted by id; never empty (empty is None)
    user, org, people                    int (the referenced id)
    date / daterange                     datetime.date, plus `until` for the range
    time / timerange                     datetime.time, plus `until` for the range, `timezone_id`/`_name`
    address                              str, plus `components` (country, locality, ...; blanks dropped)
    unknown, and system types            the raw wire value, untouched

A missing value is `value=None` with no other parts, whatever the wire form said about currency or until.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, time
from types import MappingProxyType
from typing import Any

TEXT_TYPES = frozenset({"varchar", "varchar_auto", "text", "phone"})
REFERENCE_TYPES = frozenset({"user", "org", "people"})
RANGE_TYPES = frozenset({"daterange", "timerange"})
TIME_TYPES = frozenset({"time", "timerange"})
CUSTOM_FIELD_TYPES = frozenset(
    TEXT_TYPES | REFERENCE_TYPES | {"double", "monetary", "set", "enum", "time", "timerange", "date",
                                    "daterange", "address"}
)
"""The 16 types a user can give a custom field (D-cf)."""

UNKNOWN = "unknown"
"""The `field_type` of a key missing from the catalog: its raw value is kept, never dropped."""

ADDRESS_COMPONENTS = (
    "country", "admin_area_level_1", "admin_area_level_2", "locality", "sublocality", "route",
    "street_number", "subpremise", "postal_code", "formatted_address",
)
"""Address parts besides `value`: v1 suffix keys `<key>_<part>`, v2 and webhook object members (§6)."""


@dataclass(frozen=True, slots=True)
class EnumOption:
    """One option of an enum or set field. The label comes from the wire when sent, else from the catalog."""

    id: int | str
    label: str | None = None

    def to_jsonable(self) -> dict[str, Any]:
        return {"id": self.id, "label": self.label}


@dataclass(frozen=True, slots=True)
class CustomFieldValue:
    """One decoded custom field value: immutable, and equal whichever wire form it came from."""

    field_type: str
    value: Any = None
    currency: str | None = None
    until: date | time | None = None
    timezone_id: int | None = None
    timezone_name: str | None = None
    components: Mapping[str, str] | None = None

    def __post_init__(self) -> None:
        # A read-only copy keeps the value immutable even if the caller mutates the dict it passed in.
        if self.components is not None and not isinstance(self.components, MappingProxyType):
            object.__setattr__(self, "components", MappingProxyType(dict(self.components)))

    def __hash__(self) -> int:
        components = tuple(sorted(self.components.items())) if self.components is not None else None
        return hash((self.field_type, self.value, self.currency, self.until, self.timezone_id,
                     self.timezone_name, components))

    @property
    def is_empty(self) -> bool:
        return self.value is None

    @property
    def option_ids(self) -> tuple[int | str, ...]:
        """The selected option ids of an enum or set value (empty when unset or another type)."""
        if isinstance(self.value, EnumOption):
            return (self.value.id,)
        if isinstance(self.value, tuple):
            return tuple(option.id for option in self.value if isinstance(option, EnumOption))
        return ()

    def to_jsonable(self) -> dict[str, Any]:
        """A plain dict for a warehouse JSON column: `{"type", "value", ...}` with parts only when set."""
        out: dict[str, Any] = {"type": self.field_type, "value": _jsonable(self.value)}
        if self.currency is not None:
            out["currency"] = self.currency
        if self.until is not None:
            out["until"] = self.until.isoformat()
        if self.timezone_id is not None:
            out["timezone_id"] = self.timezone_id
        if self.timezone_name is not None:
            out["timezone_name"] = self.timezone_name
        if self.components:
            out["components"] = dict(self.components)
        return out


def _jsonable(value: Any) -> Any:
    if isinstance(value, EnumOption):
        return value.to_jsonable()
    if isinstance(value, tuple):
        return [_jsonable(member) for member in value]
    if isinstance(value, date | time):
        return value.isoformat()
    return value
