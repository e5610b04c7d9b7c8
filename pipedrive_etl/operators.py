"""Operator commands: `conflicts list|resolve`, `budget status`, `sync status`.

They read and write the warehouse named by WAREHOUSE_URL (or `--warehouse-url`) and the workspaces of
sync.yaml (PIPEDRIVE_ETL_SYNC_CONFIG or `--config`). Resolving a conflict writes a row to
`state.conflict_resolutions`; the next reconciliation applies it (and the writeback writes the chosen value to
the other side).
"""

from __future__ import annotations

import argparse
import getpass
import os
from datetime import UTC, datetime
from typing import Any

from .config import load_config
from .connections import workspace_budget
from .warehouse import DEFAULT_WAREHOUSE_URL, Warehouse, open_warehouse
from .warehouse.ledger import WarehouseLedger
from .warehouse.sync_state import read_all_states

DEFAULT_CONFIG = "data/demo/sync.yaml"


def add_commands(subparsers: argparse._SubParsersAction) -> None:
    def common(parser: argparse.ArgumentParser) -> None:
        parser.add_argument("--warehouse-url", default=os.environ.get("WAREHOUSE_URL", DEFAULT_WAREHOUSE_URL))
        parser.add_argument("--config", default=os.environ.get("PIPEDRIVE_ETL_SYNC_CONFIG", DEFAULT_CONFIG))

    conflicts = subparsers.add_parser("conflicts", help="list and resolve field conflicts").add_subparsers(
        dest="conflicts_command", required=True)
    listing = conflicts.add_parser("list", help="open conflicts (manual rule, not yet resolved)")
    common(listing)
    listing.add_argument("--workspace", required=True)
    listing.add_argument("--all", action="store_true", help="also conflicts a rule already settled")
    listing.set_defaults(func=conflicts_list)
    resolve = conflicts.add_parser("resolve", help="settle one conflict")
    common(resolve)
    resolve.add_argument("--workspace", required=True)
    resolve.add_argument("--lead", required=True, help="the ColdCopy lead id")
    resolve.add_argument("--field", required=True, help="the mapping (its ColdCopy field)")
    side = resolve.add_mutually_exclusive_group(required=True)
    side.add_argument("--keep", choices=["coldcopy", "pipedrive"], help="keep this side's value")
    side.add_argument("--value", help="write this value to both sides")
    resolve.add_argument("--actor", default=os.environ.get("PIPEDRIVE_ETL_ACTOR") or getpass.getuser())
    resolve.set_defaults(func=conflicts_resolve)

    budget = subparsers.add_parser("budget", help="token budget").add_subparsers(
        dest="budget_command", required=True)
    status = budget.add_parser("status", help="tokens used today of each company's daily budget")
    common(status)
    status.set_defaults(func=budget_status)

    sync = subparsers.add_parser("sync", help="sync state").add_subparsers(dest="sync_command", required=True)
    sync_status = sync.add_parser("status", help="streams, cursors and lead sync status of a workspace")
    common(sync_status)
    sync_status.add_argument("--workspace", required=True)
    sync_status.set_defaults(func=sync_status_command)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
    return str(value)


