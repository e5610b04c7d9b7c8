"""Record tables with sorted indexes, and v2 cursor pagination over them.

Each table keeps its canonical records by id plus one sorted index per sortable field, as `(key, id)` tuples.
A page bisects to the cursor's position and walks forward, so listing costs O(page + skipped rows) instead of
a full sort per page. Cursors are opaque base64url JSON shaped like Pipedrive's own
(`{"field":"id","fieldValue":7,"sortDirection":"asc","id":7}`).
"""

from __future__ import annotations

import base64
import binascii
import json
from bisect import bisect_left, bisect_right, insort
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from typing import Any

Record = dict[str, Any]
KeyFunc = Callable[[Record], Any]


def _time_key(name: str) -> KeyFunc:
    return lambda record: record[name].timestamp()


def _text_key(name: str) -> KeyFunc:
    # None sorts first (as SQL's NULLS FIRST for ascending order).
    return lambda record: record.get(name) or ""


INDEX_KEYS: dict[str, KeyFunc] = {
    "id": lambda record: record["id"],
    "update_time": _time_key("update_time"),
    "add_time": _time_key("add_time"),
    "due_date": _text_key("due_date"),
    "order_nr": lambda record: record.get("order_nr") or 0,
}


class CursorError(ValueError):
    """A cursor that this sandbox did not issue, or one issued for another sort order."""


def encode_cursor(field: str, value: Any, direction: str, record_id: int) -> str:
    payload = {"field": field, "fieldValue": value, "sortDirection": direction, "id": record_id}
    raw = json.dumps(payload, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> dict[str, Any]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        payload = json.loads(base64.urlsafe_b64decode(padded))
    except (binascii.Error, ValueError, UnicodeDecodeError) as error:
        raise CursorError("Invalid cursor") from error
    if not isinstance(payload, dict) or not {"field", "fieldValue", "sortDirection", "id"} <= payload.keys():
        raise CursorError("Invalid cursor")
    return payload


def cursor_value(field: str, record: Record) -> Any:
    """The `fieldValue` a cursor carries: RFC 3339 text for times, the plain value otherwise."""
    value = record.get(field)
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%dT%H:%M:%SZ")
    return value


def _key_from_cursor_value(field: str, value: Any) -> Any:
    if field in ("update_time", "add_time"):
        return datetime.fromisoformat(str(value).replace("Z", "+00:00")).timestamp()
    return value if value is not None else ("" if field == "due_date" else 0)


class Table:
    """One entity's records (persons, deals, ...), indexed for listing."""

    def __init__(self, name: str, sortable: Iterable[str] = ("id", "update_time", "add_time")) -> None:
        self.name = name
        self.rows: dict[int, Record] = {}
        self.next_id = 1
        self._indexes: dict[str, list[tuple[Any, int]]] = {field: [] for field in sortable}

    def __len__(self) -> int:
        return len(self.rows)

    def get(self, record_id: int) -> Record | None:
        return self.rows.get(record_id)

    def new_id(self) -> int:
        record_id = self.next_id
        self.next_id += 1
        return record_id

    def insert(self, record: Record) -> None:
        self.rows[record["id"]] = record
        self.next_id = max(self.next_id, record["id"] + 1)
        for field, index in self._indexes.items():
            insort(index, (INDEX_KEYS[field](record), record["id"]))

    def bulk_insert(self, records: Iterable[Record]) -> None:
        """Seeding path: append everything, sort each index once."""
        for record in records:
            self.rows[record["id"]] = record
            self.next_id = max(self.next_id, record["id"] + 1)
        for field in self._indexes:
            key = INDEX_KEYS[field]
            self._indexes[field] = sorted((key(record), record_id) for record_id, record in self.rows.items())

    def reindex(self, before: Record, after: Record) -> None:
        """Move a record's index entries after a write (`before` is a copy taken before mutating)."""
        for field, index in self._indexes.items():
            key = INDEX_KEYS[field]
            old, new = (key(before), before["id"]), (key(after), after["id"])
            if old != new:
                position = bisect_left(index, old)
                if position < len(index) and index[position] == old:
                    del index[position]
                insort(index, new)

    def iter_sorted(
        self, field: str, direction: str, after: tuple[Any, int] | None = None
    ) -> Iterator[Record]:
        """Records in index order, strictly after the position `after` (a `(key, id)` pair)."""
        index = self._indexes[field]
        rows = self.rows
        if direction == "asc":
            start = 0 if after is None else bisect_right(index, after)
            for position in range(start, len(index)):
                yield rows[index[position][1]]
        else:
            start = len(index) - 1 if after is None else bisect_left(index, after) - 1
            for position in range(start, -1, -1):
                yield rows[index[position][1]]

    def iter_from_key(self, field: str, key: Any) -> Iterator[Record]:
        """Ascending from the first record whose key is >= `key` (used for `updated_since` and recents)."""
        index = self._indexes[field]
        rows = self.rows
        for position in range(bisect_left(index, (key, -1)), len(index)):
            yield rows[index[position][1]]

    def page(
        self,
        *,
        sort_by: str,
        direction: str,
        limit: int,
        cursor: str | None,
        predicate: Callable[[Record], bool],
        candidates: list[int] | None = None,
    ) -> tuple[list[Record], str | None]:
        """One v2 page and the cursor for the next one (None at the end)."""
        after = None
        if cursor:
            payload = decode_cursor(cursor)
            if payload["field"] != sort_by or payload["sortDirection"] != direction:
                raise CursorError("Cursor does not match the requested sort order")
            after = (_key_from_cursor_value(sort_by, payload["fieldValue"]), payload["id"])
        if candidates is not None:
            source = self._iter_candidates(candidates, sort_by, direction, after)
        elif sort_by in self._indexes:
            source = self.iter_sorted(sort_by, direction, after)
        else:
            source = self._iter_candidates(list(self.rows), sort_by, direction, after)
        items: list[Record] = []
        for record in source:
            if predicate(record):
                if len(items) == limit:
                    last = items[-1]
                    return items, encode_cursor(sort_by, cursor_value(sort_by, last), direction, last["id"])
                items.append(record)
        return items, None

    def _iter_candidates(
        self, ids: list[int], sort_by: str, direction: str, after: tuple[Any, int] | None
    ) -> Iterator[Record]:
        # Small explicit sets (`ids=`, small tables, unindexed sorts): sorting them per page is cheap.
        key = INDEX_KEYS.get(sort_by, INDEX_KEYS["id"])
        keyed = sorted(((key(self.rows[i]), i) for i in ids if i in self.rows), reverse=direction == "desc")
        for pair in keyed:
            if after is not None and (pair <= after if direction == "asc" else pair >= after):
                continue
            yield self.rows[pair[1]]
