"""Group commit: many callers' rows written by one thread in one transaction, each told its own outcome.

An acknowledged event must be on disk, and a durable commit costs an fsync (0.15 ms on a quiet disk, 3-14 ms
when other processes write), so one commit per event caps the receiver at a few hundred events a second.
Callers instead hand their row to the writer thread and wait; the writer takes everything queued (up to
`max_batch`), writes it in one transaction, commits once and wakes each caller with its result or the batch's
error. Alone, a caller waits for one commit; in a burst, for at most the commit in progress and its own.

Callers on an event loop are woken once per batch and loop (one `call_soon_threadsafe` settling all their
futures), not once each: every wake-up is a write to the loop's self-pipe and one more turn of the loop.
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
# A waiting caller: a thread's Future, or an event loop's future with its loop.
Waiter = Future | tuple[asyncio.AbstractEventLoop, asyncio.Future]


class GroupCommitter(Generic[Row, Result]):
    """`submit(row)` (or `await submit_async(row)`) waits until `write_batch` has committed the batch holding
    `row`, and returns its result or raises what the write raised.

    `on_stop`, if given, runs on the writer thread after its last batch (to close what the writer opened).
    """

    def __init__(self, write_batch: Callable[[Sequence[Row]], Sequence[Result]], *, max_batch: int = 500,
                 name: str = "group-commit", on_stop: Callable[[], None] | None = None) -> None:
        self._write_batch = write_batch
        self._max_batch = max_batch
        self._name = name
        self._on_stop = on_stop
        self._queue: queue.SimpleQueue[tuple[Row, Waiter] | None] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def submit(self, row: Row, *, timeout: float) -> Result:
        """Blocks; raises the batch's error, or `TimeoutError` when no commit came within `timeout`."""
        future: Future[Result] = Future()
        self._enqueue(row, future)
        return future.result(timeout=timeout)

    async def submit_async(self, row: Row, *, timeout: float) -> Result:
        """The same from an event loop, without holding a thread of the pool while the commit runs."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Result] = loop.create_future()
        self._enqueue(row, (loop, future))
        async with asyncio.timeout(timeout):
            return await future

    def _enqueue(self, row: Row, waiter: Waiter) -> None:
        self._ensure_started()
        self._queue.put((row, waiter))

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
        try:
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
        finally:
            if self._on_stop is not None:
                self._on_stop()

    def _commit(self, batch: list[tuple[Row, Waiter]]) -> None:
        try:
            results = self._write_batch([row for row, _ in batch])
            outcomes: list[tuple[Waiter, bool, object]] = [
                (waiter, True, result) for (_, waiter), result in zip(batch, results, strict=True)]
        except BaseException as exc:  # noqa: BLE001 - every waiting caller gets the batch's error
            outcomes = [(waiter, False, exc) for _, waiter in batch]
        by_loop: dict[asyncio.AbstractEventLoop, list[tuple[asyncio.Future, bool, object]]] = {}
        for waiter, ok, value in outcomes:
            if isinstance(waiter, Future):
                if ok:
                    waiter.set_result(value)
                else:
                    waiter.set_exception(value)  # type: ignore[arg-type]
            else:
                loop, future = waiter
                by_loop.setdefault(loop, []).append((future, ok, value))
        for loop, settled in by_loop.items():
            try:
                loop.call_soon_threadsafe(_settle, settled)
            except RuntimeError:  # the loop has closed: nobody is left waiting on it
                pass


def _settle(settled: list[tuple[asyncio.Future, bool, object]]) -> None:
    for future, ok, value in settled:
        if future.done():  # the caller timed out (and answered 503) or was cancelled meanwhile
            continue
        if ok:
            future.set_result(value)
        else:
            future.set_exception(value)  # type: ignore[arg-type]
