"""Downloader middlewares: backoff retries, a request budget, conditional requests, robots.txt.

BackoffRetryMiddleware: retry 429/5xx and network failures, waiting before each retry.

Obeys ``RETRY_ENABLED``, ``RETRY_TIMES``, ``RETRY_HTTP_CODES``, ``RETRY_EXCEPTIONS`` (as
Scrapy's RetryMiddleware, which it replaces) and:

- ``RETRY_BACKOFF_BASE`` — seconds before the first retry, doubled for each further one;
- ``RETRY_BACKOFF_MAX`` — the longest backoff wait;
- ``RETRY_AFTER_MAX`` — the longest ``Retry-After`` honoured (a larger one is capped).

A ``Retry-After`` header (seconds or an HTTP date) replaces the backoff wait. Waiting
delays only the request being retried; stats count ``retry/wait_seconds``. A crawl told to
stop (Ctrl-C, SIGTERM, the scheduler's stop or timeout) or closing its spider does not wait
on: the retry is dropped as ``CrawlStopping``, so the crawl closes its landing file at once
instead of holding everything it fetched behind a ten-minute ``Retry-After``.
"""

from __future__ import annotations

import asyncio
import logging
from email.utils import parsedate_to_datetime
from datetime import datetime, timezone

from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.utils.defer import _schedule_coro, maybe_deferred_to_future
from scrapy.utils.httpobj import urlparse_cached
from twisted.internet.defer import Deferred
from scrapy.utils.response import response_status_message

from crawlers.runstatus import BUDGET_CLOSE_REASON, crawl_stopping
from crawlers.state import crawl_state

logger = logging.getLogger(__name__)


def retry_after_seconds(value: bytes | str | None) -> float | None:
    """Seconds to wait from a Retry-After header value, or None if absent or unreadable."""
    if not value:
        return None
    text = value.decode("latin-1") if isinstance(value, bytes) else value
    text = text.strip()
    try:
        return max(0.0, float(text))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, (when - datetime.now(timezone.utc)).total_seconds())


class BackoffRetryMiddleware(RetryMiddleware):
    def __init__(self, settings):
        super().__init__(settings)
        self.backoff_base = settings.getfloat("RETRY_BACKOFF_BASE", 2.0)
        self.backoff_max = settings.getfloat("RETRY_BACKOFF_MAX", 120.0)
        self.retry_after_max = settings.getfloat("RETRY_AFTER_MAX", 600.0)

    def wait_before_retry(self, request, response=None) -> float:
        attempt = request.meta.get("retry_times", 0)
        backoff = min(self.backoff_max, self.backoff_base * (2**attempt))
        if response is not None:
            told = retry_after_seconds(response.headers.get(b"Retry-After"))
            if told is not None:
                return min(told, self.retry_after_max)
        return backoff

    async def process_response(self, request, response):
        if request.meta.get("dont_retry", False) or response.status not in self.retry_http_codes:
            return response
        retry = self._retry(request, response_status_message(response.status))
        if retry is None:
            return response
        await self._wait(self.wait_before_retry(request, response))
        return retry

    async def process_exception(self, request, exception):
        if request.meta.get("dont_retry", False) or not isinstance(exception, self.exceptions_to_retry):
            return None
        retry = self._retry(request, exception)
        if retry is not None:
            await self._wait(self.wait_before_retry(request))
        return retry

    async def _wait(self, seconds: float) -> None:
        """Sleep ``seconds`` in short slices, giving up as soon as the crawl is stopping."""
        if seconds <= 0:
            return
        self.crawler.stats.inc_value("retry/wait_seconds", seconds)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + seconds
        while (left := deadline - loop.time()) > 0:
            if crawl_stopping(self.crawler):
                raise CrawlStopping(f"not retried: the crawl stopped during a {seconds:.0f}s wait before the retry")
            await asyncio.sleep(min(left, WAIT_SLICE_SECONDS))


WAIT_SLICE_SECONDS = 0.5


DISALLOW_ALL = b"User-agent: *\nDisallow: /\n"


