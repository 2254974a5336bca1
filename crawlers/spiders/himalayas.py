"""Himalayas (remote jobs board), through its public Remote Jobs API (no key needed).

``/jobs/api?limit=L&offset=N`` returns one page, newest first:
``{"offset": N, "limit": L, "totalCount": T, "jobs": [...]}``. The API serves at most 20
jobs a request, and the board holds tens of thousands, so pages are read from offset 0 while
they are full and below ``totalCount``, up to ``HIMALAYAS_MAX_PAGES`` pages (50 by default:
the newest 1,000 jobs; crawling daily keeps up). ``L`` is ``HIMALAYAS_PAGE_SIZE`` (20, and
no more). Pay of 0 is pay not given.

Himalayas asks for attribution (link back to the job on Himalayas, name Himalayas) and does
not allow passing its jobs on to other job sites; the stored ``url`` is the Himalayas page
when the API gives one. See ``docs/sources.md`` for the mapping.
"""

from __future__ import annotations

from crawlers.items import PostingItem
from crawlers.spiders.jobboard import id_text, positive, salary_period, text_or_none
from crawlers.spiders.jobfeed import JobFeedSpider, utc_from_epoch

PAGE_PATH = "/jobs/api?limit={limit}&offset={offset}"
API_MAX_PAGE_SIZE = 20  # the API answers no more a request, whatever limit asks


class HimalayasSpider(JobFeedSpider):
    name = "himalayas"
    base_url_env = "SKILLTRENDS_HIMALAYAS_URL"
    default_base_url = "https://himalayas.app"
    feed_label = "Himalayas"
    default_max_pages = 50

    @property
    def page_size(self) -> int:
        """Jobs asked for per page: the ``HIMALAYAS_PAGE_SIZE`` setting, at most the 20 the API
        gives (asked for more, a page of 20 would look like the last)."""
        return min(API_MAX_PAGE_SIZE, max(1, self.settings.getint("HIMALAYAS_PAGE_SIZE", API_MAX_PAGE_SIZE)))

    def first_requests(self):
        yield self.page_request(0)

    def page_request(self, offset: int):
        return self.api_request(PAGE_PATH.format(limit=self.page_size, offset=offset), self.parse_page,
                                offset=offset)

    def parse_page(self, response, offset: int = 0):
        """One page of jobs; the next page while this one was full and more remain.

        @api_path /jobs/api?limit=20&offset=0
        @cb_kwargs {"offset": 0}
        @returns requests 0 1
        @returns items 1
        @scrapes source source_id url html title company remote posted_at raw
        """
        found = self.feed_jobs(response, f"Himalayas page offset={offset}", "jobs")
        if found is None:
            return
        data, jobs = found
        self.count("pages_done")
        items = list(self.readable(jobs, self.posting_from_job, f"Himalayas page offset={offset}"))
        new = self.new_ids(items)
        yield from items
        total = data.get("totalCount")
        next_offset = offset + len(jobs)
        more = len(jobs) >= self.page_size and (not isinstance(total, int) or next_offset < total)
        if items and not new:
            self.repeats(response)
        elif not more:
            self.count("feed_done")
        elif self.may_request_another_page():
            yield self.page_request(next_offset)

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
