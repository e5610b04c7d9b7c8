"""Pipedrive's OAuth 2.0 server in the sandbox: `/oauth/authorize` and `/oauth/token` (pipedrive-api.md §2).

- `GET /oauth/authorize?client_id&redirect_uri&state` answers as if the company's admin clicked "Allow": a
  302 to `redirect_uri?code=...&state=...`, or `?error=user_denied&state=...` while `approve` is False. The
  redirect URI must be one the client registered (any, for the default client).
- `POST /oauth/token` takes a form body and the client's credentials by HTTP Basic auth only, as Pipedrive
  documents. `grant_type=authorization_code`: the code lives 5 minutes and works once, with the same redirect
  URI. `grant_type=refresh_token`: the refresh token lasts 60 days unused, each use resets that. Pipedrive
  returns the same refresh token; `rotate_refresh_tokens=True` makes the sandbox issue a new one (and forget
  the old), so a client that does not store the rotated token is caught.
- Access tokens are registered with the sandbox (`add_oauth_token`) for `access_token_lifetime` (60 minutes,
  `expires_in` 3599 as in the spec) on the sandbox's clock, so a test expires them by advancing a FakeClock.

Errors use RFC 6749's shape (`{"error": "invalid_grant", "error_description": ...}`), which Pipedrive's
token endpoint follows. For tests: `token_requests` records each grant type and time, `issued_access_tokens`
every access token handed out, and `revoke` ends a refresh token as uninstalling the app does.
"""

from __future__ import annotations

import base64
import binascii
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import parse_qsl, urlencode, urlsplit

from pipedrive_etl.sandbox.clock import Clock
from pipedrive_etl.sandbox.http import Request, Response, json_response

DEFAULT_CLIENT_ID = "sandbox-client-id"
DEFAULT_CLIENT_SECRET = "sandbox-client-secret"
CODE_LIFETIME = timedelta(minutes=5)
REFRESH_TOKEN_IDLE_LIFETIME = timedelta(days=60)


@dataclass
class _Client:
    secret: str
    redirect_uris: frozenset[str] | None  # None: any (the default client, for demos)
    scope: str


@dataclass
class _Code:
    client_id: str
    redirect_uri: str
    issued_at: datetime


@dataclass
class _Grant:
    client_id: str
    last_used: datetime


