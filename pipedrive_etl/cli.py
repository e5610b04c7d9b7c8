"""The `pipedrive-etl` command line.

Each command group lives beside its code and registers itself through an `add_commands(subparsers)` function;
this module only assembles them, so adding a group is one line in `COMMAND_GROUPS`. Handlers are set with
`set_defaults(func=...)` and return an exit code.
"""

from __future__ import annotations

import argparse
import importlib
from collections.abc import Sequence

# Modules with an `add_commands(subparsers)` function; imported lazily so `--help` stays fast.
COMMAND_GROUPS = (
    "pipedrive_etl.demo",
    "pipedrive_etl.operators",
    "pipedrive_etl.sandbox.server",
    "pipedrive_etl.webhooks.commands",
    "pipedrive_etl.oauth.commands",
    "pipedrive_etl.secrets.commands",
    "pipedrive_etl.health.commands",
    "pipedrive_etl.custom_fields.commands",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="pipedrive-etl", description=__doc__.splitlines()[0])
    subparsers = parser.add_subparsers(dest="command", required=True)
    for module in COMMAND_GROUPS:
        importlib.import_module(module).add_commands(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    from .redaction import install_redaction

    install_redaction()  # before anything logs: tokens, passwords and Authorization headers never reach a log
    args = build_parser().parse_args(argv)
    return int(args.func(args) or 0)


if __name__ == "__main__":
    raise SystemExit(main())
