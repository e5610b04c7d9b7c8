"""Make a workspace's Pipedrive have the custom fields sync.yaml needs: list, plan, create, add options.

Idempotent: a field is created only when no field has its name (or the key an earlier run resolved it to), and
an option only when no option has its label, so a second run changes nothing. Options are never deleted or
renamed. Every change is planned before the first request that writes (`plan.py`), so an incompatible field
stops the run with nothing created.

Pipedrive has no upsert and names are not unique: a create whose response was lost (OutcomeUnknownError) is
settled by listing the entity's fields again and looking for the name, and created once more only when it is
not there. Options the same way: list, then add only the labels still missing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, cast

from ..pipedrive import OutcomeUnknownError, PipedriveClient
from ..pipedrive.field_catalog import FieldCatalog, UnknownFieldError
from ..pipedrive.field_writes import FieldCreate, FieldWriteEntity
from ..pipedrive.models import FieldDefinition
from .plan import FieldAction, missing_options, plan_fields
from .report import FieldEntry, FieldReport
from .requirements import FieldRequirement

Listed = list[tuple[FieldDefinition, dict[str, Any]]]  # a definition and the raw JSON it was read from


@dataclass
class EnsureResult:
    report: FieldReport
    # The definitions of every entity a change touched, listed again after the changes: what
    # raw.pipedrive_fields should hold now (options included), for the same run's sync_config.
    refreshed: dict[str, Listed] = field(default_factory=dict)


def list_fields(client: PipedriveClient, entity: str) -> Listed:
    listed: Listed = []
    for page in client.iter_fields(entity):  # type: ignore[arg-type]
        listed.extend(zip(page.items, page.raw, strict=True))
    return listed


def ensure_fields(client: PipedriveClient, workspace_id: str, requirements: list[FieldRequirement], *,
                  dry_run: bool = False) -> EnsureResult:
    """Ensure every requirement; raises FieldConflictError (before any write) when a field cannot serve."""
    tokens_before = client.stats.tokens
    live = {entity: list_fields(client, entity) for entity in dict.fromkeys(r.entity for r in requirements)}
    plan = plan_fields(workspace_id, requirements, _catalogs(live))
    report = FieldReport(workspace_id, dry_run=dry_run, warnings=list(plan.warnings))
    touched: set[str] = set()
    for action in plan.actions:
        requirement = action.requirement
        if action.kind == "unchanged":
            report.unchanged.append(_entry(requirement, action.existing))
        elif dry_run:
            target = report.created if action.kind == "create" else report.options_added
            options = requirement.options if action.kind == "create" else action.missing_options
            target.append(_entry(requirement, action.existing, options))
        elif action.kind == "create":
            created = _create(client, requirement)
            report.created.append(_entry(requirement, created, requirement.options))
            touched.add(requirement.entity)
        else:
            added = _add_options(client, action)
            report.options_added.append(_entry(requirement, action.existing, added))
            touched.add(requirement.entity)
    refreshed = {entity: list_fields(client, entity) for entity in sorted(touched)}
    report.tokens = client.stats.tokens - tokens_before
    return EnsureResult(report, refreshed)


def _catalogs(live: dict[str, Listed]) -> dict[str, FieldCatalog]:
    return {entity: FieldCatalog(definition for definition, _ in listed) for entity, listed in live.items()}


def _entry(requirement: FieldRequirement, definition: FieldDefinition | None,
           options: tuple[str, ...] = ()) -> FieldEntry:
    if definition is None:  # a dry run's field to create
        return FieldEntry(requirement.entity, requirement.name, None, requirement.field_type, options,
                          requirement.sources)
    return FieldEntry(requirement.entity, definition.name or requirement.name, definition.key,
                      definition.field_type, options, requirement.sources)


def _find(client: PipedriveClient, requirement: FieldRequirement) -> FieldDefinition | None:
    catalog = FieldCatalog(definition for definition, _ in list_fields(client, requirement.entity))
    try:
        return catalog.resolve(requirement.name)
    except UnknownFieldError:
        return None


def _create(client: PipedriveClient, requirement: FieldRequirement) -> FieldDefinition:
    entity = cast(FieldWriteEntity, requirement.entity)
    body = FieldCreate.of(requirement.name, requirement.field_type, list(requirement.options) or None)
    try:
        return client.create_field(entity, body)
    except OutcomeUnknownError:
        # It may have landed: a second create would make a second field of the same name.
        found = _find(client, requirement)
        if found is not None:
            return found
        return client.create_field(entity, body)  # it did not land; a second unknown outcome is raised


def _add_options(client: PipedriveClient, action: FieldAction) -> tuple[str, ...]:
    requirement, existing = action.requirement, action.existing
    assert existing is not None  # only existing fields get options
    entity = cast(FieldWriteEntity, requirement.entity)
    try:
        client.add_field_options(entity, existing.key, action.missing_options)
        return action.missing_options
    except OutcomeUnknownError:
        # The request is atomic: all options landed or none did. Listing tells which.
        listed = list_fields(client, requirement.entity)
        found = next((d for d, _ in listed if d.key == existing.key), existing)
        still_missing = missing_options(found, action.missing_options)
        if still_missing:
            client.add_field_options(entity, existing.key, still_missing)
        return action.missing_options
