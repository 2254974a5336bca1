"""Process-wide interpreter settings held while batches are tagged.

- ``gc_paused``: the cyclic garbage collector off. Tagging a batch of postings (or
  generating the demo's) allocates hundreds of thousands of small tuples and lists that
  live until the batch ends; each allocation burst triggers collections that walk every
  live object, the loaded models and taxonomy included. Measured on the extract benchmark:
  a fifth of the skills path. Reference counting still frees everything at once, and the
  batch code makes no reference cycles, so pausing costs no memory.
- ``quick_thread_switches``: a short GIL switch interval while
  ``PostingExtractor.extract_stream`` runs its two threads. The models' thread makes many
  short calls into Polars and SciPy that release the GIL; after each it must take the GIL
  back from the reading thread, which runs Python and by default keeps it for up to 5 ms.
  Those waits, not the work, made the two threads' stages nearly add up.

Both are shared between threads and re-entrant: the setting is restored when the last
holder, in whichever thread, lets go, so one thread's batch cannot undo it under another's.
It is restored to what it was when the first holder began: a change that other code makes
meanwhile is undone then.
"""

from __future__ import annotations

import gc
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Any

# Measured on the extract benchmark's stream (six interleaved runs of 30,000 postings):
# medians 2,168/s at the default 5 ms, 2,304/s at 1 ms, 2,494/s at 0.5 ms; in a slower
# spell 1,811/s at 5 ms, 2,242/s at 0.5 ms, and 0.2 and 0.1 ms within noise of 0.5.
SWITCH_INTERVAL_SECONDS = 0.0005


class HeldSetting:
    """A setting changed while any holder holds it and restored when the last lets go."""

    def __init__(self, read: Callable[[], Any], change: Callable[[], None], restore: Callable[[Any], None]):
        self._read, self._change, self._restore = read, change, restore
        self._lock = threading.Lock()
        self._holders = 0  # blocks holding it now, in any thread
        self._before: Any = None  # the setting when the first of them began

    @contextmanager
    def held(self) -> Iterator[None]:
        with self._lock:
            if self._holders == 0:
                self._before = self._read()
                self._change()
            self._holders += 1
        try:
            yield
        finally:
            with self._lock:
                self._holders -= 1
                if self._holders == 0:
                    self._restore(self._before)


def _resume_collection(was_on: bool) -> None:
    if was_on:
        gc.enable()


def _lower_switch_interval() -> None:
    sys.setswitchinterval(min(sys.getswitchinterval(), SWITCH_INTERVAL_SECONDS))


def _restore_switch_interval(before: float) -> None:
    # CPython keeps the interval in whole microseconds, truncating: handing back the float
    # it reported (0.0011 reads as 0.0010999...) would lose one. Half a microsecond more
    # lands on the same whole number.
    if sys.getswitchinterval() != before:
        sys.setswitchinterval(before + 5e-7)


_collector_paused = HeldSetting(gc.isenabled, gc.disable, _resume_collection)
_switches_quick = HeldSetting(sys.getswitchinterval, _lower_switch_interval, _restore_switch_interval)


def gc_paused() -> AbstractContextManager[None]:
    """Disable the cyclic collector inside the block (a collector already off stays off)."""
    return _collector_paused.held()


def quick_thread_switches() -> AbstractContextManager[None]:
    """Lower the GIL switch interval to ``SWITCH_INTERVAL_SECONDS`` inside the block (a
    shorter one already set stays)."""
    return _switches_quick.held()
