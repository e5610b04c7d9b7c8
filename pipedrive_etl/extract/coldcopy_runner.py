"""Extract ColdCopy tables (leads, companies, email events, call logs) into `raw.coldcopy_*`, incrementally.

ColdCopy is a SQL database we read with SQLAlchemy Core. Each table is read for one ColdCopy workspace, rows
whose change column moved since the last complete run began (less a look-back), in id order and in batches,
each batch upserted with its progress committed. A table without soft deletes is swept on full runs like
Pipedrive's streams.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from ..warehouse import Warehouse
from ..warehouse.sync_state import StreamState, read_state, write_state
from .pipedrive_runner import ExtractResult, ProgressCallback

BATCH_SIZE = 5_000


class ColdCopySchemaError(RuntimeError):
    """ColdCopy's database lacks a table the extraction reads."""


@dataclass(frozen=True)
class ColdCopyTable:
    stream: str               # "leads" -> raw.coldcopy_leads, state stream "coldcopy_leads"
    source: str               # table name in the ColdCopy database
    change_column: str        # moves on every change (updated_at) or on insert (occurred_at) for
                              # append-only tables
    typed: dict[str, str]     # raw-table column -> source column
    # Leads and companies are deleted outright in ColdCopy: a full run marks the rows it no longer saw.
    sweep_deletes: bool = False

    @property
    def table(self) -> str:
        return f"raw.coldcopy_{self.stream}"


COLDCOPY_TABLES: dict[str, ColdCopyTable] = {
    "leads": ColdCopyTable("leads", "leads", "updated_at", {"email": "email", "updated_at": "updated_at"},
                           sweep_deletes=True),
    "companies": ColdCopyTable("companies", "companies", "updated_at", {"updated_at": "updated_at"},
                               sweep_deletes=True),
    "email_events": ColdCopyTable("email_events", "email_events", "occurred_at",
                                  {"lead_id": "lead_id", "event_type": "event_type",
                                   "occurred_at": "occurred_at"}),
    "call_logs": ColdCopyTable("call_logs", "call_logs", "updated_at",
                               {"lead_id": "lead_id", "started_at": "started_at",
                                "updated_at": "updated_at"}),
}


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime):
        return (value if value.tzinfo else value.replace(tzinfo=UTC)).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    return value


def _utc(value: Any) -> Any:
    if isinstance(value, datetime) and value.tzinfo is None:
        return value.replace(tzinfo=UTC)  # ColdCopy stores UTC; SQLite hands datetimes back naive
    return value


def extract_coldcopy_table(engine: sa.Engine, warehouse: Warehouse, workspace_id: str,
                           coldcopy_workspace_id: str, spec: ColdCopyTable, *, full_refresh: bool = False,
                           lookback: timedelta = timedelta(minutes=10),
                           sweep_every: timedelta = timedelta(hours=24),
                           now: Callable[[], datetime] = lambda: datetime.now(UTC),
                           on_page: ProgressCallback | None = None) -> ExtractResult:
    stream_name = f"coldcopy_{spec.stream}"
    state = read_state(warehouse, workspace_id, stream_name)
    started = now()
    sweep_due = spec.sweep_deletes and (state.last_sweep_at is None
                                        or started - state.last_sweep_at >= sweep_every)
    full = full_refresh or sweep_due or state.high_watermark is None
    since = None if full else state.high_watermark - lookback
    mode = "full" if since is None else "incremental"
    result = ExtractResult(stream_name, mode, updated_since=since)
    try:
        table = sa.Table(spec.source, sa.MetaData(), autoload_with=engine)
    except sa.exc.NoSuchTableError:
        raise ColdCopySchemaError(f"ColdCopy's database {engine.url.render_as_string(hide_password=True)} "
                                  f"has no table {spec.source!r} (needed for {spec.table})") from None
    query = sa.select(table).where(table.c.workspace_id == coldcopy_workspace_id).order_by(table.c.id)
    if since is not None:
        # Compare naive UTC: SQLite keeps no zone, and ColdCopy's timestamps are UTC.
        query = query.where(table.c[spec.change_column] >= since.replace(tzinfo=None))
    with engine.connect() as connection:
        rows = connection.execution_options(yield_per=BATCH_SIZE).execute(query).mappings()
        for batch in rows.partitions(BATCH_SIZE):
            extracted_at = now()
            records = [_raw_row(spec, workspace_id, dict(row), extracted_at) for row in batch]
            with warehouse.transaction():
                warehouse.upsert(spec.table, records, key=("workspace_id", "id"))
            result.pages += 1
            result.rows += len(records)
            if on_page:
                on_page(stream_name, result.pages, result.rows)
    with warehouse.transaction():
        if mode == "full" and spec.sweep_deletes:
            warehouse.execute(f"update {spec.table} set is_deleted = true "
                              "where workspace_id = ? and extracted_at < ?",
                              [workspace_id, started])
        write_state(warehouse, replace(StreamState(workspace_id, stream_name), high_watermark=started,
                                       last_sweep_at=started if mode == "full" else state.last_sweep_at))
    return result


def _raw_row(spec: ColdCopyTable, workspace_id: str, row: dict[str, Any],
             extracted_at: datetime) -> dict[str, Any]:
    record: dict[str, Any] = {"workspace_id": workspace_id, "id": str(row["id"])}
    for column, source in spec.typed.items():
        value = _utc(row.get(source))
        record[column] = str(value) if column.endswith("_id") and value is not None else value
    if spec.sweep_deletes:
        record["is_deleted"] = False
    record["raw"] = json.dumps({key: _jsonable(value) for key, value in row.items()}, separators=(",", ":"))
    record["extracted_at"] = extracted_at
    return record
