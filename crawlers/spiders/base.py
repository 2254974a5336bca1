"""What every skilltrends spider shares: its base URL, month bounds, and failure accounting."""

from __future__ import annotations

import json
import os
import re
from datetime import date

import scrapy
from scrapy.exceptions import (
    CannotResolveHostError, DownloadCancelledError, DownloadConnectionRefusedError, DownloadFailedError,
    DownloadTimeoutError, IgnoreRequest, ResponseDataLossError,
)
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.internet.error import (
    ConnectError, ConnectionDone, ConnectionLost, DNSLookupError, TCPTimedOutError,
    TimeoutError as TwistedTimeout,
)
from twisted.web._newclient import ResponseFailed, ResponseNeverReceived

from crawlers.middlewares import BudgetExhausted, CrawlStopping
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
    if not match or not 1 <= int(match.group(2)) <= 12 or int(match.group(1)) < 1:
        raise BadArgument(f"--{name} must be a month written YYYY-MM (for example 2023-01), not {value!r}.")
    return date(int(match.group(1)), int(match.group(2)), 1)


def month_range(since: str | None, until: str | None) -> tuple[date | None, date | None]:
    """``--since``/``--until`` as first days of months, checked (``BadArgument``)."""
    first, last = parse_month(since, "since"), parse_month(until, "until")
    if first and last and first > last:
        raise BadArgument(f"--since {since} is after --until {until}.")
    return first, last


class SourceSpider(scrapy.Spider):
    """Base for source spiders: ``base_url_env``/``default_base_url`` name where the API is."""

    base_url_env: str = ""
    default_base_url: str = ""
    takes_boards: bool = False  # job-board spiders (``JobBoardSpider``) take ``board``/``boards``
    says_skipped_records: bool = True  # ``readable`` logs the records it skipped (job boards: per board)

    def __init__(self, *args, since: str | None = None, until: str | None = None, **kwargs):
        if not self.takes_boards and ({"board", "boards"} & kwargs.keys()):
            raise BadArgument(
                f"{self.name} has no boards: --board applies to job-board sources "
                "(greenhouse, lever, ashby, workable, smartrecruiters, recruitee, jsonld); crawl them separately."
            )
        super().__init__(*args, **kwargs)
        self.since, self.until = month_range(since, until)
        self.base_url = os.environ.get(self.base_url_env, self.default_base_url).rstrip("/")

    def month_wanted(self, month: date) -> bool:
        return (self.since is None or month >= self.since) and (self.until is None or month <= self.until)

    def count(self, key: str, by: int = 1) -> None:
        self.crawler.stats.inc_value(f"skilltrends/{key}", by)

    def record_error(self, kind: str, message: str) -> None:
        """One clear log line and one count per failure; the crawl goes on."""
        self.crawler.stats.inc_value(f"{ERROR_STAT_PREFIX}{kind}")
        self.logger.error(message)

    def readable(self, records, to_item, what: str, counter: str = "jobs_unreadable"):
        """``to_item(record)`` of each record that gives an item (a posting, a request). A
        record whose reading raises (a layout the parser did not foresee) is one
        ``record_unreadable`` error, counted under ``counter``, and the records after it are
        still read. Where ``says_skipped_records``, records ``to_item`` skipped as unreadable
        (counted under ``counter``: no usable id) are one ``unreadable_jobs`` error after the
        list (job boards say so per board instead)."""
        stat, skipped = f"skilltrends/{counter}", 0
        for number, record in enumerate(records if isinstance(records, list) else []):
            # Counted around each call alone: callbacks' generators interleave, so the counter
            # also moves between this generator's steps.
            before = self.crawler.stats.get_value(stat, 0)
            try:
                item = to_item(record)
            except Exception as exc:
                self.count(counter)
                self.record_error("record_unreadable", f"{what}: record {number} cannot be read "
                                  f"({exc.__class__.__name__}: {exc}); skipped, the others are kept.")
                continue
            if item is not None:
                yield item
            elif self.crawler.stats.get_value(stat, 0) > before:
                skipped += 1
        if skipped and self.says_skipped_records:
            self.record_error("unreadable_jobs", f"{what}: {skipped} record(s) without a usable id or layout "
                                                 "skipped; the others are kept.")

    def load_json(self, response, what: str):
        """The body as JSON, or None after recording why it is not (the crawl goes on).

        JSON is UTF-8 (or UTF-16/32 with its byte pattern); a body that is not is read in the
        charset Content-Type names, if any. Anything else is one ``bad_encoding`` error, not a
        guess. A bare ``null`` is one ``unexpected_layout`` error.
        """
        body = response.body
        try:
            text = decode_json_body(body, declared_charset(response))
        except (UnicodeDecodeError, LookupError) as exc:
            kind = "html_instead_of_json" if looks_like_html(body) else "bad_encoding"
            detail = "an HTML page" if kind == "html_instead_of_json" else f"not UTF-8 ({exc.__class__.__name__}: {exc})"
            self.record_error(kind, f"{what} at {response.url} is {detail}, not JSON; skipped.")
            return None
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            if looks_like_html(body):
                self.record_error("html_instead_of_json", f"{what} at {response.url} is an HTML page, not JSON; skipped.")
            else:
                self.record_error(
                    "malformed_json",
                    f"{what} at {response.url} is not valid JSON ({exc.__class__.__name__}: {exc}); skipped.",
                )
            return None
        if data is None:  # no API of ours answers a bare null; callers read None as "said why"
            self.record_error("unexpected_layout", f"{what} at {response.url} is JSON null, no data; skipped.")
        return data

    def on_request_failed(self, failure):
        """Errback for every request: name the failure in one line and count it by kind."""
        request = failure.request
        if failure.check(BudgetExhausted):
            self.count("budget_dropped_requests")  # the budget middleware said it once
            return
        if failure.check(CrawlStopping):
            self.count("stopped_requests")  # the crawl's own stop, said in its summary
            return
        kind, why = failure_kind(failure)
        if kind is None:
            self.count("ignored_requests")
            self.logger.warning("%s was not fetched: %s", request.url, failure.value)
            return
        self.record_error(kind, f"{request.url} {why}; skipped.")


