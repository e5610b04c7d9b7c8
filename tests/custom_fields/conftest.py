"""Fixtures for custom-field management: an unseeded sandbox (built-in fields only), a client on it, and a
sync.yaml builder."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from pipedrive_etl.config import SyncConfig, parse_config
from pipedrive_etl.pipedrive import PipedriveClient
from pipedrive_etl.sandbox import FakeClock, Sandbox
from pipedrive_etl.sandbox.customfields import FieldDef

TOKEN = "sandbox-token"
WORKSPACE = {"id": "acme", "pipedrive": {"company_domain": "sandbox", "base_url": "https://sandbox.pipedrive.com",
                                         "auth": {"env": "PD_TOKEN"}, "plan": "ultimate", "seats": 5}}


@pytest.fixture
def client(sandbox: Sandbox, clock: FakeClock) -> Iterator[PipedriveClient]:
    with PipedriveClient.with_api_token(TOKEN, company_domain="sandbox", plan="ultimate",
                                        transport=sandbox.transport(), clock=clock.monotonic,
                                        sleep=clock.sleep) as opened:
        yield opened


def mapping(coldcopy_field: str, name: str, field_type: str | None = None, *, entity: str = "person",
            options: list[str] | None = None, create: bool = True) -> dict[str, Any]:
    pipedrive: dict[str, Any] = {"entity": entity, "name": name}
    if create:
        pipedrive.update(create_if_missing=True, field_type=field_type)
    if options:
        pipedrive["options"] = options
    return {"coldcopy_field": coldcopy_field, "pipedrive": pipedrive}


def sync_config(*mappings: dict[str, Any], create_persons: bool = False) -> SyncConfig:
    rules = {"create_persons_for_statuses": ["interested"]} if create_persons else {}
    return parse_config({"workspaces": [WORKSPACE], "field_mappings": list(mappings),
                         "creation_rules": rules}, env={})


def fields_named(sandbox: Sandbox, entity: str, name: str) -> list[FieldDef]:
    """Every field of the entity with this name, straight from the sandbox's state (no API, no tokens)."""
    with sandbox.lock:
        return [d for d in sandbox.state.fields.by_entity[entity] if d.name == name]
