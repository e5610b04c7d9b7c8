"""Extraction cursors in `state.sync_state`: where a stream's last complete run began, and a run in progress.

A run records its mode, start and `updated_since` when it begins, then commits Pipedrive's page cursor
together with each stored page. A run that dies leaves that cursor behind, and the next run resumes from it
with the same `updated_since`: no gap, and (because pages are upserted by id) no duplicate.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from .engine import Warehouse


@dataclass(frozen=True)
class StreamState:
    workspace_id: str
    stream: str
    high_watermark: datetime | None = None
    run_mode: str | None = None
    run_started_at: datetime | None = None
    run_updated_since: datetime | None = None
    cursor: str | None = None
    last_sweep_at: datetime | None = None

    @property
    def in_progress(self) -> bool:
        return self.run_started_at is not None


_COLUMNS = "high_watermark, run_mode, run_started_at, run_updated_since, cursor, last_sweep_at"


def _utc(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def read_state(warehouse: Warehouse, workspace_id: str, stream: str) -> StreamState:
    row = warehouse.fetchone(
        f"select {_COLUMNS} from state.sync_state where workspace_id = ? and stream = ?",
        [workspace_id, stream])
    if row is None:
        return StreamState(workspace_id, stream)
    high, mode, started, since, cursor, sweep = row
    return StreamState(workspace_id, stream, _utc(high), mode, _utc(started), _utc(since), cursor,
                       _utc(sweep))


def write_state(warehouse: Warehouse, state: StreamState) -> None:
    """Upsert the whole row; call inside the transaction that stored the page it describes."""
    warehouse.execute(
        f"insert into state.sync_state (workspace_id, stream, {_COLUMNS}, updated_at) "
        "values (?, ?, ?, ?, ?, ?, ?, ?, ?) "
        "on conflict (workspace_id, stream) do update set high_watermark = excluded.high_watermark, "
        "run_mode = excluded.run_mode, run_started_at = excluded.run_started_at, "
        "run_updated_since = excluded.run_updated_since, cursor = excluded.cursor, "
        "last_sweep_at = excluded.last_sweep_at, updated_at = excluded.updated_at",
        [state.workspace_id, state.stream, state.high_watermark, state.run_mode, state.run_started_at,
         state.run_updated_since, state.cursor, state.last_sweep_at, datetime.now(UTC)])


def write_cursor(warehouse: Warehouse, state: StreamState) -> None:
    """Move a run's page cursor (the row exists since the run began); cheaper than the whole upsert
    per page."""
    warehouse.execute("update state.sync_state set cursor = ?, updated_at = ? "
                      "where workspace_id = ? and stream = ?",
                      [state.cursor, datetime.now(UTC), state.workspace_id, state.stream])


def read_all_states(warehouse: Warehouse, workspace_id: str) -> list[StreamState]:
    rows = warehouse.fetchall(
        f"select stream, {_COLUMNS} from state.sync_state where workspace_id = ? order by stream",
        [workspace_id])
    return [StreamState(workspace_id, stream, _utc(h), m, _utc(s), _utc(u), c, _utc(w))
            for stream, h, m, s, u, c, w in rows]
