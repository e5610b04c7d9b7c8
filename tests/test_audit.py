"""state.audit_log: who did what, when; details stored as JSON and never holding a credential."""

from datetime import UTC, datetime, timedelta

import pytest

from pipedrive_etl import audit, redaction
from pipedrive_etl.warehouse import open_warehouse


@pytest.fixture
def warehouse(warehouse_url):
    with open_warehouse(warehouse_url) as opened:
        yield opened


@pytest.fixture
def duckdb_warehouse(tmp_path):
    with open_warehouse(f"duckdb:///{tmp_path}/audit.duckdb") as opened:
        yield opened


@pytest.fixture(autouse=True)
def _forget_registered_secrets():
    yield
    redaction.forget_secrets()


def test_a_recorded_action_reads_back_with_its_details(warehouse):
    written = audit.record(warehouse, actor="alice", action="writeback.run", workspace_id="demo",
                           subject="writeback_changes", details={"written": 12, "deferred": 3, "failed": 0})
    [entry] = audit.entries(warehouse)
    assert entry == written
    assert entry.details == {"written": 12, "deferred": 3, "failed": 0}


def test_entries_come_newest_first_and_filter_by_action_and_workspace(duckdb_warehouse):
    start = datetime(2026, 9, 1, tzinfo=UTC)
    for minutes, action, workspace in ((0, "config.changed", "a"), (1, "webhook.registered", "a"),
                                       (2, "config.changed", "b")):
        audit.record(duckdb_warehouse, actor="ops", action=action, workspace_id=workspace,
                     recorded_at=start + timedelta(minutes=minutes))
    assert [e.workspace_id for e in audit.entries(duckdb_warehouse, action="config.changed")] == ["b", "a"]
    assert [e.action for e in audit.entries(duckdb_warehouse, workspace_id="a")] == [
        "webhook.registered", "config.changed"]


def test_credentials_in_details_or_subject_are_stored_masked(duckdb_warehouse):
    redaction.register_secret("tok-0123456789-known")
    audit.record(duckdb_warehouse, actor="ops", action="webhook.registered",
                 subject="https://hooks.example.com/pd?api_token=tok-0123456789-known",
                 details={"http_auth_password": "hunter2-hunter2", "note": "sent tok-0123456789-known",
                          "id": 7})
    raw = duckdb_warehouse.fetchone("select subject || ' ' || cast(details as varchar) "
                                    "from state.audit_log")[0]
    assert "tok-0123456789-known" not in raw and "hunter2" not in raw and '"id": 7' in raw


def test_an_action_and_its_audit_row_roll_back_together(duckdb_warehouse):
    with pytest.raises(RuntimeError), duckdb_warehouse.transaction():
        audit.record(duckdb_warehouse, actor="ops", action="conflict.resolved")
        raise RuntimeError("the resolution failed")
    assert audit.entries(duckdb_warehouse) == []


def test_an_audit_row_needs_an_action(duckdb_warehouse):
    with pytest.raises(ValueError, match="needs an action"):
        audit.record(duckdb_warehouse, actor="ops", action="")


@pytest.mark.parametrize(("explicit", "env", "expected"), [
    ("bob", {"PIPEDRIVE_ETL_ACTOR": "scheduler"}, "bob"),
    (None, {"PIPEDRIVE_ETL_ACTOR": "scheduler"}, "scheduler"),
])
def test_the_actor_is_the_explicit_one_else_the_environment_s(explicit, env, expected):
    assert audit.current_actor(explicit, env) == expected


def test_without_either_the_actor_is_the_os_user(monkeypatch):
    monkeypatch.setattr("getpass.getuser", lambda: "carol")
    assert audit.current_actor(None, {}) == "carol"
