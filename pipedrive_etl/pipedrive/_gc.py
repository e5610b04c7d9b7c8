"""Hold off Python's cycle collector while a page of records is validated.

Validating a 500-record page allocates thousands of dicts, lists and models, and every 700 allocations the
collector walks the young objects again: the page being built and the dicts it is built from, which stay
alive until the page is done. On bench/client_parse.py that walking was about a third of the time. Records
hold no reference cycles (reference counting alone frees them), so collecting once after the page loses
nothing. A pause covers CPU work on one page only, never I/O, so it lasts milliseconds.
"""

from __future__ import annotations

import gc
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_pauses = 0
_was_enabled = False


@contextmanager
def gc_paused() -> Iterator[None]:
    """Disable the cycle collector for the block; nested and concurrent pauses re-enable it once, at the end.

    The collector is switched back on only if it was on when the first pause began, so code that keeps it
    off keeps it off.
    """
    global _pauses, _was_enabled
    with _lock:
        if _pauses == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _pauses += 1
    try:
        yield
    finally:
        with _lock:
            _pauses -= 1
            if _pauses == 0 and _was_enabled:
                gc.enable()


def _after_fork_in_child() -> None:
    # A child forked while another thread was inside a pause would never see that pause end: the thread is
    # not copied. Start the child with no pause, and with the collector as it was before the pause.
    global _lock, _pauses
    _lock = threading.Lock()
    if _pauses and _was_enabled:
        gc.enable()
    _pauses = 0


os.register_at_fork(after_in_child=_after_fork_in_child)
