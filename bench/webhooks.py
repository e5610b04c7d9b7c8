"""Benchmark: sustained webhook deliveries to the receiver over loopback HTTP, with nothing lost.

Starts `pipedrive-etl webhooks serve` in its own process (SQLite inbox in WAL, synchronous=FULL, group
commit), then a second process posts unique v2 events for `--seconds` (30 by default) over `--connections`
(32) concurrent keep-alive connections (Pipedrive delivers concurrently), each waiting for its answer before
sending the next. When the time is up the receiver is killed (SIGKILL, no clean shutdown) and every event is
checked: each 2xx-answered event must be in the inbox exactly once. Targets: at least 1,000 events/s with the
p99 acknowledgement under 100 ms.

Each connection waits for its answer, so events/s is at most connections / latency. A durable commit takes
0.2 ms on a quiet disk but 3-12 ms when other processes write, and a request waits for about one and a half
of them: with 5 ms commits, 8 connections cap the figure near 1,000/s however fast the receiver is. Group
commit serves every waiting connection with one fsync, so more connections mean bigger batches, not more
fsyncs.

Posters (`--client`): `asyncio` (default) drives every connection from one event loop (uvloop, httptools
parsing the answers), the cheapest in CPU; `http.client` and `httpx` use one thread per connection. On a
small machine the poster shares the CPUs with the receiver, so its cost is part of the figure: the CPU per
event of each side is printed to tell them apart.

Prints `events_per_s=N p99_ms=M` last.
Usage: python bench/webhooks.py [--seconds 30] [--connections 32] [--processes 1]
                                [--client asyncio|http.client|httpx]
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import gc
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

import httptools
import httpx
import uvloop

from pipedrive_etl.webhooks import Inbox
from pipedrive_etl.webhooks.server import free_port

USER, PASSWORD = "bench", "bench-password"
SYNC_YAML = "workspaces:\n  - {id: bench, pipedrive: {company_domain: bench, auth: {env: BENCH_TOKEN}}}\n"
PATH = "/webhooks/bench"
HEADERS = {"authorization": "Basic " + base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode(),
           "content-type": "application/json"}


def event(n: int) -> bytes:
    return json.dumps({
        "data": {"id": n % 5_000 + 1, "name": f"Person {n}", "custom_fields": {}},
        "previous": {"name": f"Person {n - 1}"},
        "meta": {"action": "change", "company_id": "8087566", "entity": "person",
                 "entity_id": str(n % 5_000 + 1),
                 "id": str(uuid.uuid4()), "timestamp": "2026-09-01T09:00:00.000Z", "type": "general",
                 "user_id": "1", "version": "2.0", "webhook_id": "7", "attempt": 1, "change_source": "app"},
    }).encode()


class Tally:
    """One poster's outcomes: a latency per delivery, the acknowledged event ids, the refused statuses."""

    def __init__(self) -> None:
        self.latencies: list[float] = []
        self.acked: list[str] = []
        self.failed: list[int] = []

    def record(self, seconds: float, status: int, content: bytes) -> None:
        self.latencies.append(seconds)
        if status == 200:
            self.acked.append(json.loads(content)["event_id"])
        else:
            self.failed.append(status)


