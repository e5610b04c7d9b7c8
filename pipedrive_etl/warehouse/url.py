"""One setting names the warehouse: `duckdb:///path/to/file.duckdb` (the default) or `postgresql://...`."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

DEFAULT_WAREHOUSE_URL = "duckdb:///data/warehouse.duckdb"


@dataclass(frozen=True)
class WarehouseUrl:
    backend: Literal["duckdb", "postgres"]
    url: str
    path: Path | None = None  # DuckDB only

    def __str__(self) -> str:
        return self.url


def parse_warehouse_url(url: str) -> WarehouseUrl:
    url = url.strip()
    if url.startswith("duckdb:///"):
        path = url[len("duckdb:///"):]
        if not path:
            raise ValueError("duckdb URL needs a file path: duckdb:///data/warehouse.duckdb (or duckdb:///:memory:)")
        return WarehouseUrl("duckdb", url, Path(path) if path != ":memory:" else None)
    for prefix in ("postgresql://", "postgres://", "postgresql+psycopg://"):
        if url.startswith(prefix):
            return WarehouseUrl("postgres", "postgresql://" + url[len(prefix):])
    raise ValueError(f"unsupported warehouse URL {url!r}: use duckdb:///path or postgresql://user@host/db")
