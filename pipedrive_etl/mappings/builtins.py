"""The built-in (non-custom) fields a mapping may name, and the ColdCopy lead columns it may read.

A built-in Pipedrive field has two names: the attribute on the v2 record and in the write body (`phones`,
`emails`) and the field definition's code (`phone`, `email`), which is where its options live. Each built-in
is given the canonical type its value is compared in (`email` lowercases, `phone` keeps digits; see
`dbt_project/macros/canonical.sql`). Any 40-hex custom field of the entity is mappable besides these.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class BuiltinField:
    attribute: str  # key on the v2 record and in the write body
    field_code: str  # field_code in the entity's field definitions
    field_type: str  # canonical type of the comparison


def _fields(*specs: tuple[str, str, str]) -> dict[str, BuiltinField]:
    return {attribute: BuiltinField(attribute, code, kind) for attribute, code, kind in specs}


BUILTIN_FIELDS: dict[str, dict[str, BuiltinField]] = {
    "person": _fields(
        ("name", "name", "varchar"),
        ("first_name", "first_name", "varchar"),
        ("last_name", "last_name", "varchar"),
        ("job_title", "job_title", "varchar"),
        ("emails", "email", "email"),
        ("phones", "phone", "phone"),
        ("notes", "notes", "text"),
        ("birthday", "birthday", "date"),
        ("owner_id", "owner_id", "user"),
        ("org_id", "org_id", "org"),
        ("label_ids", "label_ids", "set"),
    ),
    "organization": _fields(
        ("name", "name", "varchar"),
        ("website", "website", "varchar"),
        ("linkedin", "linkedin", "varchar"),
        ("industry", "industry", "enum"),
        ("annual_revenue", "annual_revenue", "double"),
        ("employee_count", "employee_count", "int"),
        ("address", "address", "address"),
        ("owner_id", "owner_id", "user"),
        ("label_ids", "label_ids", "set"),
    ),
    "deal": _fields(
        ("title", "title", "varchar"),
        ("value", "value", "double"),
        ("currency", "currency", "varchar"),
        ("status", "status", "varchar"),
        ("probability", "probability", "double"),
        ("expected_close_date", "expected_close_date", "date"),
        ("lost_reason", "lost_reason", "varchar"),
        ("owner_id", "owner_id", "user"),
        ("label_ids", "label_ids", "set"),
    ),
    "activity": _fields(
        ("subject", "subject", "varchar"),
        ("note", "note", "text"),
        ("public_description", "public_description", "text"),
    ),
}

# Field codes (and common singulars) that name a built-in by another word than its record attribute.
BUILTIN_ALIASES: dict[str, str] = {"phone": "phones", "email": "emails"}

LEAD_COLUMNS = frozenset({"email", "first_name", "last_name", "phone", "job_title", "company_name", "status"})
"""ColdCopy lead columns a mapping may name; `custom_fields.<key>` names a key of the lead's custom_fields
JSON."""

CUSTOM_FIELDS_PREFIX = "custom_fields."


def builtin_field(entity: str, key_or_code: str) -> BuiltinField | None:
    fields = BUILTIN_FIELDS.get(entity, {})
    found = fields.get(key_or_code) or fields.get(BUILTIN_ALIASES.get(key_or_code, ""))
    if found is None:
        found = next((field for field in fields.values() if field.field_code == key_or_code), None)
    return found
