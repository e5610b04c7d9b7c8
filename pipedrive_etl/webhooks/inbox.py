"""The receiver's durable inbox: accepted events and rejected deliveries, in SQLite (WAL) or Postgres.

The receiver writes here, never to the warehouse, so it never waits on DuckDB's single-writer lock (DESIGN.md
decision 9). Two tables, SQLAlchemy Core on one URL (`sqlite:///data/webhooks.db` by default):

- `webhook_events`: one row per event, unique on (workspace_id, event_id), so a duplicate delivery (Pipedrive
  retrying after a slow 2xx) is stored once. `seq` increases in commit order and is the sensor's cursor.
- `webhook_rejects`: one row per refused delivery with its reason and a truncated body sample; never the
  Authorization header or a password.

Times are naive UTC in both backends (SQLite has no time zone); readers get them back aware. On Postgres the
tables live in the connection's default schema, apart from the warehouse's `state.webhook_events`.

`seq` must never be assigned out of commit order, or a reader's cursor could step over a late commit. SQLite
has one writer at a time; on Postgres each insert takes a transaction-scoped advisory lock first, which
serialises the short insert transactions. Events are written by one thread per process in group commits
(`group_commit.py`): one durable commit serves every request that arrived meanwhile. That thread keeps one
DBAPI connection open while deliveries keep coming and inserts through it directly: a pool checkout (with its
reset) and Core's execution path per batch took the CPU per row from 47 us to 75 in batches of 8. Rejects are
written through the engine; on SQLite they share a lock with the writer, so threads queue on it rather than
spin in SQLite's busy handler.

Durability on SQLite: WAL with `synchronous=FULL`, so a commit returns only after the WAL is fsynced and an
acknowledged event survives a power cut, not only a crash of the process (NORMAL would survive the crash
only). Group commit pays that fsync once per batch instead of once per event.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import SQLAlchemyError

from .errors import InboxUnavailable
from .events import InboundEvent
from .group_commit import GroupCommitter

DEFAULT_INBOX_URL = "sqlite:///data/webhooks.db"
BODY_SAMPLE_BYTES = 512
# A write that cannot get the database within this time fails (503, Pipedrive retries) well inside its 10 s.
WRITE_TIMEOUT_MS = 5_000
STORE_TIMEOUT_S = 8.0  # a queue wait plus a write; then 503, before Pipedrive gives up at 10 s
WRITER_IDLE_S = 10.0  # the writer's connection goes back to the pool after this long without a batch
_ADVISORY_LOCK_KEY = 0x5049_5045_4454_4C01  # "PIPEDTL" + 1: the inbox's Postgres insert lock

metadata = sa.MetaData()
# SQLite autoincrements only a primary key declared INTEGER.
_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")

webhook_events = sa.Table(
    "webhook_events", metadata,
    sa.Column("seq", _ID, primary_key=True, autoincrement=True),
    sa.Column("workspace_id", sa.String(64), nullable=False),
    sa.Column("event_id", sa.String(80), nullable=False),
    sa.Column("version", sa.String(8), nullable=False),
    sa.Column("action", sa.String(16), nullable=False),
    sa.Column("entity", sa.String(40), nullable=False),
    sa.Column("entity_id", sa.String(64)),
    sa.Column("occurred_at", sa.DateTime()),
    sa.Column("received_at", sa.DateTime(), nullable=False),
    sa.Column("merged_to_id", sa.String(64)),
    sa.Column("payload", sa.Text(), nullable=False),
    sa.UniqueConstraint("workspace_id", "event_id", name="uq_webhook_events_workspace_event"),
    sqlite_autoincrement=True,  # never reuse a seq after old rows are pruned: it is a cursor
)

webhook_rejects = sa.Table(
    "webhook_rejects", metadata,
    sa.Column("id", _ID, primary_key=True, autoincrement=True),
    sa.Column("received_at", sa.DateTime(), nullable=False),
    sa.Column("workspace_id", sa.String(64)),
    sa.Column("reason", sa.String(300), nullable=False),
    sa.Column("status", sa.Integer(), nullable=False),
    sa.Column("remote_addr", sa.String(64)),
    sa.Column("body_sample", sa.Text()),
    sqlite_autoincrement=True,
)

_EVENT_COLUMNS = [c for c in webhook_events.c if c.name != "payload"]
_INSERT_COLUMNS = tuple(c.name for c in webhook_events.c if c.name != "seq")


@dataclass(frozen=True)
class StoredEvent:
    seq: int
    workspace_id: str
    event_id: str
    version: str
    action: str
    entity: str
    entity_id: str | None
    occurred_at: datetime | None
    received_at: datetime
    merged_to_id: str | None
    payload: str | None = None  # only when asked for: the sensor reads keys, the copy reads bodies


@dataclass(frozen=True)
class StoredReject:
    id: int
    received_at: datetime
    workspace_id: str | None
    reason: str
    status: int
    remote_addr: str | None
    body_sample: str | None


class Inbox:
    """Events and rejects on one database URL. Thread-safe; create one per process."""

    def __init__(self, url: str = DEFAULT_INBOX_URL, *, create: bool = True) -> None:
        self.url = sa.make_url(url)
        self.backend = self.url.get_backend_name()
        if self.backend == "sqlite" and self.url.database not in (None, "", ":memory:"):
            Path(self.url.database).parent.mkdir(parents=True, exist_ok=True)
        self.engine = _engine(url, self.backend)
        self._write_lock = threading.Lock() if self.backend == "sqlite" else None
        # What a failed write raises: SQLAlchemy's errors from the engine, the driver's from the writer.
        self._write_errors = (SQLAlchemyError, TimeoutError, self.engine.dialect.loaded_dbapi.Error)
        self._writer_connection: Any = None  # the writer thread's own DBAPI connection, see `_writer`
        self._writer_used_at = 0.0
        self._committer: GroupCommitter[dict[str, Any], bool] = GroupCommitter(
            self._insert_batch, name="webhook-inbox-writer", on_stop=self._close_writer_connection)
        placeholder = "?" if self.backend == "sqlite" else "%s"
        self._insert_sql = (
            f"insert into webhook_events ({', '.join(_INSERT_COLUMNS)}) "
            f"values ({', '.join(placeholder for _ in _INSERT_COLUMNS)}) "
            "on conflict (workspace_id, event_id) do nothing")
        if create:
            try:
                metadata.create_all(self.engine)
            except SQLAlchemyError:  # another process (the sensor, a second receiver) created them meanwhile
                metadata.create_all(self.engine)

    # -- writing (the receiver) --------------------------------------------------------------------------
    def store(self, workspace_id: str, event: InboundEvent, received_at: datetime | None = None) -> bool:
        """Store the event unless (workspace, event id) is already there; True when it was new.

        Returns once the row is committed (durably: see `group_commit.py`); raises `InboxUnavailable`
        otherwise.
        """
        try:
            return self._committer.submit(_row(workspace_id, event, received_at), timeout=STORE_TIMEOUT_S)
        except self._write_errors as exc:
            raise InboxUnavailable(f"could not store event {event.event_id}: {type(exc).__name__}") from exc

    async def store_async(self, workspace_id: str, event: InboundEvent,
                          received_at: datetime | None = None) -> bool:
        """`store` for the receiver's event loop: waits for the commit without tying up a pool thread."""
        try:
            return await self._committer.submit_async(_row(workspace_id, event, received_at),
                                                      timeout=STORE_TIMEOUT_S)
        except self._write_errors as exc:
            raise InboxUnavailable(f"could not store event {event.event_id}: {type(exc).__name__}") from exc

    def _insert_batch(self, rows: Sequence[dict[str, Any]]) -> list[bool]:
        """Insert a batch in one transaction on the writer's connection; per row, whether it was new (a
        duplicate, even of an earlier row of the same batch, inserts nothing). Runs on the writer thread only.
        After a failure the connection is dropped (it may be broken) and the next batch opens another."""
        with self._write_lock if self._write_lock is not None else nullcontext():
            connection = self._writer()
            try:
                cursor = connection.cursor()
                if self.backend != "sqlite":
                    cursor.execute("select pg_advisory_xact_lock(%s)", (_ADVISORY_LOCK_KEY,))
                is_new = []
                for row in rows:
                    cursor.execute(self._insert_sql, self._params(row))
                    is_new.append(cursor.rowcount == 1)
                connection.commit()  # durable before anyone is told: synchronous=FULL on SQLite
                cursor.close()
                return is_new
            except BaseException:
                self._writer_connection = None
                connection.invalidate()  # rolls back what was not committed and closes it
                raise

    def _writer(self) -> Any:
        # Kept while deliveries keep coming; after an idle spell it goes back to the pool, whose pre-ping
        # checks it before the next batch (a restarted Postgres or an idle-connection reaper fails no batch).
        now = time.monotonic()
        if self._writer_connection is not None and now - self._writer_used_at > WRITER_IDLE_S:
            self._close_writer_connection()
        if self._writer_connection is None:
            self._writer_connection = self.engine.raw_connection()
        self._writer_used_at = now
        return self._writer_connection

    def _close_writer_connection(self) -> None:
        if self._writer_connection is not None:
            self._writer_connection.close()
            self._writer_connection = None

    def _params(self, row: dict[str, Any]) -> tuple[Any, ...]:
        if self.backend != "sqlite":
            return tuple(row[column] for column in _INSERT_COLUMNS)
        # As SQLAlchemy's SQLite DateTime stores them, so Core reads them back (no sqlite3 adapter needed).
        return tuple(value.strftime("%Y-%m-%d %H:%M:%S.%f") if isinstance(value, datetime) else value
                     for value in (row[column] for column in _INSERT_COLUMNS))

    def record_reject(self, *, status: int, reason: str, workspace_id: str | None = None,
                      remote_addr: str | None = None, body: bytes | None = None,
                      received_at: datetime | None = None) -> None:
        sample = body[:BODY_SAMPLE_BYTES].decode("utf-8", errors="replace") if body else None
        with self._writing() as connection:
            connection.execute(webhook_rejects.insert().values(
                received_at=_naive_utc(received_at or _now()), workspace_id=(workspace_id or "")[:64] or None,
                reason=reason[:300], status=status, remote_addr=remote_addr, body_sample=sample))

    @contextmanager
    def _writing(self) -> Iterator[sa.Connection]:
        if self._write_lock is not None:
            with self._write_lock, self.engine.begin() as connection:
                yield connection
            return
        with self.engine.begin() as connection:
            connection.execute(sa.text("select pg_advisory_xact_lock(:key)"), {"key": _ADVISORY_LOCK_KEY})
            yield connection

    # -- reading (the sensor, the warehouse copy, tests) -------------------------------------------------
    def events_after(self, seq: int, *, workspace_id: str | None = None, limit: int = 1_000,
                     with_payload: bool = False) -> list[StoredEvent]:
        columns = list(webhook_events.c) if with_payload else _EVENT_COLUMNS
        query = (sa.select(*columns).where(webhook_events.c.seq > seq)
                 .order_by(webhook_events.c.seq).limit(limit))
        if workspace_id is not None:
            query = query.where(webhook_events.c.workspace_id == workspace_id)
        with self.engine.connect() as connection:
            rows = connection.execute(query).mappings().all()
        return [StoredEvent(**{**row, "occurred_at": _aware(row["occurred_at"]),
                               "received_at": _aware(row["received_at"])}) for row in rows]

    def last_seq(self, *, workspace_id: str | None = None) -> int:
        query = sa.select(sa.func.max(webhook_events.c.seq))
        if workspace_id is not None:
            query = query.where(webhook_events.c.workspace_id == workspace_id)
        with self.engine.connect() as connection:
            return int(connection.execute(query).scalar() or 0)

    def count_events(self, *, workspace_id: str | None = None) -> int:
        query = sa.select(sa.func.count()).select_from(webhook_events)
        if workspace_id is not None:
            query = query.where(webhook_events.c.workspace_id == workspace_id)
        with self.engine.connect() as connection:
            return int(connection.execute(query).scalar() or 0)

    def rejects_after(self, reject_id: int = 0, *, workspace_id: str | None = None,
                      limit: int = 1_000) -> list[StoredReject]:
        query = (sa.select(webhook_rejects).where(webhook_rejects.c.id > reject_id)
                 .order_by(webhook_rejects.c.id).limit(limit))
        if workspace_id is not None:
            query = query.where(webhook_rejects.c.workspace_id == workspace_id)
        with self.engine.connect() as connection:
            rows = connection.execute(query).mappings().all()
        return [StoredReject(**{**row, "received_at": _aware(row["received_at"])}) for row in rows]

    def ping(self) -> None:
        with self.engine.connect() as connection:
            connection.execute(sa.text("select 1"))

    def close(self) -> None:
        self._committer.close()
        self.engine.dispose()

    def __enter__(self) -> Inbox:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def sqlite_inbox_exists(url: str) -> bool:
    """False for a SQLite URL whose file is not there yet (nothing was ever received); True otherwise."""
    parsed = sa.make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return True
    return Path(parsed.database).exists()


