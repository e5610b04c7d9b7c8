"""sync.yaml `activities:` as the state rows dbt reads: which directions run and which types map to what."""

from datetime import UTC, datetime

import pytest

from pipedrive_etl.config import ConfigError, parse_config
from pipedrive_etl.mappings.activity_settings import activity_rows, write_activity_settings
from pipedrive_etl.warehouse import open_warehouse

NOW = datetime(2026, 11, 28, tzinfo=UTC)


def _workspace(activities=None):
    workspace = {"id": "acme", "pipedrive": {"company_domain": "acme", "auth": {"env": "TOKEN"}}}
    if activities is not None:
        workspace["activities"] = activities
    return parse_config({"workspaces": [workspace]}, env={}).workspaces[0]


def test_defaults_run_both_directions_with_the_quiet_email_event_types():
    switches, types = activity_rows(_workspace(), NOW)
    assert (switches["to_pipedrive"], switches["call_logs"], switches["to_coldcopy"]) == (True, True, True)
    assert {(t["direction"], t["source_type"], t["target_type"]) for t in types} == {
        ("to_pipedrive", "sent", "email"), ("to_pipedrive", "replied", "email"),
        ("to_pipedrive", "bounced", "email"), ("to_pipedrive", "unsubscribed", "email"),
        *{("to_coldcopy", kind, kind) for kind in ("call", "meeting", "task", "deadline", "email")}}


def test_a_disabled_direction_stores_no_types_and_turns_call_logs_off():
    switches, types = activity_rows(_workspace({
        "to_pipedrive": {"enabled": False, "call_logs": True},
        "to_coldcopy": {"types": {"meeting": "meeting", "lunch": "meeting"}}}), NOW)
    assert (switches["to_pipedrive"], switches["call_logs"]) == (False, False)
    assert {(t["direction"], t["source_type"], t["target_type"]) for t in types} == {
        ("to_coldcopy", "meeting", "meeting"), ("to_coldcopy", "lunch", "meeting")}


def test_an_unknown_email_event_type_is_refused_naming_the_key():
    with pytest.raises(ConfigError, match=r"activities\.to_pipedrive\.email_event_types\[0\]: 'forwarded'"):
        _workspace({"to_pipedrive": {"email_event_types": ["forwarded"]}})


def test_settings_replace_the_workspaces_rows(warehouse_url):
    with open_warehouse(warehouse_url) as warehouse:
        write_activity_settings(warehouse, _workspace(), now=NOW)
        write_activity_settings(warehouse, _workspace({"to_coldcopy": {"enabled": False}}), now=NOW)
        rows = warehouse.fetchall("select direction, count(*) from state.activity_type_map "
                                  "where workspace_id = 'acme' group by direction")
        switches = warehouse.fetchone("select to_coldcopy from state.activity_sync "
                                      "where workspace_id = 'acme'")
    assert dict(rows) == {"to_pipedrive": 4} and switches == (False,)
