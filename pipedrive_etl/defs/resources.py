"""Dagster resources: the sync configuration, the warehouse and Pipedrive, each bound once in
definitions.py."""


import os
from collections.abc import Iterator
from contextlib import contextmanager

import dagster as dg
import sqlalchemy as sa

from ..config import SyncConfig, Workspace, load_config
from ..connections import pipedrive_client
from ..pipedrive import PipedriveClient, TokenBudget
from ..warehouse import DEFAULT_WAREHOUSE_URL, Warehouse, open_warehouse

DEFAULT_SYNC_CONFIG = "data/demo/sync.yaml"


class SyncConfigResource(dg.ConfigurableResource):
    """sync.yaml, validated when a step starts: a bad file fails the step before any request.

    Unset, the path is read at run time from PIPEDRIVE_ETL_SYNC_CONFIG, else the demo's."""

    path: str | None = None

    def load(self) -> SyncConfig:
        return load_config(self.path or os.environ.get("PIPEDRIVE_ETL_SYNC_CONFIG", DEFAULT_SYNC_CONFIG))

    def load_workspace(self, workspace_id: str) -> tuple[SyncConfig, Workspace]:
        """The configuration and the partition's workspace; ConfigError if either is wrong."""
        settings = self.load()
        return settings, settings.workspace(workspace_id)


class WarehouseResource(dg.ConfigurableResource):
    """The staging warehouse named by one URL: `duckdb:///...` or `postgresql://...`.

    Unset, the URL is read at run time from WAREHOUSE_URL, else the local DuckDB file."""

    url: str | None = None

    @property
    def resolved_url(self) -> str:
        return self.url or os.environ.get("WAREHOUSE_URL", DEFAULT_WAREHOUSE_URL)

    @contextmanager
    def open(self) -> Iterator[Warehouse]:
        warehouse = open_warehouse(self.resolved_url)
        try:
            yield warehouse
        finally:
            warehouse.close()


class PipedriveResource(dg.ConfigurableResource):
    """Builds one client per workspace; the API token is read from the variable the workspace names,
    at run time."""

    def client(self, workspace: Workspace, budget: TokenBudget,
               warehouse: Warehouse | None = None) -> PipedriveClient:
        # The warehouse holds stored (encrypted) credentials: OAuth tokens, and API tokens stored by
        # `secrets`.
        return pipedrive_client(workspace, budget=budget, warehouse=warehouse)


class ColdCopyResource(dg.ConfigurableResource):
    """The ColdCopy database; its URL comes from sync.yaml (`coldcopy.database_url`), unless set here."""

    database_url: str | None = None

    def engine(self, config: SyncConfig) -> "sa.Engine":
        return sa.create_engine(self.database_url or config.coldcopy.database_url)
