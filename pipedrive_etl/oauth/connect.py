"""Connecting a Pipedrive company: the authorize URL with its state, and completing from the callback.

The `state` value is the connection's name (and workspace and actor) encrypted with the secret keys
(Fernet: authenticated, timestamped). So a callback can be completed by another process than the one that
printed the URL (the receiver's route, or the CLI after a paste) without any server-side session; a forged or
altered state is refused, and so is one older than `STATE_MAX_AGE` (Pipedrive's codes live 5 minutes).
Completing exchanges the code and stores the tokens with an `oauth.connected` audit row.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import parse_qsl, urlsplit

from ..audit import current_actor
from ..secrets import Keyring, SecretKeyError, TokenStore
from .flow import OAuthDeniedError, OAuthFlowError, PipedriveOAuth

STATE_MAX_AGE = timedelta(minutes=15)
_PURPOSE = "pipedrive-etl/oauth-state"


class InvalidStateError(OAuthFlowError):
    """The callback's state is missing, forged, altered or too old: start again from a new authorize URL."""


@dataclass(frozen=True)
class AuthorizationState:
    connection: str
    workspace_id: str | None
    actor: str


@dataclass(frozen=True)
class Connected:
    connection: str
    api_domain: str
    scope: str
    expires_at: datetime


def issue_state(keyring: Keyring, connection: str, *, workspace_id: str | None = None,
                actor: str | None = None) -> str:
    claims = {"purpose": _PURPOSE, "connection": connection, "workspace_id": workspace_id,
              "actor": current_actor(actor), "nonce": secrets.token_hex(8)}
    return keyring.encrypt(json.dumps(claims))


def read_state(keyring: Keyring, state: str, *, max_age: timedelta = STATE_MAX_AGE) -> AuthorizationState:
    refused = InvalidStateError(
        "the callback's state is missing, invalid or older than "
        f"{int(max_age.total_seconds() // 60)} minutes: start again with a new authorize URL")
    if not state:
        raise refused
    try:
        claims = json.loads(keyring.decrypt(state, what="the OAuth state", ttl=int(max_age.total_seconds())))
    except (SecretKeyError, ValueError):
        raise refused from None
    if not isinstance(claims, dict) or claims.get("purpose") != _PURPOSE or not claims.get("connection"):
        raise refused
    return AuthorizationState(claims["connection"], claims.get("workspace_id"),
                              claims.get("actor") or "unknown")


def start_authorization(oauth: PipedriveOAuth, keyring: Keyring, connection: str, *,
                        workspace_id: str | None = None, actor: str | None = None) -> str:
    """The URL to open in a browser to connect `connection`."""
    return oauth.authorization_url(issue_state(keyring, connection, workspace_id=workspace_id, actor=actor))


def callback_params(redirect_url: str) -> dict[str, str]:
    """The query of the URL Pipedrive redirected to (as pasted from a browser's address bar)."""
    return dict(parse_qsl(urlsplit(redirect_url.strip()).query))


def complete_authorization(oauth: PipedriveOAuth, store: TokenStore, params: Mapping[str, str], *,
                           actor: str | None = None) -> Connected:
    """Check the state, exchange the code, store the tokens. `actor` defaults to whoever issued the state."""
    if params.get("error"):
        raise OAuthDeniedError(f"Pipedrive did not grant access ({params['error'][:64]}): nothing was stored")
    state = read_state(store.keyring, params.get("state", ""))
    code = params.get("code")
    if not code:
        raise OAuthFlowError("the callback carries no authorization code: nothing was stored")
    token = oauth.exchange_code(code)
    store.save_oauth(state.connection, token, actor=actor or state.actor, action="oauth.connected",
                     workspace_id=state.workspace_id)
    return Connected(state.connection, token.api_domain, token.scope, token.expires_at)
