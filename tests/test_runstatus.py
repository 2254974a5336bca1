"""crawlers.runstatus: how many errors a run had, from Scrapy's stats."""

from __future__ import annotations

from crawlers.runstatus import count_errors


def test_a_callback_exception_counts_once():
    # Scrapy counts each callback exception twice: in total and by its class.
    stats = {"spider_exceptions/count": 3, "spider_exceptions/TypeError": 2, "spider_exceptions/KeyError": 1,
             "skilltrends/errors/http_500": 4, "skilltrends/postings/new": 50, "downloader/request_count": 9}
    assert count_errors(stats) == 3 + 4
