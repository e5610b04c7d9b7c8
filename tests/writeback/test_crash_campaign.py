"""Exactly once under crashes: the reduced campaign (every 16th request, both modes); bench/writeback_crash.py
runs every crash point."""

import pytest

from pipedrive_etl.warehouse import open_warehouse

from .scenario import build, crash_and_recover, requests_in_a_clean_run, verify, write


def test_a_clean_run_writes_everything_once_and_logs_each_write_once(tmp_path):
    with open_warehouse(f"duckdb:///{tmp_path}/clean.duckdb") as warehouse:
        scenario = build(warehouse)
        result = write(scenario, warehouse, scenario.plan)
        verdict = verify(scenario, warehouse)
        operations = warehouse.fetchone("select count(*), count(distinct operation_key) "
                                        "from state.writeback_log")
    assert (verdict.duplicates, verdict.lost_updates, verdict.missing) == (0, 0, 0)
    assert result.counts == {"succeeded": len(scenario.plan)}
    assert operations[0] == operations[1]
    assert set(verdict.log_rows_per_write) == {"succeeded"}


def test_the_scenario_is_at_least_fifty_mixed_requests(tmp_path):
    assert requests_in_a_clean_run(tmp_path) >= 50


@pytest.mark.parametrize("mode", ["drop", "kill"])
def test_crashes_leave_no_duplicate_and_no_lost_update(tmp_path, mode):
    total = requests_in_a_clean_run(tmp_path)
    tried, duplicates, lost, missing = 0, 0, 0, 0
    for at in range(0, total, 16):  # the reduced form; bench/writeback_crash.py tries every point
        verdict = crash_and_recover(tmp_path, at, mode)
        tried += 1
        duplicates += verdict.duplicates
        lost += verdict.lost_updates
        missing += verdict.missing
        assert set(verdict.log_rows_per_write) == {"succeeded"}, (at, verdict.log_rows_per_write)
    print(f"mode={mode} crash_points_tried={tried} duplicates={duplicates} lost_updates={lost} "
          f"missing={missing}")
    assert (duplicates, lost, missing) == (0, 0, 0)
