"""Lever job sites, through the public Postings API (no key needed to read).

``/v0/postings/<site>?mode=json&skip=N&limit=L`` returns a bare JSON list of published
postings. Pages are read from ``skip=0`` until one holds fewer than ``limit`` postings
(``LEVER_PAGE_SIZE``, 100 by default). Each page after the first starts one posting early,
at the last posting of the page before: if it does not, the site's list changed during the
walk (a posting removed or added before that point shifts the rest, and one could be
missed), so the walk stops there, incomplete, and nothing of the site is closed on its
account. A full page holding only postings already seen ends the walk as an error
(``pagination_repeats``: a server ignoring ``skip`` would otherwise be asked forever). The
page size is at least 2, or the overlap would leave no room for a new posting. One posting per
Lever posting; its ``html`` joins the description, the lists (requirements, benefits...)
and the closing text, as the hosted job page shows them. See ``docs/sources.md``.
"""

from __future__ import annotations

import html

import scrapy

from crawlers.items import PostingItem
from crawlers.spiders.jobboard import (
    JobBoardSpider, salary_fields, text_or_none, utc_from_epoch_ms,
)

PAGE_PATH = "/v0/postings/{token}?mode=json&skip={skip}&limit={limit}"
DEFAULT_PAGE_SIZE = 100
REMOTE_BY_WORKPLACE = {"remote": True, "on-site": False, "onsite": False, "hybrid": False}


class LeverSpider(JobBoardSpider):
    name = "lever"
    base_url_env = "SKILLTRENDS_LEVER_URL"
    default_base_url = "https://api.lever.co"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.seen_ids: dict[str, set[str]] = {}

    @property
    def page_size(self) -> int:
        """Postings asked for per page: the ``LEVER_PAGE_SIZE`` setting (at least 2, as pages overlap by one)."""
        return max(2, self.settings.getint("LEVER_PAGE_SIZE", DEFAULT_PAGE_SIZE))

    def board_request(self, token: str, skip: int = 0, starts_with: str | None = None) -> scrapy.Request:
        """The page at ``skip``; ``starts_with``: the id it must start with (the overlap)."""
        return scrapy.Request(
            self.base_url + PAGE_PATH.format(token=token, skip=skip, limit=self.page_size),
            callback=self.parse_page,
            errback=self.on_board_failed,
            cb_kwargs={"token": token, "skip": skip, "starts_with": starts_with},
        )

    def parse_page(self, response, token: str, skip: int = 0, starts_with: str | None = None):
        """One page of a site's postings; the next page if this one was full.

        @api_path /v0/postings/mistral?mode=json&skip=0&limit=100
        @cb_kwargs {"token": "mistral", "skip": 0}
        @returns requests 0 0
        @returns items 1
        @scrapes source source_id url html title company location posted_at employment_type raw
        """
        data = self.load_json(response, f"Lever site {token!r} page skip={skip}")
        if data is None:
            return
        if not isinstance(data, list):
            self.unexpected_layout(token, response, "a JSON list of postings")
            return
        self.count("pages_done")
        seen = self.seen_ids.setdefault(token, set())
        ids = [posting_id(posting) for posting in data]
        new = len({id_ for id_ in ids if id_ is not None} - seen)
        unseen = [posting for posting in data if posting_id(posting) not in seen]  # not the overlap
        for item in self.readable(unseen, lambda posting: self.posting_from_lever(token, posting),
                                  f"Lever site {token!r} page skip={skip}"):
            seen.add(item.source_id)
            yield item
        if self.reads_on(token, f"page skip={skip}", ids, more=len(data) >= self.page_size, new=new,
                         starts_with=starts_with):
            yield self.board_request(token, skip + len(data) - 1, starts_with=ids[-1])

    def posting_from_lever(self, token: str, posting) -> PostingItem | None:
        if not isinstance(posting, dict) or not posting.get("id"):
            self.count("jobs_unreadable")
            return None
        categories = posting.get("categories") if isinstance(posting.get("categories"), dict) else {}
        all_locations = [place for place in categories.get("allLocations") or [] if text_or_none(place)]
        salary = posting.get("salaryRange") if isinstance(posting.get("salaryRange"), dict) else {}
        return self.posting(
            token, posting,
            source_id=str(posting["id"]),
            url=posting.get("hostedUrl"),
            html=posting_html(posting),
            title=text_or_none(posting.get("text")),
            location=text_or_none(categories.get("location")) or ("; ".join(all_locations) or None),
            posted_at=utc_from_epoch_ms(posting.get("createdAt")),
            updated_at=utc_from_epoch_ms(posting.get("updatedAt")),
            department=text_or_none(categories.get("department")) or text_or_none(categories.get("team")),
            employment_type=text_or_none(categories.get("commitment")),
            remote=REMOTE_BY_WORKPLACE.get(str(posting.get("workplaceType", "")).lower()),
            **salary_fields(salary.get("min"), salary.get("max"), salary.get("currency"), salary.get("interval")),
        )


def posting_id(posting) -> str | None:
    return str(posting["id"]) if isinstance(posting, dict) and posting.get("id") else None


def posting_html(posting: dict) -> str:
    """Description, then each list under its heading, then the closing text (all HTML)."""
    parts = [posting.get("description") or ""]
    for block in posting.get("lists") or []:
        if isinstance(block, dict) and (block.get("text") or block.get("content")):
            parts.append(f"<h3>{html.escape(block.get('text') or '')}</h3><ul>{block.get('content') or ''}</ul>")
    parts.append(posting.get("additional") or "")
    return "\n".join(part for part in parts if part)
