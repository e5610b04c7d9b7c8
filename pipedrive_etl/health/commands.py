"""`pipedrive-etl health`: the checks of every workspace (or those named), for a person or a monitoring probe.

Exit code 0 when no check fails (warnings allowed), 1 when one does (each failing check is named on stderr),
2 on bad usage or configuration. `--json` prints the report as JSON on stdout; otherwise one line per check.
sync.yaml comes from `--config`, else PIPEDRIVE_ETL_SYNC_CONFIG, else the demo's; the warehouse from
`--warehouse`, else WAREHOUSE_URL; the receiver's public URL from `--public-url`, else
PIPEDRIVE_WEBHOOK_PUBLIC_URL.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # imported lazily at run time, so `--help` stays fast
    import httpx

    from .checks import HealthReport

DEFAULT_SYNC_CONFIG = "data/demo/sync.yaml"
EXIT_OK, EXIT_FAILING, EXIT_USAGE = 0, 1, 2


def add_commands(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("health", help="check Pipedrive access, webhooks and sync freshness "
                                                  "(exit 1 when a check fails)")
    parser.add_argument("--config", default=None,
                        help="sync.yaml (default: $PIPEDRIVE_ETL_SYNC_CONFIG or the demo's)")
    parser.add_argument("--workspace", action="append",
                        help="a workspace id from sync.yaml (repeatable; default all)")
    parser.add_argument("--warehouse", default=None, help="warehouse URL (default: $WAREHOUSE_URL)")
    parser.add_argument("--public-url", default=None,
                        help="the receiver's public URL the subscriptions deliver to "
                             "(default: $PIPEDRIVE_WEBHOOK_PUBLIC_URL; unset: subscriptions not checked)")
    parser.add_argument("--max-sync-age-hours", type=_positive_hours, default=None,
                        help="fail when the last successful sync is older (default 26)")
    parser.add_argument("--max-webhook-silence-hours", type=_positive_hours, default=None,
                        help="warn when no webhook arrived for longer (default 48)")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.set_defaults(func=health)


def _positive_hours(value: str) -> float:
    try:
        hours = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number of hours, got {value!r}") from None
    if hours <= 0:
        raise argparse.ArgumentTypeError(f"expected a positive number of hours, got {value!r}")
    return hours


def health(args: argparse.Namespace, *, env: Mapping[str, str] | None = None,
           transport: httpx.BaseTransport | None = None, now: datetime | None = None) -> int:
    from pipedrive_etl.config import ConfigError, load_config
    from pipedrive_etl.warehouse import DEFAULT_WAREHOUSE_URL

    from .probe import DEFAULT_MAX_SYNC_AGE, DEFAULT_MAX_WEBHOOK_SILENCE, HealthSettings, check_health

    env = os.environ if env is None else env
    try:
        config = load_config(args.config or env.get("PIPEDRIVE_ETL_SYNC_CONFIG") or DEFAULT_SYNC_CONFIG,
                             env=dict(env))
        workspaces = [config.workspace(w) for w in args.workspace] if args.workspace else config.workspaces
    except ConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    settings = HealthSettings(
        max_sync_age=_hours(args.max_sync_age_hours, DEFAULT_MAX_SYNC_AGE),
        max_webhook_silence=_hours(args.max_webhook_silence_hours, DEFAULT_MAX_WEBHOOK_SILENCE),
        public_url=args.public_url or env.get("PIPEDRIVE_WEBHOOK_PUBLIC_URL") or None)
    warehouse_url = args.warehouse or env.get("WAREHOUSE_URL", DEFAULT_WAREHOUSE_URL)
    report = check_health(workspaces, warehouse_url=warehouse_url, env=env, settings=settings,
                          transport=transport, now=now)
    print(json.dumps(report.to_json(), indent=2) if args.json else describe(report))
    if report.failing:
        print(f"health: failing: {', '.join(report.failing)}", file=sys.stderr)
        return EXIT_FAILING
    return EXIT_OK


def describe(report: HealthReport) -> str:
    width = max((len(check.label) for check in report.checks), default=0)
    lines = [f"{check.status.upper():<4}  {check.label:<{width}}  {check.detail}" for check in report.checks]
    lines.append(f"health: {report.status}")
    return "\n".join(lines)


def _hours(value: float | None, default: timedelta) -> timedelta:
    return timedelta(hours=value) if value is not None else default
