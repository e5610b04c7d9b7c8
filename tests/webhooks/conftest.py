"""Fixtures for the webhook tests: an inbox on SQLite (and Postgres), a receiver app, payload builders."""

from __future__ import annotations

import base64
import json
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest

from pipedrive_etl.webhooks import BasicCredentials, Inbox, ReceiverSettings, create_app

from ..postgres import temporary_database
from .asgi import SyncASGITransport

FIXTURE_DIR = Path(__file__).resolve().parent.parent / "fixtures" / "pipedrive"
USER, PASSWORD = "pd-hooks", "correct horse battery staple"


def fixture_bytes(name: str) -> bytes:
    return (FIXTURE_DIR / name).read_bytes()


def basic(user: str = USER, password: str = PASSWORD) -> dict[str, str]:
    return {"authorization": "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()}


def v2_event(entity: str = "person", action: str = "change", entity_id: int = 8, *,
             event_id: str | None = None, data: dict[str, Any] | None = None,
             previous: dict[str, Any] | None = None, **meta: Any) -> dict[str, Any]:
    """A v2 delivery shaped like the documented examples (strings for ids in meta)."""
    return {
        "data": data if data is not None else (None if action == "delete" else {"id": entity_id}),
        "previous": previous,
        "meta": {"action": action, "company_id": "8087566", "entity": entity, "entity_id": str(entity_id),
                 "id": event_id or str(uuid.uuid4()), "timestamp": "2026-09-01T09:00:00.000Z",
                 "type": "general", "user_id": "1", "version": "2.0", "webhook_id": "7", "attempt": 1,
                 **meta},
    }


@pytest.fixture
def sqlite_inbox(tmp_path: Path) -> Iterator[Inbox]:
    with Inbox(f"sqlite:///{tmp_path}/webhooks.db") as inbox:
        yield inbox


@pytest.fixture(scope="module")
def _module_postgres_url(_postgres_server_url: str) -> Iterator[str]:
    """One Postgres database per test module: creating one per test costs about a second each."""
    with temporary_database(_postgres_server_url, "pipedrive_etl_webhooks") as url:
        yield url


@pytest.fixture
def clean_postgres_url(_module_postgres_url: str) -> str:
    """The module's database with every table emptied (truncating is much faster than creating them again)."""
    with psycopg.connect(_module_postgres_url, autocommit=True) as connection:
        tables = [f'"{schema}"."{name}"' for schema, name in connection.execute(
            "select schemaname, tablename from pg_tables "
            "where schemaname in ('public', 'raw', 'state', 'marts')")]
        if tables:
            connection.execute(f"truncate {', '.join(tables)} restart identity")
    return _module_postgres_url


@pytest.fixture(params=["sqlite", "postgres"])
def inbox(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Inbox]:
    """Inbox tests run on SQLite and on the real Postgres."""
    url = (f"sqlite:///{tmp_path}/webhooks.db" if request.param == "sqlite"
           else request.getfixturevalue("clean_postgres_url"))
    with Inbox(url) as opened:
        yield opened


@pytest.fixture(params=["duckdb", "postgres"])
def warehouse_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Warehouse tests run on DuckDB and on the real Postgres (the root fixture, on a reused database)."""
    if request.param == "duckdb":
        return f"duckdb:///{tmp_path}/warehouse.duckdb"
    return request.getfixturevalue("clean_postgres_url")


@pytest.fixture
def settings() -> ReceiverSettings:
    return ReceiverSettings(credentials={"demo": BasicCredentials(USER, PASSWORD),
                                         "acme": BasicCredentials("acme", "other")}, max_body_bytes=64_000)


@pytest.fixture
def receiver(settings: ReceiverSettings, sqlite_inbox: Inbox) -> Iterator[httpx.Client]:
    """The receiver app, in process, behind a sync httpx client."""
    transport = SyncASGITransport(create_app(settings, sqlite_inbox))
    with httpx.Client(transport=transport, base_url="https://hooks.example") as client:
        yield client


def post(client: httpx.Client, payload: Any, *, workspace: str = "demo",
         headers: dict[str, str] | None = None) -> httpx.Response:
    body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    auth = basic() if headers is None else headers
    headers = {"content-type": "application/json", **auth}
    return client.post(f"/webhooks/{workspace}", content=body, headers=headers)
