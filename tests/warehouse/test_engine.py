import json
from datetime import UTC, date, datetime

import pytest

from pipedrive_etl.warehouse import open_warehouse, parse_warehouse_url
from pipedrive_etl.warehouse.ledger import WarehouseLedger
from pipedrive_etl.warehouse.sync_state import StreamState, read_state, write_state

NOW = datetime(2026, 11, 27, 12, tzinfo=UTC)


def _person(i: int, name: str = "A") -> dict:
    return {"workspace_id": "demo", "id": i, "add_time": NOW, "update_time": NOW, "is_deleted": False,
            "swept_deleted_at": None, "org_id": None, "owner_id": 1,
            "raw": f'{{"id": {i}, "name": "{name}"}}', "extracted_at": NOW}


def test_url_names_the_backend():
    assert parse_warehouse_url("duckdb:///data/w.duckdb").backend == "duckdb"
    assert parse_warehouse_url("postgres://u@h/db").url == "postgresql://u@h/db"
    with pytest.raises(ValueError, match="unsupported warehouse URL"):
        parse_warehouse_url("mysql://x")


def test_upsert_replaces_rows_with_the_same_key(warehouse_url):
    with open_warehouse(warehouse_url) as warehouse:
        warehouse.upsert("raw.pipedrive_persons", [_person(1), _person(2)], key=("workspace_id", "id"))
        written = warehouse.upsert("raw.pipedrive_persons", [_person(2, "B"), _person(3), _person(3, "C")],
                                   key=("workspace_id", "id"))
        rows = warehouse.fetchall("select id, raw from raw.pipedrive_persons order by id")
    assert written == 2
    assert [r[0] for r in rows] == [1, 2, 3]
    # DuckDB returns JSON as text, psycopg decodes jsonb: compare the decoded documents.
    names = [(json.loads(raw) if isinstance(raw, str) else raw)["name"] for _, raw in rows]
    assert names == ["A", "B", "C"]


def test_a_failed_transaction_leaves_nothing_behind(warehouse_url):
    with open_warehouse(warehouse_url) as warehouse:
        with pytest.raises(RuntimeError), warehouse.transaction():
            warehouse.upsert("raw.pipedrive_persons", [_person(1)], key=("workspace_id", "id"))
            raise RuntimeError("crash between the page and its cursor")
        assert warehouse.fetchone("select count(*) from raw.pipedrive_persons") == (0,)


def test_ledger_refuses_a_charge_past_the_cap_and_keeps_the_total(warehouse_url):
    with open_warehouse(warehouse_url) as warehouse:
        ledger = WarehouseLedger(warehouse)
        day = date(2026, 11, 27)
        assert ledger.try_charge("acme", day, 10, 25) == 10
        assert ledger.try_charge("acme", day, 10, 25) == 20
        assert ledger.try_charge("acme", day, 10, 25) is None
        assert ledger.used("acme", day) == 20 and ledger.used("other", day) == 0


def test_the_ledger_is_shared_by_every_connection_to_the_warehouse(warehouse_url):
    day = date(2026, 11, 27)
    with open_warehouse(warehouse_url) as warehouse:
        WarehouseLedger(warehouse).try_charge("acme", day, 15, 100)
    with open_warehouse(warehouse_url) as warehouse:
        assert WarehouseLedger(warehouse).used("acme", day) == 15


def test_stream_state_round_trips(warehouse_url):
    state = StreamState("demo", "persons", high_watermark=NOW, run_mode="incremental", run_started_at=NOW,
                        run_updated_since=NOW, cursor="abc", last_sweep_at=NOW)
    with open_warehouse(warehouse_url) as warehouse:
        with warehouse.transaction():
            write_state(warehouse, state)
        assert read_state(warehouse, "demo", "persons") == state
        assert read_state(warehouse, "demo", "deals") == StreamState("demo", "deals")
