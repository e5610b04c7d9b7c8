"""The request engine behind the client: budget, burst pacing, retries, the circuit, and typed errors.

Order for every attempt: the circuit may refuse; the budget is charged (or BudgetExhaustedError is
raised before anything is sent); the burst window is waited for; the request goes out with a timeout.
What is retried:
- network errors and timeouts, for GET/PATCH/DELETE (repeating them is harmless);
- 429 after the server's `Retry-After` (capped) or `x-ratelimit-reset`, else exponential backoff with jitter;
- 5xx with backoff, for GET/PATCH/DELETE.
A POST that was sent and then failed (timeout, dropped connection, 5xx) is never repeated: it raises
OutcomeUnknownError so the caller can look for the record before creating it again. 401 is retried once after
a credential refresh (OAuth); the Cloudflare 403 page and a spent daily budget stop at once.
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from typing import Any

import httpx
import orjson

from ._constants import (
    DEFAULT_MAX_RETRIES,
    DEFAULT_TIMEOUT,
    INITIAL_RETRY_DELAY,
    MAX_RETRY_DELAY,
    MAX_SERVER_SUGGESTED_DELAY,
    RETRY_JITTER,
)
from ._gc import gc_paused
from .auth import Credentials
from .budget import TokenBudget
from .burst import BurstLimiter, burst_limit, search_limiter
from .circuit import CircuitBreaker
from .costs import is_search, token_cost
from .errors import (
    BlockedError,
    DailyLimitReachedError,
    OutcomeUnknownError,
    PipedriveConnectionError,
    PipedriveStatusError,
    PipedriveTimeoutError,
    RateLimitError,
    ResponseValidationError,
    ServerError,
    UnauthorizedError,
    status_error_class,
)

# Repeating these cannot create anything twice (PATCH sets the same values again; DELETE is a soft delete).
REPEATABLE_METHODS = frozenset({"GET", "HEAD", "PATCH", "DELETE"})
# These failures happen before the request left: even a POST may be sent again.
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)


@dataclass
class RequestStats:
    """Counters a step reports as metadata: what it cost and how the API behaved."""

    requests: int = 0
    retries: int = 0
    rate_limited: int = 0
    tokens: int = 0
    latencies: list[float] = field(default_factory=list)


@dataclass(frozen=True)
class Reply:
    """A 2xx answer: the decoded JSON envelope, and the response it came in (for errors and headers)."""

    body: dict[str, Any]
    response: httpx.Response


class RequestEngine:
    def __init__(self, *, base_url: str, credentials: Credentials, plan: str = "growth",
                 budget: TokenBudget | None = None, transport: httpx.BaseTransport | None = None,
                 timeout: httpx.Timeout = DEFAULT_TIMEOUT, max_retries: int = DEFAULT_MAX_RETRIES,
                 clock: Callable[[], float] = time.monotonic, sleep: Callable[[float], None] = time.sleep,
                 jitter: Callable[[], float] = random.random, circuit: CircuitBreaker | None = None) -> None:
        self.credentials = credentials
        self.budget = budget
        self.max_retries = max_retries
        self._clock = clock
        self._sleep = sleep
        self._jitter = jitter
        self.burst = BurstLimiter(burst_limit(plan, credentials.auth_type), clock=clock, sleep=sleep)
        self.search_burst = search_limiter(clock=clock, sleep=sleep)
        self.circuit = circuit or CircuitBreaker(clock=clock)
        self.stats = RequestStats()
        self._http = httpx.Client(base_url=base_url, transport=transport, timeout=timeout,
                                  headers={"accept": "application/json", "user-agent": "pipedrive-etl"},
                                  event_hooks=dict(getattr(credentials, "event_hooks", None) or {}))

    def close(self) -> None:
        self._http.close()

    def request(self, method: str, path: str, *, params: Mapping[str, Any] | None = None,
                json_body: Any = None) -> dict[str, Any]:
        """Send one logical request (with its retries) and return the decoded JSON envelope."""
        method = method.upper()
        cost = token_cost(method, path)
        limiter = self.search_burst if is_search(path) else self.burst
        refreshed = False
        attempt = 0
        while True:
            self.circuit.before_request()
            if self.budget is not None:
                self.budget.charge(cost, what=f"{method} {path}")
            limiter.acquire()
            headers = self.credentials.headers()
            request = self._http.build_request(method, path, params=params, json=json_body, headers=headers)
            self.stats.requests += 1
            self.stats.tokens += cost
            started = self._clock()
            try:
                response = self._http.send(request)
            except httpx.TransportError as exc:
                self.circuit.record_failure()
                if method not in REPEATABLE_METHODS and not isinstance(exc, _NOT_SENT):
                    raise OutcomeUnknownError(type(exc).__name__, request=request, cause=exc) from exc
                if attempt >= self.max_retries:
                    error = (PipedriveTimeoutError if isinstance(exc, httpx.TimeoutException)
                             else PipedriveConnectionError)
                    raise error(f"{type(exc).__name__} after {attempt + 1} attempts",
                                request=request) from exc
                self._wait(self._backoff(attempt))
                attempt += 1
                continue
            finally:
                self.stats.latencies.append(self._clock() - started)

            limiter.observe(response.headers)
            if response.status_code < 400:
                self.circuit.record_success()
                return Reply(_decode(request, response), response)

            body = _body_of(response)
            status = response.status_code
            if status == 401 and not refreshed and self.credentials.refresh_after_rejection(headers):
                refreshed = True
                continue
            if status == 403 and _is_html(response):
                raise BlockedError(
                    "Pipedrive's Cloudflare block page: this token kept sending after 429 responses. "
                    "All traffic with it should stop for a while; the run stops here.",
                    request=request, response=response, body=body)
            if status == 429:
                self.stats.rate_limited += 1
                if _daily_budget_spent(response):
                    raise DailyLimitReachedError(
                        "429 while the burst window had room: the company's daily token budget is spent "
                        "(it is shared with every integration and user); it resets at midnight server time",
                        request=request, response=response, body=body,
                        resets_at=self.budget.resets_at() if self.budget else None)
                if attempt >= self.max_retries:
                    raise RateLimitError(f"still rate limited after {attempt + 1} attempts",
                                         request=request, response=response, body=body)
                self._wait(self._rate_limit_delay(attempt, response))
                attempt += 1
                continue
            if status >= 500:
                self.circuit.record_failure()
                error = ServerError(_message(body, response), request=request, response=response, body=body)
                if method not in REPEATABLE_METHODS:
                    raise OutcomeUnknownError(f"server answered {status}", request=request,
                                              cause=error) from error
                if attempt >= self.max_retries:
                    raise error
                self._wait(self._backoff(attempt))
                attempt += 1
                continue
            raise _status_error(request, response, body)

    def _wait(self, seconds: float) -> None:
        self.stats.retries += 1
        if seconds > 0:
            self._sleep(seconds)

    def _backoff(self, attempt: int) -> float:
        delay = min(INITIAL_RETRY_DELAY * 2**attempt, MAX_RETRY_DELAY)
        return delay * (1 - RETRY_JITTER * self._jitter())

    def _rate_limit_delay(self, attempt: int, response: httpx.Response) -> float:
        suggested = _retry_after(response.headers)
        if suggested is None:
            suggested = _float(response.headers.get("x-ratelimit-reset"))
        if suggested is not None and 0 <= suggested <= MAX_SERVER_SUGGESTED_DELAY:
            return suggested
        return self._backoff(attempt)


def _status_error(request: httpx.Request, response: httpx.Response, body: Any) -> PipedriveStatusError:
    if response.status_code == 401:
        return UnauthorizedError(
            "Pipedrive rejected the credentials: the API token is wrong or revoked, or the OAuth token "
            "expired and could not be refreshed", request=request, response=response, body=body)
    return status_error_class(response.status_code)(_message(body, response), request=request,
                                                     response=response, body=body)


def _decode(request: httpx.Request, response: httpx.Response) -> dict[str, Any]:
    try:
        with gc_paused():  # building a page's dicts would otherwise trigger collector passes (see _gc)
            body = orjson.loads(response.content)  # a 500-record page parses ~2x faster than with json
    except orjson.JSONDecodeError as exc:
        raise ResponseValidationError(f"expected JSON, got {response.headers.get('content-type')!r}",
                                      request=request, response=response) from exc
    if not isinstance(body, dict):
        raise ResponseValidationError("expected a JSON object envelope", request=request, response=response)
    return body


def _body_of(response: httpx.Response) -> Any:
    try:
        return response.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        return response.text[:500]


def _message(body: Any, response: httpx.Response) -> str:
    if isinstance(body, dict):
        parts = [str(body[k]) for k in ("error", "error_info", "message") if body.get(k)]
        if body.get("errors"):
            parts.append(json.dumps(body["errors"]))
        if parts:
            return "; ".join(parts)
    return response.reason_phrase or "error"


def _is_html(response: httpx.Response) -> bool:
    content_type = response.headers.get("content-type", "")
    return "html" in content_type or response.text.lstrip()[:1] == "<"


def _daily_budget_spent(response: httpx.Response) -> bool:
    # Pipedrive documents no daily-budget header. A 429 while the burst window still has room can only be the
    # daily budget (Singer's reading of the same headers); with no headers at all we cannot tell, and retry.
    remaining = _float(response.headers.get("x-ratelimit-remaining"))
    return remaining is not None and remaining >= 1


def _retry_after(headers: httpx.Headers) -> float | None:
    value = headers.get("retry-after")
    if value is None:
        return None
    seconds = _float(value)
    if seconds is not None:
        return seconds
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def _float(value: str | None) -> float | None:
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None
