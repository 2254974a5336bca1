"""Pause Python's cyclic garbage collector while a batch of small objects is built.

Tagging a batch of postings (or generating the demo's) allocates hundreds of thousands of
small tuples and lists that live until the batch ends; each allocation burst triggers
collections that walk every live object, the loaded models and taxonomy included. Measured on the extract benchmark: a fifth of the
skills path. Reference counting still frees everything at once, and the batch code makes
no reference cycles, so pausing costs no memory; collection resumes when the batch ends
(in ``PostingExtractor.extract_stream``, when the last batch in either thread ends).
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_pauses = 0  # blocks inside a pause now, in any thread
_resume = False  # whether the collector was on when the first of them began


@contextmanager
def gc_paused() -> Iterator[None]:
    """Disable the cyclic collector inside the block. Re-entrant and shared between threads:
    the collector resumes (if it was on) when the last paused block, in whichever thread,
    ends, so one thread's batch cannot switch it back on under another's."""
    global _pauses, _resume
    with _lock:
        if _pauses == 0:
            _resume = gc.isenabled()
            gc.disable()
        _pauses += 1
    try:
        yield
    finally:
        with _lock:
            _pauses -= 1
            if _pauses == 0 and _resume:
                gc.enable()
