"""`pipedrive-etl oauth connect | authorize-url | status`: connecting Pipedrive companies by OAuth.

`connect NAME` prints the authorize URL and waits for the address the browser was redirected to (paste it, or
pass `--redirect-url`); it works wherever the callback URL points, even at a page nothing serves. When the
receiver serves the callback route, `authorize-url NAME` is enough: open the URL and the route finishes.
Both need PIPEDRIVE_OAUTH_CLIENT_ID/SECRET, PIPEDRIVE_OAUTH_REDIRECT_URI and PIPEDRIVE_ETL_SECRET_KEYS.
"""

from __future__ import annotations

import argparse
import os
import sys

from ..config import ConfigError
from ..secrets import TokenStore, stored_credentials
from ..warehouse import DEFAULT_WAREHOUSE_URL, open_warehouse
from .connect import callback_params, complete_authorization, start_authorization
from .flow import OAuthApp, OAuthDeniedError, OAuthFlowError, PipedriveOAuth


def _env(args: argparse.Namespace) -> dict[str, str]:
    env = dict(os.environ)
    if args.warehouse_url:
        env["WAREHOUSE_URL"] = args.warehouse_url
    return env


def _setup(args: argparse.Namespace) -> tuple[PipedriveOAuth, TokenStore]:
    env = _env(args)
    return PipedriveOAuth(OAuthApp.from_env(env)), TokenStore.from_env(env)


def authorize_url(args: argparse.Namespace) -> int:
    try:
        oauth, store = _setup(args)
        print(start_authorization(oauth, store.keyring, args.connection, workspace_id=args.workspace,
                                  actor=args.actor))
    except ConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


def connect(args: argparse.Namespace) -> int:
    try:
        oauth, store = _setup(args)
        url = start_authorization(oauth, store.keyring, args.connection, workspace_id=args.workspace,
                                  actor=args.actor)
        redirect_url = args.redirect_url
        if redirect_url is None:
            print(f"Open this URL, approve the app in Pipedrive, then paste the address your browser was "
                  f"sent to:\n\n  {url}\n", file=sys.stderr)
            redirect_url = sys.stdin.readline()
        connected = complete_authorization(oauth, store, callback_params(redirect_url), actor=args.actor)
    except OAuthDeniedError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except ConfigError as exc:  # includes a refused code (OAuthGrantError) and missing keys
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except OAuthFlowError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"connected {connected.connection!r}: {connected.api_domain}, scope {connected.scope or '-'}, "
          f"access token valid until {connected.expires_at:%Y-%m-%d %H:%M} UTC (refreshed automatically)")
    return 0


def status(args: argparse.Namespace) -> int:
    with open_warehouse(_env(args).get("WAREHOUSE_URL", DEFAULT_WAREHOUSE_URL)) as warehouse:
        connections = [c for c in stored_credentials(warehouse) if c.kind == "oauth"]
    for c in connections:
        print(f"{c.name}: {c.api_domain}, scope {c.scope or '-'}, access token until "
              f"{c.expires_at:%Y-%m-%d %H:%M} UTC, updated {c.updated_at:%Y-%m-%d %H:%M} UTC")
    if not connections:
        print("no OAuth connection stored")
    return 0


def add_commands(subparsers: argparse._SubParsersAction) -> None:
    """Register `oauth connect`, `oauth authorize-url` and `oauth status` on the top-level CLI."""
    oauth = subparsers.add_parser("oauth", help="connect Pipedrive companies by OAuth 2.0")
    commands = oauth.add_subparsers(dest="oauth_command", required=True)
    for name, func, help_text in (
            ("connect", connect, "print the authorize URL, then finish from the pasted redirect address"),
            ("authorize-url", authorize_url, "print the authorize URL for the receiver's callback route")):
        command = commands.add_parser(name, help=help_text)
        command.add_argument("connection", help="its name in sync.yaml (auth: {type: oauth, ...})")
        command.add_argument("--workspace", default=None, help="the workspace it is for (recorded only)")
        command.add_argument("--actor", default=None, help="who is connecting (default: $PIPEDRIVE_ETL_ACTOR "
                                                           "or the OS user)")
        command.add_argument("--warehouse-url", default=None, help="default: $WAREHOUSE_URL")
        command.set_defaults(func=func)
    commands.choices["connect"].add_argument(
        "--redirect-url", default=None, help="the address Pipedrive redirected to (else read from stdin)")
    show = commands.add_parser("status", help="the stored OAuth connections (never their tokens)")
    show.add_argument("--warehouse-url", default=None, help="default: $WAREHOUSE_URL")
    show.set_defaults(func=status)
