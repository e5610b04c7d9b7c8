"""From a workspace's configuration to live connections: its token budget and its Pipedrive client.

The secret itself is read here, at run time, never earlier: an API token from the environment variable the
configuration names (else, when a warehouse is at hand, the one stored encrypted in `state.pipedrive_auth`);
an OAuth connection's tokens from `state.pipedrive_auth`, refreshed through the OAuth app named by the
environment. A missing piece is a clear `ConfigError` before any request. Every credential loaded is
registered with `redaction`, and the client's httpx hooks keep it out of request logs.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any
from zoneinfo import ZoneInfo

import httpx

from .config import ConfigError, OAuthRef, Workspace
from .pipedrive import PipedriveClient, TokenBudget, TokenLedger, company_base_url
from .pipedrive.auth import ApiTokenAuth, BearerAuth
from .redaction import httpx_event_hooks, register_secret
from .warehouse import Warehouse


def workspace_budget(workspace: Workspace, ledger: TokenLedger, *, share: float = 1.0) -> TokenBudget:
    """The company's daily budget, charged to one ledger account per Pipedrive company."""
    account = workspace.pipedrive
    return TokenBudget.for_plan(account.plan, account.seats, account.topups, account=account.company_domain,
                                share=share, ledger=ledger,
                                reset_timezone=ZoneInfo(account.budget_reset_timezone))


def pipedrive_client(workspace: Workspace, *, budget: TokenBudget | None,
                     env: Mapping[str, str] | None = None, transport: httpx.BaseTransport | None = None,
                     warehouse: Warehouse | None = None, **kwargs: Any) -> PipedriveClient:
    """The workspace's client. `warehouse` holds stored credentials (OAuth ones: else $WAREHOUSE_URL is
    opened when tokens are loaded or refreshed); `transport` also carries OAuth refreshes (the sandbox)."""
    account = workspace.pipedrive
    env = os.environ if env is None else env
    credentials: ApiTokenAuth | BearerAuth
    if isinstance(account.auth, OAuthRef):
        credentials = _oauth_credentials(workspace, account.auth, env, transport, warehouse)
        # OAuth requests go to the company's api_domain; base_url still overrides it (the sandbox).
        base_url = account.base_url or credentials.provider.api_domain
    else:
        credentials = ApiTokenAuth(_api_token(workspace, account.auth.env, env, warehouse),
                                   event_hooks=httpx_event_hooks())
        base_url = account.base_url or company_base_url(account.company_domain)
    return PipedriveClient(base_url=base_url.rstrip("/"), credentials=credentials, plan=account.plan,
                           budget=budget, transport=transport, **kwargs)


def _api_token(workspace: Workspace, variable: str, env: Mapping[str, str],
               warehouse: Warehouse | None) -> str:
    from .secrets import SECRET_KEYS_ENV, TokenStore

    token = env.get(variable, "")
    # Stored tokens are a fallback, looked for only where they can be: a warehouse and keys at hand.
    can_look = warehouse is not None and bool(env.get(SECRET_KEYS_ENV))
    if not token and can_look:
        token = TokenStore.from_env(env, warehouse=warehouse).load_api_token(workspace.id) or ""
    if not token:
        stored = " nor stored with `pipedrive-etl secrets store-api-token`" if can_look else ""
        raise ConfigError(f"workspace {workspace.id!r}: environment variable {variable} "
                          f"(its Pipedrive API token) is not set{stored}")
    register_secret(token)
    return token


def _oauth_credentials(workspace: Workspace, auth: OAuthRef, env: Mapping[str, str],
                       transport: httpx.BaseTransport | None, warehouse: Warehouse | None) -> BearerAuth:
    # Imported here: API-token workspaces (the common case) need neither authlib nor the keys.
    from .audit import current_actor
    from .oauth import OAuthApp, PipedriveOAuth
    from .secrets import StoredTokenProvider, TokenStore

    try:
        oauth = PipedriveOAuth(OAuthApp.from_env(env), transport=transport)
        store = TokenStore.from_env(env, warehouse=warehouse)
        provider = StoredTokenProvider(store, auth.connection, oauth.refresh, actor=current_actor(env=env),
                                       workspace_id=workspace.id)
    except ConfigError as exc:
        raise type(exc)(f"workspace {workspace.id!r} (OAuth connection {auth.connection!r}): {exc}") from None
    return BearerAuth(provider, event_hooks=httpx_event_hooks())
