"""A warehouse connection from its URL, with the few operations the pipeline needs on either backend.

DuckDB (the default) is loaded from Arrow; Postgres with COPY into a temporary table. Both then upsert on the
table's key, so overlapping pages (the look-back, a resumed run) are harmless. A few rows at a time (a
writeback's log row, a step's figures) are bound as statement parameters instead. SQL in this package is
written with `?` placeholders; the Postgres side translates them.
"""

from __future__ import annotations

import threading
from abc import ABC, abstractmethod
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from .schema import render_ddl
from .url import WarehouseUrl, parse_warehouse_url

# Up to this many rows, an upsert binds them as statement parameters: setting up a bulk load (an Arrow table
# registered, a temporary table and COPY) costs more than the row. One row into state.writeback_log, which
# the writeback does twice a request: DuckDB 3.3-4.0 ms against 6.5, Postgres 0.5 ms against 3.1 (on DuckDB
# most of what is left is the commit). CPU, not the demo's wall time: its writeback waits on the burst window.
FEW_ROWS = 16


class Warehouse(ABC):
    backend: str

    def __init__(self, url: WarehouseUrl) -> None:
        self.url = url
        self._lock = threading.RLock()

    @abstractmethod
    def execute(self, sql: str, params: Sequence[Any] = ()) -> None: ...

    @abstractmethod
    def fetchall(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]: ...

    @abstractmethod
    @contextmanager
    def transaction(self) -> Iterator[None]: ...

    @abstractmethod
    def _load(self, table: str, columns: list[str], rows: list[tuple[Any, ...]],
              key: Sequence[str]) -> None: ...

    @abstractmethod
    def _load_few(self, table: str, columns: list[str], rows: list[tuple[Any, ...]],
                  key: Sequence[str]) -> None: ...

    @abstractmethod
    def close(self) -> None: ...

    def fetchone(self, sql: str, params: Sequence[Any] = ()) -> tuple[Any, ...] | None:
        rows = self.fetchall(sql, params)
        return rows[0] if rows else None

    def table_exists(self, schema: str, table: str) -> bool:
        row = self.fetchone("select count(*) from information_schema.tables where table_schema = ? and "
                            "table_name = ?", [schema, table])
        return bool(row and row[0])

    def ensure_schema(self) -> None:
        with self.transaction():
            for statement in render_ddl(self.backend):  # type: ignore[arg-type]
                self.execute(statement)

    def upsert(self, table: str, rows: Sequence[dict[str, Any]], *, key: Sequence[str]) -> int:
        """Insert rows, replacing those with the same key. Returns the number of distinct keys written."""
        if not rows:
            return 0
        columns = list(rows[0])
        latest: dict[tuple[Any, ...], tuple[Any, ...]] = {}
        for row in rows:  # a key twice in one batch: the last wins (ON CONFLICT cannot touch a row twice)
            latest[tuple(row[k] for k in key)] = tuple(row[c] for c in columns)
        load = self._load_few if len(latest) <= FEW_ROWS else self._load
        with self.transaction():
            load(table, columns, list(latest.values()), key)
        return len(latest)

    def __enter__(self) -> Warehouse:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _upsert_sql(table: str, rows: str, columns: list[str], key: Sequence[str]) -> str:
    """`rows`: a query or a VALUES list giving `columns` in order."""
    updates = ", ".join(f"{c} = excluded.{c}" for c in columns if c not in key)
    action = f"do update set {updates}" if updates else "do nothing"
    return f"insert into {table} ({', '.join(columns)}) {rows} on conflict ({', '.join(key)}) {action}"


