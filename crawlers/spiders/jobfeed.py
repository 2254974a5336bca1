"""What the job-feed spiders share (remotive, arbeitnow, himalayas, remoteok).

A job feed is one public JSON feed of a whole job board (not an applicant tracking system:
there are no per-company boards, so ``--board`` is refused). Like the ATS boards, a feed
lists the jobs open now, not a history: ``--since``/``--until`` do not apply and are
ignored with a warning; ``month`` stays None and the ETL uses the month of ``posted_at``.

Feeds that page are read page by page up to ``<NAME>_MAX_PAGES`` pages (a setting, e.g.
``HIMALAYAS_MAX_PAGES``; each spider names its default), newest first where the feed sorts
that way. A page repeating postings already seen ends the walk
(``skilltrends/errors/pagination_repeats``).

Some feeds attach terms of use to every answer (a "legal notice"): the spider logs it once
and keeps it in the run's stats under ``skilltrends/source_terms``, so whoever publishes
from the landing data can see what the source asks (typically: link back to the posting's
``url`` on that board and name the board as the source).
"""

from __future__ import annotations

import abc
import json
import re
from datetime import datetime
from urllib.parse import urlsplit

import scrapy

from crawlers.items import PostingItem
from crawlers.spiders.base import SourceSpider
from crawlers.spiders.jobboard import amount, utc_from_seconds

# "$40,000 - $50,000", "€60k–€80k", "USD 100 000 to 120 000 per year", "50.000,00 €", "$1.5M",
# "₹10,00,000": digits in groups of three (after ",", ".", a space, a thin or a no-break
# space), or Indian lakh groups of two, or not grouped; up to two decimals after "." or ",";
# then k or M. A space joins only a group of three ("90 000"), not two numbers ("90 000 30
# days"); the number is taken whole or not at all (atomic), and a number of hours, days or
# the like, or a percentage, is no pay.
SALARY_NUMBER = re.compile(
    r"(?<!\d)(?>(\d{1,2}(?:,\d\d)+,\d{3}|\d{1,3}(?:[,.\u00a0\u2009\u202f ]\d{3})+|\d+)(?:[.,](\d{1,2}))?(?!\d))"
    r"\s*(?:([kK])|([mM])(?![a-zA-Z]))?(?!\d)"
    r"(?!\s*(?:(?:hours?|hrs?|days?|weeks?|months?|years?|yrs?)\b|%))"
)
RANGE_JOIN = re.compile(r"\s*(?:[-–—]|to)\s*[$€£¥₹]?\s*", re.IGNORECASE)  # between the ends of "80-100k"
CURRENCY_CODES = ("USD", "EUR", "GBP", "CAD", "AUD", "NZD", "CHF", "SEK", "NOK", "DKK", "PLN", "INR", "JPY",
                  "SGD", "BRL", "MXN", "ZAR", "CZK", "HUF", "RON", "ILS", "HKD")
CURRENCY_SYMBOLS = {"€": "EUR", "£": "GBP", "¥": "JPY", "₹": "INR", "$": "USD"}
PERIOD_WORDS = (
    (re.compile(r"\b(per|an|a|/)\s*(year|yr|annum)\b|\bannual(ly)?\b|\byearly\b|/\s*y(ea)?r\b", re.I), "year"),
    (re.compile(r"\b(per|an|a|/)\s*(hour|hr)\b|\bhourly\b|/\s*h(ou)?r\b", re.I), "hour"),
    (re.compile(r"\b(per|a|/)\s*(month|mo)\b|\bmonthly\b|/\s*mo(nth)?\b", re.I), "month"),
    (re.compile(r"\b(per|a|/)\s*week\b|\bweekly\b", re.I), "week"),
    (re.compile(r"\b(per|a|/)\s*day\b|\bdaily\b", re.I), "day"),
)


def utc_from_epoch(value) -> datetime | None:
    """Seconds or milliseconds since the epoch (told apart by size; a number or its digits)
    as naive UTC."""
    number = amount(value)
    if number is None or number <= 0:
        return None
    return utc_from_seconds(number / 1000 if number > 100_000_000_000 else number)  # 1e11 s is the year 5138