class OAuthServer:
    """The authorization server of one sandbox company; `Sandbox.oauth` is one."""

    def __init__(self, clock: Clock, add_access_token: Callable[[str, datetime], None], *, company_id: int,
                 user_id: int, api_domain: str) -> None:
        self._clock = clock
        self._add_access_token = add_access_token
        self._company_id = company_id
        self._user_id = user_id
        self.api_domain = api_domain
        self.access_token_lifetime = timedelta(minutes=60)
        self.approve = True
        self.rotate_refresh_tokens = False
        self.token_requests: list[tuple[str, datetime]] = []  # (grant_type, when)
        self.issued_access_tokens: list[str] = []
        self._clients: dict[str, _Client] = {}
        self._codes: dict[str, _Code] = {}
        self._grants: dict[str, _Grant] = {}
        self.register_client(DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET)

    def register_client(self, client_id: str, client_secret: str,
                        redirect_uris: tuple[str, ...] | None = None,
                        scope: str = "base deals:full contacts:full activities:full admin") -> None:
        uris = frozenset(redirect_uris) if redirect_uris else None
        self._clients[client_id] = _Client(client_secret, uris, scope)

    def issue_tokens(self, client_id: str = DEFAULT_CLIENT_ID) -> dict[str, object]:
        """A token response as if the admin had just connected `client_id` (tests that skip the browser)."""
        return self._issue(client_id, self._new_refresh_token(client_id))

    def refresh_count(self) -> int:
        return sum(1 for grant_type, _ in self.token_requests if grant_type == "refresh_token")

    def revoke(self, refresh_token: str) -> None:
        """What uninstalling the app does: the refresh token stops working."""
        self._grants.pop(refresh_token, None)

    def handle(self, request: Request) -> Response:
        if request.path == "/oauth/authorize" and request.method == "GET":
            return self._authorize(request)
        if request.path == "/oauth/token" and request.method == "POST":
            return self._token(request)
        return _oauth_error(404, "not_found", "No such OAuth endpoint")

    # -- authorize ------------------------------------------------------------------------------------------
    def _authorize(self, request: Request) -> Response:
        client = self._clients.get(request.query.get("client_id", ""))
        redirect_uri = request.query.get("redirect_uri", "")
        if client is None:
            return _oauth_error(400, "invalid_client", "Unknown client_id")
        allowed = client.redirect_uris if client is not None else None
        if not redirect_uri or (allowed is not None and redirect_uri not in allowed):
            return _oauth_error(400, "invalid_request", "redirect_uri does not match the app's callback URL")
        state = {"state": request.query["state"]} if "state" in request.query else {}
        if not self.approve:
            return _redirect(redirect_uri, {"error": "user_denied", **state})
        code = secrets.token_hex(20)
        self._codes[code] = _Code(request.query["client_id"], redirect_uri, self._clock.now())
        return _redirect(redirect_uri, {"code": code, **state})

    # -- token ----------------------------------------------------------------------------------------------
    def _token(self, request: Request) -> Response:
        client_id = self._authenticate_client(request.headers.get("authorization", ""))
        if client_id is None:
            return _oauth_error(401, "invalid_client", "Client authentication failed (send HTTP Basic auth)")
        if not request.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
            return _oauth_error(400, "invalid_request", "The body must be application/x-www-form-urlencoded")
        form = dict(parse_qsl(request.body.decode(), keep_blank_values=True))
        grant_type = form.get("grant_type", "")
        self.token_requests.append((grant_type, self._clock.now()))
        if grant_type == "authorization_code":
            return self._exchange_code(client_id, form)
        if grant_type == "refresh_token":
            return self._refresh(client_id, form)
        return _oauth_error(400, "unsupported_grant_type", f"grant_type {grant_type!r} is not supported")

    def _authenticate_client(self, authorization: str) -> str | None:
        scheme, _, encoded = authorization.partition(" ")
        if scheme.lower() != "basic":
            return None
        try:
            client_id, _, secret = base64.b64decode(encoded, validate=True).decode().partition(":")
        except (binascii.Error, UnicodeDecodeError):
            return None
        client = self._clients.get(client_id)
        if client is None or not secrets.compare_digest(client.secret, secret):
            return None
        return client_id

    def _exchange_code(self, client_id: str, form: dict[str, str]) -> Response:
        code = self._codes.pop(form.get("code", ""), None)  # popped: a code works once
        if code is None or code.client_id != client_id or self._clock.now() - code.issued_at > CODE_LIFETIME:
            return _oauth_error(400, "invalid_grant", "Invalid or expired authorization code")
        if form.get("redirect_uri") != code.redirect_uri:
            return _oauth_error(400, "invalid_grant", "redirect_uri does not match the authorization request")
        return json_response(self._issue(client_id, self._new_refresh_token(client_id)))

    def _refresh(self, client_id: str, form: dict[str, str]) -> Response:
        refresh_token = form.get("refresh_token", "")
        grant = self._grants.get(refresh_token)
        now = self._clock.now()
        idle_too_long = grant is not None and now - grant.last_used > REFRESH_TOKEN_IDLE_LIFETIME
        if grant is None or grant.client_id != client_id or idle_too_long:
            return _oauth_error(400, "invalid_grant", "Invalid refresh token")
        grant.last_used = now
        if self.rotate_refresh_tokens:
            del self._grants[refresh_token]
            refresh_token = self._new_refresh_token(client_id)
        return json_response(self._issue(client_id, refresh_token))

    def _new_refresh_token(self, client_id: str) -> str:
        token = f"{self._company_id}:{self._user_id}:{secrets.token_hex(20)}"  # the shape of Pipedrive's
        self._grants[token] = _Grant(client_id, self._clock.now())
        return token

    def _issue(self, client_id: str, refresh_token: str) -> dict[str, object]:
        access_token = f"v1u:{secrets.token_urlsafe(48)}"
        lifetime = self.access_token_lifetime
        self._add_access_token(access_token, self._clock.now() + lifetime)
        self.issued_access_tokens.append(access_token)
        return {
            "access_token": access_token,
            "token_type": "Bearer",
            # The spec's example says 3599 for a 60-minute token: one second short of the lifetime.
            "expires_in": max(1, int(lifetime.total_seconds()) - 1),
            "refresh_token": refresh_token,
            "scope": self._clients[client_id].scope,
            "api_domain": self.api_domain,
        }


def _redirect(uri: str, params: dict[str, str]) -> Response:
    separator = "&" if urlsplit(uri).query else "?"
    return Response(302, b"", {"location": f"{uri}{separator}{urlencode(params)}"})


def _oauth_error(status: int, error: str, description: str) -> Response:
    return json_response({"error": error, "error_description": description}, status)
