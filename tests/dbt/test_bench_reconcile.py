"""bench/reconcile.py in miniature: its synthetic workspace (400 leads and persons) is in the shared DuckDB
build, and the hand-written floor query finds exactly the diffs the sync_field_diffs mart has."""

from __future__ import annotations

from .conftest import BENCH_SIZE, Reconciled, load_bench


def test_the_floor_query_finds_the_diffs_of_the_mart(reconciled_duckdb: Reconciled) -> None:
    floor = reconciled_duckdb.value(f"select count(*) from ({load_bench().FLOOR_QUERY}) as diffs")
    mart = reconciled_duckdb.value("select count(*) from marts.sync_field_diffs where workspace_id = 'bench'")
    # Two differing fields per changed pair: 5% changed in ColdCopy, 4% in Pipedrive, 1% on both sides.
    assert floor == mart == BENCH_SIZE // 5
