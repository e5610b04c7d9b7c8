"""The staging warehouse: an engine from one URL, the raw and state tables, bulk upserts, the shared
token ledger."""

from .engine import DuckDBWarehouse, PostgresWarehouse, Warehouse, open_warehouse
from .url import DEFAULT_WAREHOUSE_URL, WarehouseUrl, parse_warehouse_url

__all__ = ["DEFAULT_WAREHOUSE_URL", "DuckDBWarehouse", "PostgresWarehouse", "Warehouse", "WarehouseUrl",
           "open_warehouse", "parse_warehouse_url"]
