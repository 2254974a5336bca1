"""What every skilltrends spider shares: its base URL, month bounds, and failure accounting."""

from __future__ import annotations

import json
import os
import re
from datetime import date

import scrapy
from scrapy.exceptions import IgnoreRequest
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.internet.error import DNSLookupError, TCPTimedOutError, TimeoutError as TwistedTimeout

from crawlers.runstatus import ERROR_STAT_PREFIX
from skilltrends.errors import UserError

MONTH_PATTERN = re.compile(r"^(\d{4})-(\d{2})$")


class BadArgument(UserError):
    """A spider argument a user gave is not usable; the message says which and why."""


def parse_month(value: str | None, name: str) -> date | None:
    """``YYYY-MM`` → the first day of that month."""
    if value in (None, ""):
        return None
    match = MONTH_PATTERN.match(value.strip())
    if not match or not 1 <= int(match.group(2)) <= 12:
        raise BadArgument(f"--{name} must be a month written YYYY-MM (for example 2023-01), not {value!r}.")
    return date(int(match.group(1)), int(match.group(2)), 1)


class SourceSpider(scrapy.Spider):
    """Base for source spiders: ``base_url_env``/``default_base_url`` name where the API is."""

    base_url_env: str = ""
    default_base_url: str = ""
    takes_boards: bool = False  # job-board spiders (``JobBoardSpider``) take ``board``/``boards``

    def __init__(self, *args, since: str | None = None, until: str | None = None, **kwargs):
        if not self.takes_boards and ({"board", "boards"} & kwargs.keys()):
            raise BadArgument(
                f"{self.name} has no boards: --board applies to job-board sources "
                "(greenhouse, lever, ashby); crawl them separately."
            )
        super().__init__(*args, **kwargs)
        self.since = parse_month(since, "since")
        self.until = parse_month(until, "until")
        if self.since and self.until and self.since > self.until:
            raise BadArgument(f"--since {since} is after --until {until}.")
        self.base_url = os.environ.get(self.base_url_env, self.default_base_url).rstrip("/")

    def month_wanted(self, month: date) -> bool:
        return (self.since is None or month >= self.since) and (self.until is None or month <= self.until)

    def count(self, key: str, by: int = 1) -> None:
        self.crawler.stats.inc_value(f"skilltrends/{key}", by)

    def record_error(self, kind: str, message: str) -> None:
        """One clear log line and one count per failure; the crawl goes on."""
        self.crawler.stats.inc_value(f"{ERROR_STAT_PREFIX}{kind}")
        self.logger.error(message)

    def load_json(self, response, what: str):
        """The body as JSON, or None after recording why it is not (the crawl goes on)."""
        try:
            return json.loads(response.body)
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            kind = "html_instead_of_json" if response.body.lstrip()[:1] == b"<" else "malformed_json"
            self.record_error(
                kind,
                f"{what} at {response.url} is not valid JSON ({exc.__class__.__name__}: {exc}); skipped.",
            )
            return None

    def on_request_failed(self, failure):
        """Errback for every request: name the failure in one line and count it by kind."""
        request = failure.request
        if failure.check(HttpError):
            status = failure.value.response.status
            self.record_error(f"http_{status}", f"{request.url} answered HTTP {status} after retries; skipped.")
        elif failure.check(TwistedTimeout, TCPTimedOutError):
            self.record_error("timeout", f"{request.url} timed out after retries; skipped.")
        elif failure.check(DNSLookupError):
            self.record_error("dns", f"{request.url}: host name could not be resolved; skipped.")
        elif failure.check(IgnoreRequest):
            self.count("ignored_requests")
            self.logger.warning("%s was not fetched: %s", request.url, failure.value)
        else:
            kind = failure.type.__name__ if failure.type else "unknown"
            self.record_error(kind.lower(), f"{request.url} failed: {kind}: {failure.getErrorMessage()}; skipped.")
