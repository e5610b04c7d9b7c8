"""`pipedrive-etl demo`: the nightly reconciliation of the demo workspace, against the sandbox, on DuckDB.

Seeds the sandbox (a local Pipedrive with its token budget and burst limits) and the ColdCopy demo database,
serves the sandbox on loopback, runs the `nightly_reconciliation` job for the `demo` partition through
Dagster — the job the schedule runs — and ends with a summary and where to look next. Every run starts from a
fresh sandbox and a fresh demo warehouse (`data/demo/warehouse.duckdb`), so it can be repeated.
"""

from __future__ import annotations

import argparse
import gc
import os
import socket
import threading
import time
from pathlib import Path

DEMO_DIR = Path("data/demo")
SYNC_CONFIG = DEMO_DIR / "sync.yaml"
DAGSTER_HOME = Path("data/dagster_home")
TOKEN = "sandbox-token"


def add_commands(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("demo", help="run the nightly reconciliation of the demo workspace")
    parser.add_argument("--persons", type=int, default=2_000, help="persons in the sandbox (default 2,000)")
    parser.add_argument("--port", type=int, default=0, help="sandbox port (default: a free one)")
    parser.add_argument("--seed", type=int, default=42)
    parser.set_defaults(func=run)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _serve_sandbox(persons: int, seed: int, port: int, coldcopy_url: str):
    import uvicorn

    from .sandbox import Sandbox, create_app, seed_coldcopy, seed_pipedrive

    print(f"Seeding the sandbox: {persons} persons, {persons // 2} organizations, {persons} deals, "
          f"{3 * persons} activities ...", flush=True)
    sandbox = Sandbox(plan="growth", seats=5, api_tokens=(TOKEN,))
    seed_pipedrive(sandbox, persons=persons, seed=seed)
    counts = seed_coldcopy(coldcopy_url, sandbox, workspace_id="demo", seed=seed).counts
    print(f"ColdCopy demo database {coldcopy_url}: {counts}", flush=True)
    gc.freeze()
    server = uvicorn.Server(uvicorn.Config(create_app(sandbox), host="127.0.0.1", port=port,
                                           log_level="warning"))
    thread = threading.Thread(target=server.run, name="sandbox", daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError(f"the sandbox did not start on 127.0.0.1:{port}")
        time.sleep(0.05)
    print(f"Sandbox Pipedrive serving on http://127.0.0.1:{port}", flush=True)
    return sandbox, server, thread


def run(args: argparse.Namespace) -> int:
    DEMO_DIR.mkdir(parents=True, exist_ok=True)
    DAGSTER_HOME.mkdir(parents=True, exist_ok=True)
    warehouse_path = DEMO_DIR / "warehouse.duckdb"
    for stale in (warehouse_path, warehouse_path.with_suffix(".duckdb.wal")):
        stale.unlink(missing_ok=True)
    coldcopy_url = f"sqlite:///{DEMO_DIR / 'coldcopy.db'}"
    port = args.port or _free_port()
    sandbox, server, thread = _serve_sandbox(args.persons, args.seed, port, coldcopy_url)
    os.environ.update({
        "PIPEDRIVE_BASE_URL": f"http://127.0.0.1:{port}", "PIPEDRIVE_API_TOKEN": TOKEN,
        "WAREHOUSE_URL": f"duckdb:///{warehouse_path}", "COLDCOPY_DATABASE_URL": coldcopy_url,
        "PIPEDRIVE_ETL_SYNC_CONFIG": str(SYNC_CONFIG), "DAGSTER_HOME": str(DAGSTER_HOME.resolve()),
    })
    try:
        ok = _run_nightly_job()
    finally:
        server.should_exit = True
        thread.join(timeout=10)
    from .summary import print_summary

    print_summary(os.environ["WAREHOUSE_URL"], "demo", sandbox_tokens=sandbox.tokens_used())
    connect = f"duckdb.connect('{warehouse_path}', read_only=True)"
    print(f"""
Next:
  open the UI:        DAGSTER_HOME=$PWD/{DAGSTER_HOME} .venv/bin/dagster dev -w workspace.yaml
  query the tables:   .venv/bin/python -c "import duckdb; print({connect}
                        .sql('select * from raw.pipedrive_persons limit 5'))"
""")
    return 0 if ok else 1


def _run_nightly_job() -> bool:
    import dagster as dg

    from .definitions import defs

    instance = dg.DagsterInstance.get()
    if "demo" not in instance.get_dynamic_partitions("workspaces"):
        instance.add_dynamic_partitions("workspaces", ["demo"])
    print("Running the nightly_reconciliation job for workspace 'demo' through Dagster ...", flush=True)
    # The demo is the workspace's first sync: every lead is linked for the first time and most get a field
    # written, far past the blocking check's 20%. An operator would review a dry run first; the demo
    # allows it.
    print("(first sync: the demo allows the writeback past the 20% blocking check; see the README)",
          flush=True)
    job = defs.resolve_job_def("nightly_reconciliation")
    result = job.execute_in_process(
        instance=instance, partition_key="demo", raise_on_error=False, run_config={
            "loggers": {"console": {"config": {"log_level": "INFO"}}},
            "ops": {"writeback__changes": {"config": {"allow_large_change": True}}}})
    if not result.success:
        for event in result.get_step_failure_events():
            print(f"FAILED {event.step_key}: {event.event_specific_data.error.message.strip()}")
    return result.success
