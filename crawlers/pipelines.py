"""LandingPipeline: every item of a crawl run into that run's landing DuckDB file, in batches.

Postings new to the crawl state or changed since their last stored version are stored in
full; unchanged ones only as a ``seen`` row (``crawlers.landing``). Each ``BoardResult`` is
stored after the postings of its board, in order, so a board recorded as crawled always has
all its postings committed. At the end of the run the crawl state (``crawlers.state``) is
updated from the landing file, never from memory.
"""

from __future__ import annotations

import logging
import time
from dataclasses import replace

import duckdb
import pyarrow as pa
from scrapy import signals
from scrapy.exceptions import NotConfigured
from twisted.internet import task

from crawlers.items import BoardResult, PostingItem, record_hash
from crawlers.landing import LandingWriter, new_run_id, seen_row
from crawlers.runstatus import (
    ELIGIBLE_STATUSES, ERROR_STAT_PREFIX, LANDING_NOT_CLOSED, count_errors, crawl_stopping, run_status, run_summary,
)
from crawlers.state import crawl_state
from skilltrends.errors import first_line
from skilltrends.home import Home

logger = logging.getLogger(__name__)
GENERATED_STAT = "skilltrends/generated"  # the run crawled generated data (setting GENERATED_DATA)
FLUSH_CHECK_SECONDS = 0.5


def planned_boards(spider) -> list[str] | None:
    """The board tokens a job-board spider was asked to crawl; None for other spiders."""
    if not getattr(spider, "takes_boards", False):
        return None
    return [board.token for board in getattr(spider, "boards_to_crawl", [])]


