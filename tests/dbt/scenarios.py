"""Hand-built workspaces for the dbt tests, written as extraction and the sync_config asset would leave them.

`merges`: one linked lead and person per three-way case, each with seven custom fields: one per conflict rule
(latest_wins, pipedrive_wins, coldcopy_wins, manual, the workspace default pipedrive_wins) and two one-way
mappings. `stages`: deals with hand-built histories (ties, a pipeline move, a reopening, a deleted stage, a
webhook move, a deal that never moved, ...).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from pipedrive_etl.warehouse import Warehouse

T0 = datetime(2026, 1, 1, tzinfo=UTC)
DAY = timedelta(days=1)
EXTRACTED_AT = T0 + 20 * DAY

# mapping id -> (custom field key, direction, rule or None for the workspace default)
MERGE_FIELDS = {
    "custom_fields.latest": ("1" * 40, "both", "latest_wins"),
    "custom_fields.pipedrive": ("2" * 40, "both", "pipedrive_wins"),
    "custom_fields.coldcopy": ("3" * 40, "both", "coldcopy_wins"),
    "custom_fields.manual": ("4" * 40, "both", "manual"),
    "custom_fields.default": ("5" * 40, "both", None),
    "custom_fields.to_pipedrive": ("6" * 40, "to_pipedrive", "latest_wins"),
    "custom_fields.to_coldcopy": ("7" * 40, "to_coldcopy", "latest_wins"),
}
MERGE_DEFAULT_RULE = "pipedrive_wins"


@dataclass(frozen=True)
class MergeCase:
    name: str
    coldcopy: str | None
    pipedrive: str | None
    baseline: str | None = None
    has_baseline: bool = True
    newer: str = "coldcopy"  # whose record was updated last (latest_wins)
    resolution: str | None = None  # manual: coldcopy, pipedrive, value, stale
    agreed_after_extraction: bool = (
        False  # the baseline is newer than both rows (our own write, not yet read back)
    )

    @property
    def lead_id(self) -> str:
        return f"merge-{self.name}"


MERGE_CASES = [
    MergeCase("unchanged", "A", "A", "A"),
    MergeCase("coldcopy_changed", "B", "A", "A"),
    MergeCase("pipedrive_changed", "A", "B", "A"),
    MergeCase("both_changed_same", "B", "B", "A"),
    MergeCase("conflict_coldcopy_newer", "B", "C", "A", newer="coldcopy"),
    MergeCase("conflict_pipedrive_newer", "B", "C", "A", newer="pipedrive"),
    MergeCase("conflict_resolved_coldcopy", "B", "C", "A", resolution="coldcopy"),
    MergeCase("conflict_resolved_pipedrive", "B", "C", "A", resolution="pipedrive"),
    MergeCase("conflict_resolved_value", "B", "C", "A", resolution="value"),
    MergeCase("conflict_resolution_stale", "B", "C", "A", resolution="stale"),
    MergeCase("first_link_coldcopy_empty", None, "B", has_baseline=False),
    MergeCase("first_link_pipedrive_empty", "B", None, has_baseline=False),
    MergeCase("first_link_equal", "B", "B", has_baseline=False),
    MergeCase("first_link_differ", "B", "C", has_baseline=False, newer="pipedrive"),
    MergeCase("first_link_both_empty", None, None, has_baseline=False),
    MergeCase("pipedrive_row_predates_our_write", "B", "A", "B", agreed_after_extraction=True),
]


def _entity(workspace: str, record_id: int, raw: dict, *, updated: datetime, **typed: object) -> dict:
    return {
        "workspace_id": workspace,
        "id": record_id,
        "add_time": T0 - 100 * DAY,
        "update_time": updated,
        "is_deleted": False,
        "swept_deleted_at": None,
        **typed,
        "raw": json.dumps(raw),
        "extracted_at": EXTRACTED_AT,
    }


def _field_mapping(
    workspace: str, position: int, mapping_id: str, key: str, direction: str, rule: str | None
) -> dict:
    return {
        "workspace_id": workspace,
        "mapping_id": mapping_id,
        "position": position,
        "coldcopy_field": mapping_id,
        "coldcopy_column": None,
        "coldcopy_custom_key": mapping_id.removeprefix("custom_fields."),
        "pipedrive_entity": "person",
        "pipedrive_field_key": key,
        "pipedrive_field_code": key,
        "pipedrive_field_name": mapping_id,
        "pipedrive_field_type": "varchar",
        "field_type": "varchar",
        "is_custom_field": True,
        "direction": direction,
        "rule": rule or MERGE_DEFAULT_RULE,
        "rule_source": "field" if rule else "workspace",
        "transform": None,
        "transform_kind": None,
        "transform_format": None,
        "transform_calculation": None,
        "transform_operand": None,
        "transform_default": None,
        "resolved_at": T0,
    }


def _workspace_row(workspace: str, strategy: str) -> dict:
    return {
        "workspace_id": workspace,
        "conflict_strategy": strategy,
        "create_organizations": False,
        "create_deals": False,
        "deal_pipeline_id": None,
        "deal_stage_id": None,
        "deal_title_template": None,
        "external_id_field_key": None,
        "external_id_field_name": "ColdCopy lead id",
        "resolved_at": T0,
    }


def write_merges(warehouse: Warehouse, workspace: str = "merges") -> None:
    """The merge workspace: persons 1001.., leads `merge-<case>`, every field of a case holding its values."""
    fields = list(MERGE_FIELDS.items())
    warehouse.upsert(
        "state.workspaces", [_workspace_row(workspace, MERGE_DEFAULT_RULE)], key=("workspace_id",)
    )
    warehouse.upsert(
        "state.field_mappings",
        [
            _field_mapping(workspace, n, mapping_id, key, direction, rule)
            for n, (mapping_id, (key, direction, rule)) in enumerate(fields)
        ],
        key=("workspace_id", "mapping_id"),
    )
    warehouse.upsert(
        "raw.pipedrive_fields",
        [
            {
                "workspace_id": workspace,
                "entity": "person",
                "field_code": key,
                "field_name": mapping_id,
                "field_type": "varchar",
                "is_custom_field": True,
                "extracted_at": EXTRACTED_AT,
                "raw": json.dumps(
                    {"field_code": key, "field_name": mapping_id, "field_type": "varchar", "options": None}
                ),
            }
            for mapping_id, (key, _, _) in fields
        ],
        key=("workspace_id", "entity", "field_code"),
    )
    persons, leads, links, baselines, resolutions = [], [], [], [], []
    for n, case in enumerate(MERGE_CASES):
        person_id = 1001 + n
        coldcopy_at, pipedrive_at = (
            (T0 + 10 * DAY, T0 + 5 * DAY) if case.newer == "coldcopy" else (T0 + 5 * DAY, T0 + 10 * DAY)
        )
        custom = {mapping_id.removeprefix("custom_fields."): case.coldcopy for mapping_id in MERGE_FIELDS}
        email = f"{case.name}@merges.example"
        persons.append(
            _entity(
                workspace,
                person_id,
                {
                    "id": person_id,
                    "name": case.name,
                    "emails": [{"value": email, "primary": True}],
                    "phones": [],
                    "custom_fields": {key: case.pipedrive for key, _, _ in MERGE_FIELDS.values()},
                },
                updated=pipedrive_at,
                org_id=None,
                owner_id=1,
            )
        )
        leads.append(
            {
                "workspace_id": workspace,
                "id": case.lead_id,
                "email": email,
                "updated_at": coldcopy_at,
                "is_deleted": False,
                "extracted_at": EXTRACTED_AT,
                "raw": json.dumps(
                    {
                        "id": case.lead_id,
                        "email": email,
                        "status": "contacted",
                        "custom_fields": json.dumps(custom),
                        "created_at": T0.isoformat(),
                    }
                ),
            }
        )
        links.append(
            {
                "workspace_id": workspace,
                "coldcopy_lead_id": case.lead_id,
                "pipedrive_person_id": person_id,
                "pipedrive_organization_id": None,
                "pipedrive_deal_id": None,
                "linked_by": "created",
                "linked_at": T0 - DAY,
                "updated_at": None,
            }
        )
        if case.has_baseline:
            agreed = EXTRACTED_AT + DAY if case.agreed_after_extraction else T0
            baselines += [
                {
                    "workspace_id": workspace,
                    "coldcopy_lead_id": case.lead_id,
                    "field": mapping_id,
                    "value": case.baseline,
                    "agreed_at": agreed,
                }
                for mapping_id in MERGE_FIELDS
            ]
        if case.resolution:
            side = {"value": "value", "stale": "coldcopy"}.get(case.resolution, case.resolution)
            resolutions.append(
                {
                    "workspace_id": workspace,
                    "coldcopy_lead_id": case.lead_id,
                    "field": "custom_fields.manual",
                    "chosen_side": side,
                    "chosen_value": "D" if side == "value" else None,
                    "resolved_by": "test",
                    "resolved_at": T0 - DAY if case.resolution == "stale" else T0 + 15 * DAY,
                }
            )
    warehouse.upsert("raw.pipedrive_persons", persons, key=("workspace_id", "id"))
    warehouse.upsert("raw.coldcopy_leads", leads, key=("workspace_id", "id"))
    warehouse.upsert("state.sync_links", links, key=("workspace_id", "coldcopy_lead_id"))
    warehouse.upsert("state.sync_baseline", baselines, key=("workspace_id", "coldcopy_lead_id", "field"))
    warehouse.upsert(
        "state.conflict_resolutions",
        resolutions,
        key=("workspace_id", "coldcopy_lead_id", "field", "resolved_at"),
    )


# Expected (resolved value, planned write) per case, for the fields in MERGE_FIELDS order: latest_wins,
# pipedrive_wins, coldcopy_wins, manual, workspace default (pipedrive_wins), to_pipedrive, to_coldcopy.
# Writes: pipedrive (a person update), coldcopy (a lead update), both, baseline (bookkeeping only), pending (a
# manual conflict, nothing planned) or None (nothing at all).
NOTHING, PENDING = (None, None), (None, "pending")
TO_PD_B, TO_CC_B, TO_CC_C, BASE_B = (
    ("B", "pipedrive"),
    ("B", "coldcopy"),
    ("C", "coldcopy"),
    ("B", "baseline"),
)
MERGE_EXPECTATIONS: dict[str, tuple[tuple[str | None, str | None], ...]] = {
    "unchanged": (NOTHING,) * 7,
    "coldcopy_changed": (TO_PD_B,) * 6 + (NOTHING,),
    "pipedrive_changed": (TO_CC_B,) * 5 + (NOTHING, TO_CC_B),
    "both_changed_same": (BASE_B,) * 7,
    "conflict_coldcopy_newer": (TO_PD_B, TO_CC_C, TO_PD_B, PENDING, TO_CC_C, TO_PD_B, TO_CC_C),
    "conflict_pipedrive_newer": (TO_CC_C, TO_CC_C, TO_PD_B, PENDING, TO_CC_C, TO_PD_B, TO_CC_C),
    "conflict_resolved_coldcopy": (TO_PD_B, TO_CC_C, TO_PD_B, TO_PD_B, TO_CC_C, TO_PD_B, TO_CC_C),
    "conflict_resolved_pipedrive": (TO_PD_B, TO_CC_C, TO_PD_B, TO_CC_C, TO_CC_C, TO_PD_B, TO_CC_C),
    "conflict_resolved_value": (TO_PD_B, TO_CC_C, TO_PD_B, ("D", "both"), TO_CC_C, TO_PD_B, TO_CC_C),
    "conflict_resolution_stale": (TO_PD_B, TO_CC_C, TO_PD_B, PENDING, TO_CC_C, TO_PD_B, TO_CC_C),
    "first_link_coldcopy_empty": (TO_CC_B,) * 5 + (NOTHING, TO_CC_B),
    "first_link_pipedrive_empty": (TO_PD_B,) * 6 + (NOTHING,),
    "first_link_equal": (BASE_B,) * 7,
    "first_link_differ": (TO_CC_C, TO_CC_C, TO_PD_B, PENDING, TO_CC_C, TO_PD_B, TO_CC_C),
    "first_link_both_empty": (NOTHING,) * 7,
    "pipedrive_row_predates_our_write": (NOTHING,) * 7,
}
