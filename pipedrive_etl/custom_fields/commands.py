"""`pipedrive-etl fields ensure`: create the custom fields and enum/set options sync.yaml needs.

    pipedrive-etl fields ensure --workspace acme [--config sync.yaml] [--dry-run] [--json]

Exit codes: 0 every field is in place (created now or before); 1 an existing field cannot serve as
configured (incompatible type, or a name several fields share): the message names each, and nothing was
changed; 2 sync.yaml is invalid, the workspace unknown or its credentials missing; 3 Pipedrive refused or
could not be reached (a budget spent, a rejected token). Requests are charged to the warehouse's token
ledger, which is also where the keys of earlier runs are read and the resulting definitions stored.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Mapping
from dataclasses import asdict
from typing import Any

import httpx

DEFAULT_SYNC_CONFIG = "data/demo/sync.yaml"
EXIT_CONFLICT, EXIT_CONFIG, EXIT_PIPEDRIVE = 1, 2, 3


def add_commands(subparsers: argparse._SubParsersAction) -> None:
    """Register `fields ensure` on the top-level CLI."""
    fields = subparsers.add_parser("fields", help="the Pipedrive custom fields sync.yaml needs")
    commands = fields.add_subparsers(dest="fields_command", required=True)
    ensure = commands.add_parser(
        "ensure", help="create missing custom fields and enum/set options (idempotent; never deletes)",
        description="Create the custom fields and enum/set options sync.yaml needs, idempotently.",
        epilog="exit codes: 0 in place, 1 incompatible field, 2 configuration error, 3 Pipedrive error")
    ensure.add_argument("--workspace", required=True, help="a workspace id from sync.yaml")
    ensure.add_argument("--config", default=None,
                        help="sync.yaml (default: $PIPEDRIVE_ETL_SYNC_CONFIG or the demo's)")
    ensure.add_argument("--warehouse-url", default=None,
                        help="the warehouse (default: $WAREHOUSE_URL or the local DuckDB file)")
    ensure.add_argument("--dry-run", action="store_true", help="list and plan, change nothing")
    ensure.add_argument("--json", action="store_true", help="print the report as JSON")
    ensure.set_defaults(func=ensure_command)


def ensure_command(args: argparse.Namespace, *, env: Mapping[str, str] | None = None,
                   transport: httpx.BaseTransport | None = None) -> int:
    from pipedrive_etl.config import ConfigError, load_config
    from pipedrive_etl.connections import pipedrive_client, workspace_budget
    from pipedrive_etl.pipedrive import PipedriveError
    from pipedrive_etl.warehouse import DEFAULT_WAREHOUSE_URL, open_warehouse
    from pipedrive_etl.warehouse.ledger import WarehouseLedger

    from . import FieldConflictError, ensure_workspace_fields

    env = os.environ if env is None else env
    try:
        config = load_config(args.config or env.get("PIPEDRIVE_ETL_SYNC_CONFIG") or DEFAULT_SYNC_CONFIG,
                             env=dict(env))
        workspace = config.workspace(args.workspace)
        warehouse_url = args.warehouse_url or env.get("WAREHOUSE_URL", DEFAULT_WAREHOUSE_URL)
        with open_warehouse(warehouse_url) as warehouse:
            budget = workspace_budget(workspace, WarehouseLedger(warehouse))
            with pipedrive_client(workspace, budget=budget, env=env, transport=transport,
                                  warehouse=warehouse) as client:
                report = ensure_workspace_fields(config, workspace.id, client, warehouse,
                                                 dry_run=args.dry_run)
    except FieldConflictError as exc:
        return _fail(args, EXIT_CONFLICT, str(exc), incompatible=[asdict(i) for i in exc.incompatible])
    except ConfigError as exc:
        return _fail(args, EXIT_CONFIG, str(exc))
    except PipedriveError as exc:
        return _fail(args, EXIT_PIPEDRIVE, f"Pipedrive refused: {exc}")
    print(report.to_json() if args.json else "\n".join(report.lines()))
    return 0


def _fail(args: argparse.Namespace, code: int, message: str, **details: Any) -> int:
    print(f"error: {message}", file=sys.stderr)
    if args.json:
        print(json.dumps({"workspace": args.workspace, "error": message, **details}, indent=2))
    return code
