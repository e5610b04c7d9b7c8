"""Benchmark: extraction from the sandbox into DuckDB — tokens over the floor, incremental cost, speed,
memory.

1. A full extraction of 10k persons, 5k organizations, 10k deals and 30k activities (plus field definitions,
   pipelines and stages) from the in-process sandbox on a fake clock (so burst pacing costs no wall time: the
   sandbox is unthrottled), into a DuckDB file. Reports records per second and the tokens used over the floor
   (Σ ceil(n / 500) × list cost, plus field definitions, pipelines and stages).
2. 1% of every entity edited, then an incremental run half an hour later: its tokens as a share of the full
   run's. Its floor is one 10-token page per entity stream: 40 tokens, 3.5% of this full run's 1,150.
3. Peak RSS of an extraction process reading persons over loopback HTTP from `pipedrive-etl sandbox serve` at
   10k and 100k persons (the sandbox lives in its own process, so only the extractor is measured).

Prints `tokens_ratio=R` last. Usage: python bench/extract.py [--skip-rss]
"""

from __future__ import annotations

import argparse
import gc
import math
import resource
import socket
import subprocess
import sys
import tempfile
import time

import httpx

from pipedrive_etl.extract.pipedrive_runner import extract_fields, extract_stream
from pipedrive_etl.extract.streams import STREAMS
from pipedrive_etl.pipedrive import PipedriveClient
from pipedrive_etl.sandbox import FakeClock, Sandbox, seed_pipedrive
from pipedrive_etl.warehouse import open_warehouse

SIZES = {"persons": 10_000, "organizations": 5_000, "deals": 10_000, "activities": 30_000}
LIST_COST = {"persons": 10, "organizations": 10, "deals": 10, "activities": 10, "pipelines": 5, "stages": 5}


def _client(sandbox: Sandbox, clock: FakeClock,
            base_url: str = "https://sandbox.pipedrive.com") -> PipedriveClient:
    return PipedriveClient(base_url=base_url, credentials=_auth(), plan="ultimate",
                           transport=sandbox.transport(), clock=clock.monotonic, sleep=clock.sleep)


def _auth():
    from pipedrive_etl.pipedrive import ApiTokenAuth

    return ApiTokenAuth("sandbox-token")


def run_all(client: PipedriveClient, warehouse, clock: FakeClock) -> tuple[dict[str, int], int]:
    rows: dict[str, int] = {}
    for name in ("persons", "organizations", "deals", "activities", "pipelines", "stages"):
        rows[name] = extract_stream(client, warehouse, "bench", STREAMS[name], now=clock.now).rows
    rows["fields"] = extract_fields(client, warehouse, "bench", now=clock.now).rows
    return rows, client.stats.tokens


def full_and_incremental() -> dict[str, float]:
    clock = FakeClock()
    sandbox = Sandbox(plan="ultimate", seats=10, clock=clock)
    started = time.perf_counter()
    seed_pipedrive(sandbox, **SIZES, seed=1)
    seed_seconds = time.perf_counter() - started
    gc.freeze()  # ~2M long-lived sandbox objects: keep the collector from re-walking them during extraction
    clock.advance(3600)
    with tempfile.TemporaryDirectory() as tmp, open_warehouse(f"duckdb:///{tmp}/bench.duckdb") as warehouse:
        with _client(sandbox, clock) as client:
            started = time.perf_counter()
            rows, full_tokens = run_all(client, warehouse, clock)
            seconds = time.perf_counter() - started
        floor = sum(math.ceil(rows[name] / 500) * cost for name, cost in LIST_COST.items()) + 4 * 10
        records = sum(rows.values())

        # Half an hour later (a webhook-triggered or hourly run): field definitions, pipelines and stages are
        # within their hour of freshness and are not read again; a run a day later re-reads them (50 tokens).
        clock.advance(1800)
        edited = _edit_one_percent(sandbox, clock)
        clock.advance(60)
        with _client(sandbox, clock) as client:
            incremental_rows = {}
            for name in ("persons", "organizations", "deals", "activities", "pipelines", "stages"):
                result = extract_stream(client, warehouse, "bench", STREAMS[name], now=clock.now,
                                        max_age=_hour())
                incremental_rows[name] = result.rows
            incremental_rows["fields"] = extract_fields(client, warehouse, "bench", now=clock.now,
                                                        max_age=_hour()).rows
            incremental_tokens = client.stats.tokens
    print(f"seed_s={seed_seconds:.1f} rows={rows}")
    print(f"full: records={records} seconds={seconds:.2f} tokens={full_tokens} floor={floor}")
    print(f"incremental: edited={edited} rows={incremental_rows} tokens={incremental_tokens}")
    return {"records_per_s": records / seconds, "tokens_ratio": full_tokens / floor,
            "incremental_share": incremental_tokens / full_tokens}


