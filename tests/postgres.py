"""A throwaway database on the test Postgres server, for fixtures of any scope."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def temporary_database(server_url: str, prefix: str) -> Iterator[str]:
    """Create an empty database named `<prefix>_<random>` and yield its URL; drop it (forcibly) afterwards."""
    import psycopg

    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(server_url, autocommit=True) as admin:
        admin.execute(f'create database "{name}"')
    base, _, _ = server_url.rpartition("/")
    try:
        yield f"{base}/{name}"
    finally:
        with psycopg.connect(server_url, autocommit=True) as admin:
            admin.execute(f'drop database if exists "{name}" with (force)')
