"""The in-process httpx transport: a sync `httpx.BaseTransport` answering any host from one `Sandbox`.

No thread, socket or event loop per request: `handle_request` calls `Sandbox.handle` directly, which keeps the
sandbox far from dominating a benchmark. Faults without a response surface as httpx would report them from a
real server: a timeout as `httpx.ReadTimeout` (nothing applied), a dropped response as
`httpx.RemoteProtocolError("Server disconnected without sending a response.")` (the write was applied).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import httpx

from pipedrive_etl.sandbox.faults import ResponseDropped, ResponseTimedOut

if TYPE_CHECKING:
    from pipedrive_etl.sandbox.sandbox import Sandbox


class SandboxTransport(httpx.BaseTransport):
    def __init__(self, sandbox: Sandbox) -> None:
        self.sandbox = sandbox

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        try:
            status, headers, body = self.sandbox.handle(
                request.method, request.url.path, request.url.params, request.headers, request.read()
            )
        except ResponseTimedOut as error:
            raise httpx.ReadTimeout(str(error), request=request) from error
        except ResponseDropped as error:
            raise httpx.RemoteProtocolError(
                "Server disconnected without sending a response.", request=request
            ) from error
        return httpx.Response(status, headers=headers, content=body, request=request)
