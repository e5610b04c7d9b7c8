"""`pipedrive-etl sandbox serve` and `sandbox seed-coldcopy`: the sandbox as a local server for demos.

Seeds a company first (the same `--seed` and sizes always give the same company), applies the `--fault` rules,
optionally writes the ColdCopy demo database beside it, delivers webhooks in the background, and serves the
starlette app with uvicorn.
"""

from __future__ import annotations

import argparse
import gc

from pipedrive_etl.sandbox.faults import parse_fault_spec
from pipedrive_etl.sandbox.sandbox import Sandbox, describe


def add_seed_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--persons", type=int, default=200, help="persons to seed (default 200)")
    parser.add_argument("--organizations", type=int, default=None, help="default: persons / 2")
    parser.add_argument("--deals", type=int, default=None, help="default: as many as persons")
    parser.add_argument("--activities", type=int, default=None, help="default: 3 x persons")
    parser.add_argument("--seed", type=int, default=42, help="random seed of the generated data")


def seed_sizes(args: argparse.Namespace) -> dict[str, int | None]:
    return {
        "persons": args.persons,
        "organizations": args.organizations,
        "deals": args.deals,
        "activities": args.activities,
        "seed": args.seed,
    }


def build_sandbox(args: argparse.Namespace) -> Sandbox:
    from pipedrive_etl.sandbox.seed import seed_pipedrive

    sandbox = Sandbox(
        plan=args.plan,
        seats=args.seats,
        topups=args.topups,
        api_tokens=(args.token,),
        company_domain=args.company_domain,
        accounting=not args.no_accounting,
    )
    seed_pipedrive(sandbox, **seed_sizes(args))
    for spec in args.fault or ():
        sandbox.faults.add(**parse_fault_spec(spec))
    return sandbox


def serve(args: argparse.Namespace) -> int:
    import uvicorn

    from pipedrive_etl.sandbox.asgi import create_app
    from pipedrive_etl.sandbox.coldcopy import seed_coldcopy

    sandbox = build_sandbox(args)
    if args.coldcopy_url:
        seed_coldcopy(args.coldcopy_url, sandbox, workspace_id=args.workspace_id, seed=args.seed)
        print(f"ColdCopy demo database: {args.coldcopy_url} (workspace {args.workspace_id})")
    gc.freeze()  # the seeded company lives as long as the server; keep the collector from re-walking it
    summary = describe(sandbox)
    print(f"Sandbox Pipedrive for {summary['company_domain']}: {summary}")
    print(f"Base URL: http://{args.host}:{args.port}  (v2 under /api/v2, v1 under /v1)")
    print(f"API token: {args.token}  (send it as the x-api-token header)")
    sandbox.webhooks.start_background()
    try:
        uvicorn.run(create_app(sandbox), host=args.host, port=args.port, log_level=args.log_level)
    finally:
        sandbox.webhooks.stop_background()
    return 0


def seed_coldcopy_command(args: argparse.Namespace) -> int:
    from pipedrive_etl.sandbox.coldcopy import seed_coldcopy

    result = seed_coldcopy(args.url, seed_sizes(args), workspace_id=args.workspace_id, seed=args.seed)
    print(f"ColdCopy demo database {args.url}, workspace {args.workspace_id}: {result.counts}")
    return 0


def add_commands(subparsers: argparse._SubParsersAction) -> None:
    """Register `sandbox serve` and `sandbox seed-coldcopy` on the top-level CLI."""
    sandbox = subparsers.add_parser("sandbox", help="the local Pipedrive and the ColdCopy demo database")
    commands = sandbox.add_subparsers(dest="sandbox_command", required=True)

    run = commands.add_parser("serve", help="seed a sandbox Pipedrive and serve it over HTTP")
    run.add_argument("--host", default="127.0.0.1")
    run.add_argument("--port", type=int, default=8765)
    add_seed_arguments(run)
    run.add_argument("--plan", choices=("lite", "growth", "premium", "ultimate"), default="growth")
    run.add_argument("--seats", type=int, default=5)
    run.add_argument("--topups", type=int, default=0, help="extra daily tokens bought")
    run.add_argument("--token", default="sandbox-token", help="the API token clients must send")
    run.add_argument("--company-domain", default="sandbox")
    run.add_argument(
        "--no-accounting", action="store_true", help="count tokens but never refuse (no 429/403)"
    )
    run.add_argument(
        "--fault",
        action="append",
        metavar="SPEC",
        help="KIND[:key=value,...][@METHOD /path], e.g. 'status:status=503,rate=0.1@GET /api/v2/persons'"
        "; kinds: status, rate_limit, latency, timeout, drop_response_after_apply; repeatable",
    )
    run.add_argument("--coldcopy-url", default=None, help="also write the ColdCopy demo database to this URL")
    run.add_argument("--workspace-id", default="demo")
    run.add_argument("--log-level", default="info")
    run.set_defaults(func=serve)

    cold = commands.add_parser(
        "seed-coldcopy", help="write the ColdCopy demo database matching a seeded sandbox"
    )
    cold.add_argument("--url", default="sqlite:///data/demo/coldcopy.db", help="any SQLAlchemy URL")
    cold.add_argument("--workspace-id", default="demo")
    add_seed_arguments(cold)
    cold.set_defaults(func=seed_coldcopy_command)
