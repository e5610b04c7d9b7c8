"""`Sandbox`: one Pipedrive company in memory, and `handle`, the single entry point for every request.

`handle` runs the same steps for the starlette app and the in-process transport: route, authenticate, pick a
fault, admit (daily budget, burst windows, the 403 block), dispatch under the lock, attach the
`x-ratelimit-*` headers. One re-entrant lock guards all state; only fault latency sleeps outside it.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, tzinfo
from functools import partial
from typing import Any

import httpx

from pipedrive_etl.sandbox import api_v1, api_v2, search
from pipedrive_etl.sandbox.accounting import Accounting
from pipedrive_etl.sandbox.clock import Clock, SystemClock
from pipedrive_etl.sandbox.costs import cost_of, is_search
from pipedrive_etl.sandbox.customfields import FieldDef
from pipedrive_etl.sandbox.delivery import DeliveryQueue
from pipedrive_etl.sandbox.faults import Faults, ResponseDropped, ResponseTimedOut
from pipedrive_etl.sandbox.http import (
    UNAUTHORIZED_BODY,
    HttpError,
    Request,
    Response,
    blocked_response,
    error_response,
    json_response,
)
from pipedrive_etl.sandbox.oauth import OAuthServer
from pipedrive_etl.sandbox.state import CompanyState
from pipedrive_etl.sandbox.validation import ValidationError
from pipedrive_etl.sandbox.webhooks import Webhooks
from pipedrive_etl.sandbox.writes import NotFound

Handler = Callable[[Request], Response]
_ENTITIES = "persons|organizations|deals|activities|pipelines|stages"
_FIELDS = "personFields|organizationFields|dealFields|activityFields"
_WRITABLE_FIELDS = "personFields|organizationFields|dealFields"  # activityFields are read-only in v2
_PLURALS = {"person": "persons", "organization": "organizations", "deal": "deals"}
USER_NAMES = (
    "Alex Admin",
    "Maria Tamm",
    "John Rivera",
    "Priya Nair",
    "Lars Berg",
    "Chen Wei",
    "Sara Kask",
    "Tom Evans",
    "Ana Souza",
    "Mikko Laine",
)


class Sandbox:
    """A faithful local Pipedrive company. See the package docstring for the public API."""

    def __init__(
        self,
        plan: str = "growth",
        seats: int = 5,
        topups: int = 0,
        clock: Clock | None = None,
        company_domain: str = "sandbox",
        api_tokens: tuple[str, ...] = ("sandbox-token",),
        *,
        company_id: int = 8087566,
        seed: int = 0,
        accounting: bool = True,
        daily_budget: int | None = None,
        reset_timezone: tzinfo = UTC,
        block_after_429s: int = 30,
        block_window_seconds: float = 60.0,
        block_seconds: float = 600.0,
        webhook_transport: httpx.BaseTransport | None = None,
        webhook_retry_from: str = "previous",
    ) -> None:
        self.clock = clock or SystemClock()
        self.lock = threading.RLock()
        self.state = CompanyState(self.clock, company_id=company_id, company_domain=company_domain, seed=seed)
        self.accounting = Accounting(
            self.clock,
            plan=plan,
            seats=seats,
            topups=topups,
            daily_budget=daily_budget,
            reset_timezone=reset_timezone,
            enabled=accounting,
            block_after_refusals=block_after_429s,
            block_window_seconds=block_window_seconds,
            block_seconds=block_seconds,
        )
        self.faults = Faults(seed)
        queue = DeliveryQueue(
            self.clock, self.lock, transport=webhook_transport, retry_from=webhook_retry_from
        )
        self.webhooks = Webhooks(self.state, queue, seed=seed)
        for position in range(max(seats, 1)):
            name = USER_NAMES[position % len(USER_NAMES)]
            email = f"{name.split()[0].lower()}{position or ''}@{company_domain}.example"
            self.state.add_user(1_000_001 + position, name, email, is_admin=position == 0)
        self.admin_user_id = 1_000_001
        self._api_tokens = {token: self.admin_user_id for token in api_tokens}
        self._oauth_tokens: dict[str, tuple[datetime, int]] = {}
        # oauth.pipedrive.com: the authorize and token endpoints, answering on any host like the API does.
        self.oauth = OAuthServer(self.clock, self.add_oauth_token, company_id=company_id,
                                 user_id=self.admin_user_id, api_domain=f"https://{company_domain}.pipedrive.com")
        self._routes = self._build_routes()

    # -- configuration ------------------------------------------------------------------------------------
    def add_api_token(self, token: str, user_id: int | None = None) -> None:
        with self.lock:
            self._api_tokens[token] = user_id or self.admin_user_id

    def add_oauth_token(self, token: str, expires_at: datetime, user_id: int | None = None) -> None:
        """Accept `Authorization: Bearer <token>` until `expires_at` (then 401, as an expired token gets)."""
        with self.lock:
            self._oauth_tokens[token] = (expires_at, user_id or self.admin_user_id)

    def add_custom_field(
        self,
        entity: str,
        name: str,
        field_type: str,
        *,
        options: list[str] | None = None,
        key: str | None = None,
    ) -> FieldDef:
        with self.lock:
            definition = self.state.fields.add_custom(
                entity, name, field_type, created=self.state.now(), options=options, key=key
            )
            for record in self.state.tables[_PLURALS[entity]].rows.values():
                record["_json"] = None  # every record now renders one more custom field
            return definition

    def tokens_used(self) -> int:
        """Tokens charged since the sandbox started (all days), for benchmarks and budget tests."""
        with self.lock:
            return self.accounting.total_tokens

    def budget_remaining(self) -> int:
        with self.lock:
            return self.accounting.remaining_today()

    def transport(self) -> httpx.BaseTransport:
        """A sync httpx transport answering any host from this sandbox, in process."""
        from pipedrive_etl.sandbox.transport import SandboxTransport

        return SandboxTransport(self)

    # -- the one entry point -------------------------------------------------------------------------------
    def handle(
        self, method: str, path: str, query: Mapping[str, str], headers: Mapping[str, str], body: bytes = b""
    ) -> tuple[int, dict[str, str], bytes]:
        """Answer one request: (status, headers, body). Raises `ResponseTimedOut` or `ResponseDropped`
        for the faults that have no response; the transport and the app turn those into their own failures."""
        request = Request(
            method.upper(), _normalise(path), dict(query), {k.lower(): v for k, v in headers.items()}, body
        )
        response = self._handle(request)
        return response.status, response.headers, response.body

    def _handle(self, request: Request) -> Response:
        if request.path.startswith("/oauth/"):
            # The OAuth server authenticates clients itself and costs no API tokens.
            with self.lock:
                return self.oauth.handle(request)
        auth = self._authenticate(request)
        if auth is None:
            response = json_response(UNAUTHORIZED_BODY, 401)
            response.headers.update(self.accounting.static_headers())
            return response
        token, auth_type, request.user_id = auth
        search_route = is_search(request.path)
        fault = self.faults.pick(request.method, request.path)
        if fault is not None and fault.kind == "rate_limit":
            response = error_response(429, "Rate limit has been exceeded")
            response.headers.update(
                self.accounting.forced_limit_headers(token, auth_type, search=search_route)
            )
            return response
        with self.lock:
            decision = self.accounting.admit(
                token,
                auth_type,
                cost_of(request.method, request.path),
                search=search_route,
                method=request.method,
            )
        if decision.status == 403:
            return blocked_response()
        if decision.status == 429:
            response = error_response(429, "Rate limit has been exceeded")
        elif fault is not None and fault.kind == "status":
            response = error_response(fault.status, "Requested service is not available")
        elif fault is not None and fault.kind == "timeout":
            raise ResponseTimedOut(fault.seconds)
        else:
            if fault is not None and fault.kind == "latency":
                self.clock.sleep(fault.seconds)
            with self.lock:
                response = self._dispatch(request)
            if fault is not None and fault.kind == "drop_response_after_apply":
                raise ResponseDropped(f"{request.method} {request.path} applied; response dropped")
        response.headers.update(decision.headers)
        return response

    def _authenticate(self, request: Request) -> tuple[str, str, int] | None:
        # x-api-token header, the legacy ?api_token= query parameter, or an OAuth bearer token.
        token = request.headers.get("x-api-token") or request.query.get("api_token")
        with self.lock:
            if token:
                user_id = self._api_tokens.get(token)
                return (token, "api_token", user_id) if user_id is not None else None
            authorization = request.headers.get("authorization", "")
            if authorization[:7].lower() == "bearer ":
                bearer = authorization[7:].strip()
                expires_at, user_id = self._oauth_tokens.get(bearer, (None, 0))
                if expires_at is not None and self.clock.now() < expires_at:
                    return bearer, "oauth", user_id
        return None

    def _dispatch(self, request: Request) -> Response:
        allowed: list[str] = []
        for pattern, handlers in self._routes:
            match = pattern.match(request.path)
            if match is None:
                continue
            handler = handlers.get(request.method)
            if handler is None:
                allowed += handlers
                continue
            request.params = match.groupdict()
            try:
                return handler(request)
            except ValidationError as error:
                return error_response(400, str(error))
            except NotFound:
                return error_response(404, "Entity was not found")
            except HttpError as error:
                return error_response(error.status, str(error), error.body)
        if allowed:
            response = error_response(405, "Method not allowed")
            response.headers["allow"] = ", ".join(sorted(set(allowed)))
            return response
        return error_response(404, "Requested service is not available")

    def _build_routes(self) -> list[tuple[re.Pattern[str], dict[str, Handler]]]:
        state, hooks = self.state, self.webhooks

        def entity(function: Callable[..., Response]) -> Handler:
            return lambda request: function(state, request, request.params["plural"])

        table: list[tuple[str, dict[str, Handler]]] = [
            ("/api/v2/itemSearch", {"GET": partial(search.item_search, state)}),
            (
                "/api/v2/(?P<entity>person|organization|deal)s/search",
                {"GET": lambda r: search.entity_search(state, r, r.params["entity"])},
            ),
            (
                "/api/v2/deals/archived",
                {"GET": lambda r: api_v2.list_records(state, r, "deals", archived=True)},
            ),
            (
                f"/api/v2/(?P<plural>{_ENTITIES})",
                {"GET": entity(api_v2.list_records), "POST": entity(api_v2.create_record)},
            ),
            (
                f"/api/v2/(?P<plural>{_ENTITIES})/(?P<id>[^/]+)",
                {
                    "GET": entity(api_v2.get_record),
                    "PATCH": entity(api_v2.update_record),
                    "DELETE": entity(api_v2.delete_record),
                },
            ),
            (
                f"/api/v2/(?P<collection>{_WRITABLE_FIELDS})",
                {"POST": lambda r: api_v2.create_field(state, r, r.params["collection"])},
            ),
            (
                f"/api/v2/(?P<collection>{_WRITABLE_FIELDS})/(?P<code>[^/]+)/options",
                {"POST": lambda r: api_v2.add_field_options(state, r, r.params["collection"])},
            ),
            (
                f"/api/v2/(?P<collection>{_FIELDS})",
                {"GET": lambda r: api_v2.list_fields(state, r, r.params["collection"])},
            ),
            (
                f"/api/v2/(?P<collection>{_FIELDS})/(?P<code>[^/]+)",
                {"GET": lambda r: api_v2.get_field(state, r, r.params["collection"])},
            ),
            ("/v1/deals/(?P<id>[^/]+)/changelog", {"GET": partial(api_v1.changelog, state)}),
            ("/v1/deals/(?P<id>[^/]+)/flow", {"GET": partial(api_v1.flow, state)}),
            ("/v1/recents", {"GET": partial(api_v1.recents, state)}),
            ("/v1/users/me", {"GET": partial(api_v1.users_me, state)}),
            ("/v1/webhooks", {"GET": hooks.list, "POST": hooks.create}),
            ("/v1/webhooks/(?P<id>[^/]+)", {"DELETE": hooks.delete}),
            (
                f"/v1/(?P<collection>{_FIELDS})",
                {"GET": lambda r: api_v1.list_fields_v1(state, r, r.params["collection"])},
            ),
        ]
        return [(re.compile(f"^{pattern}$"), handlers) for pattern, handlers in table]


def _normalise(path: str) -> str:
    # v1 answers on /api/v1/ and /v1/ alike (pipedrive-api.md §2); a trailing slash changes nothing.
    if path.startswith("/api/v1/"):
        path = path[4:]
    return path.rstrip("/") or "/"


def describe(sandbox: Sandbox) -> dict[str, Any]:
    """A short summary for the CLI: company, plan, budget and sizes."""
    with sandbox.lock:
        sizes = {plural: len(table) for plural, table in sandbox.state.tables.items()}
        return {
            "company_domain": sandbox.state.company_domain,
            "plan": sandbox.accounting.plan,
            "daily_budget": sandbox.accounting.daily_budget,
            **sizes,
        }
