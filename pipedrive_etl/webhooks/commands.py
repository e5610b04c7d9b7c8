"""`pipedrive-etl webhooks serve` and `webhooks register`.

`serve` runs the receiver with uvicorn for the workspaces in sync.yaml. `register` makes sure each workspace's
Pipedrive company has our subscriptions (listing first, creating what is missing) and prints what it did. Both
read credentials from the environment (see `credentials.py`); sync.yaml comes from `--config`, else
`PIPEDRIVE_ETL_SYNC_CONFIG`, else the demo's; the inbox from `--inbox-url`, else
`PIPEDRIVE_WEBHOOK_INBOX_URL`.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Mapping
from typing import TYPE_CHECKING

import httpx
import sqlalchemy as sa

if TYPE_CHECKING:  # imported lazily at run time, so `--help` stays fast
    from pipedrive_etl.config import Workspace

    from .credentials import BasicCredentials

DEFAULT_SYNC_CONFIG = "data/demo/sync.yaml"
DEFAULT_PORT = 8766
CONFIG_HELP = "sync.yaml (default: $PIPEDRIVE_ETL_SYNC_CONFIG or the demo's)"


def _config_path(args: argparse.Namespace, env: Mapping[str, str]) -> str:
    return args.config or env.get("PIPEDRIVE_ETL_SYNC_CONFIG") or DEFAULT_SYNC_CONFIG


def inbox_url(explicit: str | None, env: Mapping[str, str]) -> str:
    from .inbox import DEFAULT_INBOX_URL

    return explicit or env.get("PIPEDRIVE_WEBHOOK_INBOX_URL") or DEFAULT_INBOX_URL


def serve(args: argparse.Namespace) -> int:
    import uvicorn

    from pipedrive_etl.config import ConfigError

    from .app import create_app
    from .errors import WebhookConfigError
    from .inbox import Inbox
    from .server import receiver_settings, uvicorn_config

    env = os.environ
    try:
        settings = receiver_settings(_config_path(args, env), env, max_body_bytes=args.max_body_bytes)
    except (ConfigError, WebhookConfigError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    url = inbox_url(args.inbox_url, env)
    inbox = Inbox(url)
    print(f"Webhook receiver on http://{args.host}:{args.port}/webhooks/<workspace> for "
          f"{', '.join(settings.workspaces)}; inbox {sa.make_url(url).render_as_string(hide_password=True)}; "
          f"body limit {settings.max_body_bytes} bytes; "
          f"signature {'required' if settings.signature else 'off'}")
    try:
        from pipedrive_etl.health.routes import health_routes_from_env
        from pipedrive_etl.oauth.routes import oauth_routes_from_env

        # The OAuth callback shares the receiver's server (nothing when no OAuth app is configured), and so do
        # the health checks a monitor probes (GET /health/checks).
        app = create_app(settings, inbox,
                         extra_routes=[*oauth_routes_from_env(env),
                                       *health_routes_from_env(_config_path(args, env), env)])
        uvicorn.Server(uvicorn_config(app, args.host, args.port, log_level=args.log_level,
                                      access_log=args.access_log)).run()
    finally:
        inbox.close()
    return 0


def register(args: argparse.Namespace, *, env: Mapping[str, str] | None = None,
             transport: httpx.BaseTransport | None = None) -> int:
    from pipedrive_etl.config import ConfigError, load_config
    from pipedrive_etl.pipedrive.errors import PipedriveError

    from .credentials import credentials_for
    from .errors import WebhookConfigError

    env = os.environ if env is None else env
    public_url = args.public_url or env.get("PIPEDRIVE_WEBHOOK_PUBLIC_URL")
    try:
        config = load_config(_config_path(args, env), env=dict(env))
        if not public_url:
            raise WebhookConfigError("give --public-url or set PIPEDRIVE_WEBHOOK_PUBLIC_URL")
        workspaces = [config.workspace(w) for w in args.workspace] if args.workspace else config.workspaces
        for workspace in workspaces:
            _register_one(args, workspace, public_url, credentials_for(workspace.id, env), env, transport)
    except (ConfigError, WebhookConfigError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except PipedriveError as exc:
        print(f"error: Pipedrive refused: {exc}", file=sys.stderr)
        return 1
    return 0


def _register_one(args: argparse.Namespace, workspace: Workspace, public_url: str,
                  credentials: BasicCredentials, env: Mapping[str, str],
                  transport: httpx.BaseTransport | None) -> None:
    from contextlib import ExitStack

    from pipedrive_etl.connections import pipedrive_client, workspace_budget

    from .registration import describe_plan, register_workspace, subscription_url

    with ExitStack() as stack:
        budget = None
        if not args.no_ledger:  # every request is charged to the shared daily ledger (DESIGN.md decision 5)
            from pipedrive_etl.warehouse import DEFAULT_WAREHOUSE_URL, open_warehouse
            from pipedrive_etl.warehouse.ledger import WarehouseLedger

            warehouse = stack.enter_context(open_warehouse(env.get("WAREHOUSE_URL", DEFAULT_WAREHOUSE_URL)))
            budget = workspace_budget(workspace, WarehouseLedger(warehouse))
        client = stack.enter_context(pipedrive_client(workspace, budget=budget, env=env, transport=transport))
        plan, report = register_workspace(client, workspace.id, public_url, credentials, prune=args.prune,
                                          dry_run=args.dry_run)
    print(f"workspace {workspace.id}: {subscription_url(public_url, workspace.id)}"
          f"{' (dry run: nothing changed)' if args.dry_run else ''}")
    for line in describe_plan(plan) if report is None else report.lines():
        print(line)


def add_commands(subparsers: argparse._SubParsersAction) -> None:
    """Register `webhooks serve` and `webhooks register` on the top-level CLI."""
    webhooks = subparsers.add_parser("webhooks", help="the webhook receiver and Pipedrive subscriptions")
    commands = webhooks.add_subparsers(dest="webhooks_command", required=True)

    run = commands.add_parser("serve", help="receive Pipedrive webhooks into the inbox")
    run.add_argument("--host", default="127.0.0.1")
    run.add_argument("--port", type=int, default=DEFAULT_PORT)
    run.add_argument("--config", default=None, help=CONFIG_HELP)
    run.add_argument("--inbox-url", default=None,
                     help="sqlite:///... or postgresql://... (default: $PIPEDRIVE_WEBHOOK_INBOX_URL or "
                          "sqlite:///data/webhooks.db)")
    run.add_argument("--max-body-bytes", type=int, default=None, help="default 1 MiB")
    run.add_argument("--log-level", default="info")
    run.add_argument("--access-log", action="store_true")
    run.set_defaults(func=serve)

    reg = commands.add_parser("register",
                              help="create the webhook subscriptions a workspace needs (idempotent)")
    reg.add_argument("--workspace", action="append",
                     help="a workspace id from sync.yaml (repeatable; default all)")
    reg.add_argument("--public-url", default=None,
                     help="the receiver's public base URL (default: $PIPEDRIVE_WEBHOOK_PUBLIC_URL)")
    reg.add_argument("--config", default=None, help=CONFIG_HELP)
    reg.add_argument("--prune", action="store_true", help="also delete stale subscriptions of ours")
    reg.add_argument("--dry-run", action="store_true", help="list and plan, change nothing")
    reg.add_argument("--no-ledger", action="store_true",
                     help="do not charge the tokens to the warehouse's ledger (when it is locked or absent)")
    reg.set_defaults(func=register)
