"""Crawl extensions.

CrawlProgress: a one-line progress display on stderr while a crawl runs. On a terminal the
line is redrawn in place; otherwise a line is written every ``CRAWL_PROGRESS_INTERVAL`` × 10
seconds. Enabled by ``CRAWL_PROGRESS_ENABLED``.

OneLinePerFailure: a failed download is logged once, by the spider, and a robots.txt that
could not be downloaded in one line (see its docstring).
"""

from __future__ import annotations

import logging
import sys
import time

from scrapy import signals
from scrapy.exceptions import NotConfigured
from twisted.internet import task

from crawlers.runstatus import count_errors


def progress_line(spider_name: str, stats: dict, elapsed: float) -> str:
    found = stats.get("skilltrends/threads_found", 0)
    done = stats.get("skilltrends/threads_done", 0)
    pages = f"{done}/{found} threads" if found else f"{stats.get('response_received_count', 0)} responses"
    postings = stats.get("skilltrends/postings_found", stats.get("item_scraped_count", 0))
    return (
        f"{spider_name}: {pages} · {postings:,} postings · "
        f"{count_errors(stats)} errors · {elapsed:,.0f}s"
    )


class CrawlProgress:
    def __init__(self, crawler, interval: float, stream=None):
        self.crawler = crawler
        self.stream = stream or sys.stderr
        self.tty = self.stream.isatty()
        self.interval = interval if self.tty else interval * 10
        self.started = time.monotonic()
        self.loop: task.LoopingCall | None = None

    @classmethod
    def from_crawler(cls, crawler):
        if not crawler.settings.getbool("CRAWL_PROGRESS_ENABLED"):
            raise NotConfigured
        extension = cls(crawler, crawler.settings.getfloat("CRAWL_PROGRESS_INTERVAL", 1.0))
        crawler.signals.connect(extension.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        return extension

    def spider_opened(self, spider):
        self.spider_name = spider.name
        self.loop = task.LoopingCall(self.show)
        self.loop.start(self.interval, now=False)

    def show(self, final: bool = False) -> None:
        line = progress_line(self.spider_name, self.crawler.stats.get_stats(), time.monotonic() - self.started)
        if self.tty:
            self.stream.write("\r\033[K" + line + ("\n" if final else ""))
        else:
            self.stream.write(line + "\n")
        self.stream.flush()

    def spider_closed(self, spider, reason):
        if self.loop and self.loop.running:
            self.loop.stop()
        self.show(final=True)


# Scrapy's download handler warns about these itself; the spider's errback already logs one
# line naming the board and the failure, so the handler's duplicate is dropped.
DUPLICATE_DOWNLOAD_WARNINGS = ("Expected to receive", "Received ", "Got data loss")
DOWNLOAD_HANDLER_LOGGER = "scrapy.core.downloader.handlers.http11"
# And the decompression middleware about a body that grew past DOWNLOAD_MAXSIZE (a gzip bomb).
DECOMPRESSION_LOGGER = "scrapy.downloadermiddlewares.httpcompression"


class DuplicateWarningFilter:
    def __init__(self, *starts: str):
        self.starts = starts

    def filter(self, record) -> bool:
        return not (record.levelno == logging.WARNING and str(record.msg).startswith(self.starts))


ROBOTS_LOGGER = "scrapy.downloadermiddlewares.robotstxt"


class RobotsFailureFilter:
    """Scrapy logs a robots.txt it could not download with a traceback, then lets the requests
    go ahead (as if robots.txt allowed them), and they fail or succeed on their own: one
    warning line says so instead."""

    def filter(self, record) -> bool:
        if record.levelno >= logging.ERROR and str(record.msg).startswith("Error downloading"):
            record.msg = ("robots.txt could not be fetched before %(request)s (%(f_exception)s); "
                          "the requests to that host go ahead as Scrapy allows.")
            record.levelno, record.levelname = logging.WARNING, "WARNING"
            record.exc_info = record.exc_text = None
        return True


class OneLinePerFailure:
    """Keep a failed download to the one line its spider logs (``ONE_LINE_PER_FAILURE_ENABLED``).

    Drops Scrapy's warnings about oversized bodies (also once decompressed) and data loss, which
    repeat what the spider's errback says (``body_too_large``, ``truncated_response``), and
    turns a robots.txt that could not be downloaded into one line (``RobotsFailureFilter``).
    """

    filters = {DOWNLOAD_HANDLER_LOGGER: DuplicateWarningFilter(*DUPLICATE_DOWNLOAD_WARNINGS),
               DECOMPRESSION_LOGGER: DuplicateWarningFilter("Ignored response"),
               ROBOTS_LOGGER: RobotsFailureFilter()}

    @classmethod
    def from_crawler(cls, crawler):
        if not crawler.settings.getbool("ONE_LINE_PER_FAILURE_ENABLED"):
            raise NotConfigured
        for name, log_filter in cls.filters.items():
            logger = logging.getLogger(name)
            if log_filter not in logger.filters:
                logger.addFilter(log_filter)
        return cls()
