"""How int_mapped_field_values reads a Pipedrive record's field (macros field_values_at and
pipedrive_field_value), through dbt's own rendering, on DuckDB and on Postgres: scalars as text, contact lists
as the primary value, object types as their value, a scalar where an object belongs as nothing."""

from __future__ import annotations

import json
from pathlib import Path

from pipedrive_etl.warehouse import open_warehouse

from .conftest import run_dbt

RECORD = {
    "phones": [{"value": "+1 555 0100", "primary": False}, {"value": "+372 5551 2345", "primary": True}],
    "emails": [
        {"value": "first@example.com", "primary": False},
        {"value": "second@example.com", "primary": False},
    ],
    "job_title": 'Head of "Sales"',
    "custom_fields": {
        "amount": {"value": 12.5, "currency": "EUR"},
        "period": {"value": "2025-01-01", "until": "2025-02-01"},
        "office": {"value": "Main St 1, Tallinn", "street_number": "1"},
        "slot": {"value": "09:30:00", "timezone_id": 1},
        "score": 42,
        "active": True,
        "broken": "not an object",
        "empty": None,
    },
}

# pipedrive_field_key, is_custom_field, field_type, the value read
FIELDS = [
    ("phones", False, "phone", "+372 5551 2345"),
    ("emails", False, "email", "first@example.com"),  # none primary: the first
    ("job_title", False, "varchar", 'Head of "Sales"'),
    ("amount", True, "monetary", "12.5"),
    ("period", True, "daterange", "2025-01-01/2025-02-01"),
    ("office", True, "address", "Main St 1, Tallinn"),
    ("slot", True, "time", "09:30:00"),
    ("score", True, "double", "42"),
    ("active", True, "boolean", "true"),
    ("broken", True, "monetary", None),
    ("empty", True, "varchar", None),
    ("missing", True, "varchar", None),
]


def _query() -> str:
    paths = [[key] if not custom else ["custom_fields", key] for key, custom, _, _ in FIELDS]
    mappings = ", ".join(
        f"('{key}', {str(custom).lower()}, '{field_type}', {position})"
        for position, (key, custom, field_type, _) in enumerate(FIELDS, start=1)
    )
    document = json.dumps(RECORD).replace("'", "''")
    return f"""
        with
        documents as (
            select {{{{ parse_json('document') }}}} as raw from (values ('{document}')) as d (document)
        ),
        records as (
            select {{{{ field_values_at('raw', {json.dumps(paths)}) }}}} as field_values from documents
        ),
        mapping as (
            select *
            from (values {mappings}) as m (pipedrive_field_key, is_custom_field, field_type, position)
        )
        select
            mapping.position,
            {{{{ pipedrive_field_value('mapping', '(records.field_values)[mapping.position]') }}}} as value
        from records cross join mapping
        order by mapping.position
    """


def test_each_kind_of_field_is_read_as_the_merge_compares_it(warehouse_url: str, tmp_path: Path) -> None:
    open_warehouse(warehouse_url).close()
    shown = run_dbt(
        warehouse_url, tmp_path, "show", "--inline", _query(), "--output", "json", "--limit", "100", "--quiet"
    )
    assert shown.returncode == 0, shown.stdout[-4000:]
    rows = json.loads(shown.stdout[shown.stdout.index("{") :])["show"]
    assert [row["value"] for row in rows] == [expected for _, _, _, expected in FIELDS]
