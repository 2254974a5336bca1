"""Greenhouse job boards, through the public Job Board API (no key needed to read).

``/v1/boards/<token>/jobs?content=true`` returns a whole board in one response:
``{"jobs": [...], "meta": {"total": N}}``. With ``content=true`` each job carries its
description in ``content``, HTML whose markup is entity-escaped (``&lt;p&gt;``); it is
unescaped once into ``html``. One posting per job; see ``docs/sources.md`` for the mapping.
"""

from __future__ import annotations

import html
import re


from crawlers.items import PostingItem
from crawlers.spiders.jobboard import JobBoardSpider, text_or_none, utc_from_iso

JOBS_PATH = "/v1/boards/{token}/jobs?content=true"
EMPLOYMENT_TYPE_FIELDS = {"employment type", "employment_type", "job type"}
WORKPLACE_FIELDS = {"workplace type", "workplace", "location type"}
AT_HOME = re.compile(r"home ?office|work from home")  # German "Home Office": working from home


class GreenhouseSpider(JobBoardSpider):
    name = "greenhouse"
    base_url_env = "SKILLTRENDS_GREENHOUSE_URL"
    default_base_url = "https://boards-api.greenhouse.io"
    conditional_requests = True  # one response is the whole board: a 304 means "unchanged"
    board_path = JOBS_PATH


    def parse_board(self, response, token: str):
        """One board: every job with its content.

        @api_path /v1/boards/anthropic/jobs?content=true
        @cb_kwargs {"token": "anthropic"}
        @returns requests 0 0
        @returns items 1
        @scrapes source source_id url html title company location posted_at updated_at raw
        """
        yield from self.board_postings(response, token, "Greenhouse board")

    def posting_from_job(self, token: str, job) -> PostingItem | None:
        if not isinstance(job, dict) or job.get("id") is None:
            self.count("jobs_unreadable")
            return None
        place = job.get("location")
        location = text_or_none(place.get("name") if isinstance(place, dict) else place)
        departments = [d.get("name") for d in job.get("departments") or [] if isinstance(d, dict)]
        return self.posting(
            token, job,
            source_id=str(job["id"]),
            url=job.get("absolute_url"),
            html=html.unescape(job.get("content") or ""),
            title=text_or_none(job.get("title")),
            location=location,
            posted_at=utc_from_iso(job.get("first_published")),
            updated_at=utc_from_iso(job.get("updated_at")),
            department="; ".join(name for name in departments if text_or_none(name)) or None,
            employment_type=text_or_none(custom_field(job.get("metadata"), EMPLOYMENT_TYPE_FIELDS)),
            remote=remote(job.get("metadata"), location),
            company_named=job.get("company_name"),
        )


def custom_field(metadata, names: set[str]):
    """The value of the first custom field the employer publishes under one of ``names``
    ("Employment Type", "Workplace Type"...), as given: text, a list or None."""
    for field in metadata if isinstance(metadata, list) else []:
        if isinstance(field, dict) and str(field.get("name", "")).strip().lower() in names:
            return field.get("value")
    return None


def remote(metadata, location: str | None) -> bool | None:
    """Greenhouse has no remote flag of its own. A published "Workplace Type" field says it
    (Remote, Home Office: true; Hybrid, On-site: false; remote and another kind at once, in
    one value or a multi-select: not said); without one, a location naming "remote" is the
    only sign."""
    value = custom_field(metadata, WORKPLACE_FIELDS)
    kinds = set().union(*(workplace_kinds(v) for v in (value if isinstance(value, list) else [value])))
    if kinds == {"remote"}:
        return True
    if kinds:
        return None if "remote" in kinds else False
    return True if location and "remote" in location.lower() else None


def workplace_kinds(value) -> set[str]:
    """The kinds of workplace a value names: "remote", "hybrid", "on-site"."""
    text = (text_or_none(value) or "").lower().replace("-", " ")
    kinds = {"hybrid"} if "hybrid" in text else set()
    if "remote" in text or AT_HOME.search(text):
        kinds.add("remote")
    if any(word in AT_HOME.sub("", text) for word in ("on site", "onsite", "in office", "office", "in person")):
        kinds.add("on-site")
    return kinds