def _hour():
    from datetime import timedelta

    return timedelta(hours=1)


def _edit_one_percent(sandbox: Sandbox, clock: FakeClock) -> int:
    """A salesperson's day: 1% of every entity edited through the API, a little apart (the burst window)."""
    edited = 0
    with httpx.Client(transport=sandbox.transport(), base_url="https://sandbox.pipedrive.com",
                      headers={"x-api-token": "sandbox-token"}) as http:
        for entity, count in SIZES.items():
            body = {"persons": {"name": "Edited Person"}, "organizations": {"name": "Edited Org"},
                    "deals": {"title": "Edited deal"}, "activities": {"subject": "Edited activity"}}[entity]
            page = http.get(f"/api/v2/{entity}", params={"limit": 500}).json()["data"]
            for record in page[: count // 100]:
                http.patch(f"/api/v2/{entity}/{record['id']}", json=body).raise_for_status()
                clock.advance(0.05)
                edited += 1
    return edited


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def peak_rss_mb(persons: int) -> float:
    """Serve `persons` from a sandbox process; extract them in a child process;
    return the child's peak RSS."""
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "pipedrive_etl.cli", "sandbox", "serve", "--port", str(port),
         "--persons", str(persons), "--organizations", "1", "--deals", "0", "--activities", "0",
         "--plan", "ultimate", "--no-accounting", "--log-level", "warning"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            try:
                httpx.get(f"http://127.0.0.1:{port}/api/v1/users/me",
                          headers={"x-api-token": "sandbox-token"}, timeout=2).raise_for_status()
                break
            except httpx.HTTPError:
                time.sleep(0.5)
        else:
            raise RuntimeError("the sandbox server did not come up")
        child = subprocess.run([sys.executable, __file__, "--rss-child", str(port)], capture_output=True,
                               text=True, check=True)
        rows, rss = child.stdout.split()[-2:]
        assert int(rows) == persons, (rows, persons)
        return float(rss)
    finally:
        server.terminate()
        server.wait(timeout=30)


def rss_child(port: int) -> None:
    """Extract persons over HTTP into a fresh DuckDB file; print rows and this process's peak RSS in MB."""
    with tempfile.TemporaryDirectory() as tmp, open_warehouse(f"duckdb:///{tmp}/rss.duckdb") as warehouse:
        client = PipedriveClient(base_url=f"http://127.0.0.1:{port}", credentials=_auth(), plan="ultimate")
        with client:
            rows = extract_stream(client, warehouse, "bench", STREAMS["persons"]).rows
    print(rows, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--skip-rss", action="store_true")
    parser.add_argument("--rss-child", type=int)
    args = parser.parse_args()
    if args.rss_child:
        rss_child(args.rss_child)
        return
    figures = full_and_incremental()
    if not args.skip_rss:
        small, large = peak_rss_mb(10_000), peak_rss_mb(100_000)
        print(f"peak_rss_mb_10k={small:.0f} peak_rss_mb_100k={large:.0f} rss_growth={large / small:.2f}")
    print(f"records_per_s={figures['records_per_s']:.0f} "
          f"incremental_share={figures['incremental_share']:.4f} tokens_ratio={figures['tokens_ratio']:.3f}")


if __name__ == "__main__":
    main()
