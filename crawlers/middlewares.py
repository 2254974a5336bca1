"""BackoffRetryMiddleware: retry 429/5xx and network failures, waiting before each retry.

Obeys ``RETRY_ENABLED``, ``RETRY_TIMES``, ``RETRY_HTTP_CODES``, ``RETRY_EXCEPTIONS`` (as
Scrapy's RetryMiddleware, which it replaces) and:

- ``RETRY_BACKOFF_BASE`` — seconds before the first retry, doubled for each further one;
- ``RETRY_BACKOFF_MAX`` — the longest backoff wait;
- ``RETRY_AFTER_MAX`` — the longest ``Retry-After`` honoured (a larger one is capped).

A ``Retry-After`` header (seconds or an HTTP date) replaces the backoff wait. Waiting
delays only the request being retried; stats count ``retry/wait_seconds``.
"""

from __future__ import annotations

import asyncio
import logging
from email.utils import parsedate_to_datetime
from datetime import datetime, timezone

from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.utils.response import response_status_message

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
        if seconds > 0:
            self.crawler.stats.inc_value("retry/wait_seconds", seconds)
            await asyncio.sleep(seconds)
