"""SmartRecruiters company boards, through the public Posting API (no key needed to read).

``/v1/companies/<company>/postings?offset=N&limit=L`` lists a company's active postings a page
at a time: ``{"offset": N, "limit": L, "totalFound": T, "content": [...]}``. The list omits the
job ad, so each posting's text comes from ``/v1/companies/<company>/postings/<id>``, whose
``jobAd.sections`` (``companyDescription``, ``jobDescription``, ``qualifications``,
``additionalInformation``, each ``{title, text}``) hold the HTML. Pages are read from
``offset=0`` while fewer than ``totalFound`` postings were listed; ``L`` is the setting
``SMARTRECRUITERS_PAGE_SIZE`` (100, the API's maximum; at least 2). Each page after the first
starts one posting early, at the last posting of the page before. A later page that does not
start there, or whose ``totalFound`` differs from the first's, means the list changed during
the walk (a posting could be missed): the walk stops there, incomplete, and nothing of the
company is closed by that crawl. A page that brings no new posting though more should follow
(a server ignoring ``offset``, a ``totalFound`` that overcounts: the next page would be the
same again) ends the walk as an error (``pagination_repeats``).

A posting whose detail answers 404 was withdrawn after the list was read: it is not stored,
and is no error, unless most of the company's details answer 404 (at least 2, and more than
half of those listed so far): then something else is wrong, and the company is left
incomplete (``details_not_found``), so this crawl closes none of its postings. A posting
whose detail request fails otherwise (HTTP error after retries, malformed JSON) is still
stored from the list, with an empty ``html``: the listing exists, its text is missing. If
an earlier crawl stored the posting, that version stands instead: the posting is recorded as
seen, unchanged, so a failed detail never replaces a stored text with none. The failure is
counted as for any request (the run ends ``finished_with_errors``) but does not make the
board incomplete: every page of the list was read, so its postings are all known.
See ``docs/sources.md`` for the mapping.
"""

from __future__ import annotations

import html
from contextlib import contextmanager

import scrapy

from crawlers.items import PostingItem
from crawlers.spiders.jobboard import (
    JobBoardSpider, answered_not_found, count_of, text_or_none, utc_from_iso,
)
from crawlers.state import crawl_state

LIST_PATH = "/v1/companies/{token}/postings?offset={offset}&limit={limit}"
DETAIL_PATH = "/v1/companies/{token}/postings/{posting_id}"
DEFAULT_PAGE_SIZE = 100
SECTIONS = ("companyDescription", "jobDescription", "qualifications", "additionalInformation")
PUBLIC_PAGE = "https://jobs.smartrecruiters.com/{token}/{posting_id}"


