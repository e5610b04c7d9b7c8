"""What sync.yaml needs to exist in a workspace's Pipedrive: the custom fields to ensure, with type and
options.

Two things ask for a field: the creation rules, whose external-id field (a person varchar holding the ColdCopy
lead id) lets a create that lost its response be found again instead of made twice, needed only when sync.yaml
creates persons; and every field mapping with `create_if_missing`. Two mappings naming the same field must
agree on its type; their options are merged.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

from ..config import ConfigError, SyncConfig
from ..mappings.resolve import EXTERNAL_ID, KnownField

EXTERNAL_ID_FIELD_TYPE = "varchar"


@dataclass(frozen=True)
class FieldRequirement:
    """A custom field sync.yaml needs: where it lives, its name, type and options, and who asks for it."""

    entity: str
    name: str
    field_type: str
    options: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()  # e.g. "field_mappings[2] (custom_fields.tier)"
    known: KnownField | None = None  # the key an earlier run resolved the name to

    def describe(self) -> str:
        return f"{self.entity} field {self.name!r} ({', '.join(self.sources)})"


def required_fields(config: SyncConfig,
                    known: Mapping[str, KnownField] | None = None) -> list[FieldRequirement]:
    """The fields to ensure, in sync.yaml's order. `known`: mapping id (or EXTERNAL_ID) -> earlier
    resolution."""
    known = known or {}
    wanted: list[FieldRequirement] = []
    rules = config.creation_rules
    if rules.create_persons_for_statuses:
        earlier = known.get(EXTERNAL_ID)
        if earlier is not None and earlier.configured_name not in (None, rules.external_id_field_name):
            earlier = None  # sync.yaml now names another field
        wanted.append(FieldRequirement("person", rules.external_id_field_name, EXTERNAL_ID_FIELD_TYPE,
                                       sources=(EXTERNAL_ID,), known=earlier))
    for position, mapping in enumerate(config.field_mappings):
        ref = mapping.pipedrive
        if not ref.create_if_missing:
            continue
        assert ref.name is not None and ref.field_type is not None  # PipedriveFieldRef validates both
        wanted.append(FieldRequirement(ref.entity, ref.name, ref.field_type, tuple(ref.options),
                                       (f"field_mappings[{position}] ({mapping.coldcopy_field})",),
                                       known.get(mapping.coldcopy_field)))
    return _merged(wanted)


def _merged(wanted: list[FieldRequirement]) -> list[FieldRequirement]:
    merged: dict[tuple[str, str], FieldRequirement] = {}
    problems = []
    for requirement in wanted:
        identity = (requirement.entity, requirement.name.strip().casefold())
        first = merged.get(identity)
        if first is None:
            merged[identity] = requirement
        elif first.field_type != requirement.field_type:
            problems.append(f"{requirement.entity} field {requirement.name!r} is wanted as "
                            f"{first.field_type} by {', '.join(first.sources)} and as "
                            f"{requirement.field_type} by {', '.join(requirement.sources)}")
        else:
            labels = {label.casefold() for label in first.options}
            options = first.options + tuple(o for o in requirement.options if o.casefold() not in labels)
            merged[identity] = replace(first, options=options, sources=first.sources + requirement.sources,
                                       known=first.known or requirement.known)
    if problems:
        raise ConfigError("sync.yaml asks for one Pipedrive field with two types:\n"
                          + "\n".join(f"  {problem}" for problem in problems))
    return list(merged.values())
