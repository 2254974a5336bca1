"""LandingPipeline: every item of a crawl run into that run's landing DuckDB file, in batches."""

from __future__ import annotations

import logging

from scrapy import signals
from scrapy.exceptions import NotConfigured

from crawlers.items import PostingItem
from crawlers.landing import LandingWriter, new_run_id
from crawlers.runstatus import count_errors, run_status
from skilltrends.home import Home

logger = logging.getLogger(__name__)


class LandingPipeline:
    """Buffers items and commits every ``LANDING_BATCH_SIZE``; records the run on close.

    Settings: ``SKILLTRENDS_HOME`` (where ``landing/`` lives), ``LANDING_BATCH_SIZE``.
    """

    def __init__(self, home: Home, batch_size: int, crawler):
        self.home = home
        self.batch_size = batch_size
        self.crawler = crawler
        self.buffer: list[PostingItem] = []
        self.writer: LandingWriter | None = None

    @classmethod
    def from_crawler(cls, crawler):
        home = crawler.settings.get("SKILLTRENDS_HOME")
        if not home:
            raise NotConfigured("LandingPipeline needs the SKILLTRENDS_HOME setting")
        pipeline = cls(Home.resolve(home), crawler.settings.getint("LANDING_BATCH_SIZE", 500), crawler)
        crawler.signals.connect(pipeline.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(pipeline.spider_closed, signal=signals.spider_closed)
        return pipeline

    def spider_opened(self, spider):
        run_id = new_run_id()
        path = self.home.landing_file(spider.name, run_id)
        self.writer = LandingWriter(path, run_id, spider.name)
        self.crawler.stats.set_value("skilltrends/run_id", run_id)
        self.crawler.stats.set_value("skilltrends/landing_file", str(path))
        logger.info("Crawl run %s writes to %s", run_id, path)

    def process_item(self, item):
        self.buffer.append(item)
        if len(self.buffer) >= self.batch_size:
            self.flush()
        return item

    def flush(self) -> None:
        if self.writer and self.buffer:
            stored = self.writer.write(self.buffer)
            self.crawler.stats.inc_value("skilltrends/postings_stored", stored)
            self.buffer = []

    def spider_closed(self, spider, reason):
        self.flush()
        stats = self.crawler.stats.get_stats()
        errors = count_errors(stats)
        status = run_status(reason, errors)
        self.writer.close(status, errors, stats)
        logger.info(
            "Crawl run %s %s: %d postings stored, %d errors",
            self.writer.run_id, status, self.writer.items, errors,
        )