# -- the asyncio poster: every connection on one loop -------------------------------------------------------
class PostingConnection(asyncio.Protocol):
    """One keep-alive HTTP/1.1 connection: one request in flight, its answer parsed by httptools."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self.parser = httptools.HttpResponseParser(self)
        self.transport: asyncio.Transport | None = None
        self.answer: asyncio.Future[tuple[int, bytes]] | None = None
        self.body: list[bytes] = []

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def data_received(self, data: bytes) -> None:
        self.parser.feed_data(data)

    def on_body(self, body: bytes) -> None:
        self.body.append(body)

    def on_message_complete(self) -> None:
        content, self.body = b"".join(self.body), []
        if self.answer is not None and not self.answer.done():
            self.answer.set_result((self.parser.get_status_code(), content))

    def connection_lost(self, exc: Exception | None) -> None:
        if self.answer is not None and not self.answer.done():
            self.answer.set_exception(ConnectionError(f"the receiver closed the connection: {exc}"))

    async def post(self, request: bytes) -> tuple[int, bytes]:
        self.answer = self.loop.create_future()
        self.transport.write(request)  # type: ignore[union-attr]
        return await self.answer


def request_bytes(host: str, body: bytes) -> bytes:
    head = "".join(f"{name}: {value}\r\n" for name, value in {"host": host, **HEADERS}.items())
    return f"POST {PATH} HTTP/1.1\r\n{head}content-length: {len(body)}\r\n\r\n".encode() + body


async def post_async(base_url: str, connections: int, seconds: float, start_at: float) -> Tally:
    loop = asyncio.get_running_loop()
    url = urlparse(base_url)
    tally = Tally()

    async def deliver() -> None:
        _, connection = await loop.create_connection(lambda: PostingConnection(loop), url.hostname, url.port)
        await asyncio.sleep(max(0.0, start_at - time.time()))
        n, deadline = 0, start_at + seconds
        while time.time() < deadline:
            request = request_bytes(url.netloc, event(n))
            n += 1
            sent = time.perf_counter()
            status, content = await connection.post(request)
            tally.record(time.perf_counter() - sent, status, content)
        connection.transport.close()

    await asyncio.gather(*(deliver() for _ in range(connections)))
    return tally


# -- the thread posters: one connection per thread ----------------------------------------------------------
def post_threads(base_url: str, connections: int, seconds: float, start_at: float, kind: str) -> Tally:
    tally, lock = Tally(), threading.Lock()

    def poster() -> tuple[Callable[[bytes], tuple[int, bytes]], Callable[[], None]]:
        if kind == "httpx":
            client = httpx.Client(base_url=base_url, headers=HEADERS, timeout=10)

            def post(body: bytes) -> tuple[int, bytes]:
                response = client.post(PATH, content=body)
                return response.status_code, response.content

            return post, client.close
        connection = http.client.HTTPConnection(urlparse(base_url).netloc, timeout=10)

        def post_raw(body: bytes) -> tuple[int, bytes]:
            connection.request("POST", PATH, body=body, headers=HEADERS)
            response = connection.getresponse()
            return response.status, response.read()

        return post_raw, connection.close

    def run() -> None:
        mine = Tally()
        post, close = poster()
        time.sleep(max(0.0, start_at - time.time()))
        n, deadline = 0, start_at + seconds
        while time.time() < deadline:
            body = event(n)
            n += 1
            sent = time.perf_counter()
            status, content = post(body)
            mine.record(time.perf_counter() - sent, status, content)
        close()
        with lock:
            tally.latencies += mine.latencies
            tally.acked += mine.acked
            tally.failed += mine.failed

    workers = [threading.Thread(target=run) for _ in range(connections)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return tally


def posting_process(base_url: str, connections: int, seconds: float, start_at: float, kind: str,
                    out: multiprocessing.Queue) -> None:
    gc.freeze()  # the poster's own full collections would show up as the receiver's latency
    if kind == "asyncio":
        tally = uvloop.run(post_async(base_url, connections, seconds, start_at))
    else:
        tally = post_threads(base_url, connections, seconds, start_at, kind)
    out.put((tally.latencies, tally.acked, tally.failed, time.process_time()))


# -- the run -------------------------------------------------------------------------------------------------
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
    parser.add_argument("--connections", type=int, default=32,
                        help="concurrent keep-alive connections per posting process")
    parser.add_argument("--processes", type=int, default=1, help="posting processes")
    parser.add_argument("--client", choices=("asyncio", "http.client", "httpx"), default="asyncio",
                        help="asyncio: one event loop, the cheapest; the others: a thread per connection")
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
        posters = [multiprocessing.Process(target=posting_process,
                                           args=(base_url, args.connections, args.seconds, start_at,
                                                 args.client, out))
                   for _ in range(args.processes)]
        for poster in posters:
            poster.start()
        server_cpu_before = process_cpu_seconds(server.pid)
        results = [out.get() for _ in posters]
        server_cpu = process_cpu_seconds(server.pid) - server_cpu_before
        for poster in posters:
            poster.join()
    finally:
        server.kill()  # no clean shutdown: what was acknowledged must already be on disk
        server.wait(timeout=30)

    latencies = sorted(x for lat, _, _, _ in results for x in lat)
    acked = [event_id for _, ack, _, _ in results for event_id in ack]
    failed = [status for _, _, fail, _ in results for status in fail]
    poster_cpu = sum(cpu for _, _, _, cpu in results)
    with Inbox(inbox_url) as inbox:
        stored = {e.event_id for e in inbox.events_after(0, limit=10_000_000)}
    lost = len(set(acked) - stored)
    p99 = latencies[int(len(latencies) * 0.99) - 1] * 1000
    print(f"deliveries={len(latencies)} acked={len(acked)} non_2xx={len(failed)} stored={len(stored)} "
          f"lost={lost} concurrency={args.processes * args.connections} client={args.client} "
          f"seconds={args.seconds:g}")
    print(f"p50_ms={statistics.median(latencies) * 1000:.1f} p99_ms={p99:.1f} "
          f"max_ms={latencies[-1] * 1000:.1f}")
    # CPU per event tells the receiver's own cost apart from a machine shared with the poster (and others).
    print(f"server_cpu_ms_per_event={server_cpu / len(latencies) * 1000:.3f} "
          f"poster_cpu_ms_per_event={poster_cpu / len(latencies) * 1000:.3f} "
          f"cpus={os.cpu_count()} loadavg={' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    if lost or failed or len(stored) != len(acked):
        print("FAILED: an acknowledged event is missing, or a delivery was refused")
    print(f"events_per_s={len(acked) / args.seconds:.0f} p99_ms={p99:.0f}")
    if lost or failed:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
