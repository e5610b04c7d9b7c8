"""Pagination as generators of whole pages: v2 cursors and v1 offsets (pipedrive-api.md §3.2).

v2 follows `additional_data.next_cursor` until it is null; a page may be empty and still carry a cursor. v1
follows `additional_data.pagination` and stops on `more_items_in_collection == false` (a published example has
`next_start` set with nothing more to read, so `next_start` alone is not trusted).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page: parsed items, the raw JSON objects they came from, and where the next page starts."""

    items: list[T]
    raw: list[dict[str, Any]]
    next_cursor: str | None = None
    next_start: int | None = None
    additional_data: dict[str, Any] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.items)


class PaginationError(RuntimeError):
    """The server handed back a cursor it had already given: following it would loop forever."""


def iter_cursor_pages(fetch: Callable[[str | None], Page[T]], *,
                      cursor: str | None = None) -> Iterator[Page[T]]:
    """Yield pages from `fetch(cursor)` until `next_cursor` is null. Start at `cursor` to resume."""
    seen: set[str] = set()
    while True:
        page = fetch(cursor)
        yield page
        cursor = page.next_cursor
        if not cursor:
            return
        if cursor in seen:
            raise PaginationError(f"cursor {cursor!r} repeated; stopping instead of looping")
        seen.add(cursor)


def iter_offset_pages(fetch: Callable[[int], Page[T]], *, start: int = 0) -> Iterator[Page[T]]:
    """Yield pages from `fetch(start)` until `more_items_in_collection` is false."""
    while True:
        page = fetch(start)
        yield page
        pagination = page.additional_data.get("pagination") or {}
        if not pagination.get("more_items_in_collection"):
            return
        next_start = page.next_start if page.next_start is not None else start + len(page.raw)
        if next_start <= start:
            raise PaginationError(f"offset did not advance past {start}; stopping instead of looping")
        start = next_start


def cursor_of(body: dict[str, Any]) -> str | None:
    return (body.get("additional_data") or {}).get("next_cursor")


def next_start_of(body: dict[str, Any]) -> int | None:
    pagination = (body.get("additional_data") or {}).get("pagination") or {}
    value = pagination.get("next_start")
    return int(value) if isinstance(value, int | str) and str(value).isdigit() else None
