"""crawlers.middlewares: backoff and Retry-After, on hand-made requests and responses."""

from __future__ import annotations

from email.utils import format_datetime
from datetime import datetime, timedelta, timezone

import pytest
from scrapy.http import Request, Response
from scrapy.utils.test import get_crawler

from crawlers.middlewares import BackoffRetryMiddleware, retry_after_seconds


@pytest.fixture
def middleware():
    crawler = get_crawler(settings_dict={"RETRY_BACKOFF_BASE": 2.0, "RETRY_BACKOFF_MAX": 10.0,
                                         "RETRY_AFTER_MAX": 60.0})
    return BackoffRetryMiddleware.from_crawler(crawler)


def test_retry_after_in_seconds_and_as_a_date():
    assert retry_after_seconds(b"7") == 7
    later = datetime.now(timezone.utc) + timedelta(seconds=30)
    assert 28 <= retry_after_seconds(format_datetime(later, usegmt=True)) <= 30
    assert retry_after_seconds(b"soon") is None
    assert retry_after_seconds(None) is None
    assert retry_after_seconds(b"-5") == 0


def test_backoff_doubles_up_to_the_cap(middleware):
    waits = [middleware.wait_before_retry(Request("http://x/", meta={"retry_times": n})) for n in range(6)]
    assert waits == [2, 4, 8, 10, 10, 10]


def test_retry_after_replaces_backoff_and_is_capped(middleware):
    request = Request("http://x/")
    told = Response("http://x/", status=429, headers={"Retry-After": "5"})
    assert middleware.wait_before_retry(request, told) == 5
    too_long = Response("http://x/", status=429, headers={"Retry-After": "3600"})
    assert middleware.wait_before_retry(request, too_long) == 60
