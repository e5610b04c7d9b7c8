"""The sandbox as an ASGI app (starlette), for `pipedrive-etl sandbox serve`.

One catch-all route hands every request to `Sandbox.handle` in a worker thread (fault latency sleeps
there, not
on the event loop). Faults without a response: a timeout sleeps `seconds` (set it past the client's timeout)
and then answers 524, Cloudflare's "a timeout occurred"; a dropped response closes the client's connection
after the write was applied. Closing needs the server's transport, which uvicorn's `send` carries; on a server
without it the drop falls back to the timeout behaviour.
"""

from __future__ import annotations

import anyio
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from pipedrive_etl.sandbox.faults import ResponseDropped, ResponseTimedOut
from pipedrive_etl.sandbox.http import dumps, error_envelope
from pipedrive_etl.sandbox.sandbox import Sandbox

_METHODS = ["GET", "POST", "PATCH", "PUT", "DELETE"]
DROP_FALLBACK_SECONDS = 60.0


class SandboxApp(Starlette):
    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        # Keep the server's own `send`: the dropped-response fault reaches the socket through it.
        scope["sandbox.raw_send"] = send
        await super().__call__(scope, receive, send)


def _close_connection(raw_send: object) -> bool:
    transport = getattr(getattr(raw_send, "__self__", None), "transport", None)
    if transport is None or not hasattr(transport, "close"):
        return False
    transport.close()
    return True


def create_app(sandbox: Sandbox) -> Starlette:
    async def endpoint(request: Request) -> Response:
        body = await request.body()
        try:
            status, headers, content = await run_in_threadpool(
                sandbox.handle, request.method, request.url.path, request.query_params, request.headers, body
            )
        except ResponseTimedOut as error:
            await anyio.sleep(error.seconds)
            return Response(dumps(error_envelope("A timeout occurred")), 524, media_type="application/json")
        except ResponseDropped:
            if _close_connection(request.scope.get("sandbox.raw_send")):
                await anyio.sleep(0.05)  # let the server see the disconnect before anything is sent
                return Response(b"", 500)
            await anyio.sleep(DROP_FALLBACK_SECONDS)
            return Response(b"", 500)
        response = Response(content, status)
        response.headers.update(headers)
        return response

    app = SandboxApp(routes=[Route("/{path:path}", endpoint, methods=_METHODS)])
    app.state.sandbox = sandbox
    return app
