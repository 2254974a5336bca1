"""Himalayas (remote jobs board), through its public Remote Jobs API (no key needed).

``/jobs/api?limit=L`` returns the first page, newest first:
``{"offset", "limit", "totalCount": T, "nextCursor": C, "jobs": [...]}``; the next page is
``/jobs/api?limit=L&cursor=C``, until ``nextCursor`` is null. Cursors are the API's
preferred paging since August 2026 ("will never return the same job twice"); the ``offset``
parameter is deprecated, so it is used only for an answer without a ``nextCursor`` field (an
older API, a mirror): then pages are read by offset while they are full and below
``totalCount``. A cursor given twice, or a page of jobs all seen before, ends the walk as
``pagination_repeats``. The API serves at most 20 jobs a request; ``L`` is
``HIMALAYAS_PAGE_SIZE`` (20, and no more). At most ``HIMALAYAS_MAX_PAGES`` pages are read
(150 by default: the newest 3,000 jobs). The board lists about 2,000 new jobs a day (in
October 2026 its ``totalCount`` was 117,223 jobs, each open 60 days), so a daily crawl with
the default reads about a day and a half. Pay of 0 is pay not given.

Himalayas asks for attribution (link back to the job on Himalayas, name Himalayas) and does
not allow passing its jobs on to other job sites; the stored ``url`` is the Himalayas page
when the API gives one. See ``docs/sources.md`` for the mapping.
"""

from __future__ import annotations

from urllib.parse import quote

from crawlers.items import PostingItem
from crawlers.spiders.jobboard import id_text, positive, salary_period, text_or_none
from crawlers.spiders.jobfeed import JobFeedSpider, utc_from_epoch

FIRST_PAGE_PATH = "/jobs/api?limit={limit}"
CURSOR_PAGE_PATH = "/jobs/api?limit={limit}&cursor={cursor}"
OFFSET_PAGE_PATH = "/jobs/api?limit={limit}&offset={offset}"  # deprecated by the API: a fallback
API_MAX_PAGE_SIZE = 20  # the API answers no more a request, whatever limit asks
REPEATED = "repeated"  # next_page's answer for a cursor the walk was given before


class HimalayasSpider(JobFeedSpider):
    name = "himalayas"
    base_url_env = "SKILLTRENDS_HIMALAYAS_URL"
    default_base_url = "https://himalayas.app"
    feed_label = "Himalayas"
    default_max_pages = 150

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.cursors_seen: set[str] = set()

    @property
    def page_size(self) -> int:
        """Jobs asked for per page: the ``HIMALAYAS_PAGE_SIZE`` setting, at most the 20 the API
        gives (asked for more, a page of 20 would look like the last)."""
        return min(API_MAX_PAGE_SIZE, max(1, self.settings.getint("HIMALAYAS_PAGE_SIZE", API_MAX_PAGE_SIZE)))

    def first_requests(self):
        yield self.api_request(FIRST_PAGE_PATH.format(limit=self.page_size), self.parse_page, offset=0)

    def parse_page(self, response, offset: int = 0):
        """One page of jobs, then the page its ``nextCursor`` names (by offset, for an answer
        without one, while this page was full and more remain).

        @api_path /jobs/api?limit=20
        @cb_kwargs {"offset": 0}
        @returns requests 0 1
        @returns items 1
        @scrapes source source_id url html title company remote posted_at raw
        """
        where = f"Himalayas page {response.url}"
        found = self.feed_jobs(response, where, "jobs")
        if found is None:
            return
        data, jobs = found
        self.count("pages_done")
        items = list(self.readable(jobs, self.posting_from_job, where))
        new = self.new_ids(items)
        yield from items
        next_page = self.next_page(data, jobs, offset)
        if (items and not new) or next_page is REPEATED:
            self.repeats(response)
        elif next_page is None:
            self.count("feed_done")
        elif self.may_request_another_page():
            yield self.api_request(next_page, self.parse_page, offset=offset + len(jobs))

    def next_page(self, data: dict, jobs: list, offset: int) -> str | None:
        """The path of the page after this one; None after the last; REPEATED for a cursor
        given before."""
        if "nextCursor" in data:
            cursor = text_or_none(data["nextCursor"])
            if not cursor or not jobs:
                return None
            if cursor in self.cursors_seen:
                return REPEATED
            self.cursors_seen.add(cursor)
            return CURSOR_PAGE_PATH.format(limit=self.page_size, cursor=quote(cursor, safe="=/"))
        total = data.get("totalCount")
        next_offset = offset + len(jobs)
        if len(jobs) >= self.page_size and (not isinstance(total, int) or next_offset < total):
            return OFFSET_PAGE_PATH.format(limit=self.page_size, offset=next_offset)
        return None

    def posting_from_job(self, job) -> PostingItem | None:
        if not isinstance(job, dict) or not id_text(job.get("guid")):
            self.count("jobs_unreadable")
            return None
        guid = id_text(job["guid"])
        low, high = positive(job.get("minSalary")), positive(job.get("maxSalary"))  # 0: not given
        has_pay = low is not None or high is not None
        return self.posting(
            job,
            source_id=guid,
            # The guid is the job's Himalayas page; the application link may lead elsewhere.
            url=guid if guid.startswith(("https://", "http://")) else job.get("applicationLink"),
            html=job.get("description") or "",
            title=text_or_none(job.get("title")),
            company=text_or_none(job.get("companyName")),
            location=locations(job.get("locationRestrictions")),
            remote=True,  # a remote-only board
            posted_at=utc_from_epoch(job.get("pubDate")),
            employment_type=text_or_none(job.get("employmentType")),
            salary_min=low,
            salary_max=high,
            salary_currency=text_or_none(job.get("currency")) if has_pay else None,
            # The data dictionary: annual pay, unless a salaryPeriod says otherwise.
            salary_period=(salary_period(job.get("salaryPeriod")) or "year") if has_pay else None,
        )


def locations(restrictions) -> str | None:
    """The countries a candidate must be in, joined with "; " (names, or {"name": ...} objects)."""
    names = []
    for place in restrictions or []:
        name = text_or_none(place.get("name") if isinstance(place, dict) else place)
        if name and name not in names:
            names.append(name)
    return "; ".join(names) or None
