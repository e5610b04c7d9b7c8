"""Requests, responses and the documented error bodies (pipedrive-api.md §4), independent of any web
framework.

`Sandbox.handle` speaks only these types, so the starlette app and the in-process httpx transport share every
line of behaviour.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from pipedrive_etl.sandbox.validation import ValidationError

ERROR_INFO = "Please check developers.pipedrive.com for more information about Pipedrive API."
JSON_TYPE = "application/json; charset=utf-8"
UNAUTHORIZED_BODY = {"success": False, "error": "unauthorized access", "errorCode": 401}
BLOCKED_PAGE = b"""<!DOCTYPE html>
<html lang="en-US"><head><title>Attention Required! | Cloudflare</title></head>
<body><div id="cf-wrapper"><h1>Sorry, you have been blocked</h1>
<p>This website is using a security service to protect itself from online attacks.</p>
<p>This error is produced by Cloudflare. You are unable to access api.pipedrive.com.</p>
<p>Cloudflare Ray ID: 0000000000000000 &bull; Performance &amp; security by Cloudflare</p></div></body></html>
"""


class HttpError(Exception):
    """Answer with this status and the standard error envelope (or a given body)."""

    def __init__(self, status: int, message: str, *, body: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.body = body


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes
    params: dict[str, str] = field(default_factory=dict)
    user_id: int = 0

    def json(self) -> Any:
        if not self.body:
            raise ValidationError("Request body is empty; send a JSON object")
        try:
            return json.loads(self.body)
        except ValueError as error:
            raise ValidationError("Request body is not valid JSON") from error

    def int_param(self, name: str) -> int:
        try:
            return int(self.params[name])
        except ValueError as error:
            raise HttpError(404, "Entity was not found") from error


@dataclass
class Response:
    status: int
    body: bytes
    headers: dict[str, str] = field(default_factory=lambda: {"content-type": JSON_TYPE})


def dumps(payload: Any) -> bytes:
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()


def json_response(payload: Any, status: int = 200) -> Response:
    return Response(status, dumps(payload))


def error_envelope(message: str, info: str = ERROR_INFO) -> dict[str, Any]:
    return {"success": False, "error": message, "error_info": info, "data": None, "additional_data": None}


def error_response(status: int, message: str, body: dict[str, Any] | None = None) -> Response:
    if body is None:
        info = "Object was not found." if message == "Entity was not found" else ERROR_INFO
        body = error_envelope(message, info)
    return json_response(body, status)


def blocked_response() -> Response:
    return Response(403, BLOCKED_PAGE, {"content-type": "text/html; charset=UTF-8"})


def ok(data: Any, additional_data: Any = None, **extra: Any) -> Response:
    payload: dict[str, Any] = {"success": True, "data": data}
    if additional_data is not None:
        payload["additional_data"] = additional_data
    payload.update(extra)
    return json_response(payload)


def flag(query: dict[str, str], name: str) -> bool:
    return query.get(name, "").lower() in ("1", "true")


def int_query(query: dict[str, str], name: str, default: int, *, low: int = 0, high: int = 500) -> int:
    raw = query.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError as error:
        raise ValidationError(f"{name} must be an integer") from error
    if not low <= value <= high:
        raise ValidationError(f"{name} must be between {low} and {high}")
    return value
