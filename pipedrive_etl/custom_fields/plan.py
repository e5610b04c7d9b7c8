"""Compare the fields sync.yaml needs with a workspace's live field definitions: what to create, which
options to add, what is already in place; or stop, naming every field that cannot serve as configured.

Pure: nothing is sent from here, and a conflict is raised before anything is created, so a run either changes
what it must or changes nothing. Names resolve as the mappings do (`mappings.resolve.resolve_name`): exact
name, then any case, then the key an earlier run resolved it to (a field renamed in Pipedrive is not created
again).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from ..config import ConfigError
from ..mappings.resolve import resolve_name
from ..pipedrive.field_catalog import AmbiguousFieldError, FieldCatalog, UnknownFieldError
from ..pipedrive.field_writes import OPTION_FIELD_TYPES
from ..pipedrive.models import FieldDefinition
from .compatibility import compatible
from .requirements import FieldRequirement


@dataclass(frozen=True)
class IncompatibleField:
    """An existing field whose type cannot hold what sync.yaml maps to it."""

    entity: str
    name: str
    key: str
    existing_type: str
    wanted_type: str
    sources: tuple[str, ...]

    def describe(self) -> str:
        return (f"{self.entity} field {self.name!r} (key {self.key}) exists as {self.existing_type}, but "
                f"{', '.join(self.sources)} wants {self.wanted_type}; change field_type in sync.yaml, or "
                "rename or remove the field in Pipedrive")


class FieldConflictError(ConfigError):
    """Existing Pipedrive fields cannot serve sync.yaml as configured; nothing was created or changed."""

    def __init__(self, workspace_id: str, problems: list[str], incompatible: list[IncompatibleField]) -> None:
        self.workspace_id = workspace_id
        self.problems = problems
        self.incompatible = incompatible
        super().__init__(f"workspace {workspace_id!r}: Pipedrive's fields do not match sync.yaml:\n"
                         + "\n".join(f"  {problem}" for problem in problems))


@dataclass(frozen=True)
class FieldAction:
    """One requirement's outcome: create it, add options to the existing field, or nothing to do."""

    kind: Literal["create", "add_options", "unchanged"]
    requirement: FieldRequirement
    existing: FieldDefinition | None = None
    missing_options: tuple[str, ...] = ()


@dataclass
class FieldPlan:
    actions: list[FieldAction] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # renamed fields kept by their key


def missing_options(definition: FieldDefinition, wanted: tuple[str, ...]) -> tuple[str, ...]:
    """Wanted labels the field lacks; case-insensitive, as `FieldCatalog.option` finds labels."""
    present = {(option.label or "").casefold() for option in definition.options or ()}
    return tuple(label for label in wanted if label.casefold() not in present)


def plan_fields(workspace_id: str, requirements: list[FieldRequirement],
                catalogs: Mapping[str, FieldCatalog]) -> FieldPlan:
    """Decide each requirement against the live definitions; raise FieldConflictError naming every problem."""
    plan = FieldPlan()
    problems: list[str] = []
    incompatible: list[IncompatibleField] = []
    for requirement in requirements:
        catalog = catalogs.get(requirement.entity, FieldCatalog([]))
        try:
            existing = resolve_name(catalog, requirement.entity, requirement.name, requirement.known,
                                    plan.warnings)
        except UnknownFieldError:
            plan.actions.append(FieldAction("create", requirement))
            continue
        except AmbiguousFieldError as exc:
            problems.append(f"{requirement.describe()}: {exc}")
            continue
        if not compatible(existing.field_type, requirement.field_type):
            conflict = IncompatibleField(requirement.entity, existing.name or requirement.name, existing.key,
                                         existing.field_type, requirement.field_type, requirement.sources)
            incompatible.append(conflict)
            problems.append(conflict.describe())
            continue
        has_options = existing.field_type in OPTION_FIELD_TYPES
        missing = missing_options(existing, requirement.options) if has_options else ()
        if missing and not existing.is_custom:
            problems.append(f"{requirement.describe()}: options {', '.join(map(repr, missing))} are "
                            f"missing, and {existing.key} is a built-in field: the API adds no options")
            continue
        kind: Literal["add_options", "unchanged"] = "add_options" if missing else "unchanged"
        plan.actions.append(FieldAction(kind, requirement, existing, missing))
    if problems:
        raise FieldConflictError(workspace_id, problems, incompatible)
    return plan
