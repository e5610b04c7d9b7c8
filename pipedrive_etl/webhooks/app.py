"""The webhook receiver: a Starlette app with one POST endpoint per workspace and a health check.

`POST /webhooks/{workspace_id}` checks, in this order and answering at the first failure: the workspace is
known (404), the Basic credentials (401), the size (413, from Content-Length before reading, then while
reading), the optional proxy signature (401), the payload (400). Only then is the event stored, and only once
it is committed does Pipedrive get its 2xx; a duplicate (same event id) is answered 200 too. A rejection is
answered at once and recorded after the response has gone (a background task), never with the credentials.
If the inbox cannot be written the answer is 503, so Pipedrive retries (at +3, +30, +150 s).

Nothing here calls Pipedrive. The inbox write happens on the inbox's writer thread (group commit), which the
endpoint awaits; the event loop keeps accepting meanwhile, and reject rows and the health check use
Starlette's thread pool. The endpoint is the receiver's hot path (bench/webhooks.py: at least 1,000 deliveries
a second on two shared cores), hence a plain ASGI class answering with orjson, and start-up objects frozen
out of the garbage collector's reach.
"""

from __future__ import annotations

import gc
import logging
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime

import orjson
from sqlalchemy.exc import SQLAlchemyError
from starlette.applications import Starlette
from starlette.background import BackgroundTask
from starlette.concurrency import run_in_threadpool
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route
from starlette.types import Receive, Scope, Send

from .credentials import BasicCredentials, BodySignature
from .errors import InboxUnavailable, PayloadTooLarge, RejectedDelivery, UnknownWorkspace
from .events import parse_event
from .inbox import Inbox

log = logging.getLogger("pipedrive_etl.webhooks")

DEFAULT_MAX_BODY_BYTES = 1_048_576  # a v1 deal with every field is ~5 KB; 1 MiB leaves room for custom fields


@dataclass(frozen=True)
class ReceiverSettings:
    """Who may deliver to which workspace, and the limits; built from the environment by `serve`."""

    credentials: Mapping[str, BasicCredentials]
    signature: BodySignature | None = None
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
    workspaces: tuple[str, ...] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "workspaces", tuple(sorted(self.credentials)))


def create_app(settings: ReceiverSettings, inbox: Inbox, *,
               extra_routes: Sequence[BaseRoute] = ()) -> Starlette:
    """The receiver; `extra_routes` mounts more on the same server (the OAuth callback)."""
    async def health(_: Request) -> JSONResponse:
        try:
            await run_in_threadpool(inbox.ping)
        except SQLAlchemyError:
            return JSONResponse({"status": "unavailable", "inbox": "unreachable"}, status_code=503)
        return JSONResponse({"status": "ok", "inbox": inbox.backend, "workspaces": len(settings.workspaces)})

    return Starlette(routes=[
        Route("/health", health, methods=["GET"]),
        Route("/webhooks/{workspace_id}", WebhookEndpoint(settings, inbox), methods=["POST"]),
        *extra_routes,
    ], lifespan=_lifespan)


class WebhookEndpoint:
    """`POST /webhooks/{workspace_id}` as a plain ASGI app (Starlette still routes to it and answers 405).

    A function endpoint would be wrapped in two more layers per call, and JSONResponse encodes with `json`:
    together about 30 us of the receiver's ~200 us of CPU per delivery, for nothing this endpoint uses.
    """

    def __init__(self, settings: ReceiverSettings, inbox: Inbox) -> None:
        self.settings = settings
        self.inbox = inbox

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive)
        try:
            response = await self.answer(request)
        except ClientDisconnect:  # gone before its body arrived: nothing stored, nothing to answer
            return
        await response(scope, receive, send)

    async def answer(self, request: Request) -> Response:
        received_at = datetime.now(UTC)
        workspace_id = request.path_params["workspace_id"]
        settings, body = self.settings, None
        try:
            credentials = settings.credentials.get(workspace_id)
            if credentials is None:
                raise UnknownWorkspace("unknown workspace")
            credentials.check(request.headers.get("authorization"))
            body = await _read_body(request, settings.max_body_bytes)
            if settings.signature is not None:
                settings.signature.check(request.headers.get(settings.signature.header), body)
            event = parse_event(body)
        except RejectedDelivery as rejection:
            return _reject(self.inbox, rejection, request, workspace_id, received_at,
                           body if rejection.status == 400 else None)
        try:
            is_new = await self.inbox.store_async(workspace_id, event, received_at)
        except InboxUnavailable as exc:
            log.error("webhook inbox write failed for %s: %s", workspace_id, exc)
            return _json({"error": "inbox unavailable"}, 503)
        return _json({"status": "stored" if is_new else "duplicate", "event_id": event.event_id})


@asynccontextmanager
async def _lifespan(_: Starlette) -> AsyncIterator[None]:
    # Everything imported and built before serving lives as long as the process: frozen, the collector stops
    # rescanning it, and a full collection drops from 100-400 ms (every request stalled) to a few ms.
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()  # a receiver served inside another process (the tests) leaves it as it found it


def _json(content: dict[str, object], status: int = 200, *, headers: Mapping[str, str] | None = None,
          background: BackgroundTask | None = None) -> Response:
    return Response(orjson.dumps(content), status_code=status, headers=headers, media_type="application/json",
                    background=background)


async def _read_body(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise PayloadTooLarge(f"body of {declared} bytes is over the {limit}-byte limit")
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:  # chunked or lying about its length: stop reading at the limit
            raise PayloadTooLarge(f"body is over the {limit}-byte limit")
        chunks.append(chunk)
    return b"".join(chunks)


def _reject(inbox: Inbox, rejection: RejectedDelivery, request: Request, workspace_id: str,
            received_at: datetime, body: bytes | None) -> Response:
    remote = request.client.host if request.client else None
    log.warning("webhook rejected (%d) for workspace %r from %s: %s", rejection.status, workspace_id[:64],
                remote, rejection.reason)
    record = BackgroundTask(_record_reject, inbox, status=rejection.status, reason=rejection.reason,
                            workspace_id=workspace_id, remote_addr=remote, body=body, received_at=received_at)
    headers = {"WWW-Authenticate": 'Basic realm="pipedrive-etl"'} if rejection.status == 401 else None
    return _json({"error": rejection.reason}, rejection.status, headers=headers, background=record)


def _record_reject(inbox: Inbox, **reject: object) -> None:
    try:
        inbox.record_reject(**reject)  # type: ignore[arg-type]
    except SQLAlchemyError as exc:  # the answer is already sent; a lost reject row must not crash the worker
        log.error("could not record a webhook reject: %s", type(exc).__name__)
