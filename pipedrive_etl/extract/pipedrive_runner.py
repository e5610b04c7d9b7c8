"""Extract one Pipedrive stream into the warehouse: incremental, resumable, budget-aware.

Pipelines, stages and field definitions have no `updated_since`; they are read whole, at most once per
`max_age` (a webhook-triggered run an hour after the nightly one need not pay for them again).

Modes: `incremental` reads what changed since the last complete run began, less a look-back (clock skew, and
edits made while that run was listing); `full` reads everything and then marks records it no longer saw as
deleted (the id sweep), on the first run, on request, and every `sweep_every`. Each page is stored and its
cursor committed in one transaction. When the budget cannot pay for the next page the stream stops with
`deferred` set and its cursor kept: the next run resumes there.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

from ..pipedrive import BudgetExhaustedError, PipedriveClient
from ..warehouse import Warehouse
from ..warehouse.sync_state import StreamState, read_state, write_cursor, write_state
from .streams import FIELD_ENTITIES, Stream, entity_row, field_row

ProgressCallback = Callable[[str, int, int], None]  # stream, pages so far, rows so far


@dataclass
class ExtractResult:
    stream: str
    mode: str
    rows: int = 0
    pages: int = 0
    tokens: int = 0
    swept_deleted: int = 0
    updated_since: datetime | None = None
    cursor: str | None = None
    deferred: str | None = None

    @property
    def complete(self) -> bool:
        return self.deferred is None


def _now() -> datetime:
    return datetime.now(UTC)


def plan_run(state: StreamState, stream: Stream, *, full_refresh: bool, lookback: timedelta,
             sweep_every: timedelta, now: datetime) -> StreamState:
    """Decide how this run reads the stream: resume, full (with sweep) or incremental."""
    if state.in_progress and not full_refresh:
        return state
    sweep_due = state.last_sweep_at is None or now - state.last_sweep_at >= sweep_every
    if full_refresh or not stream.incremental or state.high_watermark is None or sweep_due:
        return replace(state, run_mode="full", run_started_at=now, run_updated_since=None, cursor=None)
    return replace(state, run_mode="incremental", run_started_at=now,
                   run_updated_since=state.high_watermark - lookback, cursor=None)


def is_fresh(state: StreamState, *, max_age: timedelta | None, now: datetime) -> bool:
    """Definitions (pipelines, stages, fields) read completely less than `max_age` ago are not read again."""
    return (max_age is not None and not state.in_progress and state.high_watermark is not None
            and now - state.high_watermark < max_age)


def extract_stream(client: PipedriveClient, warehouse: Warehouse, workspace_id: str, stream: Stream, *,
                   full_refresh: bool = False, lookback: timedelta = timedelta(minutes=10),
                   sweep_every: timedelta = timedelta(hours=24), max_age: timedelta | None = None,
                   now: Callable[[], datetime] = _now,
                   on_page: ProgressCallback | None = None) -> ExtractResult:
    previous = read_state(warehouse, workspace_id, stream.name)
    if not stream.incremental and not full_refresh and is_fresh(previous, max_age=max_age, now=now()):
        return ExtractResult(stream.name, "fresh")
    state = plan_run(previous, stream, full_refresh=full_refresh, lookback=lookback, sweep_every=sweep_every,
                     now=now())
    with warehouse.transaction():
        write_state(warehouse, state)
    result = ExtractResult(stream.name, state.run_mode or "full", updated_since=state.run_updated_since,
                           cursor=state.cursor)
    tokens_before = client.stats.tokens
    filters = {"updated_since": state.run_updated_since} if stream.incremental else {}
    pages = client.iter_entity_pages(stream.name, None, cursor=state.cursor, **filters)
    try:
        for page in pages:
            extracted_at = now()
            rows = [entity_row(stream, workspace_id, raw, extracted_at) for raw in page.raw]
            state = replace(state, cursor=page.next_cursor)
            with warehouse.transaction():
                warehouse.upsert(stream.table, rows, key=("workspace_id", "id"))
                write_cursor(warehouse, state)
            result.pages += 1
            result.rows += len(rows)
            result.cursor = page.next_cursor
            if on_page:
                on_page(stream.name, result.pages, result.rows)
    except BudgetExhaustedError as exc:
        result.deferred = (f"stopped for the token budget after {result.pages} pages; "
                           f"resumes from its cursor: {exc}")
        result.tokens = client.stats.tokens - tokens_before
        return result
    result.tokens = client.stats.tokens - tokens_before
    with warehouse.transaction():
        if state.run_mode == "full":
            result.swept_deleted = _sweep(warehouse, stream.table, workspace_id, state.run_started_at, now())
        write_state(warehouse, StreamState(
            workspace_id, stream.name, high_watermark=state.run_started_at,
            last_sweep_at=state.run_started_at if state.run_mode == "full" else state.last_sweep_at))
    return result


def _sweep(warehouse: Warehouse, table: str, workspace_id: str, started: datetime | None,
           now: datetime) -> int:
    """Records a full listing did not return are gone (deleted, purged, or no longer visible to the token)."""
    condition = "workspace_id = ? and extracted_at < ? and not is_deleted and swept_deleted_at is null"
    row = warehouse.fetchone(f"select count(*) from {table} where {condition}", [workspace_id, started])
    warehouse.execute(f"update {table} set swept_deleted_at = ? where {condition}",
                      [now, workspace_id, started])
    return int(row[0]) if row else 0


def extract_fields(client: PipedriveClient, warehouse: Warehouse, workspace_id: str, *,
                   full_refresh: bool = False, max_age: timedelta | None = None,
                   now: Callable[[], datetime] = _now) -> ExtractResult:
    """Field definitions for every entity, read whole; definitions that disappeared are removed."""
    if not full_refresh and is_fresh(read_state(warehouse, workspace_id, "fields"), max_age=max_age,
                                     now=now()):
        return ExtractResult("fields", "fresh")
    result = ExtractResult("fields", "full")
    tokens_before = client.stats.tokens
    started = now()
    try:
        for entity in FIELD_ENTITIES:
            for page in client.iter_fields(entity):  # type: ignore[arg-type]
                rows = [field_row(entity, workspace_id, item, raw, now())
                        for item, raw in zip(page.items, page.raw, strict=True)]
                warehouse.upsert("raw.pipedrive_fields", rows, key=("workspace_id", "entity", "field_code"))
                result.pages += 1
                result.rows += len(rows)
    except BudgetExhaustedError as exc:
        result.deferred = f"stopped for the token budget: {exc}"
    else:
        with warehouse.transaction():
            warehouse.execute("delete from raw.pipedrive_fields where workspace_id = ? and extracted_at < ?",
                              [workspace_id, started])
            write_state(warehouse, StreamState(workspace_id, "fields", high_watermark=started))
    result.tokens = client.stats.tokens - tokens_before
    return result