def salary_from_text(text) -> dict:
    """``{min, max, currency, period}`` read from a free-text pay line, keys only where it says.

    Conservative: a line with no number gives {}; currency from an ISO code in the text, else
    from a symbol ($ is USD); period only when the text names one ("per year", "/hr", ...).
    One number is both min and max, unless "up to" (max only) or "from"/"+" (min only).
    """
    if not isinstance(text, str) or not text.strip():
        return {}
    read = []  # (number, written with k, where it starts, where it ends)
    for match in SALARY_NUMBER.finditer(text):
        whole, decimals, thousands, millions = match.groups()
        number = int(re.sub(r"\D", "", whole)) + (int(decimals) / 10 ** len(decimals) if decimals else 0)
        if millions:
            number *= 1_000_000
        if number > 0:
            read.append((number, bool(thousands), *match.span()))
    read = read[:2]
    if not read:
        return {}
    # "$80-100k": one k for both ends of a range (not "$50/hr + 401k").
    if (len(read) == 2 and read[1][1] and not read[0][1] and read[0][0] < 1000
            and RANGE_JOIN.fullmatch(text, read[0][3], read[1][2])):
        read[0] = (read[0][0], True, *read[0][2:])
    numbers = [number * 1000 if thousands else number for number, thousands, *_ in read]
    found: dict = {}
    lowered = text.lower()
    if len(numbers) == 2:
        found["min"], found["max"] = min(numbers), max(numbers)
    elif "up to" in lowered:
        found["max"] = numbers[0]
    elif "from" in lowered or "+" in text:
        found["min"] = numbers[0]
    else:
        found["min"] = found["max"] = numbers[0]
    upper = text.upper()
    code = next((c for c in CURRENCY_CODES if re.search(rf"\b{c}\b", upper)), None)
    symbol = next((c for s, c in CURRENCY_SYMBOLS.items() if s in text), None)
    if code or symbol:
        found["currency"] = code or symbol
    period = next((word for pattern, word in PERIOD_WORDS if pattern.search(text)), None)
    if period:
        found["period"] = period
    return found


class JobFeedSpider(SourceSpider, abc.ABC):
    """Base for job-feed spiders: subclasses yield their first request(s) from
    ``first_requests`` and build items with ``posting``."""

    feed_label: str = ""  # the board's name in log lines: "Remotive", "Remote OK"
    default_max_pages: int = 0  # 0: no cap (feeds answering in one response)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.seen_ids: set[str] = set()
        self.pages_requested = 0
        self.terms_recorded = False

    @property
    def max_pages(self) -> int:
        """Pages read at most: the ``<NAME>_MAX_PAGES`` setting (0: no cap)."""
        return max(0, self.settings.getint(f"{self.name.upper()}_MAX_PAGES", self.default_max_pages))

    async def start(self):
        if self.since or self.until:
            self.logger.warning("%s lists the jobs open now: --since/--until are ignored.", self.feed_label)
        for request in self.first_requests():
            yield request

    @abc.abstractmethod
    def first_requests(self):
        """The feed's first request(s); each subclass names its own."""

    def api_request(self, path: str, callback, **cb_kwargs) -> scrapy.Request:
        """A request for ``path`` (path and query of the real API) on the configured host."""
        self.pages_requested += 1
        self.count("pages_requested")
        return scrapy.Request(self.base_url + path, callback=callback, errback=self.on_request_failed,
                              cb_kwargs=cb_kwargs)

    def may_request_another_page(self) -> bool:
        if self.max_pages and self.pages_requested >= self.max_pages:
            self.count("page_cap_reached")
            self.logger.warning("%s: stopped after %d pages (the %s_MAX_PAGES setting).",
                                self.feed_label, self.pages_requested, self.name.upper())
            return False
        return True

    def rebased(self, link) -> str | None:
        """The path and query of a link the API gave (``links.next``), to ask on our host:
        only scheme and host are ever replaced."""
        if not isinstance(link, str) or not link.strip():
            return None
        parts = urlsplit(link.strip())
        if not parts.path.startswith("/"):
            return None
        return parts.path + (f"?{parts.query}" if parts.query else "")

    def record_terms(self, text) -> None:
        """Log the feed's terms of use once and keep them in the run's stats."""
        if self.terms_recorded or not isinstance(text, str) or not text.strip():
            return
        self.terms_recorded = True
        self.crawler.stats.set_value("skilltrends/source_terms", text.strip())
        self.logger.info("%s terms of use (kept in the run's stats): %s", self.feed_label, text.strip())

    def feed_jobs(self, response, what: str, key: str) -> tuple[dict, list] | None:
        """A page's JSON and its list of jobs under ``key``, or None after recording why not."""
        data = self.load_json(response, what)
        if data is None:
            return None
        jobs = data.get(key) if isinstance(data, dict) else None
        if not isinstance(jobs, list):
            self.unexpected_layout(response, f"an object with a {key!r} list")
            return None
        return data, jobs

    def unexpected_layout(self, response, expected: str) -> None:
        self.record_error("unexpected_layout", f"{self.feed_label} feed at {response.url} is not {expected}; skipped.")

    def new_ids(self, items: list[PostingItem]) -> int:
        """How many of ``items`` were not seen on an earlier page (and remember them)."""
        new = 0
        for item in items:
            if item.source_id not in self.seen_ids:
                self.seen_ids.add(item.source_id)
                new += 1
        return new

    def repeats(self, response) -> None:
        self.record_error(
            "pagination_repeats",
            f"{self.feed_label} page at {response.url} repeats postings already seen; stopped paging.",
        )

    def posting(self, job: dict, **fields) -> PostingItem:
        """The common item for one job of the feed, its JSON kept as received in ``raw``."""
        self.count("postings_found")
        return PostingItem(source=self.name, month=None, raw=json.dumps(job, ensure_ascii=False), **fields)
