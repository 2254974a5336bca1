"""Remotive (remote jobs board), through its public Remote Jobs API (no key needed).

``/api/remote-jobs`` returns every active listing in one response, newest first:
``{"0-legal-notice": "...", "job-count": N, "jobs": [...]}``; optional ``category`` (a
category slug, e.g. ``software-dev`` or ``data``) and ``search`` (title and description)
narrow it. They come from the spider arguments ``category``/``search`` or the settings
``REMOTIVE_CATEGORY``/``REMOTIVE_SEARCH`` (``--set REMOTIVE_CATEGORY=data`` on the CLI).

Remotive's terms: link back to the listing's URL on Remotive and name Remotive as the
source; ask a few times a day at most (more than 2 requests a minute is blocked). The
spider asks once per crawl, keeps each listing's Remotive ``url`` and records the legal
notice in the run's stats. See ``docs/sources.md`` for the mapping.
"""

from __future__ import annotations

from urllib.parse import urlencode

from crawlers.items import PostingItem
from crawlers.spiders.jobboard import salary_fields, text_or_none, utc_from_iso
from crawlers.spiders.jobfeed import JobFeedSpider, salary_from_text

JOBS_PATH = "/api/remote-jobs"


class RemotiveSpider(JobFeedSpider):
    name = "remotive"
    base_url_env = "SKILLTRENDS_REMOTIVE_URL"
    default_base_url = "https://remotive.com"
    feed_label = "Remotive"

    def __init__(self, *args, category: str | None = None, search: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.category_arg = category
        self.search_arg = search

    def jobs_path(self) -> str:
        """``/api/remote-jobs``, with ``category`` and ``search`` when given (in that order)."""
        query = {}
        for key, arg in (("category", self.category_arg), ("search", self.search_arg)):
            value = (arg or self.settings.get(f"REMOTIVE_{key.upper()}") or "").strip()
            if value:
                query[key] = value
        return JOBS_PATH + (f"?{urlencode(query)}" if query else "")

    def first_requests(self):
        yield self.api_request(self.jobs_path(), self.parse_jobs)

    def parse_jobs(self, response):
        """The whole feed: every active listing.

        @api_path /api/remote-jobs
        @returns requests 0 0
        @returns items 1
        @scrapes source source_id url html title company location remote posted_at raw
        """
        found = self.feed_jobs(response, "Remotive feed", "jobs")
        if found is None:
            return
        data, jobs = found
        self.record_terms(data.get("0-legal-notice"))
        self.count("pages_done")
        yield from self.readable(jobs, self.posting_from_job, "Remotive feed")

    def posting_from_job(self, job) -> PostingItem | None:
        if not isinstance(job, dict) or job.get("id") is None:
            self.count("jobs_unreadable")
            return None
        salary = salary_from_text(job.get("salary"))
        return self.posting(
            job,
            source_id=str(job["id"]),
            url=job.get("url"),
            html=job.get("description") or "",
            title=text_or_none(job.get("title")),
            company=text_or_none(job.get("company_name")),
            # Where the remote candidate must live ("Worldwide", "USA Only", ...).
            location=text_or_none(job.get("candidate_required_location")),
            remote=True,  # a remote-only board
            # Naive in the API; Remotive's own time, taken as UTC.
            posted_at=utc_from_iso(job.get("publication_date")),
            employment_type=text_or_none(job.get("job_type")),
            **salary_fields(salary.get("min"), salary.get("max"), salary.get("currency"), salary.get("period")),
        )
