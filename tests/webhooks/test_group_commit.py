"""Group commit: callers waiting at once share one write; each gets its own result or the batch's error."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Sequence

import pytest

from pipedrive_etl.webhooks.group_commit import GroupCommitter


class SlowWriter:
    """Holds its first batch until released, so the next callers pile up behind it."""

    def __init__(self) -> None:
        self.batches: list[list[int]] = []
        self.writing = threading.Event()
        self.release = threading.Event()

    def __call__(self, rows: Sequence[int]) -> list[int]:
        if not self.batches:
            self.writing.set()
            self.release.wait(5)
        self.batches.append(list(rows))
        return [row * 10 for row in rows]


def test_callers_waiting_during_a_commit_share_the_next_one() -> None:
    writer = SlowWriter()
    committer = GroupCommitter(writer)
    results: dict[int, int] = {}

    def call(n: int) -> None:
        results[n] = committer.submit(n, timeout=5)

    threads = [threading.Thread(target=call, args=(0,))]
    threads[0].start()
    assert writer.writing.wait(5)  # row 0 is being written
    threads += [threading.Thread(target=call, args=(n,)) for n in range(1, 6)]
    for thread in threads[1:]:
        thread.start()
    deadline = time.monotonic() + 5
    while committer._queue.qsize() < 5 and time.monotonic() < deadline:
        time.sleep(0.001)
    writer.release.set()
    for thread in threads:
        thread.join(5)
    committer.close()
    assert writer.batches == [[0], [1, 2, 3, 4, 5]]
    assert results == {n: n * 10 for n in range(6)}


def test_a_failed_write_raises_in_every_caller_of_its_batch() -> None:
    def fail(rows: Sequence[int]) -> list[int]:
        raise RuntimeError("disk full")

    committer = GroupCommitter(fail)
    with pytest.raises(RuntimeError, match="disk full"):
        committer.submit(1, timeout=5)
    committer.close()


def test_an_event_loop_caller_awaits_the_commit() -> None:
    committer = GroupCommitter(lambda rows: [row + 1 for row in rows])
    assert asyncio.run(committer.submit_async(41, timeout=5)) == 42
    committer.close()


def test_a_commit_slower_than_the_timeout_raises_timeout_error() -> None:
    writer = SlowWriter()  # never released
    committer = GroupCommitter(writer)
    with pytest.raises(TimeoutError):
        committer.submit(1, timeout=0.05)
    writer.release.set()
    committer.close()


def test_event_loop_callers_of_one_batch_are_woken_with_one_call_per_batch() -> None:
    writer = SlowWriter()
    committer = GroupCommitter(writer)

    async def burst() -> tuple[list[int], int]:
        loop = asyncio.get_running_loop()
        wakeups = 0
        call_soon_threadsafe = loop.call_soon_threadsafe

        def counted(*args, **kwargs):
            nonlocal wakeups
            wakeups += 1
            return call_soon_threadsafe(*args, **kwargs)

        loop.call_soon_threadsafe = counted  # type: ignore[method-assign]
        first = asyncio.ensure_future(committer.submit_async(0, timeout=5))
        while not writer.writing.is_set():  # row 0 is being written; the others queue behind it
            await asyncio.sleep(0.001)
        rest = [asyncio.ensure_future(committer.submit_async(n, timeout=5)) for n in range(1, 6)]
        while committer._queue.qsize() < 5:
            await asyncio.sleep(0.001)
        writer.release.set()
        results = await asyncio.gather(first, *rest)
        return results, wakeups

    results, wakeups = asyncio.run(burst())
    committer.close()
    assert writer.batches == [[0], [1, 2, 3, 4, 5]]
    assert (results, wakeups) == ([0, 10, 20, 30, 40, 50], 2)


def test_an_event_loop_caller_gets_the_batchs_error() -> None:
    def fail(rows: Sequence[int]) -> list[int]:
        raise RuntimeError("disk full")

    committer = GroupCommitter(fail)
    with pytest.raises(RuntimeError, match="disk full"):
        asyncio.run(committer.submit_async(1, timeout=5))
    committer.close()


def test_an_event_loop_caller_that_timed_out_is_skipped_and_the_writer_goes_on() -> None:
    writer = SlowWriter()
    committer = GroupCommitter(writer)

    async def impatient_then_patient() -> int:
        with pytest.raises(TimeoutError):
            await committer.submit_async(1, timeout=0.05)
        writer.release.set()  # the late commit settles a future nobody waits for any more
        return await committer.submit_async(2, timeout=5)

    assert asyncio.run(impatient_then_patient()) == 20
    committer.close()
    assert writer.batches == [[1], [2]]


def test_on_stop_runs_on_the_writer_thread_after_its_last_batch() -> None:
    seen: list[tuple[str, str]] = []

    def write(rows: Sequence[str]) -> list[str]:
        seen.extend(("write", row) for row in rows)
        return list(rows)

    committer = GroupCommitter(write, name="the-writer",
                               on_stop=lambda: seen.append(("stop", threading.current_thread().name)))
    committer.submit("a", timeout=5)
    committer.close()
    assert seen == [("write", "a"), ("stop", "the-writer")]