def failure_kind(failure) -> tuple[str | None, str]:
    """The error kind of a failed request and a few words on it, e.g. ``("timeout", "timed out...")``."""
    value = failure.value
    if failure.check(HttpError):
        status = value.response.status
        return f"http_{status}", f"answered HTTP {status} after retries"
    if failure.check(DownloadTimeoutError, TwistedTimeout, TCPTimedOutError):
        return "timeout", "timed out after retries"
    if failure.check(CannotResolveHostError, DNSLookupError):
        return "dns", "host name could not be resolved"
    if failure.check(DownloadConnectionRefusedError, ConnectError):
        return "connection_refused", "refused the connection after retries"
    if failure.check(DownloadCancelledError):
        limit = re.search(r"max size \((\d+)\)", str(value))
        size = f" ({int(limit.group(1)):,} bytes)" if limit else ""
        return "body_too_large", f"was not downloaded: its body is larger than DOWNLOAD_MAXSIZE{size}"
    if failure.check(ResponseDataLossError):
        return "truncated_response", "sent fewer bytes than it announced, after retries"
    if failure.check(ResponseNeverReceived, ConnectionLost, ConnectionDone, ResponseFailed, DownloadFailedError):
        return "connection_lost", "closed or reset the connection before answering, after retries"
    if failure.check(IgnoreRequest):
        message = str(value)
        if "redirections" in message:
            return "redirect_loop", "redirects in a loop (too many redirections)"
        if "robots.txt" in message:
            return "robots_forbidden", "is forbidden by the site's robots.txt"
        if "DOWNLOAD_MAXSIZE" in message:  # a compressed body that grew past it (a gzip bomb)
            limit = re.search(r"DOWNLOAD_MAXSIZE \((\d+) B\)", message)
            size = f" ({int(limit.group(1)):,} bytes)" if limit else ""
            return "body_too_large", f"was not read: decompressed, its body grew larger than DOWNLOAD_MAXSIZE{size}"
        return None, message
    name = failure.type.__name__ if failure.type else "unknown"
    return name.lower(), f"failed: {name}: {failure.getErrorMessage()}"


def declared_charset(response) -> str | None:
    content_type = response.headers.get(b"Content-Type", b"").decode("latin-1").lower()
    for part in content_type.split(";")[1:]:
        name, _, value = part.strip().partition("=")
        if name == "charset" and value.strip().strip('"'):
            return value.strip().strip('"')
    return None


def decode_json_body(body: bytes, charset: str | None) -> str:
    """Strict decoding: the encoding JSON's bytes show (UTF-8, or UTF-16/32 by their byte
    pattern: all RFC 8259 allows), else the declared charset. A body that decodes as UTF-8
    is UTF-8 whatever the header says: servers declare ISO-8859-1 for UTF-8 JSON, or a
    label Python does not know ("utf8mb4")."""
    try:
        return body.decode(json.detect_encoding(body))
    except UnicodeDecodeError:
        if not charset:
            raise
        return body.decode(charset)


def looks_like_html(body: bytes) -> bool:
    return body.lstrip()[:1] == b"<"
