"""Field definitions per entity: the built-in fields, the company's custom fields, and their list forms
(`/api/v2/personFields` and friends, and the v1 `/v1/personFields` list).

Custom field keys are random 40-hex strings, different per company (pipedrive-api.md §6); they come from the
sandbox's seeded RNG so a seeded company is the same company every run.
"""

from __future__ import annotations

import random
from datetime import datetime
from typing import Any

from pipedrive_etl.sandbox.customfields import CUSTOM_TYPES, FieldDef, subfields_for

ENTITIES = ("person", "organization", "deal", "activity")
V1_TIME = "%Y-%m-%d %H:%M:%S"

PERSON_LABELS = [
    {"id": 1, "label": "Customer"},
    {"id": 2, "label": "Hot lead"},
    {"id": 3, "label": "Warm lead"},
    {"id": 4, "label": "Cold lead"},
]
ORGANIZATION_LABELS = [
    {"id": 5, "label": "Customer"},
    {"id": 6, "label": "Partner"},
    {"id": 7, "label": "Competitor"},
]
DEAL_LABELS = [{"id": 8, "label": "Hot"}, {"id": 9, "label": "Warm"}, {"id": 10, "label": "Cold"}]
INDUSTRIES = [
    {"id": 1, "label": "Software"},
    {"id": 2, "label": "Retail"},
    {"id": 3, "label": "Finance"},
    {"id": 4, "label": "Manufacturing"},
    {"id": 5, "label": "Healthcare"},
]

# (key, name, field_type, options, mandatory); key = the field_code of a built-in field.
_BUILT_IN: dict[str, list[tuple[str, str, str, list[dict[str, Any]] | None, bool]]] = {
    "person": [
        ("id", "ID", "int", None, False),
        ("name", "Name", "varchar", None, True),
        ("first_name", "First name", "varchar", None, False),
        ("last_name", "Last name", "varchar", None, False),
        ("org_id", "Organization", "org", None, False),
        ("phone", "Phone", "phone", None, False),
        ("email", "Email", "varchar", None, False),
        ("owner_id", "Owner", "user", None, False),
        ("label_ids", "Labels", "set", PERSON_LABELS, False),
        ("visible_to", "Visible to", "visible_to", None, False),
        ("add_time", "Person created", "date", None, False),
        ("update_time", "Update time", "date", None, False),
        ("notes", "Notes", "text", None, False),
        ("job_title", "Job title", "varchar", None, False),
        ("birthday", "Birthday", "date", None, False),
        ("im", "Instant messenger", "varchar", None, False),
        ("postal_address", "Postal address", "address", None, False),
    ],
    "organization": [
        ("id", "ID", "int", None, False),
        ("name", "Name", "varchar", None, True),
        ("owner_id", "Owner", "user", None, False),
        ("address", "Address", "address", None, False),
        ("label_ids", "Labels", "set", ORGANIZATION_LABELS, False),
        ("visible_to", "Visible to", "visible_to", None, False),
        ("website", "Website", "varchar", None, False),
        ("linkedin", "LinkedIn profile", "varchar", None, False),
        ("industry", "Industry", "enum", INDUSTRIES, False),
        ("annual_revenue", "Annual revenue", "double", None, False),
        ("employee_count", "Number of employees", "int", None, False),
        ("add_time", "Organization created", "date", None, False),
        ("update_time", "Update time", "date", None, False),
    ],
    "deal": [
        ("id", "ID", "int", None, False),
        ("title", "Title", "varchar", None, True),
        ("creator_user_id", "Creator", "user", None, False),
        ("owner_id", "Owner", "user", None, False),
        ("value", "Value", "monetary", None, False),
        ("person_id", "Contact person", "people", None, False),
        ("org_id", "Organization", "org", None, False),
        ("pipeline_id", "Pipeline", "double", None, False),
        ("stage_id", "Stage", "stage", None, False),
        ("status", "Status", "status", None, False),
        ("probability", "Probability", "double", None, False),
        ("lost_reason", "Lost reason", "varchar", None, False),
        ("label_ids", "Labels", "set", DEAL_LABELS, False),
        ("visible_to", "Visible to", "visible_to", None, False),
        ("expected_close_date", "Expected close date", "date", None, False),
        ("add_time", "Deal created", "date", None, False),
        ("update_time", "Update time", "date", None, False),
        ("stage_change_time", "Last stage change", "date", None, False),
        ("won_time", "Won time", "date", None, False),
        ("lost_time", "Lost time", "date", None, False),
        ("close_time", "Deal closed on", "date", None, False),
    ],
    "activity": [
        ("id", "ID", "int", None, False),
        ("subject", "Subject", "varchar", None, True),
        ("type", "Type", "varchar_options", None, True),
        ("due_date", "Due date", "date", None, False),
        ("due_time", "Due time", "time", None, False),
        ("duration", "Duration", "time", None, False),
        ("owner_id", "Assigned to user", "user", None, False),
        ("deal_id", "Deal", "deal", None, False),
        ("person_id", "Contact person", "people", None, False),
        ("org_id", "Organization", "org", None, False),
        ("done", "Done", "boolean", None, False),
        ("busy", "Free/busy", "boolean", None, False),
        ("note", "Note", "text", None, False),
        ("public_description", "Public description", "text", None, False),
        ("location", "Location", "address", None, False),
        ("add_time", "Add time", "date", None, False),
        ("update_time", "Update time", "date", None, False),
        ("marked_as_done_time", "Marked as done time", "date", None, False),
    ],
}


