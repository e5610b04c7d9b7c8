"""`pipedrive-etl secrets generate-key | rotate | store-api-token | list`.

Rotating keys: put a new key (from `generate-key`) in front of PIPEDRIVE_ETL_SECRET_KEYS, keep the old ones
behind it, run `rotate`, then drop the old keys. A key that no longer fits any stored credential stops
`rotate` before anything is written.
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys

from ..audit import current_actor
from ..config import ConfigError
from ..warehouse import DEFAULT_WAREHOUSE_URL, open_warehouse
from .keys import generate_key, load_keyring
from .rotation import rotate_keys
from .store import TokenStore, stored_credentials


def _warehouse_url(args: argparse.Namespace) -> str:
    return args.warehouse_url or os.environ.get("WAREHOUSE_URL", DEFAULT_WAREHOUSE_URL)


def generate_key_command(args: argparse.Namespace) -> int:
    print(generate_key())
    return 0


def rotate_command(args: argparse.Namespace) -> int:
    try:
        keyring = load_keyring()
        with open_warehouse(_warehouse_url(args)) as warehouse:
            result = rotate_keys(warehouse, keyring, actor=current_actor(args.actor))
    except ConfigError as exc:
        print(f"error: {exc}; nothing was changed", file=sys.stderr)
        return 2
    print(f"re-encrypted {result.credentials} stored credential(s) under the newest of {result.keys} key(s); "
          "older keys can now be removed from the variable")
    return 0


def store_api_token_command(args: argparse.Namespace) -> int:
    if args.from_env:
        token = os.environ.get(args.from_env, "")
    elif sys.stdin.isatty():
        token = getpass.getpass(f"Pipedrive API token for workspace {args.workspace}: ")
    else:
        token = sys.stdin.readline()
    token = token.strip()
    if not token:
        print("error: no API token given" + (f" ({args.from_env} is empty)" if args.from_env else ""),
              file=sys.stderr)
        return 2
    try:
        store = TokenStore(_warehouse_url(args), load_keyring())
        store.save_api_token(args.workspace, token, actor=current_actor(args.actor))
    except ConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"stored the API token of workspace {args.workspace!r} (encrypted)")
    return 0


def list_command(args: argparse.Namespace) -> int:
    with open_warehouse(_warehouse_url(args)) as warehouse:
        credentials = stored_credentials(warehouse)
    for c in credentials:
        expiry = f", expires {c.expires_at:%Y-%m-%d %H:%M} UTC" if c.expires_at else ""
        print(f"{c.kind} {c.name}{f' (workspace {c.workspace_id})' if c.workspace_id else ''}{expiry}, "
              f"updated {c.updated_at:%Y-%m-%d %H:%M} UTC")
    if not credentials:
        print("no stored credential")
    return 0


def add_commands(subparsers: argparse._SubParsersAction) -> None:
    """Register the `secrets` commands on the top-level CLI."""
    secrets = subparsers.add_parser("secrets", help="encryption keys and stored Pipedrive credentials")
    commands = secrets.add_subparsers(dest="secrets_command", required=True)

    commands.add_parser("generate-key", help="print a new encryption key for PIPEDRIVE_ETL_SECRET_KEYS") \
        .set_defaults(func=generate_key_command)

    rotate = commands.add_parser("rotate", help="re-encrypt every stored credential under the newest key")
    rotate.set_defaults(func=rotate_command)

    store = commands.add_parser("store-api-token", help="store a workspace's API token, encrypted "
                                                        "(read from stdin or --from-env)")
    store.add_argument("workspace")
    store.add_argument("--from-env", metavar="VAR", default=None, help="read the token from this variable")
    store.set_defaults(func=store_api_token_command)

    show = commands.add_parser("list", help="the stored credentials (never the secrets)")
    show.set_defaults(func=list_command)

    for command in (rotate, store, show):
        command.add_argument("--warehouse-url", default=None, help="default: $WAREHOUSE_URL")
    for command in (rotate, store):
        command.add_argument("--actor", default=None, help="who does this (default: $PIPEDRIVE_ETL_ACTOR or "
                                                           "the OS user)")
