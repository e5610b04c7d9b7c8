"""Operator commands through the real CLI entry point, on a DuckDB warehouse."""

from pathlib import Path

from pipedrive_etl.cli import main
from pipedrive_etl.warehouse import open_warehouse

DEMO_CONFIG = str(Path(__file__).resolve().parents[1] / "data" / "demo" / "sync.yaml")


def _args(tmp_path, *words):
    return [*words, "--warehouse-url", f"duckdb:///{tmp_path}/w.duckdb", "--config", DEMO_CONFIG]


def test_resolving_a_conflict_records_the_choice_for_the_next_run(tmp_path, capsys):
    code = main(_args(tmp_path, "conflicts", "resolve", "--workspace", "demo", "--lead", "L1",
                      "--field", "phone", "--keep", "pipedrive", "--actor", "ops@example.test"))
    assert code == 0 and "The next run writes it" in capsys.readouterr().out
    with open_warehouse(f"duckdb:///{tmp_path}/w.duckdb") as warehouse:
        rows = warehouse.fetchall("select workspace_id, coldcopy_lead_id, field, chosen_side, chosen_value, "
                                  "resolved_by from state.conflict_resolutions")
    assert rows == [("demo", "L1", "phone", "pipedrive", None, "ops@example.test")]


def test_resolving_an_unmapped_field_is_refused_with_the_mapped_ones(tmp_path, capsys):
    code = main(_args(tmp_path, "conflicts", "resolve", "--workspace", "demo", "--lead", "L1",
                      "--field", "fax", "--value", "1"))
    assert code == 2 and "mapped fields: custom_fields.lead_score" in capsys.readouterr().out


def test_listing_conflicts_before_any_reconciliation_says_so(tmp_path, capsys):
    assert main(_args(tmp_path, "conflicts", "list", "--workspace", "demo")) == 1
    assert "No reconciliation has run yet" in capsys.readouterr().out


def test_budget_status_shows_the_daily_budget_from_plan_and_seats(tmp_path, capsys):
    assert main(_args(tmp_path, "budget", "status")) == 0
    line = capsys.readouterr().out.splitlines()[1]
    assert line.split()[:4] == ["demo", "sandbox", "300,000", "0"]
