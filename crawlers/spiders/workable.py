"""Workable job boards, through the public jobs widget API (no key needed to read).

``/api/v1/widget/accounts/<account>?details=true`` returns one account's published jobs in
one response: ``{"name": ..., "description": ..., "jobs": [...]}``; ``details=true`` adds
each job's description (HTML). This is the public feed behind Workable's embeddable jobs
widget (``www.workable.com/api/accounts/<account>`` redirects to it), the same
account-jobs format Workable documents for its API (``/spi/v3/accounts/<subdomain>``, which
needs a token). ``apply.workable.com/api/v3/accounts/<account>/jobs`` is the careers page's
own, undocumented POST endpoint and is not used.

An unknown account answers 404 (the board is gone) or, some report, 200 with no jobs:
then it cannot be told from an account with no open jobs. Workable publishes no pay here.
See ``docs/sources.md`` for the mapping.
"""

from __future__ import annotations

import html

from crawlers.items import PostingItem
from crawlers.spiders.jobboard import JobBoardSpider, text_or_none, utc_from_iso

ACCOUNT_PATH = "/api/v1/widget/accounts/{token}?details=true"
REMOTE_BY_WORKPLACE = {"remote": True, "on_site": False, "onsite": False, "on-site": False, "hybrid": False}
SECTIONS = (("requirements", "Requirements"), ("benefits", "Benefits"))


class WorkableSpider(JobBoardSpider):
    name = "workable"
    unknown_board_answer = "Workable answers some unknown accounts so too"
    base_url_env = "SKILLTRENDS_WORKABLE_URL"
    default_base_url = "https://apply.workable.com"
    conditional_requests = True  # one response is the whole board: a 304 means "unchanged"
    board_path = ACCOUNT_PATH

    def parse_board(self, response, token: str):
        """One account: every published job with its description.

        @api_path /api/v1/widget/accounts/huggingface?details=true
        @cb_kwargs {"token": "huggingface"}
        @returns requests 0 0
        @returns items 1
        @scrapes source source_id url html title company location posted_at remote raw
        """
        found = self.board_jobs(response, token, "Workable account")
        if found is None:
            return
        data, jobs = found
        account_name = text_or_none(data.get("name"))
        yield from self.readable(jobs, lambda job: self.posting_from_job(token, job, account_name),
                                 f"Workable account {token!r}")

    def posting_from_job(self, token: str, job, account_name: str | None) -> PostingItem | None:
        if not isinstance(job, dict):
            self.count("jobs_unreadable")
            return None
        job_id = text_or_none(job.get("shortcode")) or text_or_none(str(job.get("id") or ""))
        if not job_id:
            self.count("jobs_unreadable")
            return None
        return self.posting(
            token, job,
            company_named=account_name,
            source_id=job_id,
            url=job.get("url") or job.get("shortlink"),
            html=job_html(job),
            title=text_or_none(job.get("title")),
            location=location(job),
            posted_at=utc_from_iso(job.get("published_on")) or utc_from_iso(job.get("created_at")),
            department=text_or_none(job.get("department")),
            employment_type=text_or_none(job.get("employment_type")),
            remote=remote(job),
        )


def job_html(job: dict) -> str:
    """``full_description`` where given, else the description, then requirements and benefits."""
    if text_or_none(job.get("full_description")):
        return job["full_description"]
    parts = [job.get("description") or ""]
    for key, heading in SECTIONS:
        if text_or_none(job.get(key)):
            parts.append(f"<h3>{html.escape(heading)}</h3>{job[key]}")
    return "\n".join(part for part in parts if part)


def place(city, region, country) -> str | None:
    parts = [text_or_none(part) for part in (city, region, country)]
    return ", ".join(part for part in parts if part) or None


def location(job: dict) -> str | None:
    """Every visible location ("City, Region, Country"), joined with "; "; else the job's own."""
    places = []
    for entry in job.get("locations") or []:
        if isinstance(entry, dict) and not entry.get("hidden"):
            text = place(entry.get("city"), entry.get("region"), entry.get("country"))
            if text and text not in places:
                places.append(text)
    return "; ".join(places) or place(job.get("city"), job.get("state"), job.get("country"))


def remote(job: dict) -> bool | None:
    """``workplace_type`` when given (remote / on_site / hybrid), else ``telecommuting``."""
    workplace = str(job.get("workplace_type") or "").strip().lower()
    if workplace in REMOTE_BY_WORKPLACE:
        return REMOTE_BY_WORKPLACE[workplace]
    return job["telecommuting"] if isinstance(job.get("telecommuting"), bool) else None
