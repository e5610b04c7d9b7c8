"""bench/reconcile.py in miniature: its synthetic workspace (400 leads and persons) is in the shared DuckDB
build, and the hand-written floor query finds exactly the diffs the sync_field_diffs mart has."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from .conftest import BENCH_SIZE, ROOT, Reconciled, load_bench


def test_the_floor_query_finds_the_diffs_of_the_mart(reconciled_duckdb: Reconciled) -> None:
    floor = reconciled_duckdb.value(f"select count(*) from ({load_bench().FLOOR_QUERY}) as diffs")
    mart = reconciled_duckdb.value("select count(*) from marts.sync_field_diffs where workspace_id = 'bench'")
    # Two differing fields per changed pair: 5% changed in ColdCopy, 4% in Pipedrive, 1% on both sides.
    assert floor == mart == BENCH_SIZE // 5


def test_only_the_fields_the_merge_acts_on_are_stored(reconciled_duckdb: Reconciled) -> None:
    def keys(table: str) -> set[tuple[str, str]]:
        rows = reconciled_duckdb.rows(
            f"select coldcopy_lead_id, mapping_id from {table} where workspace_id = 'bench'"
        )
        return {(row["coldcopy_lead_id"], row["mapping_id"]) for row in rows}

    stored = keys("intermediate.int_mapped_field_values")
    linked = reconciled_duckdb.value(
        "select count(*) from intermediate.int_links where workspace_id = 'bench' and not is_person_deleted"
    )
    # Most linked fields equal their baseline on both sides and are left out; what is stored is what the
    # merge decides on, field for field.
    assert 0 < len(stored) < linked * len(load_bench().MAPPINGS)
    assert stored == keys("intermediate.int_field_merge_outcomes")


def test_the_bench_runs_end_to_end_and_prints_its_headline_last(tmp_path: Path) -> None:
    # The whole script at 400 leads and one round: generation, a copy, dbt parse and build with the asset's
    # arguments, the floor in its own process, the row check; the headline is the last line.
    run = subprocess.run(
        [sys.executable, "bench/reconcile.py", "--sizes", "400", "--rounds", "1", "--keep", str(tmp_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    detail, headline = run.stdout.strip().splitlines()[-2:]
    assert re.fullmatch(r"seconds_400=\d+\.\d ratio_to_floor=\d+\.\d\d", headline), headline
    assert "diff_rows=80 " in detail and "rounds=1 " in detail, detail