class FieldRegistry:
    """All field definitions of the company, in display order, by entity."""

    def __init__(self, rng: random.Random, created: datetime) -> None:
        self._rng = rng
        self._next_id = 1
        self.by_entity: dict[str, list[FieldDef]] = {entity: [] for entity in ENTITIES}
        self.custom: dict[str, dict[str, FieldDef]] = {entity: {} for entity in ENTITIES}
        for entity, fields in _BUILT_IN.items():
            for key, name, field_type, options, mandatory in fields:
                self._add(
                    FieldDef(
                        entity,
                        self._take_id(),
                        key,
                        name,
                        field_type,
                        False,
                        len(self.by_entity[entity]),
                        created,
                        options,
                        f"The {name.lower()}",
                        mandatory,
                        searchable=key in ("name", "email", "phone", "title"),
                    )
                )

    def _take_id(self) -> int:
        self._next_id += 1
        return self._next_id - 1

    def _add(self, definition: FieldDef) -> FieldDef:
        self.by_entity[definition.entity].append(definition)
        if definition.is_custom:
            self.custom[definition.entity][definition.key] = definition
        return definition

    def add_custom(
        self,
        entity: str,
        name: str,
        field_type: str,
        *,
        created: datetime,
        options: list[str] | None = None,
        key: str | None = None,
        searchable: bool | None = None,
    ) -> FieldDef:
        if field_type not in CUSTOM_TYPES:
            raise ValueError(f"{field_type!r} is not a custom field type; expected one of {CUSTOM_TYPES}")
        if entity == "activity":
            raise ValueError("activity fields are read-only in v2; the sandbox has no custom activity fields")
        option_list = None
        if field_type in ("enum", "set"):
            # Option ids are integers across the company, as on a real account.
            option_list = [{"id": self._take_id() + 1000, "label": label} for label in options or ("A", "B")]
        definition = FieldDef(
            entity,
            self._take_id(),
            key or f"{self._rng.getrandbits(160):040x}",
            name,
            field_type,
            True,
            len(self.by_entity[entity]),
            created,
            option_list,
            "",
            False,
            searchable
            if searchable is not None
            else field_type in ("varchar", "varchar_auto", "text", "phone"),
            subfields_for(field_type, name),
        )
        return self._add(definition)

    def find(self, entity: str, code: str) -> FieldDef | None:
        return next((d for d in self.by_entity[entity] if d.key == code), None)

    def add_options(self, definition: FieldDef, labels: list[str]) -> list[dict[str, Any]]:
        """Append options to an enum/set custom field; returns only the new ones, as the API does."""
        added = [{"id": self._take_id() + 1000, "label": label} for label in labels]
        definition.options = [*(definition.options or []), *added]
        return added


def render_v2(definition: FieldDef, include: set[str]) -> dict[str, Any]:
    out: dict[str, Any] = {
        "field_name": definition.name,
        "field_code": definition.key,
        "description": definition.description,
        "field_type": definition.field_type,
        "options": [dict(option) for option in definition.options] if definition.options else None,
        "subfields": [
            {"field_code": definition.key + suffix, "field_name": name, "field_type": field_type}
            for suffix, name, field_type in definition.subfields
        ]
        or None,
        "is_custom_field": definition.is_custom,
        "is_optional_response_field": False,
    }
    if "ui_visibility" in include:
        in_dialog = definition.entity in ("person", "organization") and definition.order_nr < 6
        out["ui_visibility"] = {
            "add_visible_flag": True,
            "details_visible_flag": True,
            "show_in_add_deal_dialog": {
                "show": in_dialog,
                "order": definition.order_nr if in_dialog else None,
            },
        }
    if "important_fields" in include:
        out["important_fields"] = {"enabled": False, "stage_ids": []}
    if "required_fields" in include:
        out["required_fields"] = {"enabled": definition.mandatory}
    return out


def render_v1(definition: FieldDef, owner_id: int) -> list[dict[str, Any]]:
    """The v1 item, followed by one item per subfield (`is_subfield`, `parent_id`, `id_suffix`)."""
    base = {
        "id": definition.id,
        "key": definition.key,
        "name": definition.name,
        "order_nr": definition.order_nr,
        "field_type": definition.field_type,
        "add_time": definition.add_time.strftime(V1_TIME),
        "update_time": definition.add_time.strftime(V1_TIME),
        "last_updated_by_user_id": owner_id,
        "created_by_user_id": owner_id,
        "active_flag": True,
        "edit_flag": definition.is_custom,
        "index_visible_flag": True,
        "details_visible_flag": True,
        "add_visible_flag": True,
        "important_flag": False,
        "bulk_edit_allowed": True,
        "searchable_flag": definition.searchable,
        "filtering_allowed": True,
        "sortable_flag": True,
        "options": [dict(option) for option in definition.options] if definition.options else None,
        "mandatory_flag": definition.mandatory,
    }
    items = [base]
    for position, (suffix, name, field_type) in enumerate(definition.subfields, start=1):
        items.append(
            {
                **base,
                "id": definition.id * 1000 + position,
                "key": definition.key + suffix,
                "name": name,
                "field_type": field_type,
                "options": None,
                "is_subfield": True,
                "parent_id": definition.id,
                "id_suffix": suffix.lstrip("_"),
            }
        )
    return items