class DuckDBWarehouse(Warehouse):
    backend = "duckdb"

    def __init__(self, url: WarehouseUrl) -> None:
        import duckdb
        import pyarrow  # noqa: F401  (loads are Arrow tables: pay the import once, when connecting)

        super().__init__(url)
        if url.path is not None:
            url.path.parent.mkdir(parents=True, exist_ok=True)
        self._con = duckdb.connect(str(url.path) if url.path else ":memory:")
        # Each stored page commits (resumability); checkpointing the WAL into the file every 16 MB (the
        # default) made a third of a full extraction's time. Checkpoint less often; DuckDB still checkpoints
        # on close.
        self._con.execute("set checkpoint_threshold = '256MB'")
        self._depth = 0

    def execute(self, sql: str, params: Sequence[Any] = ()) -> None:
        with self._lock:
            self._con.execute(sql, list(params))

    def fetchall(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        with self._lock:
            return self._con.execute(sql, list(params)).fetchall()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        with self._lock:
            outermost = self._depth == 0
            if outermost:
                self._con.execute("begin transaction")
            self._depth += 1
            try:
                yield
            except BaseException:
                self._depth -= 1
                if outermost:
                    self._con.execute("rollback")
                raise
            self._depth -= 1
            if outermost:
                self._con.execute("commit")

    def _load(self, table: str, columns: list[str], rows: list[tuple[Any, ...]], key: Sequence[str]) -> None:
        import pyarrow as pa

        arrow = pa.table({name: list(values)
                          for name, values in zip(columns, zip(*rows, strict=True), strict=True)})
        self._con.register("_incoming", arrow)
        try:
            # Delete-then-insert: about a third faster in DuckDB than ON CONFLICT DO UPDATE, same result
            # inside the caller's transaction.
            keys = ", ".join(key)
            self._con.execute(f"delete from {table} where ({keys}) in (select {keys} from _incoming)")
            self._con.execute(f"insert into {table} ({', '.join(columns)}) "
                              f"select {', '.join(columns)} from _incoming")
        finally:
            self._con.unregister("_incoming")

    def _load_few(self, table: str, columns: list[str], rows: list[tuple[Any, ...]],
                  key: Sequence[str]) -> None:
        positions = [columns.index(name) for name in key]
        where = " and ".join(f"{name} = ?" for name in key)
        self._con.executemany(f"delete from {table} where {where}",
                              [[row[position] for position in positions] for row in rows])
        self._con.executemany(f"insert into {table} ({', '.join(columns)}) "
                              f"values ({', '.join('?' for _ in columns)})", [list(row) for row in rows])

    def close(self) -> None:
        self._con.close()


class PostgresWarehouse(Warehouse):
    backend = "postgres"

    def __init__(self, url: WarehouseUrl) -> None:
        import psycopg

        super().__init__(url)
        self._con = psycopg.connect(url.url, autocommit=True)
        self._depth = 0

    @staticmethod
    def _sql(sql: str) -> str:
        return sql.replace("%", "%%").replace("?", "%s")

    def execute(self, sql: str, params: Sequence[Any] = ()) -> None:
        with self._lock:
            self._con.execute(self._sql(sql), list(params))  # type: ignore[arg-type]

    def fetchall(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        with self._lock:
            return self._con.execute(self._sql(sql), list(params)).fetchall()  # type: ignore[arg-type]

    @contextmanager
    def transaction(self) -> Iterator[None]:
        with self._lock, self._con.transaction():
            yield

    def _load(self, table: str, columns: list[str], rows: list[tuple[Any, ...]], key: Sequence[str]) -> None:
        names = ", ".join(columns)
        self._con.execute(f"create temp table _incoming (like {table} including defaults) on commit drop")
        with self._con.cursor().copy(f"copy _incoming ({names}) from stdin") as copy:
            for row in rows:
                copy.write_row(row)
        self._con.execute(_upsert_sql(table, f"select {names} from _incoming", columns, key))
        self._con.execute("drop table _incoming")  # another upsert may follow in the same transaction

    def _load_few(self, table: str, columns: list[str], rows: list[tuple[Any, ...]],
                  key: Sequence[str]) -> None:
        values = f"values ({', '.join('%s' for _ in columns)})"
        with self._con.cursor() as cursor:
            cursor.executemany(_upsert_sql(table, values, columns, key), rows)

    def close(self) -> None:
        self._con.close()


def open_warehouse(url: str) -> Warehouse:
    """Connect to the warehouse the URL names and make sure its schemas and tables exist."""
    parsed = parse_warehouse_url(url)
    warehouse: Warehouse = (DuckDBWarehouse(parsed) if parsed.backend == "duckdb"
                            else PostgresWarehouse(parsed))
    warehouse.ensure_schema()
    return warehouse
