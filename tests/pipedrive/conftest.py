"""Fixtures for the API client tests: load the scrubbed Pipedrive payloads in tests/fixtures/pipedrive/.

The payloads are copies of the published examples in shared/fixtures (pipedrive-api.md §13), so tests do not
depend on a folder outside the repository.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import respx

from pipedrive_etl.pipedrive import PipedriveClient

BASE = "https://acme.pipedrive.com"
FIXTURE_DIR = Path(__file__).resolve().parent.parent / "fixtures" / "pipedrive"


def strip_jsonc(text: str) -> str:
    """JSON with `//` comments and trailing commas (the migration guide's v1 person example) as strict JSON.

    Walks the text so that `//` inside a string (every URL) is left alone.
    """
    out: list[str] = []
    i, in_string = 0, False
    while i < len(text):
        char = text[i]
        if in_string:
            out.append(char)
            if char == "\\":
                out.append(text[i + 1])
                i += 1
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
            out.append(char)
        elif text.startswith("//", i):
            while i < len(text) and text[i] != "\n":
                i += 1
            continue
        elif char in "]}":
            # Drop a trailing comma: the last non-space character written before a closing bracket.
            j = len(out) - 1
            while j >= 0 and out[j].isspace():
                j -= 1
            if j >= 0 and out[j] == ",":
                del out[j]
            out.append(char)
        else:
            out.append(char)
        i += 1
    return "".join(out)


def load_fixture(name: str) -> Any:
    text = (FIXTURE_DIR / name).read_text(encoding="utf-8")
    return json.loads(strip_jsonc(text) if name.endswith(".jsonc") else text)


@pytest.fixture
def pipedrive_fixture() -> Callable[[str], Any]:
    """`pipedrive_fixture("pipedrive_v2_persons_list.json")` -> the parsed payload."""
    return load_fixture


@pytest.fixture
def client(fake_time):
    """A client of company `acme` on fake time (no real sleeps); a test module may override it."""
    with PipedriveClient.with_api_token("tok-123", company_domain="acme", clock=fake_time.clock,
                                        sleep=fake_time.sleep) as pipedrive:
        yield pipedrive


@pytest.fixture
def api():
    """respx mocking `acme`'s API; a request no route matches fails the test."""
    with respx.mock(base_url=BASE) as router:
        yield router
