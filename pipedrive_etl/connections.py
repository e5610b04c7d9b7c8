"""From a workspace's configuration to live connections: its token budget and its Pipedrive client.

The secret itself is read here, at run time, from the environment variable the configuration names; a missing
one is a clear error before any request.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any
from zoneinfo import ZoneInfo

import httpx

from .config import ApiTokenRef, ConfigError, Workspace
from .pipedrive import PipedriveClient, TokenBudget, TokenLedger, company_base_url
from .pipedrive.auth import ApiTokenAuth


def workspace_budget(workspace: Workspace, ledger: TokenLedger, *, share: float = 1.0) -> TokenBudget:
    """The company's daily budget, charged to one ledger account per Pipedrive company."""
    account = workspace.pipedrive
    return TokenBudget.for_plan(account.plan, account.seats, account.topups, account=account.company_domain,
                                share=share, ledger=ledger, reset_timezone=ZoneInfo(account.budget_reset_timezone))


def pipedrive_client(workspace: Workspace, *, budget: TokenBudget | None,
                     env: Mapping[str, str] | None = None, transport: httpx.BaseTransport | None = None,
                     **kwargs: Any) -> PipedriveClient:
    account = workspace.pipedrive
    env = os.environ if env is None else env
    if not isinstance(account.auth, ApiTokenRef):
        raise ConfigError(f"workspace {workspace.id!r}: OAuth connections are not available yet; use an API token")
    token = env.get(account.auth.env, "")
    if not token:
        raise ConfigError(f"workspace {workspace.id!r}: environment variable {account.auth.env} "
                          "(its Pipedrive API token) is not set")
    base_url = account.base_url or company_base_url(account.company_domain)
    return PipedriveClient(base_url=base_url.rstrip("/"), credentials=ApiTokenAuth(token), plan=account.plan,
                           budget=budget, transport=transport, **kwargs)
