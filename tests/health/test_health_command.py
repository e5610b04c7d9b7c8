"""`pipedrive-etl health` on the sandbox: exit 0 when all is well, non-zero naming the failing check."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from .conftest import World


def checks_of(stdout: str) -> dict[str, dict[str, str]]:
    report = json.loads(stdout)
    return {check["name"]: check for check in report["checks"]}


def test_all_well_exits_zero_with_every_check_ok(world: World, capsys):
    outcome = world.health(capsys, "--json")
    checks = checks_of(outcome.stdout)
    assert outcome.code == 0, outcome.stdout
    assert {name: check["status"] for name, check in checks.items()} == {
        "api": "ok", "token": "ok", "webhook_subscriptions": "ok", "webhook_delivery": "ok",
        "last_sync": "ok", "token_budget": "ok"}


def test_a_token_the_sandbox_refuses_fails_the_token_check_by_name(world: World, capsys):
    world.env["PIPEDRIVE_API_TOKEN"] = "revoked-token"
    outcome = world.health(capsys)
    assert outcome.code == 1
    assert "demo/token" in outcome.stderr
    assert "FAIL  demo/token" in outcome.stdout and "refused the API token (401)" in outcome.stdout


def test_a_missing_webhook_subscription_fails_the_subscriptions_check_naming_it(world: World, capsys):
    with world.client() as client:
        deal = next(sub for sub in client.list_webhooks() if sub.event_object == "deal")
        client.delete_webhook(deal.id)
    outcome = world.health(capsys, "--json")
    check = checks_of(outcome.stdout)["webhook_subscriptions"]
    assert outcome.code == 1
    assert "demo/webhook_subscriptions" in outcome.stderr
    assert check["status"] == "fail" and "deal/* missing" in check["detail"]


def test_a_receiver_refusing_deliveries_fails_the_delivery_check(world: World, capsys):
    world.deliver_a_change(receiver_password="not-the-registered-one")
    outcome = world.health(capsys, "--json")
    check = checks_of(outcome.stdout)["webhook_delivery"]
    assert outcome.code == 1
    assert check["status"] == "fail" and "got 401" in check["detail"]


def test_a_last_sync_older_than_the_limit_fails(world: World, capsys):
    outcome = world.health(capsys, "--json", now=datetime.now(UTC) + timedelta(hours=24))
    check = checks_of(outcome.stdout)["last_sync"]
    assert outcome.code == 1
    assert "demo/last_sync" in outcome.stderr
    assert check["status"] == "fail" and "older than the 26.0 h limit" in check["detail"]


def test_the_sync_age_limit_is_configurable(world: World, capsys):
    outcome = world.health(capsys, "--json", "--max-sync-age-hours", "2")
    assert outcome.code == 1 and checks_of(outcome.stdout)["last_sync"]["status"] == "fail"


def test_a_workspace_never_synced_fails_the_last_sync_check(world: World, capsys):
    from pipedrive_etl.warehouse import open_warehouse

    with open_warehouse(world.warehouse_url) as warehouse:
        warehouse.execute("delete from marts.sync_runs")
    outcome = world.health(capsys, "--json")
    detail = checks_of(outcome.stdout)["last_sync"]["detail"]
    assert detail == "no successful sync recorded in marts.sync_runs"
    assert outcome.code == 1


def test_the_json_report_names_status_failing_checks_and_each_checks_workspace(world: World, capsys):
    world.env["PIPEDRIVE_API_TOKEN"] = "revoked-token"
    report = json.loads(world.health(capsys, "--json").stdout)
    assert set(report) == {"status", "checked_at", "failing", "checks"}
    assert report["status"] == "fail" and report["failing"] == ["demo/token"]
    assert all(set(check) == {"name", "status", "detail", "workspace"} and check["workspace"] == "demo"
               for check in report["checks"])
    assert datetime.fromisoformat(report["checked_at"]).tzinfo is not None


def test_without_a_public_url_subscriptions_are_a_warning_not_a_failure(world: World, capsys):
    del world.env["PIPEDRIVE_WEBHOOK_PUBLIC_URL"]
    outcome = world.health(capsys, "--json")
    assert outcome.code == 0
    assert checks_of(outcome.stdout)["webhook_subscriptions"]["status"] == "warn"


def test_an_unknown_workspace_is_a_usage_error(world: World, capsys):
    outcome = world.health(capsys, "--workspace", "nope")
    assert outcome.code == 2 and "unknown workspace 'nope'" in outcome.stderr


def test_an_unset_token_variable_fails_the_token_check_naming_the_variable(world: World, capsys):
    del world.env["PIPEDRIVE_API_TOKEN"]
    outcome = world.health(capsys, "--json")
    assert outcome.code == 1
    assert "PIPEDRIVE_API_TOKEN" in checks_of(outcome.stdout)["token"]["detail"]


def test_the_probe_charges_its_requests_to_the_shared_ledger(world: World, capsys):
    from pipedrive_etl.warehouse import open_warehouse

    before = world.sandbox.tokens_used()
    world.health(capsys)
    with open_warehouse(world.warehouse_url) as warehouse:
        charged = warehouse.fetchone("select coalesce(sum(used), 0) from state.token_usage")[0]
    assert charged == world.sandbox.tokens_used() - before > 0


@pytest.mark.parametrize("warehouse_url", ["duckdb"], indirect=True)  # only DuckDB admits a single process
def test_a_duckdb_file_held_by_a_running_step_is_a_warning_not_a_failure(world: World, capsys):
    import subprocess
    import sys

    path = world.warehouse_url.removeprefix("duckdb:///")
    hold = ("import duckdb, sys, time; held = duckdb.connect(sys.argv[1]); print('held', flush=True); "
            "time.sleep(60)")
    holder = subprocess.Popen([sys.executable, "-c", hold, path], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        outcome = world.health(capsys, "--json")
    finally:
        holder.kill()
        holder.wait()
    checks = checks_of(outcome.stdout)
    assert checks["warehouse"]["status"] == "warn" and checks["last_sync"]["status"] == "warn"
    assert checks["token"]["status"] == "ok"
    assert outcome.code == 0
