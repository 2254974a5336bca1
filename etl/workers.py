"""Tagging spread over worker processes: the same extraction, on more of the machine's cores.

One Python process tags 1,600-2,200 postings a second with responsibilities on this
project's 2-core machine (it varies with the machine's load; docs/benchmarks.md).
Re-tagging a history of postings after a taxonomy change, or ``skilltrends extract`` over a
large file, can use every core instead. ``ExtractionWorkers`` sends batches to ``workers``
processes, each with its own ``PostingExtractor``, and gives the results back in the order
the batches came, so the output is the same as with one process (tested). Workers take a few
seconds to start (each loads the models), so they pay off for large inputs only. They are
spawned, not forked: a forked child can inherit Polars' thread pool in a locked state. With
``workers=1`` everything runs in this process, in two threads
(``PostingExtractor.extract_stream``).
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import signal
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from etl.extraction import Extraction, PostingExtractor, require_models
from etl.taxonomy import load_taxonomy
from skilltrends.errors import UserError
from skilltrends.parent_watch import exit_when_orphaned

logger = logging.getLogger(__name__)

# (anything the caller wants back with the results, texts, titles or None)
Batch = tuple[Any, list[str], "list[str | None] | None"]

_worker_extractor: PostingExtractor | None = None


class WorkerDied(UserError):
    pass


def _start_worker(parent: int) -> None:
    global _worker_extractor
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle: it stops the pool
    exit_when_orphaned(parent)
    _worker_extractor = PostingExtractor()


def _extract_in_worker(texts: list[str], titles: list[str | None] | None,
                       with_responsibilities: bool) -> list[Extraction]:
    return _worker_extractor.extract(texts, with_responsibilities=with_responsibilities, titles=titles)


class ExtractionWorkers:
    """``map`` tags batches in ``workers`` processes (or in this one when ``workers`` is 1),
    keeping at most two batches per worker in flight, so memory stays bounded however long
    the input. Nothing is loaded or started before it is needed: a run with nothing to tag
    loads no model and starts no process."""

    def __init__(self, workers: int = 1, with_responsibilities: bool = True):
        if workers < 1:
            raise UserError(f"--workers must be 1 or more, not {workers}.")
        cores = os.cpu_count() or 1
        if workers > cores:
            # Each worker holds its own copy of the models: more workers than cores would
            # only take turns, and a typo such as --workers 100 would need some 20 GB.
            logger.warning("--workers %d is more than this machine's %d cores: tagging in %d processes.",
                           workers, cores, cores)
            workers = cores
        self.workers = workers
        self.with_responsibilities = with_responsibilities
        self._pool: ProcessPoolExecutor | None = None
        self._extractor: PostingExtractor | None = None
        self._taxonomy_version: str | None = None

    def __enter__(self) -> ExtractionWorkers:
        return self

    def __exit__(self, *exc_info) -> None:
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)
            self._pool = None

    @property
    def extractor(self) -> PostingExtractor:
        """This process's extractor (with one worker, the one that tags)."""
        if self._extractor is None:
            self._extractor = PostingExtractor()
        return self._extractor

    @extractor.setter
    def extractor(self, extractor) -> None:
        self._extractor = extractor

    @property
    def taxonomy_version(self) -> str:
        """The version the tags are made with; several workers read it from the taxonomy file
        instead of loading a whole extractor in this process only for it."""
        if self._taxonomy_version is None:
            self._taxonomy_version = (self.extractor.taxonomy_version if self.workers == 1 or self._extractor
                                      else load_taxonomy().version)
        return self._taxonomy_version

    def map(self, batches: Iterable[Batch]) -> Iterator[tuple[Any, list[Extraction]]]:
        """``(context, results)`` for each ``(context, texts, titles)`` of ``batches``, in order."""
        if self.workers == 1:
            yield from self._map_in_this_process(batches)
            return
        try:
            yield from self._map_in_workers(batches)
        except BrokenProcessPool:
            raise WorkerDied("A tagging worker process stopped before finishing its batch (killed, out of memory, "
                             "or unable to start: its own error, if any, is printed above), so the run stopped "
                             "without writing that batch; run it again, or with --workers 1.") from None

    def _map_in_this_process(self, batches: Iterable[Batch]) -> Iterator[tuple[Any, list[Extraction]]]:
        contexts: deque[Any] = deque()

        def texts_and_titles():
            for context, texts, titles in batches:
                contexts.append(context)
                yield texts, titles

        for results in self.extractor.extract_stream(texts_and_titles(), self.with_responsibilities):
            yield contexts.popleft(), results

    def _map_in_workers(self, batches: Iterable[Batch]) -> Iterator[tuple[Any, list[Extraction]]]:
        in_flight: deque[tuple[Any, Future]] = deque()
        for context, texts, titles in batches:
            in_flight.append((context, self._started().submit(
                _extract_in_worker, texts, titles, self.with_responsibilities)))
            if len(in_flight) >= 2 * self.workers:
                context, future = in_flight.popleft()
                yield context, future.result()
        while in_flight:
            context, future = in_flight.popleft()
            yield context, future.result()

    def _started(self) -> ProcessPoolExecutor:
        if self._pool is None:
            require_models()  # a missing model is one clear error here, not one per worker
            self._pool = ProcessPoolExecutor(self.workers, mp_context=multiprocessing.get_context("spawn"),
                                             initializer=_start_worker, initargs=(os.getpid(),))
        return self._pool