class SmartRecruitersSpider(JobBoardSpider):
    name = "smartrecruiters"
    base_url_env = "SKILLTRENDS_SMARTRECRUITERS_URL"
    default_base_url = "https://api.smartrecruiters.com"

    unknown_board_answer = "SmartRecruiters answers an unknown company so too"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.seen_ids: dict[str, set[str]] = {}
        self.withdrawn: dict[str, int] = {}
        self.withdrawals_refused: set[str] = set()

    def is_listed_posting(self, value) -> bool:
        """A list page yields a detail request per posting it lists."""
        return isinstance(value, scrapy.Request) and "listed" in value.cb_kwargs

    @property
    def page_size(self) -> int:
        """Postings asked for per page: the ``SMARTRECRUITERS_PAGE_SIZE`` setting (2 to 100; pages overlap by one)."""
        return min(100, max(2, self.settings.getint("SMARTRECRUITERS_PAGE_SIZE", DEFAULT_PAGE_SIZE)))

    def board_request(self, token: str, offset: int = 0, total: int | None = None,
                      starts_with: str | None = None) -> scrapy.Request:
        """The page at ``offset``; ``total``: the ``totalFound`` the first page gave;
        ``starts_with``: the id it must start with (the overlap)."""
        return scrapy.Request(
            self.base_url + LIST_PATH.format(token=token, offset=offset, limit=self.page_size),
            callback=self.parse_list,
            errback=self.on_board_failed,
            cb_kwargs={"token": token, "offset": offset, "total": total, "starts_with": starts_with},
        )

    def parse_list(self, response, token: str, offset: int = 0, total: int | None = None,
                   starts_with: str | None = None):
        """One page of a company's postings: a detail request for each, then the next page.

        @api_path /v1/companies/BoschGroup/postings?offset=0&limit=100
        @cb_kwargs {"token": "BoschGroup", "offset": 0}
        @returns requests 1
        @returns items 0 0
        """
        data = self.load_json(response, f"SmartRecruiters company {token!r} page offset={offset}")
        if data is None:
            return
        content = data.get("content") if isinstance(data, dict) else None
        if not isinstance(content, list):
            self.unexpected_layout(token, response, "an object with a 'content' list")
            return
        self.count("pages_done")
        seen = self.seen_ids.setdefault(token, set())
        ids, new = [], 0
        for listed in content:
            if not isinstance(listed, dict) or not text_or_none(str(listed.get("id") or "")):
                self.count("jobs_unreadable")
                ids.append(None)
                continue
            posting_id = str(listed["id"]).strip()
            ids.append(posting_id)
            if posting_id in seen:  # the overlap posting, asked for with the page before
                continue
            seen.add(posting_id)
            new += 1
            yield self.detail_request(token, posting_id, listed)
        found = count_of(data.get("totalFound"))
        if found is None:  # without the count, the walk cannot tell its last page
            self.record_error(
                "unexpected_layout",
                f"{self.name} board {token!r} page offset={offset} gives no totalFound count "
                f"({data.get('totalFound')!r}); its postings so far are kept, the company is left incomplete.",
            )
            return
        total = found if total is None else total
        listed_so_far = offset + len(content)
        if found != total:
            self.changed_while_read(token, f"totalFound was {total}, page offset={offset} says {found}")
        elif self.reads_on(token, f"page offset={offset}", ids, new=new, starts_with=starts_with,
                           more=bool(content) and listed_so_far < total):
            yield self.board_request(token, listed_so_far - 1, total, starts_with=ids[-1])

    def detail_request(self, token: str, posting_id: str, listed: dict) -> scrapy.Request:
        return scrapy.Request(
            self.base_url + DETAIL_PATH.format(token=token, posting_id=posting_id),
            callback=self.parse_posting,
            errback=self.on_detail_failed,
            cb_kwargs={"token": token, "listed": listed},
        )

    def parse_posting(self, response, token: str, listed: dict):
        """One posting in full: the list's fields with the job ad's HTML.

        @api_path /v1/companies/BoschGroup/postings/744000000000001
        @cb_kwargs {"token": "BoschGroup", "listed": {"id": "744000000000001"}}
        @returns requests 0 0
        @returns items 1 1
        @scrapes source source_id url html title company location posted_at department employment_type raw
        """
        with self.outside_board():
            detail = self.load_json(response, f"SmartRecruiters posting {listed.get('id')!r} of {token!r}")
            if detail is not None and not isinstance(detail, dict):
                self.unexpected_layout(token, response, "a posting object")
        if not isinstance(detail, dict):
            yield self.posting_from(token, listed, detail_found=False)
            return
        yield self.posting_from(token, {**listed, **detail}, detail_found=True)

    def on_detail_failed(self, failure):
        """The detail is missing: count the failure, keep the posting as the list gave it.
        A detail answering 404 is a posting withdrawn since the list was read: not stored
        (so a complete board closes it), and no error; but when most of a company's details
        answer 404, something else is wrong (a changed path), and the company is left
        incomplete, closing none of its postings."""
        kwargs = failure.request.cb_kwargs
        if answered_not_found(failure):
            self.count("postings_withdrawn")
            self.logger.info("SmartRecruiters posting %s of %r was withdrawn after the list was read "
                             "(its detail answers 404); not stored.", kwargs["listed"].get("id"), kwargs["token"])
            self.too_many_withdrawn(kwargs["token"])
            return
        with self.outside_board():
            self.on_request_failed(failure)
        yield self.posting_from(kwargs["token"], kwargs["listed"], detail_found=False)

    def too_many_withdrawn(self, token: str) -> None:
        withdrawn = self.withdrawn[token] = self.withdrawn.get(token, 0) + 1
        listed = len(self.seen_ids.get(token, ()))
        if withdrawn >= max(2, listed // 2 + 1) and token not in self.withdrawals_refused:
            self.withdrawals_refused.add(token)  # said once, when they become most of those listed
            self.record_error(
                "details_not_found",
                f"{self.name} company {token!r}: {withdrawn} of the {listed} postings listed so far answer 404 "
                "for their details, too many to be withdrawn; the company is left incomplete, none of its "
                "postings closed.",
            )

    @contextmanager
    def outside_board(self):
        """Errors recorded inside count for the run, not against the board: a posting whose
        detail failed is still stored from the list, so the board's listing stays whole."""
        board = getattr(self, "_current_board", None)  # the board bookkeeping of JobBoardSpider
        self._current_board = None
        try:
            yield
        finally:
            self._current_board = board

    def posting_from(self, token: str, posting: dict, detail_found: bool) -> PostingItem:
        if not detail_found:
            self.count("details_missing")
        posting_id = str(posting["id"]).strip()
        place = posting.get("location") if isinstance(posting.get("location"), dict) else {}
        company = posting.get("company") if isinstance(posting.get("company"), dict) else {}
        item = self.posting(
            token, posting,
            company_named=company.get("name"),
            source_id=posting_id,
            url=posting.get("postingUrl") or PUBLIC_PAGE.format(token=token, posting_id=posting_id),
            html=job_ad_html(posting.get("jobAd")),
            title=text_or_none(posting.get("name")),
            location=location(place),
            posted_at=utc_from_iso(posting.get("releasedDate")),
            department=label(posting.get("department")),
            employment_type=label(posting.get("typeOfEmployment")),
            remote=remote(place),
        )
        if not detail_found:
            state = crawl_state(self.crawler)
            stored = state.hashes.get(posting_id) if state is not None else None
            if stored is not None:
                item.record_hash = stored  # the landing pipeline then records a sighting only
        return item


def label(value) -> str | None:
    return text_or_none(value.get("label")) if isinstance(value, dict) else None


def location(place: dict) -> str | None:
    """``fullLocation`` where given, else "city, region, country"."""
    full = text_or_none(place.get("fullLocation"))
    if full:
        return full
    city, region, country = (text_or_none(place.get(key)) for key in ("city", "region", "country"))
    if country and len(country) == 2:
        country = country.upper()  # the API gives an ISO code in lower case: "br"
    return ", ".join(part for part in (city, region, country) if part) or None


def remote(place: dict) -> bool | None:
    if place.get("remote") is True:
        return True
    if place.get("remote") is False or place.get("hybrid") is True:
        return False
    return None


def job_ad_html(job_ad) -> str:
    """Each job-ad section under its title, in the order the careers page shows them."""
    sections = job_ad.get("sections") if isinstance(job_ad, dict) else None
    if not isinstance(sections, dict):
        return ""
    parts = []
    for key in SECTIONS:
        section = sections.get(key)
        if isinstance(section, dict) and text_or_none(section.get("text")):
            title = text_or_none(section.get("title"))
            parts.append((f"<h3>{html.escape(title)}</h3>" if title else "") + section["text"])
    return "\n".join(parts)
