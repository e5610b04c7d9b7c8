"""The receiver's server: uvloop and httptools (half the CPU per delivery of asyncio's loop with h11)."""

from __future__ import annotations

import asyncio

import httpx
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from pipedrive_etl.webhooks import Inbox, ReceiverSettings, create_app, running_receiver
from pipedrive_etl.webhooks.server import uvicorn_config


async def _loop_module(_: Request) -> PlainTextResponse:
    return PlainTextResponse(type(asyncio.get_running_loop()).__module__)


def test_the_receiver_serves_on_uvloop_next_to_its_extra_routes(
        settings: ReceiverSettings, sqlite_inbox: Inbox) -> None:
    app = create_app(settings, sqlite_inbox, extra_routes=[Route("/loop", _loop_module)])
    with running_receiver(app) as base_url:
        assert httpx.get(f"{base_url}/loop").text.startswith("uvloop")
        assert httpx.get(f"{base_url}/health").json()["status"] == "ok"


def test_the_receiver_parses_http_with_httptools(settings: ReceiverSettings, sqlite_inbox: Inbox) -> None:
    config = uvicorn_config(create_app(settings, sqlite_inbox), "127.0.0.1", 8766)
    config.load()
    assert config.http_protocol_class.__name__ == "HttpToolsProtocol"
