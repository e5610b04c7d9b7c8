"""Credentials for the client: an API token, or OAuth bearer tokens from a provider that can refresh.

The API token goes in the `x-api-token` header (never the legacy `?api_token=` query, which lands in URLs and
logs). OAuth access tokens live 60 minutes; the provider refreshes them, once however many requests wait, and
names the `api_domain` that bearer requests must go to. The OAuth flow itself (authorize, code exchange,
storage) lives elsewhere; this module only needs something that hands out a current token.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Literal, Protocol

AuthType = Literal["api_token", "oauth"]
# httpx event hooks for the client that sends these credentials (the caller's redaction: they register the
# values sent and keep them out of request logs). Carried by the credentials so the client need not know them.
EventHooks = Mapping[str, list[Callable[..., Any]]]


def company_base_url(company_domain: str) -> str:
    """`acme` or `acme.pipedrive.com` -> `https://acme.pipedrive.com`
    (Pipedrive recommends the company host)."""
    domain = company_domain.strip().removeprefix("https://").removeprefix("http://").rstrip("/")
    if not domain:
        raise ValueError("company domain is empty")
    if "." not in domain:
        domain = f"{domain}.pipedrive.com"
    return f"https://{domain}"


class Credentials(Protocol):
    auth_type: AuthType

    def headers(self) -> dict[str, str]: ...

    def refresh_after_rejection(self, rejected: dict[str, str]) -> bool:
        """Called after a 401; return True if new credentials are available
        and the request is worth one retry."""
        ...


@dataclass(frozen=True)
class ApiTokenAuth:
    token: str = field(repr=False)
    auth_type: AuthType = "api_token"
    event_hooks: EventHooks | None = field(default=None, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not self.token.strip():
            raise ValueError("the Pipedrive API token is empty")

    def headers(self) -> dict[str, str]:
        return {"x-api-token": self.token}

    def refresh_after_rejection(self, rejected: dict[str, str]) -> bool:
        return False  # an API token cannot be refreshed: a 401 means it is wrong or revoked


@dataclass(frozen=True)
class OAuthToken:
    access_token: str = field(repr=False)
    refresh_token: str = field(repr=False)
    expires_at: datetime
    api_domain: str
    scope: str = ""


class TokenProvider(Protocol):
    @property
    def api_domain(self) -> str: ...

    def access_token(self) -> str: ...

    def refresh(self, stale_access_token: str) -> str: ...


class RefreshingTokenProvider:
    """Hands out a current access token and refreshes it shortly before expiry, one refresh at a time.

    `exchange(refresh_token)` calls the token endpoint and returns the new OAuthToken (Pipedrive returns the
    same refresh token; whatever comes back is kept). `on_refresh` lets the caller persist it.
    """

    def __init__(self, token: OAuthToken, exchange: Callable[[str], OAuthToken], *,
                 leeway: timedelta = timedelta(seconds=60),
                 now: Callable[[], datetime] = lambda: datetime.now(UTC),
                 on_refresh: Callable[[OAuthToken], None] | None = None) -> None:
        self._token = token
        self._exchange = exchange
        self._leeway = leeway
        self._now = now
        self._on_refresh = on_refresh
        self._lock = threading.Lock()
        self.refresh_count = 0

    @property
    def api_domain(self) -> str:
        return self._token.api_domain

    def access_token(self) -> str:
        token = self._token
        if self._now() + self._leeway < token.expires_at:
            return token.access_token
        return self.refresh(token.access_token)

    def refresh(self, stale_access_token: str) -> str:
        with self._lock:
            # Whoever waited on the lock finds the token already refreshed by the first caller.
            if (self._token.access_token != stale_access_token
                    and self._now() + self._leeway < self._token.expires_at):
                return self._token.access_token
            self._token = self._exchange(self._token.refresh_token)
            self.refresh_count += 1
            if self._on_refresh is not None:
                self._on_refresh(self._token)
            return self._token.access_token


@dataclass
class BearerAuth:
    provider: TokenProvider
    auth_type: AuthType = "oauth"
    event_hooks: EventHooks | None = field(default=None, repr=False, compare=False)

    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.provider.access_token()}"}

    def refresh_after_rejection(self, rejected: dict[str, str]) -> bool:
        stale = rejected.get("Authorization", "").removeprefix("Bearer ")
        return self.provider.refresh(stale) != stale
