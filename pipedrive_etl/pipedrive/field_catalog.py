"""One entity's field definitions, looked up by key or by the name a person typed into sync.yaml.

Custom field keys are random 40-hex hashes that differ per account (pipedrive-api.md §6), so configuration
names fields and the catalog turns names into keys. Names are not unique in Pipedrive: a name shared by two
fields is an error that asks for the key, never a silent first match.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .field_values import EnumOption

if TYPE_CHECKING:
    from .models import FieldDefinition


class UnknownFieldError(ValueError):
    """No field has this key or name. `candidates` lists the closest names and keys."""

    def __init__(self, name_or_key: str, candidates: list[str]) -> None:
        self.name = name_or_key
        self.candidates = candidates
        hint = f"; did you mean {', '.join(repr(c) for c in candidates)}?" if candidates else ""
        super().__init__(f"unknown Pipedrive field {name_or_key!r}{hint}")


class AmbiguousFieldError(ValueError):
    """More than one field has this name (Pipedrive allows it); the caller must use a key."""

    def __init__(self, name: str, matches: list[FieldDefinition]) -> None:
        self.name = name
        self.keys = [definition.key for definition in matches]
        listed = ", ".join(f"{d.name!r} (key {d.key}, {d.field_type})" for d in matches)
        super().__init__(f"Pipedrive field name {name!r} matches {len(matches)} fields: {listed}; use a key")


class UnknownOptionError(ValueError):
    """An enum or set field has no option with this id or label. `candidates` lists the closest labels."""

    def __init__(self, field_name: str, option: int | str, candidates: list[str]) -> None:
        self.field_name = field_name
        self.option = option
        self.candidates = candidates
        hint = f"; did you mean {', '.join(repr(c) for c in candidates)}?" if candidates else ""
        super().__init__(f"field {field_name!r} has no option {option!r}{hint}")


@dataclass(frozen=True, slots=True)
class _CatalogEntry:
    definition: FieldDefinition
    field_type: str
    options_by_id: dict[int | str, EnumOption] = field(default_factory=dict)
    # Decoded values by wire value. Values are immutable, so repeats (option ids, dates, currencies: most of a
    # CRM's custom data) share one instance; `fields.decode_v2` fills it up to a bound.
    memo: dict[Any, Any] = field(default_factory=dict)


class FieldCatalog:
    """The field definitions of one entity type, indexed for decoding and for name resolution.

    `pipedrive.fields` reads `_entries` directly: decoding is the extract's hot path.
    """

    def __init__(self, definitions: Iterable[FieldDefinition]) -> None:
        self._entries: dict[str, _CatalogEntry] = {}
        for definition in definitions:
            options = {option.id: EnumOption(option.id, option.label) for option in definition.options or ()}
            self._entries[definition.key] = _CatalogEntry(definition, definition.field_type, options)

    @classmethod
    def from_definitions(cls, definitions: Iterable[FieldDefinition]) -> FieldCatalog:
        """Build from `GET /api/v2/<entity>Fields` (or v1) items; built-in fields may be included."""
        return cls(definitions)

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, key: object) -> bool:
        return key in self._entries

    def __iter__(self) -> Iterator[FieldDefinition]:
        return (entry.definition for entry in self._entries.values())

    @property
    def custom_fields(self) -> list[FieldDefinition]:
        """Custom fields only, without v1 subfield items (`<key>_currency` and the like)."""
        entries = self._entries.values()
        return [e.definition for e in entries if e.definition.is_custom and not _is_subfield(e)]

    def get(self, key: str) -> FieldDefinition | None:
        entry = self._entries.get(key)
        return entry.definition if entry is not None else None

    def by_key(self, key: str) -> FieldDefinition:
        entry = self._entries.get(key)
        if entry is None:
            raise UnknownFieldError(key, self._close_matches(key))
        return entry.definition

    def resolve(self, name_or_key: str) -> FieldDefinition:
        """The field with this key, else the one field with this name (exact case first, then any case)."""
        entry = self._entries.get(name_or_key)
        if entry is not None:
            return entry.definition
        named = [e.definition for e in self._entries.values() if not _is_subfield(e)]
        for matches in (
            [d for d in named if d.name == name_or_key],
            [d for d in named if (d.name or "").casefold() == name_or_key.casefold()],
        ):
            if len(matches) == 1:
                return matches[0]
            if len(matches) > 1:
                raise AmbiguousFieldError(name_or_key, matches)
        raise UnknownFieldError(name_or_key, self._close_matches(name_or_key))

    def option_label(self, key: str, option_id: int | str) -> str | None:
        """The label of an enum/set option, or None when the field or option is not in the catalog."""
        entry = self._entries.get(key)
        if entry is None:
            return None
        option = _lookup_option(entry.options_by_id, option_id)
        return option.label if option is not None else None

    def option(self, name_or_key: str, id_or_label: int | str) -> EnumOption:
        """The option of an enum/set field with this id or (case-insensitive) label, for building writes."""
        definition = self.resolve(name_or_key)
        options = self._entries[definition.key].options_by_id
        found = _lookup_option(options, id_or_label)
        if found is not None:
            return found
        if isinstance(id_or_label, str):
            labelled = [o for o in options.values() if (o.label or "").casefold() == id_or_label.casefold()]
            if len(labelled) == 1:
                return labelled[0]
            if len(labelled) > 1:
                ids = ", ".join(str(o.id) for o in labelled)
                raise ValueError(f"field {definition.name!r} has {len(labelled)} options labelled "
                                 f"{id_or_label!r} (ids {ids}); use an id")
        labels = [o.label for o in options.values() if o.label]
        close = difflib.get_close_matches(str(id_or_label), labels, n=3, cutoff=0.6)
        raise UnknownOptionError(definition.name or definition.key, id_or_label, close)

    def _close_matches(self, name_or_key: str) -> list[str]:
        names = {d.name for d in self if d.name}
        by_fold = {name.casefold(): name for name in names}
        close = difflib.get_close_matches(name_or_key.casefold(), list(by_fold), n=3, cutoff=0.6)
        keys = difflib.get_close_matches(name_or_key, list(self._entries), n=3, cutoff=0.8)
        return [by_fold[c] for c in close] + [k for k in keys if k not in names]


def _is_subfield(entry: _CatalogEntry) -> bool:
    return bool(entry.definition.is_subfield)


def _lookup_option(options: dict[int | str, EnumOption], option_id: int | str) -> EnumOption | None:
    # v1 sends enum ids as strings ("123") where v2 sends numbers (§6); built-in options may have string ids.
    found = options.get(option_id)
    if found is None and isinstance(option_id, str) and option_id.lstrip("-").isdigit():
        found = options.get(int(option_id))
    return found
