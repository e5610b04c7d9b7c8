"""`state.pipedrive_auth`: Pipedrive credentials, encrypted; a row per OAuth connection or API token.

Only Fernet ciphertext reaches the warehouse; the plaintext lives in memory, and every value loaded or saved
is registered with `redaction` so it cannot reach a log. A credential and its audit row commit together.

The store works on an open `Warehouse` (a run's own connection) or on a URL, opening a connection per call:
the OAuth callback and a long run's hourly refresh need the warehouse for a moment, and on DuckDB holding the
file open would lock out every other process.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime

from .. import audit
from ..config import ConfigError
from ..pipedrive.auth import OAuthToken
from ..redaction import register_secrets
from ..warehouse import DEFAULT_WAREHOUSE_URL, Warehouse, open_warehouse
from .keys import Keyring, load_keyring

OAUTH = "oauth"
API_TOKEN = "api_token"
TABLE = "state.pipedrive_auth"


class MissingCredentialsError(ConfigError):
    """No stored credential under that name: never connected (or connected in another warehouse)."""


@dataclass(frozen=True)
class StoredCredential:
    """What may be shown about a stored credential: everything but the secret."""

    kind: str
    name: str
    workspace_id: str | None
    expires_at: datetime | None
    api_domain: str | None
    scope: str | None
    updated_at: datetime


class TokenStore:
    def __init__(self, warehouse: Warehouse | str, keyring: Keyring, *,
                 now: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self._warehouse = warehouse
        self.keyring = keyring
        self._now = now

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, *,
                 warehouse: Warehouse | None = None) -> TokenStore:
        """Keys from $PIPEDRIVE_ETL_SECRET_KEYS; the warehouse given, else $WAREHOUSE_URL or the default."""
        env = os.environ if env is None else env
        return cls(warehouse or env.get("WAREHOUSE_URL", DEFAULT_WAREHOUSE_URL), load_keyring(env))

    @contextmanager
    def session(self) -> Iterator[Warehouse]:
        if isinstance(self._warehouse, Warehouse):
            yield self._warehouse
            return
        with open_warehouse(self._warehouse) as warehouse:
            yield warehouse

    # -- OAuth connections ----------------------------------------------------------------------------------
    def save_oauth(self, connection: str, token: OAuthToken, *, actor: str | None = None,
                   action: str = "oauth.connected", workspace_id: str | None = None) -> None:
        register_secrets((token.access_token, token.refresh_token))
        row = {
            "kind": OAUTH, "name": connection, "workspace_id": workspace_id,
            "encrypted_access_token": self.keyring.encrypt(token.access_token),
            "encrypted_refresh_token": self.keyring.encrypt(token.refresh_token),
            "expires_at": token.expires_at, "api_domain": token.api_domain, "scope": token.scope,
            "updated_at": self._now(),
        }
        details = {"api_domain": token.api_domain, "scope": token.scope,
                   "expires_at": token.expires_at.isoformat()}
        self._save(row, actor=actor, action=action, subject=connection, details=details)

    def load_oauth(self, connection: str) -> OAuthToken:
        with self.session() as warehouse:
            row = warehouse.fetchone(
                f"select encrypted_access_token, encrypted_refresh_token, expires_at, api_domain, scope "
                f"from {TABLE} where kind = ? and name = ?", [OAUTH, connection])
        if row is None:
            raise MissingCredentialsError(
                f"OAuth connection {connection!r} is not connected in this warehouse: run "
                f"`pipedrive-etl oauth connect {connection}` (or open the URL of `oauth authorize-url`)")
        what = f"the OAuth tokens of connection {connection!r}"
        access_token = self.keyring.decrypt(row[0], what=what)
        refresh_token = self.keyring.decrypt(row[1], what=what)
        register_secrets((access_token, refresh_token))
        return OAuthToken(access_token=access_token, refresh_token=refresh_token, expires_at=_aware(row[2]),
                          api_domain=row[3], scope=row[4] or "")

    # -- API tokens -----------------------------------------------------------------------------------------
    def save_api_token(self, workspace_id: str, token: str, *, actor: str | None = None) -> None:
        if not token.strip():
            raise ValueError("the API token is empty")
        register_secrets((token,))
        row = {
            "kind": API_TOKEN, "name": workspace_id, "workspace_id": workspace_id,
            "encrypted_access_token": self.keyring.encrypt(token), "encrypted_refresh_token": None,
            "expires_at": None, "api_domain": None, "scope": None, "updated_at": self._now(),
        }
        self._save(row, actor=actor, action="secrets.api_token_stored", subject=workspace_id, details={},
                   workspace_id=workspace_id)

    def load_api_token(self, workspace_id: str) -> str | None:
        with self.session() as warehouse:
            row = warehouse.fetchone(
                f"select encrypted_access_token from {TABLE} where kind = ? and name = ?",
                [API_TOKEN, workspace_id])
        if row is None:
            return None
        token = self.keyring.decrypt(row[0], what=f"the API token of workspace {workspace_id!r}")
        register_secrets((token,))
        return token

    def _save(self, row: dict[str, object], *, actor: str | None, action: str, subject: str,
              details: dict[str, object], workspace_id: str | None = None) -> None:
        with self.session() as warehouse, warehouse.transaction():
            warehouse.upsert(TABLE, [row], key=("kind", "name"))
            audit.record(warehouse, actor=actor, action=action, subject=subject, details=details,
                         workspace_id=workspace_id or row["workspace_id"])  # type: ignore[arg-type]


def stored_credentials(warehouse: Warehouse) -> list[StoredCredential]:
    """What is stored, without decrypting anything (no key needed)."""
    rows = warehouse.fetchall("select kind, name, workspace_id, expires_at, api_domain, scope, updated_at "
                              f"from {TABLE} order by kind, name")
    return [StoredCredential(row[0], row[1], row[2], _aware(row[3]) if row[3] else None, row[4], row[5],
                             _aware(row[6])) for row in rows]


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