class LandingPipeline:
    """Buffers items and commits every ``LANDING_BATCH_SIZE``, at the end of every board,
    when an item has waited ``LANDING_FLUSH_SECONDS``, and as soon as the crawl is stopping;
    records the run on close.

    Settings: ``SKILLTRENDS_HOME`` (where ``landing/`` lives), ``LANDING_BATCH_SIZE``,
    ``LANDING_FLUSH_SECONDS``, ``CRAWL_STATE_ENABLED`` (store only new or changed postings;
    remember boards), ``CRAWL_RESUME`` (continue the source's unfinished crawl job).
    """

    def __init__(self, home: Home, batch_size: int, crawler, max_wait: float = 10.0):
        self.home = home
        self.batch_size = batch_size
        self.max_wait = max_wait
        self.waiting_since: float | None = None  # when the oldest uncommitted item came
        self.flusher: task.LoopingCall | None = None
        self.crawler = crawler
        self.state = crawl_state(crawler)
        self.items: list[PostingItem] = []
        self.seen: list[dict] = []
        self.boards: list[BoardResult] = []
        self.writer: LandingWriter | None = None
        self.job = None
        self.closed_postings = 0
        self.unwritten_boards: set[str] = set()  # boards with postings or sightings lost in a failed write

    @classmethod
    def from_crawler(cls, crawler):
        home = crawler.settings.get("SKILLTRENDS_HOME")
        if not home:
            raise NotConfigured("LandingPipeline needs the SKILLTRENDS_HOME setting")
        pipeline = cls(Home.resolve(home), crawler.settings.getint("LANDING_BATCH_SIZE", 500), crawler,
                       crawler.settings.getfloat("LANDING_FLUSH_SECONDS", 10.0))
        crawler.signals.connect(pipeline.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(pipeline.spider_closed, signal=signals.spider_closed)
        return pipeline

    def spider_opened(self, spider):
        run_id = new_run_id()
        if self.state is not None:
            self.job = self.state.job(planned_boards(spider), self.crawler.settings.getbool("CRAWL_RESUME"))
        job_id = self.job.job_id if self.job else None
        path = self.home.landing_file(spider.name, run_id)
        generated = {GENERATED_STAT: 1} if self.crawler.settings.getbool("GENERATED_DATA") else None
        self.writer = LandingWriter(path, run_id, spider.name, job_id, stats=generated)
        stats = self.crawler.stats
        if generated:
            stats.set_value(GENERATED_STAT, 1)
        stats.set_value("skilltrends/run_id", run_id)
        stats.set_value("skilltrends/landing_file", str(path))
        if job_id:
            stats.set_value("skilltrends/job_id", job_id)
            stats.set_value("skilltrends/resumed", self.job.resumed)
        for change in ("new", "changed", "unchanged"):
            stats.set_value(f"skilltrends/postings/{change}", 0)
        logger.info("Crawl run %s writes to %s", run_id, path)
        self.flusher = task.LoopingCall(self._flush_if_due)
        self.flusher.start(FLUSH_CHECK_SECONDS, now=False)

    def _flush_if_due(self) -> None:
        """Commit what waits once the crawl is stopping, or once its oldest item has waited
        ``max_wait``: a stop waits for the requests in progress (a minute and more with a
        long DOWNLOAD_DELAY), and the scheduler SIGKILLs a job that has not ended a minute
        after its stop, so a kill loses at most what came after the stop or ``max_wait``."""
        if self.waiting_since is not None and (crawl_stopping(self.crawler)
                                               or time.monotonic() - self.waiting_since >= self.max_wait):
            try:
                self.flush()
            except Exception:  # noqa: BLE001 - an escaped error would stop the timer for the rest of the crawl
                logger.exception("A timed commit to %s failed; the crawl goes on.", self.writer.path)

    def process_item(self, item):
        if isinstance(item, PostingItem):
            self._posting(item)
        elif isinstance(item, BoardResult):
            self._board(item)
        if self.waiting_since is None and (self.items or self.seen or self.boards):
            self.waiting_since = time.monotonic()
        # A board's end is committed at once: a crawl killed later keeps that board whole,
        # and --resume does not ask for it again.
        if (isinstance(item, BoardResult) or len(self.items) >= self.batch_size
                or len(self.seen) >= 10 * self.batch_size):
            self.flush()
        return item

    def _posting(self, item: PostingItem) -> None:
        if item.record_hash is None:
            item.record_hash = record_hash(item)
        known = self.state.hashes.get(item.source_id) if self.state is not None else None
        change = "new" if known is None else ("unchanged" if known == item.record_hash else "changed")
        if change != "unchanged":
            self.items.append(item)
            if self.state is not None:
                self.state.hashes[item.source_id] = item.record_hash  # seen twice in this run: once stored
        self.seen.append(seen_row(item.source, item.source_id, item.board, item.record_hash, item.fetched_at, change))
        self.crawler.stats.inc_value(f"skilltrends/postings/{change}")

    def _board(self, result: BoardResult) -> None:
        if result.complete and result.board in self.unwritten_boards:
            # Its listings whose rows were lost would look unlisted: such a board closes nothing.
            result = replace(result, complete=False, error="landing_write_failed")
        if result.not_modified and self.state is not None:
            # A 304: the board lists what its last complete crawl listed, unchanged.
            for source_id in result.ids:
                self.seen.append(seen_row(result.source, source_id, result.board,
                                          self.state.hashes.get(source_id), result.seen_at, "unchanged"))
            self.crawler.stats.inc_value("skilltrends/postings/unchanged", len(result.ids))
        elif result.complete and self.state is not None and result.board in self.state.boards:
            before = set(self.state.boards[result.board].ids)
            self.closed_postings += len(before - set(result.ids))
        self.boards.append(result)

    def flush(self) -> None:
        if not (self.writer and (self.items or self.seen or self.boards)):
            return
        try:
            stored = self.writer.write(self.items, self.seen, self.boards)
            self.crawler.stats.inc_value("skilltrends/postings_stored", stored)
        except (pa.ArrowException, duckdb.Error, OSError) as exc:
            # The batch is rolled back. Kept, it would fail every later write with it. Its
            # boards' crawls, recorded now or later, are incomplete: none of their postings is
            # closed on this run's account.
            self.unwritten_boards |= {item.board for item in self.items} | {row["board"] for row in self.seen}
            self.crawler.stats.inc_value(f"{ERROR_STAT_PREFIX}landing_write_failed")
            logger.error("%d postings and %d board results could not be written to %s (%s); "
                         "they are lost, the crawl goes on.", len(self.items), len(self.boards),
                         self.writer.path, first_line(exc))
        finally:
            self.items, self.seen, self.boards = [], [], []
            self.waiting_since = None

    def spider_closed(self, spider, reason):
        if self.flusher is not None and self.flusher.running:
            self.flusher.stop()
        self.flush()
        stats = self.crawler.stats
        errors = count_errors(stats.get_stats())
        status = run_status(reason, errors)
        stats.set_value("skilltrends/status", status)
        # Postings the ETL will close: only a run that ended normally closes anything.
        stats.set_value("skilltrends/postings/closed", self.closed_postings if status in ELIGIBLE_STATUSES else 0)
        stats.set_value("skilltrends/postings_stored", stats.get_value("skilltrends/postings_stored", 0))
        summary = run_summary(stats.get_stats())
        for key, value in summary.items():
            stats.set_value(key, value)
        try:
            self.writer.close(status, errors, stats.get_stats())
        except (OSError, duckdb.Error) as exc:  # a full disk at the last checkpoint
            # Left "running", the file loads as a killed run: what it committed is kept, and
            # it closes no posting. The crawl must not pass for one that ended (crawl_failure).
            stats.set_value(LANDING_NOT_CLOSED, f"{self.writer.path}: {first_line(exc)}")
            logger.error("Could not close the landing file %s: %s", self.writer.path, first_line(exc))
            if self.state is not None:
                self.state.close()
            return
        logger.info(
            "Crawl run %s %s: %d postings stored, %d errors",
            self.writer.run_id, status, self.writer.items, errors,
        )
        if self.state is not None:
            try:
                self.state.sync_landing_file(self.writer.path)
                if self.job and self.job.job_id and reason == "finished":
                    self.state.end_job(self.job.job_id)
            finally:
                self.state.close()
