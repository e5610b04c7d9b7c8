"""Benchmark: sustained webhook deliveries to the receiver over loopback HTTP, with nothing lost.

Starts `pipedrive-etl webhooks serve` in its own process (SQLite inbox in WAL, synchronous=FULL, group
commit), then posts unique v2 events from client processes, each with a few threads on keep-alive httpx
clients (Pipedrive delivers concurrently), for `--seconds` (30 by default). Every event is checked afterwards:
each 2xx-answered event must be in the inbox exactly once. Targets: p99 acknowledgement under 100 ms, at least
500 events/s.

`--client http.client` swaps httpx for the standard library's lighter client: on a small machine the clients
share the CPUs with the receiver, and httpx costs about as much per request as the receiver does.

Prints `p99_ms=N events_per_s=N` last.
Usage: python bench/webhooks.py [--seconds 30] [--clients 2] [--threads 4] [--client httpx|http.client]
"""

from __future__ import annotations

import argparse
import base64
import http.client
import json
import multiprocessing
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlparse

import httpx

from pipedrive_etl.webhooks import Inbox
from pipedrive_etl.webhooks.server import free_port

USER, PASSWORD = "bench", "bench-password"
SYNC_YAML = "workspaces:\n  - {id: bench, pipedrive: {company_domain: bench, auth: {env: BENCH_TOKEN}}}\n"


def event(n: int) -> bytes:
    return json.dumps({
        "data": {"id": n % 5_000 + 1, "name": f"Person {n}", "custom_fields": {}},
        "previous": {"name": f"Person {n - 1}"},
        "meta": {"action": "change", "company_id": "8087566", "entity": "person",
                 "entity_id": str(n % 5_000 + 1),
                 "id": str(uuid.uuid4()), "timestamp": "2026-09-01T09:00:00.000Z", "type": "general",
                 "user_id": "1", "version": "2.0", "webhook_id": "7", "attempt": 1, "change_source": "app"},
    }).encode()


def client_process(base_url: str, threads: int, seconds: float, start_at: float, client_kind: str,
                   out: multiprocessing.Queue) -> None:
    auth = "Basic " + base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
    latencies: list[float] = []
    acked: list[str] = []
    failed: list[int] = []
    lock = threading.Lock()

    headers = {"authorization": auth, "content-type": "application/json"}

    def post_with(kind: str) -> tuple[Callable[[bytes], tuple[int, bytes]], Callable[[], None]]:
        if kind == "httpx":
            client = httpx.Client(base_url=base_url, headers=headers, timeout=10)

            def post(body: bytes) -> tuple[int, bytes]:
                response = client.post("/webhooks/bench", content=body)
                return response.status_code, response.content

            return post, client.close
        connection = http.client.HTTPConnection(urlparse(base_url).netloc, timeout=10)

        def post_raw(body: bytes) -> tuple[int, bytes]:
            connection.request("POST", "/webhooks/bench", body=body, headers=headers)
            response = connection.getresponse()
            return response.status, response.read()

        return post_raw, connection.close

    def run() -> None:
        mine_lat, mine_ack, mine_fail = [], [], []
        post, close = post_with(client_kind)
        n = 0
        while time.time() < start_at:
            time.sleep(0.001)
        deadline = start_at + seconds
        while time.time() < deadline:
            body = event(n)
            n += 1
            sent = time.perf_counter()
            status, content = post(body)
            mine_lat.append(time.perf_counter() - sent)
            if status == 200:
                mine_ack.append(json.loads(content)["event_id"])
            else:
                mine_fail.append(status)
        close()
        with lock:
            latencies.extend(mine_lat)
            acked.extend(mine_ack)
            failed.extend(mine_fail)

    workers = [threading.Thread(target=run) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    out.put((latencies, acked, failed, time.process_time()))


def process_cpu_seconds(pid: int) -> float:
    """User and system CPU time of a process so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def wait_healthy(base_url: str, server: subprocess.Popen) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"the receiver exited with {server.returncode}")
        try:
            if httpx.get(f"{base_url}/health", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            time.sleep(0.1)
    raise SystemExit("the receiver did not become healthy in 20 s")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--clients", type=int, default=2, help="client processes")
    parser.add_argument("--threads", type=int, default=4, help="concurrent deliveries per client process")
    parser.add_argument("--client", choices=("httpx", "http.client"), default="httpx",
                        help="http.client costs the shared CPUs less, to see the receiver's own ceiling")
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="bench-webhooks-"))
    (workdir / "sync.yaml").write_text(SYNC_YAML)
    inbox_url = f"sqlite:///{workdir}/webhooks.db"
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    env = {**os.environ, "PIPEDRIVE_WEBHOOK_USER": USER, "PIPEDRIVE_WEBHOOK_PASSWORD": PASSWORD}
    server = subprocess.Popen(
        [sys.executable, "-m", "pipedrive_etl.cli", "webhooks", "serve",
         "--config", str(workdir / "sync.yaml"), "--inbox-url", inbox_url, "--port", str(port),
         "--log-level", "warning"], env=env,
        stdout=subprocess.DEVNULL)
    try:
        wait_healthy(base_url, server)
        out: multiprocessing.Queue = multiprocessing.Queue()
        start_at = time.time() + 1.0
        clients = [multiprocessing.Process(target=client_process,
                                           args=(base_url, args.threads, args.seconds, start_at, args.client,
                                                 out))
                   for _ in range(args.clients)]
        for client in clients:
            client.start()
        server_cpu_before = process_cpu_seconds(server.pid)
        results = [out.get() for _ in clients]
        server_cpu = process_cpu_seconds(server.pid) - server_cpu_before
        for client in clients:
            client.join()
    finally:
        server.terminate()
        server.wait(timeout=30)

    latencies = sorted(x for lat, _, _, _ in results for x in lat)
    acked = [event_id for _, ack, _, _ in results for event_id in ack]
    failed = [status for _, _, fail, _ in results for status in fail]
    client_cpu = sum(cpu for _, _, _, cpu in results)
    with Inbox(inbox_url) as inbox:
        stored = {e.event_id for e in inbox.events_after(0, limit=10_000_000)}
    lost = len(set(acked) - stored)
    p99 = latencies[int(len(latencies) * 0.99) - 1] * 1000
    print(f"deliveries={len(latencies)} acked={len(acked)} non_2xx={len(failed)} stored={len(stored)} "
          f"lost={lost} concurrency={args.clients * args.threads} client={args.client} "
          f"seconds={args.seconds:g}")
    print(f"p50_ms={statistics.median(latencies) * 1000:.1f} p99_ms={p99:.1f} "
          f"max_ms={latencies[-1] * 1000:.1f}")
    # CPU per event tells the receiver's own cost apart from a machine shared with the clients (and others).
    print(f"server_cpu_ms_per_event={server_cpu / len(latencies) * 1000:.2f} "
          f"client_cpu_ms_per_event={client_cpu / len(latencies) * 1000:.2f} "
          f"cpus={os.cpu_count()} loadavg={' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    if lost or failed or len(stored) != len(acked):
        print("FAILED: an acknowledged event is missing, or a delivery was refused")
    print(f"p99_ms={p99:.0f} events_per_s={len(acked) / args.seconds:.0f}")
    if lost or failed:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
