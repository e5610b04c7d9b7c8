"""Resolve sync.yaml against one workspace's Pipedrive: field names to keys, pipeline and stage names to ids.

Pure: it takes the field definitions, pipelines and stages already read from the warehouse and returns rows
for the state tables, or raises `MappingError` listing every name it could not resolve (unknown, ambiguous, a
stage outside its pipeline). Nothing is written and nothing is sent to Pipedrive before this succeeds.

A field's key is its identity and its name a label that may change (DESIGN.md decision 4). So a field named
in sync.yaml that no longer resolves by name, but was resolved to a key by an earlier run (`KnownField`, read
from `state.field_mappings` and `state.workspaces`) and that key still exists, keeps that key: a field renamed
in Pipedrive keeps working, with a warning naming its old and new name, instead of failing the run.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ..config import ConfigError, FieldMapping, PipedriveFieldRef, SyncConfig, Workspace
from ..pipedrive.field_catalog import AmbiguousFieldError, FieldCatalog, UnknownFieldError
from ..pipedrive.models import FieldDefinition
from .builtins import CUSTOM_FIELDS_PREFIX, LEAD_COLUMNS, builtin_field
from .transforms import flatten

logger = logging.getLogger(__name__)

EXTERNAL_ID = "creation_rules.external_id_field_name"
"""The `known` entry of the external-id field (mappings are keyed by their mapping id, the ColdCopy field)."""


class MappingError(ConfigError):
    """sync.yaml names something the workspace's Pipedrive does not have (or has twice); the message names
    each."""


@dataclass(frozen=True)
class Named:
    id: int
    name: str
    is_deleted: bool = False
    pipeline_id: int | None = None


@dataclass(frozen=True)
class KnownField:
    """What an earlier run resolved a name to: the entity and the field's key; `configured_name`, the name
    sync.yaml gave then, where it is stored (the external-id field's, in state.workspaces)."""

    entity: str
    key: str
    configured_name: str | None = None


@dataclass
class ResolvedWorkspace:
    """Rows for the workspace's state tables (column -> value), ready to replace the old ones."""

    workspace_id: str
    workspace: dict[str, Any]
    creation_statuses: list[dict[str, Any]] = field(default_factory=list)
    field_mappings: list[dict[str, Any]] = field(default_factory=list)
    field_mapping_lookups: list[dict[str, Any]] = field(default_factory=list)
    stage_mappings: list[dict[str, Any]] = field(default_factory=list)
    stage_mapping_actions: list[dict[str, Any]] = field(default_factory=list)
    # Fields kept by their known key although their name changed; also logged as warnings.
    warnings: list[str] = field(default_factory=list)

    def tables(self) -> dict[str, list[dict[str, Any]]]:
        return {
            "state.workspaces": [self.workspace],
            "state.creation_statuses": self.creation_statuses,
            "state.field_mappings": self.field_mappings,
            "state.field_mapping_lookups": self.field_mapping_lookups,
            "state.stage_mappings": self.stage_mappings,
            "state.stage_mapping_actions": self.stage_mapping_actions,
        }


def catalogs(definitions: Iterable[tuple[str, dict[str, Any]]]) -> dict[str, FieldCatalog]:
    """(entity, raw v2 field definition) pairs -> one catalog per entity."""
    by_entity: dict[str, list[FieldDefinition]] = {}
    for entity, raw in definitions:
        by_entity.setdefault(entity, []).append(FieldDefinition.model_validate(raw))
    return {entity: FieldCatalog(items) for entity, items in by_entity.items()}


def resolve_name(catalog: FieldCatalog, entity: str, name: str, known: KnownField | None,
                 warnings: list[str]) -> FieldDefinition:
    """The field named `name`; when the name no longer resolves (renamed) or became ambiguous (a namesake
    was added), the known key of an earlier run, if it still exists. Else Unknown/AmbiguousFieldError."""
    try:
        return catalog.resolve(name)
    except (UnknownFieldError, AmbiguousFieldError) as exc:
        current = catalog.get(known.key) if known is not None and known.entity == entity else None
        if current is None or (isinstance(exc, AmbiguousFieldError) and current.key not in exc.keys):
            raise
        if isinstance(exc, AmbiguousFieldError):
            warning = (f"{entity} field name {name!r} is now shared by {len(exc.keys)} fields; "
                       f"keeping the one resolved before, key {current.key}")
        else:
            warning = (f"{entity} field {name!r} was renamed in Pipedrive to {current.name!r}; "
                       f"still mapped by its key {current.key} (update sync.yaml to the new name)")
        logger.warning(warning)
        warnings.append(warning)
        return current


def _pipedrive_field(ref: PipedriveFieldRef, catalog: FieldCatalog, known: KnownField | None,
                     warnings: list[str]) -> dict[str, Any]:
    wanted = ref.key if ref.key is not None else ref.name
    assert wanted is not None  # the config allows exactly one of key and name
    builtin = builtin_field(ref.entity, wanted) if ref.key is not None else None
    if builtin is None:
        definition = (catalog.by_key(wanted) if ref.key is not None
                      else resolve_name(catalog, ref.entity, wanted, known, warnings))
        if not definition.is_custom:
            builtin = builtin_field(ref.entity, definition.key)
            if builtin is None:
                raise UnknownFieldError(wanted, [])
        else:
            return {
                "pipedrive_field_key": definition.key,
                "pipedrive_field_code": definition.key,
                "pipedrive_field_name": definition.name,
                "pipedrive_field_type": definition.field_type,
                "field_type": definition.field_type,
                "is_custom_field": True,
            }
    definition = catalog.get(builtin.field_code)
    return {
        "pipedrive_field_key": builtin.attribute,
        "pipedrive_field_code": builtin.field_code,
        "pipedrive_field_name": definition.name if definition else builtin.attribute,
        "pipedrive_field_type": definition.field_type if definition else None,
        "field_type": builtin.field_type,
        "is_custom_field": False,
    }


def _coldcopy_columns(coldcopy_field: str) -> dict[str, str | None]:
    key = coldcopy_field.removeprefix(CUSTOM_FIELDS_PREFIX)
    if key != coldcopy_field:
        # DuckDB reads a key starting with `$` or `/` as a JSON path or pointer, not as a key.
        if not key or key.startswith(("$", "/")):
            raise ValueError(f"ColdCopy custom field key {key!r} must be non-empty and not start with $ or /")
        return {"coldcopy_column": None, "coldcopy_custom_key": key}
    if coldcopy_field in LEAD_COLUMNS:
        return {"coldcopy_column": coldcopy_field, "coldcopy_custom_key": None}
    raise ValueError(
        f"ColdCopy lead field {coldcopy_field!r} is unknown; use one of {', '.join(sorted(LEAD_COLUMNS))} "
        "or custom_fields.<key>"
    )


def _field_mapping_rows(
    workspace: Workspace, position: int, mapping: FieldMapping, catalog: FieldCatalog, resolved_at: Any,
    known: KnownField | None, warnings: list[str],
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    transform = flatten(mapping.transform)
    row = {
        "workspace_id": workspace.id,
        "mapping_id": mapping.coldcopy_field,
        "position": position,
        "coldcopy_field": mapping.coldcopy_field,
        **_coldcopy_columns(mapping.coldcopy_field),
        "pipedrive_entity": mapping.pipedrive.entity,
        **_pipedrive_field(mapping.pipedrive, catalog, known, warnings),
        "direction": mapping.direction,
        "rule": mapping.rule or workspace.conflict_strategy,
        "rule_source": "field" if mapping.rule else "workspace",
        "transform": transform.as_json,
        "transform_kind": transform.kind,
        "transform_format": transform.format,
        "transform_calculation": transform.calculation,
        "transform_operand": transform.operand,
        "transform_default": transform.default,
        "resolved_at": resolved_at,
    }
    lookups = [
        {
            "workspace_id": workspace.id,
            "mapping_id": mapping.coldcopy_field,
            "from_value": source,
            "to_value": target,
        }
        for source, target in transform.lookups.items()
    ]
    return row, lookups


def _named(items: list[Named], ref: str | int, what: str) -> Named:
    if isinstance(ref, int):
        found = [item for item in items if item.id == ref]
    else:
        live = [item for item in items if not item.is_deleted]
        found = [item for item in live if item.name == ref] or [
            item for item in live if item.name.casefold() == ref.strip().casefold()
        ]
    if len(found) == 1:
        return found[0]
    if not found:
        known = ", ".join(sorted({repr(item.name) for item in items if not item.is_deleted})) or "none"
        raise LookupError(f"{what} {ref!r} is unknown; known: {known}")
    ids = ", ".join(str(item.id) for item in found)
    raise LookupError(f"{what} {ref!r} matches {len(found)} (ids {ids}); use an id")


def _stage(
    pipelines: list[Named], stages: list[Named], pipeline_ref: str | int, stage_ref: str | int
) -> tuple[Named, Named]:
    pipeline = _named(pipelines, pipeline_ref, "pipeline")
    stage = _named(
        [s for s in stages if s.pipeline_id == pipeline.id], stage_ref, f"stage of pipeline {pipeline.name!r}"
    )
    return pipeline, stage


def resolve_workspace(
    config: SyncConfig,
    workspace_id: str,
    catalogs_by_entity: dict[str, FieldCatalog],
    pipelines: list[Named],
    stages: list[Named],
    *,
    resolved_at: Any,
    known: Mapping[str, KnownField] | None = None,
) -> ResolvedWorkspace:
    """Resolve every mapping for one workspace; raise `MappingError` naming each problem, or return the
    rows. `known`: mapping id (or `EXTERNAL_ID`) -> the field an earlier run resolved it to."""
    known = known or {}
    workspace = config.workspace(workspace_id)
    problems: list[str] = []
    resolved = ResolvedWorkspace(workspace.id, {})
    if not catalogs_by_entity:
        raise MappingError(
            f"workspace {workspace.id!r}: no Pipedrive field definitions in the warehouse yet; "
            "materialize pipedrive/fields first"
        )
    for position, mapping in enumerate(config.field_mappings):
        catalog = catalogs_by_entity.get(mapping.pipedrive.entity, FieldCatalog([]))
        try:
            row, lookups = _field_mapping_rows(workspace, position, mapping, catalog, resolved_at,
                                               known.get(mapping.coldcopy_field), resolved.warnings)
        except (UnknownFieldError, AmbiguousFieldError, ValueError) as exc:
            problems.append(
                f"field_mappings[{position}] ({mapping.coldcopy_field}): {mapping.pipedrive.entity} {exc}"
            )
            continue
        resolved.field_mappings.append(row)
        resolved.field_mapping_lookups.extend(lookups)
    seen_stages: dict[int, int] = {}
    for position, mapping in enumerate(config.stage_mappings):
        try:
            pipeline, stage = _stage(pipelines, stages, mapping.pipeline, mapping.stage)
        except LookupError as exc:
            problems.append(f"stage_mappings[{position}]: {exc.args[0]}")
            continue
        if stage.id in seen_stages:
            problems.append(
                f"stage_mappings[{position}]: stage {stage.name!r} is already mapped by "
                f"stage_mappings[{seen_stages[stage.id]}]"
            )
            continue
        seen_stages[stage.id] = position
        resolved.stage_mappings.append(
            {
                "workspace_id": workspace.id,
                "stage_id": stage.id,
                "pipeline_id": pipeline.id,
                "pipeline_name": pipeline.name,
                "stage_name": stage.name,
                "lead_status": mapping.lead_status,
                "position": position,
            }
        )
        resolved.stage_mapping_actions.extend(
            {"workspace_id": workspace.id, "stage_id": stage.id, "campaign_action": action, "position": order}
            for order, action in enumerate(dict.fromkeys(mapping.campaign_actions))
        )
    rules = config.creation_rules
    deal_pipeline = deal_stage = None
    if rules.create_deals is not None:
        try:
            deal_pipeline, deal_stage = _stage(
                pipelines, stages, rules.create_deals.pipeline, rules.create_deals.stage
            )
        except LookupError as exc:
            problems.append(f"creation_rules.create_deals: {exc.args[0]}")
    external_key = None
    try:
        external_key = resolve_name(
            catalogs_by_entity.get("person", FieldCatalog([])), "person", rules.external_id_field_name,
            _known_external_id(known.get(EXTERNAL_ID), rules.external_id_field_name), resolved.warnings,
        ).key
    except AmbiguousFieldError as exc:
        problems.append(f"creation_rules.external_id_field_name: person {exc}")
    except UnknownFieldError as exc:
        if rules.create_persons_for_statuses:  # creates must be findable again by their external id
            problems.append(f"creation_rules.external_id_field_name: person {exc}")
    if problems:
        raise MappingError(
            f"sync.yaml does not match workspace {workspace.id!r}'s Pipedrive:\n"
            + "\n".join(f"  {problem}" for problem in problems)
        )
    resolved.workspace = {
        "workspace_id": workspace.id,
        "conflict_strategy": workspace.conflict_strategy,
        "create_organizations": rules.create_organizations,
        "create_deals": rules.create_deals is not None,
        "deal_pipeline_id": deal_pipeline.id if deal_pipeline else None,
        "deal_stage_id": deal_stage.id if deal_stage else None,
        "deal_title_template": rules.create_deals.title_template if rules.create_deals else None,
        "external_id_field_key": external_key,
        "external_id_field_name": rules.external_id_field_name,
        "resolved_at": resolved_at,
    }
    resolved.creation_statuses = [
        {"workspace_id": workspace.id, "lead_status": status}
        for status in dict.fromkeys(rules.create_persons_for_statuses)
    ]
    return resolved


def _known_external_id(known: KnownField | None, name: str) -> KnownField | None:
    # state.workspaces keeps the name sync.yaml gave: another name now means sync.yaml names another field.
    return known if known is not None and known.configured_name in (None, name) else None
