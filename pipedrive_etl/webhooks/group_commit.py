"""Group commit: many callers' rows written by one thread in one transaction, each told its own outcome.

An acknowledged event must be on disk, and a durable commit costs an fsync (0.5-5 ms on the disks we
measured), so one commit per event caps the receiver at a few hundred events a second. Callers instead hand
their row to the writer thread and wait; the writer takes everything queued (up to `max_batch`), writes it in
one transaction, commits once and wakes each caller with its result or the batch's error. Alone, a caller
waits for one commit; in a burst, for at most the commit in progress and its own.
"""

from __future__ import annotations

import asyncio
import queue
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from typing import Generic, TypeVar

Row = TypeVar("Row")
Result = TypeVar("Result")


class GroupCommitter(Generic[Row, Result]):
    """`submit(row)` (or `await submit_async(row)`) waits until `write_batch` has committed the batch holding
    `row`, and returns its result or raises what the write raised."""

    def __init__(self, write_batch: Callable[[Sequence[Row]], Sequence[Result]], *, max_batch: int = 500,
                 name: str = "group-commit") -> None:
        self._write_batch = write_batch
        self._max_batch = max_batch
        self._name = name
        self._queue: queue.SimpleQueue[tuple[Row, Future[Result]] | None] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def submit(self, row: Row, *, timeout: float) -> Result:
        """Blocks; raises the batch's error, or `TimeoutError` when no commit came within `timeout`."""
        return self._enqueue(row).result(timeout=timeout)

    async def submit_async(self, row: Row, *, timeout: float) -> Result:
        """The same from an event loop, without holding a thread of the pool while the commit runs."""
        return await asyncio.wait_for(asyncio.wrap_future(self._enqueue(row)), timeout)

    def _enqueue(self, row: Row) -> Future[Result]:
        self._ensure_started()
        future: Future[Result] = Future()
        self._queue.put((row, future))
        return future

    def close(self) -> None:
        with self._lock:
            if self._thread is None:
                return
            self._queue.put(None)
            self._thread.join(timeout=30)
            self._thread = None

    def _ensure_started(self) -> None:
        if self._thread is not None:
            return
        with self._lock:
            if self._thread is None:  # started lazily: readers of the inbox never need the thread
                self._thread = threading.Thread(target=self._run, name=self._name, daemon=True)
                self._thread.start()

    def _run(self) -> None:
        stopping = False
        while not stopping:
            first = self._queue.get()
            if first is None:
                return
            batch = [first]
            while len(batch) < self._max_batch:
                try:
                    item = self._queue.get_nowait()
                except queue.Empty:
                    break
                if item is None:
                    stopping = True  # write what was queued before the stop, then end
                    break
                batch.append(item)
            self._commit(batch)

    def _commit(self, batch: list[tuple[Row, Future[Result]]]) -> None:
        try:
            results = self._write_batch([row for row, _ in batch])
        except BaseException as exc:  # noqa: BLE001 - every waiting caller gets the batch's error
            for _, future in batch:
                future.set_exception(exc)
            return
        for (_, future), result in zip(batch, results, strict=True):
            future.set_result(result)
