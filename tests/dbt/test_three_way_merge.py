"""The three-way merge over every case (tests/dbt/scenarios.py) and every rule, on DuckDB and Postgres: the
value it resolves to and the write planned for it in marts.writeback_plan."""

from __future__ import annotations

from typing import Any

import pytest

from .conftest import Reconciled
from .scenarios import MERGE_CASES, MERGE_EXPECTATIONS, MERGE_FIELDS

TARGETS = {"pipedrive": "pipedrive", "coldcopy": "coldcopy", "state": "baseline"}
COMBINATIONS = [
    pytest.param(case, mapping_id, expected, id=f"{case.name}-{mapping_id.removeprefix('custom_fields.')}")
    for case in MERGE_CASES
    for mapping_id, expected in zip(MERGE_FIELDS, MERGE_EXPECTATIONS[case.name], strict=True)
]


def _planned(reconciled: Reconciled) -> dict[tuple[str, str], set[tuple[str, Any, Any]]]:
    """(lead, field) -> {(write, value, baseline)} over every change of the merges workspace's plan."""
    planned: dict[tuple[str, str], set[tuple[str, Any, Any]]] = {}
    for row in reconciled.rows(
        "select target_system, coldcopy_lead_id, changes from marts.writeback_plan "
        "where workspace_id = 'merges'"
    ):
        for change in row["changes"] or []:
            key = (change["coldcopy_lead_id"] or row["coldcopy_lead_id"], change["field"])
            planned.setdefault(key, set()).add(
                (TARGETS[row["target_system"]], change["value"], change["baseline"])
            )
    return planned


def _outcomes(reconciled: Reconciled) -> dict[tuple[str, str], dict[str, Any]]:
    rows = reconciled.rows(
        "select coldcopy_lead_id, mapping_id, resolved_value, winner "
        "from intermediate.int_field_merge_outcomes where workspace_id = 'merges'"
    )
    return {(row["coldcopy_lead_id"], row["mapping_id"]): row for row in rows}


def _open_conflicts(reconciled: Reconciled) -> set[tuple[str, str]]:
    rows = reconciled.rows(
        "select coldcopy_lead_id, mapping_id from marts.sync_conflicts "
        "where workspace_id = 'merges' and is_open"
    )
    return {(row["coldcopy_lead_id"], row["mapping_id"]) for row in rows}


@pytest.mark.parametrize(("case", "mapping_id", "expected"), COMBINATIONS)
def test_the_merge_resolves_each_case_and_plans_its_write(
    reconciled: Reconciled, case, mapping_id, expected
) -> None:
    resolved, write = expected
    key = (case.lead_id, mapping_id)
    planned = reconciled.remember("planned", lambda: _planned(reconciled)).get(key, set())
    outcome = reconciled.remember("outcomes", lambda: _outcomes(reconciled)).get(key)
    open_conflicts = reconciled.remember("open_conflicts", lambda: _open_conflicts(reconciled))
    if write in (None, "pending"):
        assert planned == set()
        assert (key in open_conflicts) == (write == "pending")
        assert outcome is None or outcome["resolved_value"] is None
        return
    targets = {"both": ["pipedrive", "coldcopy"]}.get(write, [write])
    assert planned == {(target, resolved, resolved) for target in targets}
    assert outcome is not None and outcome["resolved_value"] == resolved


def test_every_case_is_in_the_table(reconciled: Reconciled) -> None:
    leads = reconciled.rows("select coldcopy_lead_id from marts.sync_status where workspace_id = 'merges'")
    assert {row["coldcopy_lead_id"] for row in leads} == {case.lead_id for case in MERGE_CASES}


def test_a_conflict_shows_the_rule_it_was_settled_by(reconciled: Reconciled) -> None:
    rows = reconciled.rows(
        "select mapping_id, rule_applied, rule_source, resolution from marts.sync_conflicts "
        "where workspace_id = 'merges' and coldcopy_lead_id = 'merge-conflict_coldcopy_newer' "
        "order by mapping_id"
    )
    assert [
        (row["mapping_id"], row["rule_applied"], row["rule_source"], row["resolution"]) for row in rows
    ] == [
        ("custom_fields.coldcopy", "coldcopy_wins", "field", "coldcopy_wins"),
        ("custom_fields.default", "pipedrive_wins", "workspace", "pipedrive_wins"),
        ("custom_fields.latest", "latest_wins", "field", "coldcopy_wins"),
        ("custom_fields.manual", "manual", "field", "pending_manual"),
        ("custom_fields.pipedrive", "pipedrive_wins", "field", "pipedrive_wins"),
        ("custom_fields.to_coldcopy", "direction:to_coldcopy", "field", "pipedrive_wins"),
        ("custom_fields.to_pipedrive", "direction:to_pipedrive", "field", "coldcopy_wins"),
    ]


def test_one_patch_carries_every_change_of_a_person(reconciled: Reconciled) -> None:
    row = reconciled.rows(
        "select change_count, token_cost, priority from marts.writeback_plan "
        "where workspace_id = 'merges' and plan_key = 'pipedrive:person:update:1002'"
    )
    assert row == [
        {"change_count": 6, "token_cost": 5, "priority": 1}
    ]  # coldcopy_changed: all but to_coldcopy
