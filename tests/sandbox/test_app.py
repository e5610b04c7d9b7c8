"""The starlette app and the CLI around it."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
import pytest

from pipedrive_etl.cli import build_parser, main
from pipedrive_etl.sandbox import Sandbox, create_app

from .conftest import TOKEN


def _call(sandbox: Sandbox, requests: list[tuple[str, str, dict]]) -> list[httpx.Response]:
    async def run() -> list[httpx.Response]:
        transport = httpx.ASGITransport(app=create_app(sandbox))
        async with httpx.AsyncClient(transport=transport, base_url="http://sandbox.local") as http:
            return [await http.request(method, path, **options) for method, path, options in requests]

    return asyncio.run(run())


def test_the_app_answers_through_the_same_handler_with_ratelimit_headers(sandbox: Sandbox) -> None:
    headers = {"x-api-token": TOKEN}
    created, listed = _call(
        sandbox,
        [
            ("POST", "/api/v2/persons", {"json": {"name": "Ann"}, "headers": headers}),
            ("GET", "/api/v2/persons", {"headers": headers}),
        ],
    )
    assert created.status_code == 200 and listed.json()["data"][0]["name"] == "Ann"
    assert listed.headers["x-ratelimit-limit"] == "120"


def test_the_app_answers_401_without_a_token(sandbox: Sandbox) -> None:
    assert _call(sandbox, [("GET", "/api/v2/persons", {})])[0].status_code == 401


def test_the_cli_parses_sandbox_serve_options() -> None:
    args = build_parser().parse_args(
        [
            "sandbox",
            "serve",
            "--persons",
            "10",
            "--plan",
            "lite",
            "--fault",
            "status:status=503@GET /api/v2/persons",
        ]
    )
    assert (args.persons, args.plan, args.port, args.fault) == (
        10,
        "lite",
        8765,
        ["status:status=503@GET /api/v2/persons"],
    )


def test_the_cli_rejects_an_unknown_plan() -> None:
    with pytest.raises(SystemExit):
        build_parser().parse_args(["sandbox", "serve", "--plan", "gold"])


def test_sandbox_seed_coldcopy_writes_the_demo_database(
    tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    url = f"sqlite:///{tmp_path / 'demo' / 'coldcopy.db'}"
    assert main(["sandbox", "seed-coldcopy", "--url", url, "--persons", "20"]) == 0
    assert (tmp_path / "demo" / "coldcopy.db").is_file() and "leads" in capsys.readouterr().out
