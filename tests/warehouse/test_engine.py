import json
from datetime import UTC, date, datetime

import pytest

from pipedrive_etl.warehouse import open_warehouse, parse_warehouse_url
from pipedrive_etl.warehouse.engine import FEW_ROWS
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


def _decoded(raw: object) -> dict:
    return json.loads(raw) if isinstance(raw, str) else raw  # type: ignore[return-value]


@pytest.mark.parametrize("size", [1, FEW_ROWS, FEW_ROWS + 1, 60])
def test_a_few_rows_and_a_bulk_load_upsert_alike(warehouse_url, size):
    """Up to FEW_ROWS rows are bound as parameters, more are bulk-loaded: the same rows either way, with
    NULLs, JSON and timestamps, a key given twice in one batch (the last wins) and rows already there."""
    key = ("workspace_id", "id")
    half = size // 2
    first = [_person(i, f"first {i}") for i in range(size)]
    second = [{**_person(i, f"second {i}"), "org_id": i, "swept_deleted_at": NOW if i % 2 else None}
              for i in range(half, half + size)]
    second[-1] = {**second[-1], "raw": '{"name": "last of two"}'}
    second.append({**second[-1], "raw": '{"name": "last"}'})  # the same key again: this one wins
    with open_warehouse(warehouse_url) as warehouse:
        assert warehouse.upsert("raw.pipedrive_persons", first, key=key) == size
        assert warehouse.upsert("raw.pipedrive_persons", second, key=key) == size
        rows = warehouse.fetchall("select id, org_id, swept_deleted_at, raw, update_time "
                                  "from raw.pipedrive_persons order by id")
    expected = {i: (None, None, f"first {i}") for i in range(half)}
    expected |= {i: (i, NOW if i % 2 else None, f"second {i}") for i in range(half, half + size)}
    expected[half + size - 1] = (*expected[half + size - 1][:2], "last")
    assert {id_: (org_id, swept, _decoded(raw)["name"]) for id_, org_id, swept, raw, _ in rows} == expected
    assert {row[4] for row in rows} == {NOW}


@pytest.mark.parametrize("size", [1, FEW_ROWS + 1])
def test_an_upsert_of_key_columns_only_keeps_one_row_per_key(warehouse_url, size):
    with open_warehouse(warehouse_url) as warehouse:
        warehouse.execute("create table raw.pairs (a integer not null, b integer not null, "
                          "primary key (a, b))")
        pairs = [{"a": i, "b": i % 3} for i in range(size)]
        warehouse.upsert("raw.pairs", pairs, key=("a", "b"))
        assert warehouse.upsert("raw.pairs", pairs + pairs[:1], key=("a", "b")) == size
        rows = warehouse.fetchall("select a, b from raw.pairs order by a")
    assert rows == [(i, i % 3) for i in range(size)]


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
