"""Arbeitnow (jobs in Germany and remote jobs), through its free Job Board API (no key).

``/api/job-board-api`` returns one page of listings, newest first:
``{"data": [...], "links": {"first", "last", "prev", "next"}, "meta": {...}}``. The next
page is ``links.next`` (``...?page=2``); its path and query are asked on the configured host
(only scheme and host are replaced). Pages are read until ``links.next`` is null, a page is
empty, or ``ARBEITNOW_MAX_PAGES`` pages (50 by default) were read. ``meta.terms`` (the
feed's terms of use) is kept in the run's stats. See ``docs/sources.md``.
"""

from __future__ import annotations

from crawlers.items import PostingItem
from crawlers.spiders.jobboard import id_text, text_or_none, utc_from_iso
from crawlers.spiders.jobfeed import JobFeedSpider, utc_from_epoch

FIRST_PAGE_PATH = "/api/job-board-api"


class ArbeitnowSpider(JobFeedSpider):
    name = "arbeitnow"
    base_url_env = "SKILLTRENDS_ARBEITNOW_URL"
    default_base_url = "https://www.arbeitnow.com"
    feed_label = "Arbeitnow"
    default_max_pages = 50

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.paths_asked: set[str] = set()

    def first_requests(self):
        yield self.page_request(FIRST_PAGE_PATH)

    def page_request(self, path: str):
        self.paths_asked.add(path)
        return self.api_request(path, self.parse_page)

    def parse_page(self, response):
        """One page of listings; the next page while ``links.next`` names one.

        @api_path /api/job-board-api
        @returns requests 0 1
        @returns items 1
        @scrapes source source_id url html title company location remote posted_at raw
        """
        found = self.feed_jobs(response, "Arbeitnow page", "data")
        if found is None:
            return
        data, jobs = found
        meta = data.get("meta") if isinstance(data.get("meta"), dict) else {}
        self.record_terms(meta.get("terms"))
        self.count("pages_done")
        items = list(self.readable(jobs, self.posting_from_job, "Arbeitnow page"))
        new = self.new_ids(items)
        yield from items
        links = data.get("links") if isinstance(data.get("links"), dict) else {}
        next_path = self.rebased(links.get("next"))
        if (items and not new) or next_path in self.paths_asked:
            self.repeats(response)
        elif not jobs or next_path is None:
            self.count("feed_done")
        elif self.may_request_another_page():
            yield self.page_request(next_path)

    def posting_from_job(self, job) -> PostingItem | None:
        if not isinstance(job, dict) or not id_text(job.get("slug")):
            self.count("jobs_unreadable")
            return None
        job_types = [text for text in job.get("job_types") or [] if text_or_none(text)]
        created = job.get("created_at")
        return self.posting(
            job,
            source_id=id_text(job["slug"]),
            url=job.get("url"),
            html=job.get("description") or "",
            title=text_or_none(job.get("title")),
            company=text_or_none(job.get("company_name")),
            location=text_or_none(job.get("location")),
            remote=job["remote"] if isinstance(job.get("remote"), bool) else None,
            # Seconds since the epoch (an ISO string is read too).
            posted_at=utc_from_epoch(created) or utc_from_iso(created),
            employment_type=", ".join(job_types) or None,
        )
