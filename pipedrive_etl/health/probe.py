"""Running the health checks of each workspace: Pipedrive (`users/me`, the webhook list), the stored OAuth
tokens, `marts.sync_runs` and the ledger.

Every request is charged to the shared daily ledger, as every other request is: `users/me` costs 2 tokens and
the webhook list 10, so a probe of one workspace costs 12. The client gives up quickly (one retry, a 10 s
timeout): a probe that hangs tells a monitor less than one that fails.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import httpx

from pipedrive_etl.config import ConfigError, OAuthRef, Workspace
from pipedrive_etl.connections import pipedrive_client, workspace_budget
from pipedrive_etl.metrics import last_synced_at
from pipedrive_etl.oauth.flow import OAuthEndpointError
from pipedrive_etl.pipedrive import BudgetExhaustedError, PipedriveClient, TokenBudget
from pipedrive_etl.pipedrive.errors import PipedriveError, UnauthorizedError
from pipedrive_etl.warehouse import Warehouse, open_warehouse, parse_warehouse_url
from pipedrive_etl.warehouse.ledger import WarehouseLedger
from pipedrive_etl.webhooks.credentials import credentials_for
from pipedrive_etl.webhooks.errors import WebhookConfigError
from pipedrive_etl.webhooks.registration import plan_registration, wanted_webhooks

from .checks import (
    FAIL,
    OK,
    WARN,
    Check,
    HealthReport,
    budget_check,
    delivery_check,
    last_sync_check,
    oauth_expiry_check,
    subscriptions_check,
)

PROBE_TIMEOUT = httpx.Timeout(10.0, connect=5.0)
PROBE_RETRIES = 1
DEFAULT_MAX_SYNC_AGE = timedelta(hours=26)  # a nightly sync, plus two hours of slack
DEFAULT_MAX_WEBHOOK_SILENCE = timedelta(hours=48)


@dataclass(frozen=True)
class HealthSettings:
    max_sync_age: timedelta = DEFAULT_MAX_SYNC_AGE
    max_webhook_silence: timedelta = DEFAULT_MAX_WEBHOOK_SILENCE
    public_url: str | None = None  # the receiver's URL as registered; unset: subscriptions not checked


def check_health(workspaces: Sequence[Workspace], *, warehouse_url: str, env: Mapping[str, str],
                 settings: HealthSettings = HealthSettings(), transport: httpx.BaseTransport | None = None,
                 now: datetime | None = None) -> HealthReport:
    now = now or datetime.now(UTC)
    checks: list[Check] = []
    with _warehouse_or_none(warehouse_url, checks) as warehouse:
        for workspace in workspaces:
            checks += check_workspace(workspace, warehouse, env=env, settings=settings, transport=transport,
                                      now=now)
    return HealthReport(tuple(checks), now)


@contextmanager
def _warehouse_or_none(url: str, checks: list[Check]) -> Iterator[Warehouse | None]:
    try:
        warehouse = open_warehouse(url)
    except Exception as exc:  # any driver's error (Postgres down, a locked DuckDB file): the probe reports it
        checks.append(_unopened_warehouse(url, exc))
        yield None
        return
    try:
        yield warehouse
    finally:
        warehouse.close()


def _unopened_warehouse(url: str, exc: Exception) -> Check:
    # DuckDB admits one process at a time: while a step holds the file, the probe cannot read it. That is
    # the normal state during a run, not a fault (production keeps the warehouse in Postgres).
    if parse_warehouse_url(url).backend == "duckdb" and "lock" in str(exc).lower():
        return Check("warehouse", WARN, "not checked: another process (a running step) holds the DuckDB file")
    return Check("warehouse", FAIL, f"cannot open the warehouse: {type(exc).__name__}: {exc}")


def check_workspace(workspace: Workspace, warehouse: Warehouse | None, *, env: Mapping[str, str],
                    settings: HealthSettings, transport: httpx.BaseTransport | None,
                    now: datetime) -> list[Check]:
    budget = workspace_budget(workspace, WarehouseLedger(warehouse)) if warehouse is not None else None
    checks: list[Check] = []
    try:
        client = pipedrive_client(workspace, budget=budget, env=env, transport=transport, warehouse=warehouse,
                                  timeout=PROBE_TIMEOUT, max_retries=PROBE_RETRIES)
    except ConfigError as exc:  # no token in the environment, a connection never made, no OAuth app or keys
        checks += [Check("api", WARN, "not checked: no credentials to call Pipedrive with"),
                   Check("token", FAIL, str(exc))]
        client = None
    if client is not None:
        with client:
            checks += _api_and_token(client, workspace)
            if isinstance(workspace.pipedrive.auth, OAuthRef):
                checks.append(_oauth_tokens(workspace.pipedrive.auth.connection, warehouse, now))
            token_ok = any(check.name == "token" and check.status == OK for check in checks)
            checks += _webhooks(client if token_ok else None, workspace, warehouse, env, settings, now)
    checks.append(last_sync_check(last_synced_at(warehouse, workspace.id), now, settings.max_sync_age)
                  if warehouse is not None else Check("last_sync", WARN, "not checked: no warehouse"))
    if budget is not None:
        checks.append(_budget(budget))
    return [Check(check.name, check.status, check.detail, workspace.id) for check in checks]


def _api_and_token(client: PipedriveClient, workspace: Workspace) -> list[Check]:
    kind = "OAuth token" if isinstance(workspace.pipedrive.auth, OAuthRef) else "API token"
    try:
        user = client.get_current_user()
    except UnauthorizedError:
        return [Check("api", OK, "reachable (it answered 401)"),
                Check("token", FAIL, f"Pipedrive refused the {kind} (401): wrong, revoked or expired")]
    except BudgetExhaustedError as exc:
        return [Check("api", WARN, f"not checked: {exc}"),
                Check("token", WARN, "not checked: no budget left")]
    except PipedriveError as exc:
        return [Check("api", FAIL, f"Pipedrive could not be reached: {exc}"),
                Check("token", WARN, "not checked: Pipedrive could not be reached")]
    except OAuthEndpointError as exc:
        return [Check("api", FAIL, f"the OAuth token endpoint could not be reached: {exc}"),
                Check("token", WARN, "not checked: the OAuth token could not be refreshed")]
    except ConfigError as exc:  # an OAuth refresh refused (OAuthGrantError), stored tokens unreadable
        return [Check("api", WARN, "not called: the credentials failed first"),
                Check("token", FAIL, str(exc))]
    milliseconds = 1000 * client.stats.latencies[-1] if client.stats.latencies else 0.0
    return [Check("api", OK, f"users/me answered in {milliseconds:.0f} ms"),
            Check("token", OK, f"{kind} accepted: user {user.id} ({user.name or 'unnamed'}) of "
                               f"{user.company_domain or workspace.pipedrive.company_domain}")]


def _oauth_tokens(connection: str, warehouse: Warehouse | None, now: datetime) -> Check:
    if warehouse is None:
        return Check("oauth_tokens", WARN, "not checked: no warehouse")
    from pipedrive_etl.secrets import stored_credentials

    stored = next((credential for credential in stored_credentials(warehouse)
                   if credential.kind == "oauth" and credential.name == connection), None)
    return oauth_expiry_check(connection, stored.expires_at if stored else None,
                              stored.updated_at if stored else None, now)


def _webhooks(client: PipedriveClient | None, workspace: Workspace, warehouse: Warehouse | None,
              env: Mapping[str, str], settings: HealthSettings, now: datetime) -> list[Check]:
    if not settings.public_url:
        return [Check("webhook_subscriptions", WARN,
                      "not checked: give --public-url or set PIPEDRIVE_WEBHOOK_PUBLIC_URL")]
    if client is None:
        return [Check("webhook_subscriptions", WARN, "not checked: the token check did not pass")]
    try:
        wanted = wanted_webhooks(workspace.id, settings.public_url, credentials_for(workspace.id, env))
        existing = client.list_webhooks()
    except WebhookConfigError as exc:
        return [Check("webhook_subscriptions", FAIL, str(exc))]
    except PipedriveError as exc:  # e.g. 403: listing webhooks needs an admin's token
        return [Check("webhook_subscriptions", FAIL, f"could not list the subscriptions: {exc}")]
    plan = plan_registration(existing, wanted)
    checks = [subscriptions_check(plan)]
    if plan.keep:
        ours = [sub for _, sub in plan.keep]
        last_event = _last_event_received_at(warehouse, workspace.id)
        checks.append(delivery_check(ours, last_event, now, settings.max_webhook_silence))
    return checks


def _last_event_received_at(warehouse: Warehouse | None, workspace_id: str) -> datetime | None:
    if warehouse is None:
        return None
    row = warehouse.fetchone("select max(received_at) from state.webhook_events where workspace_id = ?",
                             [workspace_id])
    if not row or row[0] is None:
        return None
    return row[0] if row[0].tzinfo else row[0].replace(tzinfo=UTC)


def _budget(budget: TokenBudget) -> Check:
    return budget_check(budget.remaining(), budget.cap, budget.resets_at())
