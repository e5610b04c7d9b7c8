"""A writeback run on the sandbox: dry run, refusals, budget deferral, the blocking check, ColdCopy writes."""

import json
from dataclasses import replace

import sqlalchemy as sa

from pipedrive_etl.coldcopy.writes import campaign_actions_outbox
from pipedrive_etl.sandbox import seed_coldcopy
from pipedrive_etl.warehouse import open_warehouse
from pipedrive_etl.writeback.log import WritebackLog
from pipedrive_etl.writeback.plan import FieldChange, PlanRow
from pipedrive_etl.writeback.runner import run_writeback

from .scenario import WORKSPACE, build, client_for, verify


def _run(scenario, warehouse, plan, **kwargs):
    with client_for(scenario.sandbox, scenario.clock) as client:
        options = {"remaining_tokens": 100_000, **kwargs}
        return run_writeback(plan, warehouse=warehouse, workspace_id=WORKSPACE,
                             coldcopy_workspace_id=WORKSPACE, client=client, coldcopy_engine=None, **options)


def test_a_dry_run_prices_the_plan_and_writes_nothing(tmp_path):
    with open_warehouse(f"duckdb:///{tmp_path}/w.duckdb") as warehouse:
        scenario = build(warehouse)
        before = scenario.sandbox.tokens_used()
        result = _run(scenario, warehouse, scenario.plan, dry_run=True)
        logged = warehouse.fetchone("select count(*) from state.writeback_log")[0]
    assert result.tokens_planned == 20 * 5 + 12 * 15 + 14 * 5
    assert result.counts == {"would_write": len(scenario.plan)}
    assert {"field": "first_name", "before": result.report[0]["before"], "after": "Updated0"}.items() <= \
        result.report[0].items()
    assert scenario.sandbox.tokens_used() == before and logged == 0


def test_what_the_budget_cannot_pay_is_deferred_and_written_next_run(tmp_path):
    with open_warehouse(f"duckdb:///{tmp_path}/w.duckdb") as warehouse:
        scenario = build(warehouse)
        first = _run(scenario, warehouse, scenario.plan, remaining_tokens=100)
        assert first.counts == {"succeeded": 20, "deferred": len(scenario.plan) - 20}
        deferred = warehouse.fetchone("select count(*) from state.writeback_log where status = 'deferred'")[0]
        assert deferred == len(scenario.plan) - 20
        rest = [row for row in scenario.plan if row.priority > 1]
        second = _run(scenario, warehouse, rest)
        assert second.counts == {"succeeded": len(rest)}
        assert verify(scenario, warehouse).missing == 0


def test_a_row_pipedrive_refuses_is_recorded_with_the_error_and_not_retried(tmp_path):
    with open_warehouse(f"duckdb:///{tmp_path}/w.duckdb") as warehouse:
        scenario = build(warehouse, updates=1, creates=0, activities=0)
        gone = replace(scenario.plan[0], plan_key="pipedrive:person:update:999999", pipedrive_id=999999)
        before = scenario.sandbox.tokens_used()
        result = _run(scenario, warehouse, [gone])
        status, error = warehouse.fetchone("select status, error from state.writeback_log")
    assert result.counts == {"failed": 1}
    assert status == "failed" and "404" in error
    assert scenario.sandbox.tokens_used() - before == 5  # one PATCH, no retry


def test_a_plan_touching_too_many_linked_records_is_blocked_before_writing(tmp_path):
    with open_warehouse(f"duckdb:///{tmp_path}/w.duckdb") as warehouse:
        scenario = build(warehouse, creates=0, activities=0)
        log = WritebackLog(warehouse, WORKSPACE)
        with warehouse.transaction():
            for i in range(40):
                warehouse.execute("insert into state.sync_links (workspace_id, coldcopy_lead_id, linked_by, "
                                  "linked_at) values (?, ?, 'matched', current_timestamp)",
                                  [WORKSPACE, f"lead-x{i}"])
        before = scenario.sandbox.tokens_used()
        blocked = _run(scenario, warehouse, scenario.plan)
        assert blocked.blocked and "20 of 40 linked records (50%)" in blocked.blocked
        assert scenario.sandbox.tokens_used() == before and log.unsettled() == []
        allowed = _run(scenario, warehouse, scenario.plan, allow_large_change=True)
    assert allowed.counts == {"succeeded": 20}


def test_coldcopy_lead_updates_and_campaign_actions_are_written_once(tmp_path):
    url = f"sqlite:///{tmp_path}/coldcopy.db"
    seed_coldcopy(url, {"persons": 20, "seed": 3}, workspace_id=WORKSPACE)
    engine = sa.create_engine(url)
    lead_id = engine.connect().execute(sa.text("select id from leads limit 1")).scalar_one()
    rows = [
        PlanRow(WORKSPACE, f"coldcopy:lead:update:{lead_id}", "coldcopy", "lead", "update", 1,
                coldcopy_lead_id=lead_id,
                changes=(FieldChange("phone", "phone", "phone", "+3725550000", None, "+3725550000", lead_id),
                         FieldChange("custom_fields.lead_score", "custom_fields.lead_score", "double", "88",
                                     None, "88", lead_id))),
        PlanRow(WORKSPACE, f"coldcopy:campaign_action:{lead_id}:stop_campaign:5:k1", "coldcopy",
                "campaign_action", "create", 2, coldcopy_lead_id=lead_id, campaign_action="stop_campaign",
                pipedrive_deal_id=5, stage_id=2, stage_change_key="k1"),
    ]
    with open_warehouse(f"duckdb:///{tmp_path}/w.duckdb") as warehouse:
        for _ in range(2):  # the second run repeats the first, as after a crash between the two databases
            result = run_writeback(rows, warehouse=warehouse, workspace_id=WORKSPACE,
                                   coldcopy_workspace_id=WORKSPACE, client=None, coldcopy_engine=engine,
                                   remaining_tokens=0)
        baseline = warehouse.fetchone("select value from state.sync_baseline where field = 'phone'")[0]
    assert result.counts == {"succeeded": 2}
    with engine.connect() as connection:
        phone, custom = connection.execute(sa.text("select phone, custom_fields from leads where id = :id"),
                                           {"id": lead_id}).one()
        outbox = connection.execute(
            sa.select(sa.func.count()).select_from(campaign_actions_outbox)).scalar_one()
    assert phone == "+3725550000" and json.loads(custom)["lead_score"] == 88
    assert outbox == 1 and baseline == "+3725550000"


def test_the_writeback_log_keys_updates_by_their_change_set(tmp_path):
    row = PlanRow(WORKSPACE, "pipedrive:person:update:1", "pipedrive", "person", "update", 1,
                  changes=(FieldChange("f", "first_name", "varchar", "A", None, "A"),))
    other = replace(row, changes=(FieldChange("f", "first_name", "varchar", "B", None, "B"),))
    assert row.operation_key != other.operation_key and row.operation_key.startswith(row.plan_key)
