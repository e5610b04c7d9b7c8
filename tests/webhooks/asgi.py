"""A sync httpx transport that calls an ASGI app in process, background tasks included.

Starlette's TestClient does the same but now warns about httpx; the sandbox's webhook delivery is a sync httpx
client, so this lets it deliver straight into the receiver app.
"""

from __future__ import annotations

import anyio
import httpx
from starlette.types import ASGIApp


class SyncASGITransport(httpx.BaseTransport):
    def __init__(self, app: ASGIApp, client: tuple[str, int] = ("203.0.113.9", 50_000)) -> None:
        self._inner = httpx.ASGITransport(app=app, client=client)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        async def call() -> httpx.Response:
            # httpx's ASGITransport returns once the app (and its background tasks) has finished.
            response = await self._inner.handle_async_request(request)
            content = await response.aread()
            return httpx.Response(response.status_code, headers=response.headers, content=content)

        return anyio.run(call)