def _engine(url: str, backend: str) -> sa.Engine:
    if backend == "sqlite":
        engine = sa.create_engine(url, connect_args={"timeout": WRITE_TIMEOUT_MS / 1000})

        @sa.event.listens_for(engine, "connect")
        def _pragmas(dbapi_connection: Any, _record: Any) -> None:
            cursor = dbapi_connection.cursor()
            # WAL: readers (the sensor, the copy) never block the receiver's writes, nor it theirs.
            cursor.execute("pragma journal_mode=wal")
            cursor.execute(f"pragma busy_timeout={WRITE_TIMEOUT_MS}")
            # FULL: each commit fsyncs the WAL, so an acknowledged event survives a power cut too. NORMAL
            # would skip that fsync and survive only a crash of the process; group commit makes FULL cheap.
            cursor.execute("pragma synchronous=full")
            cursor.close()

        return engine
    if backend == "postgresql":
        return sa.create_engine(
            _psycopg(url), pool_size=10, max_overflow=20, pool_pre_ping=True,
            connect_args={"connect_timeout": 3, "options": f"-c statement_timeout={WRITE_TIMEOUT_MS}"})
    raise ValueError(f"unsupported webhook inbox URL {url!r}: use sqlite:///path or postgresql://...")


def _psycopg(url: str) -> str:
    # Plain postgresql:// means psycopg2 to SQLAlchemy; the project ships psycopg 3.
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def _row(workspace_id: str, event: InboundEvent, received_at: datetime | None) -> dict[str, Any]:
    return {"workspace_id": workspace_id, "event_id": event.event_id, "version": event.version,
            "action": event.action, "entity": event.entity, "entity_id": event.entity_id,
            "occurred_at": _naive_utc(event.occurred_at), "received_at": _naive_utc(received_at or _now()),
            "merged_to_id": event.merged_to_id, "payload": event.payload}


def _now() -> datetime:
    return datetime.now(UTC)


def _naive_utc(moment: datetime | None) -> datetime | None:
    # Stored as naive UTC: SQLite has no time zone, and one convention keeps both backends alike.
    if moment is None:
        return None
    return moment.astimezone(UTC).replace(tzinfo=None) if moment.tzinfo else moment


def _aware(moment: datetime | None) -> datetime | None:
    if moment is None:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