class EveryWaiterRobotsTxtMiddleware(RobotsTxtMiddleware):
    """Scrapy's robots.txt middleware, with every request that waits for a host's robots.txt
    judged by it, and a robots.txt answering a server error taken as forbidding everything.

    Scrapy 2.19's hands the parsed file only to the first request that waited for it: the
    waiting is a callback on one Deferred that does not pass its result on, so every later
    waiter gets None, which means "no robots.txt, allowed". A crawl's first burst of requests
    to a host (three job boards or more) was sent whatever robots.txt said. Here each waiter
    gets a Deferred of its own, and the shared one keeps its result.
    """

    async def _parse_robots(self, response, netloc, request):
        # RFC 9309 (2.3.1.4): a robots.txt the server fails to give (5xx, after the retries)
        # means complete disallow; 429 too, as Google reads it (the RFC leaves 4xx allowed).
        # Scrapy parsed the error page, which allowed everything.
        if response.status >= 500 or response.status == 429:
            logger.warning("robots.txt of %s answered HTTP %d after retries: nothing on %s is fetched in this "
                           "crawl, as RFC 9309 asks while a robots.txt cannot be read (5xx) and Google does "
                           "for 429.", netloc, response.status, netloc)
            response = response.replace(body=DISALLOW_ALL)
        await super()._parse_robots(response, netloc, request)

    async def robot_parser(self, request):
        pending = self._parsers.get(urlparse_cached(request).netloc)
        if not isinstance(pending, Deferred):
            return await super().robot_parser(request)
        mine: Deferred = Deferred()

        def hand_on(result):
            mine.callback(result)
            return result

        pending.addCallback(hand_on)
        return await maybe_deferred_to_future(mine)


class CrawlStopping(IgnoreRequest):
    """A retry not sent because the crawl was stopping while it waited."""


class BudgetExhausted(IgnoreRequest):
    """A request not sent because the source's request budget is spent."""


class RequestBudgetMiddleware:
    """Stop a crawl after ``CRAWL_REQUEST_BUDGET`` requests (0, the default: no limit).

    Every request the downloader is asked to send counts: robots.txt, retries and redirects
    included. The request over the budget is not sent; the crawl closes with reason
    ``request_budget``, so its run is ``budget_exhausted``: incomplete, it closes no posting,
    and ``skilltrends crawl SOURCE --resume`` continues with the boards it did not reach.
    Stats: ``skilltrends/budget/used``, ``skilltrends/budget/refused``.
    """

    def __init__(self, crawler, budget: int):
        self.crawler = crawler
        self.budget = budget
        self.used = 0
        self.closing = False

    @classmethod
    def from_crawler(cls, crawler):
        budget = crawler.settings.getint("CRAWL_REQUEST_BUDGET", 0)
        if budget <= 0:
            raise NotConfigured  # no message: off is the quiet default
        return cls(crawler, budget)

    def process_request(self, request):
        if self.used >= self.budget:
            self.crawler.stats.inc_value("skilltrends/budget/refused")
            if not self.closing:
                self.closing = True
                logger.warning(
                    "%s: the request budget (CRAWL_REQUEST_BUDGET=%d) is spent; the crawl stops here, "
                    "incomplete (nothing will be closed). `skilltrends crawl %s --resume` continues it.",
                    self.crawler.spider.name, self.budget, self.crawler.spider.name,
                )
                _schedule_coro(self.crawler.engine.close_spider_async(reason=BUDGET_CLOSE_REASON))
            raise BudgetExhausted(f"request budget of {self.budget} spent")
        self.used += 1
        self.crawler.stats.set_value("skilltrends/budget/used", self.used)
        return None


class ConditionalRequestsMiddleware:
    """Ask for a job board only if it changed since its last complete crawl.

    A request whose meta holds ``conditional_board`` (set by ``JobBoardSpider`` for spiders
    with ``conditional_requests = True``) gets ``If-None-Match`` / ``If-Modified-Since`` from
    the validators (``ETag``, ``Last-Modified``) that the board's last complete crawl received
    at the same URL, as remembered in the crawl state (``crawlers.state``). A server that
    sends no validators never gets conditional requests. The spider treats the 304 answer.
    Enabled by ``CONDITIONAL_REQUESTS_ENABLED``; stats count ``skilltrends/conditional/sent``.
    """

    def __init__(self, crawler):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler):
        if not crawler.settings.getbool("CONDITIONAL_REQUESTS_ENABLED"):
            raise NotConfigured
        return cls(crawler)

    def process_request(self, request):
        board = request.meta.get("conditional_board")
        if board is None or b"If-None-Match" in request.headers or b"If-Modified-Since" in request.headers:
            return None
        state = crawl_state(self.crawler)
        known = state.validators(request.url, board) if state is not None else None
        if known is None:
            return None
        if known.etag:
            request.headers[b"If-None-Match"] = known.etag
        if known.last_modified:
            request.headers[b"If-Modified-Since"] = known.last_modified
        request.meta["validators_sent"] = True
        self.crawler.stats.inc_value("skilltrends/conditional/sent")
        return None
