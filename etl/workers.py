"""Tagging spread over worker processes: the same extraction, on more of the machine's cores.

One Python process tags about 2,000 postings a second with responsibilities on this
project's 2-core machine; re-tagging a history of postings after a taxonomy change, or
``skilltrends extract`` over a large file, can use every core instead. ``ExtractionWorkers``
sends batches to ``workers`` processes, each with its own ``PostingExtractor``, and gives
the results back in the order the batches came, so the output is the same as with one
process (tested). Workers are spawned, not forked: a forked child can inherit Polars'
thread pool in a locked state. With ``workers=1`` everything runs in this process.
"""

from __future__ import annotations

import multiprocessing
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from etl.extraction import Extraction, PostingExtractor
from skilltrends.errors import UserError

# (anything the caller wants back with the results, texts, titles or None)
Batch = tuple[Any, list[str], "list[str | None] | None"]

_worker_extractor: PostingExtractor | None = None


class WorkerDied(UserError):
    pass


def _start_worker() -> None:
    global _worker_extractor
    _worker_extractor = PostingExtractor()


def _tag(texts: list[str], titles: list[str | None] | None, with_responsibilities: bool) -> list[Extraction]:
    return _worker_extractor.extract(texts, with_responsibilities=with_responsibilities, titles=titles)


class ExtractionWorkers:
    """``map`` tags batches in ``workers`` processes (or in this one when ``workers`` is 1),
    keeping at most two batches per worker in flight, so memory stays bounded however long
    the input."""

    def __init__(self, workers: int = 1, with_responsibilities: bool = True):
        if workers < 1:
            raise UserError(f"--workers must be 1 or more, not {workers}.")
        self.workers = workers
        self.with_responsibilities = with_responsibilities
        self._pool: ProcessPoolExecutor | None = None
        self.extractor: PostingExtractor | None = None  # this process's, loaded on entering

    def __enter__(self) -> ExtractionWorkers:
        # Loaded here in any case: a missing or broken model is reported once, by this
        # process, instead of as a worker that died starting. The workers start with the
        # first batch, so a run with nothing to tag starts none.
        self.extractor = PostingExtractor()
        return self

    def __exit__(self, *exc_info) -> None:
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)
            self._pool = None

    def map(self, batches: Iterable[Batch]) -> Iterator[tuple[Any, list[Extraction]]]:
        """``(context, results)`` for each ``(context, texts, titles)`` of ``batches``, in order."""
        if self.workers == 1:
            for context, texts, titles in batches:
                yield context, self.extractor.extract(texts, with_responsibilities=self.with_responsibilities,
                                                      titles=titles)
            return
        in_flight: deque[tuple[Any, Future]] = deque()
        for context, texts, titles in batches:
            if self._pool is None:
                self._pool = ProcessPoolExecutor(self.workers, mp_context=multiprocessing.get_context("spawn"),
                                                 initializer=_start_worker)
            in_flight.append((context, self._pool.submit(_tag, texts, titles, self.with_responsibilities)))
            if len(in_flight) >= 2 * self.workers:
                yield self._result(*in_flight.popleft())
        while in_flight:
            yield self._result(*in_flight.popleft())

    @staticmethod
    def _result(context: Any, future: Future) -> tuple[Any, list[Extraction]]:
        try:
            return context, future.result()
        except BrokenProcessPool:
            raise WorkerDied("A tagging worker process stopped before finishing its batch (killed, or out of "
                             "memory), so the run stopped without writing that batch; run it again, or with "
                             "--workers 1.") from None
