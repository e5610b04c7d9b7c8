"""Benchmark: parse canned v2 persons pages into models and decode their custom fields, as extraction does.

Builds pages of 500 persons (the v2 maximum `limit`) with realistic emails and phones and eight custom fields
of mixed types, serialises each page once, then for a few seconds validates whole response bodies from bytes
into `ListResponse[Person]` and decodes every person's `custom_fields` through a `FieldCatalog`. The last line
is `records_per_s=N` (target: 50,000 on a 2-core machine).

    python bench/client_parse.py [--seconds 3] [--pages 4] [--workers N] [--mode json|python]

`--workers` (default: one per CPU) runs that many processes at once, as Dagster's multiprocess executor runs
the extract assets of different entities side by side; the line before the last gives the rate of each one.
`--mode python` first parses the bytes with `json.loads` and then validates the dicts, which is what a client
that calls `response.json()` pays.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import multiprocessing
import random
import time
from collections.abc import Callable
from typing import Any

import orjson
from pydantic import TypeAdapter

from pipedrive_etl.pipedrive.envelopes import parse_list
from pipedrive_etl.pipedrive.fields import FieldCatalog, decode_v2
from pipedrive_etl.pipedrive.models import FieldDefinition, FieldOption, ListResponse, Person

PAGE_SIZE = 500
FIRST_NAMES = ["Ada", "Grace", "Linus", "Margaret", "Ken", "Barbara", "Dennis", "Frances", "Edsger", "Radia"]
LAST_NAMES = ["Lovelace", "Hopper", "Torvalds", "Hamilton", "Thompson", "Liskov", "Ritchie", "Allen"]
DOMAINS = ["acme.test", "initech.test", "globex.test", "umbrella.test", "hooli.test"]


def key(name: str) -> str:
    return hashlib.sha1(name.encode()).hexdigest()


CUSTOM_FIELDS = [
    ("Lead source", "enum", [FieldOption(id=i, label=label) for i, label in enumerate(
        ["Inbound", "Outbound", "Referral", "Event", "Partner"], start=1)]),
    ("Channels", "set", [FieldOption(id=i, label=label) for i, label in enumerate(
        ["Email", "Phone", "LinkedIn", "Meeting"], start=10)]),
    ("Budget", "monetary", None),
    ("Company size", "varchar", None),
    ("Lead score", "double", None),
    ("Last contacted", "date", None),
    ("Account manager", "user", None),
    ("Notes", "text", None),
]


def field_catalog() -> FieldCatalog:
    definitions = [FieldDefinition(key="name", name="Name", field_type="varchar", is_custom_field=False)]
    definitions += [FieldDefinition(key=key(name), name=name, field_type=field_type, options=options,
                                    is_custom_field=True) for name, field_type, options in CUSTOM_FIELDS]
    return FieldCatalog.from_definitions(definitions)


def custom_values(rng: random.Random) -> dict[str, Any]:
    return {
        key("Lead source"): rng.randint(1, 5),
        key("Channels"): sorted(rng.sample(range(10, 14), rng.randint(1, 3))),
        key("Budget"): {"value": rng.randint(1, 500) * 100, "currency": rng.choice(["EUR", "USD", "GBP"])},
        key("Company size"): rng.choice(["1-10", "11-50", "51-200", "201-1000", "1000+"]),
        key("Lead score"): round(rng.uniform(0, 100), 2),
        key("Last contacted"): f"2025-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
        key("Account manager"): rng.randint(12_000_000, 12_000_050),
        key("Notes"): rng.choice([None, "Asked for a demo in Q3.", "Prefers email, never before 10:00."]),
    }


def person(rng: random.Random, person_id: int) -> dict[str, Any]:
    first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
    emails = [{"value": f"{first}.{last}{n or ''}@{rng.choice(DOMAINS)}".lower(), "primary": n == 0,
               "label": rng.choice(["work", "home", "other"])} for n in range(rng.randint(1, 3))]
    phones = [{"value": f"+372 5{rng.randint(100, 999)} {rng.randint(1000, 9999)}", "primary": n == 0,
               "label": rng.choice(["work", "mobile"])} for n in range(rng.randint(0, 2))]
    stamp = f"2025-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}T{rng.randint(0, 23):02d}:14:07Z"
    return {
        "id": person_id, "name": f"{first} {last}", "first_name": first, "last_name": last,
        "owner_id": rng.randint(12_000_000, 12_000_050), "org_id": rng.choice([None, rng.randint(1, 5000)]),
        "add_time": "2024-01-15T09:30:00Z", "update_time": stamp, "emails": emails, "phones": phones,
        "is_deleted": False, "visible_to": 3, "label_ids": rng.sample(range(1, 9), rng.randint(0, 2)),
        "picture_id": None, "custom_fields": custom_values(rng),
    }


def canned_pages(pages: int, seed: int = 7) -> list[bytes]:
    rng = random.Random(seed)
    bodies = []
    for page in range(pages):
        data = [person(rng, page * PAGE_SIZE + n + 1) for n in range(PAGE_SIZE)]
        cursor = None if page == pages - 1 else f"cursor-{page + 1}"
        body = {"success": True, "data": data, "additional_data": {"next_cursor": cursor}}
        bodies.append(json.dumps(body).encode())
    return bodies


def page_parser(mode: str) -> Callable[[bytes], list[Person]]:
    if mode == "json":
        return lambda body: parse_list(Person, body).data or []
    if mode == "client":
        # What PipedriveClient does with a page: orjson for the envelope, then the models from the data list.
        people = TypeAdapter(list[Person])
        return lambda body: people.validate_python(orjson.loads(body)["data"])
    adapter = TypeAdapter(ListResponse[Person])
    return lambda body: adapter.validate_python(json.loads(body)).data or []


def parse_for(seconds: float, bodies: list[bytes], mode: str, decode: bool) -> tuple[int, int, float]:
    """Parse (and optionally decode) pages round and round for `seconds`: (records, values decoded, elapsed)."""
    catalog = field_catalog()
    parse = page_parser(mode)
    records = decoded_fields = 0
    started = time.perf_counter()
    deadline = started + seconds
    while time.perf_counter() < deadline:
        for body in bodies:
            items = parse(body)
            records += len(items)
            if decode:
                for item in items:
                    decoded_fields += len(decode_v2(item.custom_fields, catalog))
    return records, decoded_fields, time.perf_counter() - started


def _worker(args: tuple[float, list[bytes], str, bool]) -> tuple[int, int, float]:
    return parse_for(*args)


def run(seconds: float, pages: int, workers: int, mode: str, decode: bool) -> float:
    bodies = canned_pages(pages)
    if workers == 1:
        results = [parse_for(seconds, bodies, mode, decode)]
    else:
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            results = pool.map(_worker, [(seconds, bodies, mode, decode)] * workers)
    records = sum(result[0] for result in results)
    fields = sum(result[1] for result in results)
    elapsed = max(result[2] for result in results)
    per_worker = " ".join(f"{result[0] / result[2]:.0f}" for result in results)
    print(f"mode={mode} decode={decode} workers={workers} pages={pages} page_size={PAGE_SIZE} "
          f"bytes_per_page={len(bodies[0])} "
          f"custom_fields_per_record={fields // max(records, 1)} elapsed_s={elapsed:.2f} "
          f"records_per_s_per_worker={per_worker}")
    return records / elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--pages", type=int, default=4)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--mode", choices=["client", "json", "python"], default="client")
    parser.add_argument("--decode", action="store_true", help="also decode every custom field through a catalog")
    args = parser.parse_args()
    rate = run(args.seconds, args.pages, args.workers, args.mode, args.decode)
    print(f"records_per_s={rate:.0f}")


if __name__ == "__main__":
    main()
