"""Benchmark: parse canned v2 persons pages into models as PipedriveClient does; optionally decode them.

Builds pages of 500 persons (the v2 maximum `limit`) with realistic emails and phones and eight custom fields
of mixed types, serialises each page once, then for a few seconds parses every page from its bytes and
validates each person into `Person` (no page is kept between rounds). The last line is `records_per_s=N`
(target: 50,000 on a 2-core machine).

    python bench/client_parse.py [--seconds 3] [--pages 4] [--workers 1] [--mode client|json|python]
                                 [--decode] [--no-gc-pause]

`--mode client` (the default) is the client's path: `orjson.loads` of the body, as its request engine does,
then `list[Person]` from the `data` list with the cycle collector held off (`pipedrive._gc`); the line before
the last gives each step's own rate. `--no-gc-pause` validates with the collector running, to show what the
pause is worth. `--mode json` validates the whole body from bytes in one pass (`envelopes.parse_list`);
`--mode python` parses with `json.loads` and then validates the dicts, as a client calling `response.json()`
would. `--decode` also decodes every person's `custom_fields` through a `FieldCatalog`. `--workers N` runs N
processes at once, as Dagster's multiprocess executor runs extract assets side by side; the line before the
last then gives the rate of each one.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import multiprocessing
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import orjson
from pydantic import TypeAdapter

from pipedrive_etl.pipedrive._gc import gc_paused
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


class ClientPages:
    """What PipedriveClient does with a page: orjson for the envelope (its request engine's `_decode`), then
    the models from the data list (`_parse`), each with the cycle collector held off. Times each step."""

    def __init__(self, pause_gc: bool = True) -> None:
        self.people = TypeAdapter(list[Person])
        self.pause = gc_paused if pause_gc else contextlib.nullcontext
        self.json_s = self.validate_s = 0.0

    def __call__(self, body: bytes) -> list[Person]:
        started = time.perf_counter()
        with self.pause():  # as the request engine's _decode
            data = orjson.loads(body)["data"]
        parsed = time.perf_counter()
        with self.pause():
            items: list[Person] = self.people.validate_python(data)
        self.json_s += parsed - started
        self.validate_s += time.perf_counter() - parsed
        return items


def page_parser(mode: str, pause_gc: bool) -> Callable[[bytes], list[Person]]:
    if mode == "json":
        return lambda body: parse_list(Person, body).data or []
    if mode == "client":
        return ClientPages(pause_gc)
    adapter = TypeAdapter(ListResponse[Person])
    return lambda body: adapter.validate_python(json.loads(body)).data or []


@dataclass
class Result:
    records: int
    decoded_fields: int
    elapsed: float
    json_s: float = 0.0  # client mode: time in orjson.loads, and in model validation
    validate_s: float = 0.0


def parse_for(seconds: float, bodies: list[bytes], mode: str, decode: bool, pause_gc: bool = True) -> Result:
    """Parse (and optionally decode) pages round and round for `seconds`."""
    catalog = field_catalog()
    parse = page_parser(mode, pause_gc)
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
    result = Result(records, decoded_fields, time.perf_counter() - started)
    if isinstance(parse, ClientPages):
        result.json_s, result.validate_s = parse.json_s, parse.validate_s
    return result


def _worker(args: tuple[float, list[bytes], str, bool, bool]) -> Result:
    return parse_for(*args)


def run(seconds: float, pages: int, workers: int, mode: str, decode: bool, pause_gc: bool = True) -> float:
    bodies = canned_pages(pages)
    if workers == 1:
        results = [parse_for(seconds, bodies, mode, decode, pause_gc)]
    else:
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            results = pool.map(_worker, [(seconds, bodies, mode, decode, pause_gc)] * workers)
    records = sum(result.records for result in results)
    fields = sum(result.decoded_fields for result in results)
    elapsed = max(result.elapsed for result in results)
    per_worker = " ".join(f"{result.records / result.elapsed:.0f}" for result in results)
    parts = ""
    if mode == "client":
        # Each step's own rate: records over the seconds spent in it (a collection that the pause put off runs
        # at the next allocation, so it is counted in whichever step comes next).
        json_s = sum(result.json_s for result in results)
        validate_s = sum(result.validate_s for result in results)
        parts = (f" gc_paused={pause_gc} orjson_records_per_s={records / json_s:.0f}"
                 f" validate_records_per_s={records / validate_s:.0f}")
    print(f"mode={mode} decode={decode} workers={workers} pages={pages} page_size={PAGE_SIZE} "
          f"bytes_per_page={len(bodies[0])} "
          f"custom_fields_per_record={fields // max(records, 1)} elapsed_s={elapsed:.2f} "
          f"records_per_s_per_worker={per_worker}{parts}")
    return records / elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--pages", type=int, default=4)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--mode", choices=["client", "json", "python"], default="client")
    parser.add_argument("--decode", action="store_true",
                        help="also decode every custom field through a catalog")
    parser.add_argument("--no-gc-pause", dest="pause_gc", action="store_false",
                        help="client mode: validate with the cycle collector running")
    args = parser.parse_args()
    rate = run(args.seconds, args.pages, args.workers, args.mode, args.decode, args.pause_gc)
    print(f"records_per_s={rate:.0f}")


if __name__ == "__main__":
    main()
