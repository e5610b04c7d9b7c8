"""`StoredTokenProvider`: an OAuth connection's tokens from the store, refreshed once at a time, saved again.

It is a `pipedrive.auth.TokenProvider` for `BearerAuth`. The refreshing itself (shortly before expiry, or
after a 401; one refresh however many threads wait) is `RefreshingTokenProvider`'s; this adds what the client
must not know about: the new tokens (with the refresh token the server returned, rotated or not) are
encrypted into `state.pipedrive_auth` with an `oauth.token_refreshed` audit row, in one transaction.

Several processes share a connection (Dagster runs each step in its own). Before calling the token endpoint, a
refresh looks at the store: if another process has already stored fresher tokens, they are used instead, which
also keeps a server that rotates refresh tokens from seeing a spent one.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from ..config import ConfigError
from ..pipedrive.auth import OAuthToken, RefreshingTokenProvider
from .store import TokenStore

REFRESH_LEEWAY = timedelta(seconds=60)


class StoredTokenProvider:
    def __init__(self, store: TokenStore, connection: str, exchange: Callable[[str], OAuthToken], *,
                 actor: str | None = None, workspace_id: str | None = None,
                 leeway: timedelta = REFRESH_LEEWAY,
                 now: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self._store = store
        self._connection = connection
        self._exchange = exchange
        self._actor = actor
        self._workspace_id = workspace_id
        self._leeway = leeway
        self._now = now
        self._current = store.load_oauth(connection)
        self._adopted: OAuthToken | None = None
        self.refreshes = 0  # calls to the token endpoint
        self.adoptions = 0  # fresher tokens taken from the store instead
        self._refreshing = RefreshingTokenProvider(self._current, self._fetch, leeway=leeway, now=now,
                                                   on_refresh=self._persist)

    @property
    def connection(self) -> str:
        return self._connection

    @property
    def api_domain(self) -> str:
        return self._refreshing.api_domain

    def access_token(self) -> str:
        return self._refreshing.access_token()

    def refresh(self, stale_access_token: str) -> str:
        return self._refreshing.refresh(stale_access_token)

    def _fetch(self, refresh_token: str) -> OAuthToken:
        # Runs under RefreshingTokenProvider's lock: one at a time in this process.
        stored = self._store.load_oauth(self._connection)
        fresh = self._now() + self._leeway < stored.expires_at
        if fresh and stored.access_token != self._current.access_token:
            self._adopted = stored
            self.adoptions += 1
            return stored
        self.refreshes += 1
        try:
            return self._exchange(refresh_token)
        except ConfigError as exc:  # refused for good (revoked, app uninstalled): say which connection
            raise type(exc)(f"OAuth connection {self._connection!r}: {exc}") from None

    def _persist(self, token: OAuthToken) -> None:
        self._current = token
        if token is self._adopted:  # another process stored it: nothing new to save or audit
            return
        self._store.save_oauth(self._connection, token, actor=self._actor, action="oauth.token_refreshed",
                               workspace_id=self._workspace_id)