def _print_rows(headers: list[str], rows: list[tuple[Any, ...]]) -> None:
    cells = [[_cell(v) for v in row] for row in rows]
    widths = [max([len(h), *(len(r[i]) for r in cells)]) for i, h in enumerate(headers)]
    print("  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)))
    for row in cells:
        print("  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)))


def conflicts_list(args: argparse.Namespace) -> int:
    with open_warehouse(args.warehouse_url) as warehouse:
        if not warehouse.table_exists("marts", "sync_conflicts"):
            print("No reconciliation has run yet: marts.sync_conflicts does not exist.")
            return 1
        columns = [c for (c,) in warehouse.fetchall(
            "select column_name from information_schema.columns where table_schema = 'marts' and "
            "table_name = 'sync_conflicts' order by ordinal_position")]
        wanted = [c for c in ("coldcopy_lead_id", "mapping_id", "coldcopy_value", "pipedrive_value",
                              "baseline_value", "rule_applied", "resolution") if c in columns]
        where = "workspace_id = ?" + ("" if args.all else " and is_open")
        rows = warehouse.fetchall(f"select {', '.join(wanted)} from marts.sync_conflicts where {where} "
                                  "order by coldcopy_lead_id, mapping_id", [args.workspace])
    if not rows:
        print(f"No {'' if args.all else 'open '}conflicts in workspace {args.workspace!r}.")
        return 0
    _print_rows(wanted, rows)
    print(f"\n{len(rows)} conflict(s). Settle one: pipedrive-etl conflicts resolve "
          f"--workspace {args.workspace} "
          "--lead LEAD --field FIELD --keep coldcopy|pipedrive (or --value V)")
    return 0


def conflicts_resolve(args: argparse.Namespace) -> int:
    config = load_config(args.config)
    config.workspace(args.workspace)  # an unknown workspace is an error that lists the known ones
    known_fields = {m.coldcopy_field for m in config.field_mappings}
    if args.field not in known_fields:
        print(f"unknown field {args.field!r}; mapped fields: {', '.join(sorted(known_fields))}")
        return 2
    side, value = (args.keep, None) if args.keep else ("value", args.value)
    now = datetime.now(UTC)
    with open_warehouse(args.warehouse_url) as warehouse, warehouse.transaction():
        warehouse.execute(
            "insert into state.conflict_resolutions (workspace_id, coldcopy_lead_id, field, chosen_side, "
            "chosen_value, resolved_by, resolved_at) values (?, ?, ?, ?, ?, ?, ?)",
            [args.workspace, args.lead, args.field, side, value, args.actor, now])
        _audit(warehouse, actor=args.actor, action="conflict_resolved", workspace_id=args.workspace,
               subject=f"{args.lead}/{args.field}", details={"chosen_side": side, "chosen_value": value})
    chosen = f"keep {side}" if value is None else f"value {value!r}"
    print(f"Resolved {args.field} of lead {args.lead} in {args.workspace}: {chosen}. The next run writes it.")
    return 0


def _audit(warehouse: Warehouse, **entry: Any) -> None:
    try:
        from .audit import record
    except ImportError:  # the audit log arrives with the secrets work; resolutions are recorded either way
        return
    record(warehouse, **entry)


def budget_status(args: argparse.Namespace) -> int:
    config = load_config(args.config)
    rows = []
    with open_warehouse(args.warehouse_url) as warehouse:
        for workspace in config.workspaces:
            budget = workspace_budget(workspace, WarehouseLedger(warehouse))
            extraction = budget.with_share(workspace.extraction_budget_share)
            rows.append((workspace.id, workspace.pipedrive.company_domain, f"{budget.daily_tokens:,}",
                         f"{budget.used():,}", f"{budget.used() / budget.daily_tokens:.1%}",
                         f"{extraction.remaining():,}", f"{budget.remaining():,}",
                         f"{budget.resets_at():%Y-%m-%d %H:%M} UTC"))
    _print_rows(["workspace", "company", "daily budget", "used today", "share", "left for extraction",
                 "left in all", "resets at"], rows)
    return 0


def sync_status_command(args: argparse.Namespace) -> int:
    with open_warehouse(args.warehouse_url) as warehouse:
        states = read_all_states(warehouse, args.workspace)
        if not states:
            print(f"Workspace {args.workspace!r} has not been extracted yet.")
            return 1
        _print_rows(["stream", "last complete run began", "run in progress since", "resume cursor",
                     "last sweep"],
                    [(s.stream, s.high_watermark, s.run_started_at, "yes" if s.cursor else "",
                      s.last_sweep_at) for s in states])
        if warehouse.table_exists("marts", "sync_status"):
            columns = [c for (c,) in warehouse.fetchall(
                "select column_name from information_schema.columns where table_schema = 'marts' and "
                "table_name = 'sync_status'")]
            if "status" in columns:
                counts = warehouse.fetchall("select status, count(*) from marts.sync_status "
                                            "where workspace_id = ? "
                                            "group by status order by status", [args.workspace])
                print()
                _print_rows(["lead status", "leads"], counts)
        failed = warehouse.fetchall("select entity, count(*) from state.writeback_log "
                                    "where workspace_id = ? and "
                                    "status = 'failed' group by entity", [args.workspace])
        if failed:
            print()
            _print_rows(["failed writes", "count"], failed)
    return 0
