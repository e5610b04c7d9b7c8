"""Benchmark: list 20,000 seeded persons from the in-process sandbox, accounting on, at limit=500.

Plain httpx over `sandbox.transport()`, following `additional_data.next_cursor`, as the client does. The
sandbox
must never dominate a benchmark: the target is at least 20,000 records/s. Prints `records_per_s=N` last.
"""

from __future__ import annotations

import gc
import time

import httpx

from pipedrive_etl.sandbox import FakeClock, Sandbox, seed_pipedrive

PERSONS = 20_000
PAGE = 500


def main() -> None:
    # Ultimate plan: 40 list calls fit the burst window (120 per 2 s) without anyone waiting.
    sandbox = Sandbox(plan="ultimate", seats=10, clock=FakeClock())
    started = time.perf_counter()
    seed_pipedrive(sandbox, persons=PERSONS, organizations=2_000, deals=0, activities=0)
    seeded = time.perf_counter() - started
    # The seeded company is ~1M long-lived objects. Without this, every full collection that the client's own
    # JSON parsing triggers walks all of them, which doubles the parse time; a long-running process that holds
    # the sandbox in memory (a benchmark of the client, the demo) should freeze it the same way after seeding.
    gc.freeze()
    client = httpx.Client(
        transport=sandbox.transport(),
        base_url="https://sandbox.pipedrive.com",
        headers={"x-api-token": "sandbox-token"},
    )
    records, pages, cursor, in_sandbox = 0, 0, None, 0.0
    started = time.perf_counter()
    while True:
        params = {"limit": PAGE, **({"cursor": cursor} if cursor else {})}
        sent = time.perf_counter()
        response = client.get("/api/v2/persons", params=params)
        in_sandbox += time.perf_counter() - sent  # request + sandbox + response, before the client parses
        response.raise_for_status()
        body = response.json()
        records += len(body["data"])
        pages += 1
        cursor = body["additional_data"]["next_cursor"]
        if cursor is None:
            break
    elapsed = time.perf_counter() - started
    assert records == PERSONS, records
    print(f"seed_s={seeded:.2f}")
    print(f"pages={pages} records={records} tokens_used={sandbox.tokens_used()} list_s={elapsed:.3f}")
    print(f"http_s={in_sandbox:.3f} (httpx + sandbox; the rest is the client's json parsing)")
    print(f"records_per_s={int(records / elapsed)}")


if __name__ == "__main__":
    main()
