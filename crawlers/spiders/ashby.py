"""Ashby job boards, through the public Job Posting API (no key needed to read).

``/posting-api/job-board/<board>?includeCompensation=true`` returns a whole board in one
response: ``{"apiVersion": "1", "jobs": [...]}``, each job with ``descriptionHtml`` and,
asked with ``includeCompensation=true``, a ``compensation`` object whose
``summaryComponents`` hold the pay ranges (``compensationType`` "Salary", ``minValue``,
``maxValue``, ``currencyCode``, ``interval``); a job whose
``shouldDisplayCompensationOnJobPostings`` is false gets no pay (the employer holds it back).
Jobs marked ``isListed: false`` are skipped.
See ``docs/sources.md`` for the mapping.
"""

from __future__ import annotations

import html


from crawlers.items import PostingItem
from crawlers.spiders.jobboard import (
    JobBoardSpider, salary_fields, text_or_none, utc_from_iso,
)

BOARD_PATH = "/posting-api/job-board/{token}?includeCompensation=true"
REMOTE_BY_WORKPLACE = {"remote": True, "onsite": False, "on-site": False, "hybrid": False}


class AshbySpider(JobBoardSpider):
    name = "ashby"
    base_url_env = "SKILLTRENDS_ASHBY_URL"
    default_base_url = "https://api.ashbyhq.com"
    conditional_requests = True  # one response is the whole board: a 304 means "unchanged"
    board_path = BOARD_PATH


    def parse_board(self, response, token: str):
        """One board: every listed job, with its compensation.

        @api_path /posting-api/job-board/openai?includeCompensation=true
        @cb_kwargs {"token": "openai"}
        @returns requests 0 0
        @returns items 1
        @scrapes source source_id url html title company location posted_at employment_type remote raw
        """
        yield from self.board_postings(response, token, "Ashby board")

    def posting_from_job(self, token: str, job) -> PostingItem | None:
        if not isinstance(job, dict) or not job.get("id"):
            self.count("jobs_unreadable")
            return None
        if job.get("isListed") is False:
            self.count("jobs_unlisted")
            return None
        salary = published_salary(job)
        return self.posting(
            token, job,
            source_id=str(job["id"]),
            url=job.get("jobUrl"),
            html=job.get("descriptionHtml") or plain_as_html(job.get("descriptionPlain")),
            title=text_or_none(job.get("title")),
            location=text_or_none(job.get("location")),
            posted_at=utc_from_iso(job.get("publishedAt")),
            updated_at=utc_from_iso(job.get("updatedAt")),
            department=text_or_none(job.get("department")) or text_or_none(job.get("team")),
            employment_type=text_or_none(job.get("employmentType")),
            remote=remote(job),
            **salary_fields(salary.get("minValue"), salary.get("maxValue"), salary.get("currencyCode"),
                            salary.get("interval")),
        )


def remote(job: dict) -> bool | None:
    """``workplaceType`` when given (Remote / OnSite / Hybrid), else ``isRemote``."""
    workplace = str(job.get("workplaceType") or "").strip().lower()
    if workplace in REMOTE_BY_WORKPLACE:
        return REMOTE_BY_WORKPLACE[workplace]
    return job["isRemote"] if isinstance(job.get("isRemote"), bool) else None


def published_salary(job: dict) -> dict:
    """The pay the employer publishes: none when ``shouldDisplayCompensationOnJobPostings`` is
    false, though the API still sends the ``compensation`` it holds back."""
    if job.get("shouldDisplayCompensationOnJobPostings") is False:
        return {}
    return salary_component(job.get("compensation"))


def salary_component(compensation) -> dict:
    """The "Salary" summary component, or the one tier's when there is no summary; else {}."""
    if not isinstance(compensation, dict):
        return {}
    components = compensation.get("summaryComponents") or []
    if not components:
        tiers = [tier for tier in compensation.get("compensationTiers") or [] if isinstance(tier, dict)]
        # Several tiers (zones) without a summary: no single range to store.
        components = (tiers[0].get("components") or []) if len(tiers) == 1 else []
    salaries = [c for c in components if isinstance(c, dict) and c.get("compensationType") == "Salary"]
    return salaries[0] if salaries else {}


def plain_as_html(text) -> str:
    return f"<p>{html.escape(text)}</p>" if isinstance(text, str) and text.strip() else ""
