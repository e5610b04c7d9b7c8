"""The client's errors: one small tree, each error carrying the request (and the response when there was one).

```
PipedriveError
├── PipedriveConnectionError (.request) ── PipedriveTimeoutError
├── OutcomeUnknownError (.request, .cause)     a POST was sent; whether Pipedrive applied it is unknown
├── PipedriveStatusError (.request, .response, .status_code, .body)
│     BadRequestError 400 · UnauthorizedError 401 · PaymentRequiredError 402 · ForbiddenError 403
│     (BlockedError: the Cloudflare HTML page) · NotFoundError 404 · GoneError 410 · UnprocessableError 422
│     RateLimitError 429 (DailyLimitReachedError) · ServerError 5xx
├── BudgetExhaustedError (.needed, .remaining, .resets_at)   raised before sending, never after
├── CircuitOpenError (.retry_at)
└── ResponseValidationError (.request, .response)
```

`str(error)` gives method, path, status and request id; never the token (it travels in a header, and query
strings are dropped from messages in case the legacy `api_token` parameter was used).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import httpx


def describe_request(request: httpx.Request | None) -> str:
    if request is None:
        return "request"
    return f"{request.method} {request.url.path}"


def _request_id(response: httpx.Response) -> str | None:
    return response.headers.get("x-request-id") or response.headers.get("x-correlation-id")


class PipedriveError(Exception):
    """Base of every error this client raises."""


class PipedriveConnectionError(PipedriveError):
    """The request could not be completed over the network."""

    def __init__(self, message: str, *, request: httpx.Request | None = None) -> None:
        super().__init__(f"{describe_request(request)}: {message}")
        self.request = request


class PipedriveTimeoutError(PipedriveConnectionError):
    """The request timed out."""


class OutcomeUnknownError(PipedriveError):
    """A create was sent and may or may not have been applied: reconcile (search) before creating again."""

    def __init__(self, message: str, *, request: httpx.Request, cause: BaseException | None = None) -> None:
        super().__init__(f"{describe_request(request)}: outcome unknown: {message}")
        self.request = request
        self.cause = cause


class PipedriveStatusError(PipedriveError):
    """Pipedrive answered with a non-2xx status."""

    status_code: int = 0

    def __init__(self, message: str, *, request: httpx.Request, response: httpx.Response,
                 body: Any = None) -> None:
        request_id = _request_id(response)
        suffix = f" (request id {request_id})" if request_id else ""
        super().__init__(f"{describe_request(request)} -> {response.status_code}: {message}{suffix}")
        self.request = request
        self.response = response
        self.status_code = response.status_code
        self.body = body


class BadRequestError(PipedriveStatusError):
    """400: Pipedrive refused the request body or parameters (validation)."""

    status_code = 400


class UnauthorizedError(PipedriveStatusError):
    """401: the API token or OAuth access token is invalid or expired."""

    status_code = 401


class PaymentRequiredError(PipedriveStatusError):
    """402: the company account is not open (trial expired, payment details missing)."""

    status_code = 402


class ForbiddenError(PipedriveStatusError):
    """403: not allowed, e.g. a feature cap ("Open deals limit reached")."""

    status_code = 403


class BlockedError(ForbiddenError):
    """403 with Cloudflare's HTML page: traffic went on despite 429s. Stop; retrying makes it worse."""


class NotFoundError(PipedriveStatusError):
    """404: the entity does not exist (or is not visible to this token's user)."""

    status_code = 404


class GoneError(PipedriveStatusError):
    """410: the resource is permanently unavailable."""

    status_code = 410


class UnprocessableError(PipedriveStatusError):
    """422: e.g. the webhook limit was reached."""

    status_code = 422


class RateLimitError(PipedriveStatusError):
    """429: over the burst window (wait and retry) or the daily budget (stop until the reset)."""

    status_code = 429


class ServerError(PipedriveStatusError):
    """5xx: Pipedrive failed or is in maintenance."""


STATUS_ERRORS: dict[int, type[PipedriveStatusError]] = {
    400: BadRequestError,
    401: UnauthorizedError,
    402: PaymentRequiredError,
    403: ForbiddenError,
    404: NotFoundError,
    410: GoneError,
    422: UnprocessableError,
    429: RateLimitError,
}


def status_error_class(status_code: int) -> type[PipedriveStatusError]:
    if status_code >= 500:
        return ServerError
    return STATUS_ERRORS.get(status_code, PipedriveStatusError)


class BudgetExhaustedError(PipedriveError):
    """The daily token budget (or this caller's share of it) cannot pay for the next request."""

    def __init__(self, message: str, *, needed: int = 0, remaining: int = 0,
                 resets_at: datetime | None = None) -> None:
        super().__init__(message)
        self.needed = needed
        self.remaining = remaining
        self.resets_at = resets_at


class DailyLimitReachedError(RateLimitError, BudgetExhaustedError):
    """429 while the burst window still had room: the company's daily budget is spent (others share it)."""

    def __init__(self, message: str, *, request: httpx.Request, response: httpx.Response, body: Any = None,
                 resets_at: datetime | None = None) -> None:
        RateLimitError.__init__(self, message, request=request, response=response, body=body)
        self.needed = 0
        self.remaining = 0
        self.resets_at = resets_at


class CircuitOpenError(PipedriveError):
    """Too many consecutive failures: requests are refused until the circuit closes again."""

    def __init__(self, message: str, *, retry_at: float) -> None:
        super().__init__(message)
        self.retry_at = retry_at


class ResponseValidationError(PipedriveError):
    """A 2xx response whose body is not the JSON shape Pipedrive documents."""

    def __init__(self, message: str, *, request: httpx.Request, response: httpx.Response) -> None:
        super().__init__(f"{describe_request(request)} -> {response.status_code}: {message}")
        self.request = request
        self.response = response
