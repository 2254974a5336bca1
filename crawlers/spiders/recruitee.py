"""Recruitee careers sites, through the public Careers Site API (no key needed to read).

``https://<company>.recruitee.com/api/offers/`` returns a company's published offers in one
response: ``{"offers": [...]}``, each with its description and requirements (HTML), the
work-place flags ``remote``/``hybrid``/``on_site`` and, where the company publishes it, a
``salary`` object (``min``, ``max``, ``currency``, ``period``). An unknown company answers 404.

**Where the company goes.** Recruitee names the company in the *host*, not the path, so the
variable ``SKILLTRENDS_RECRUITEE_URL`` is a template:

- with ``{company}`` (the default ``https://{company}.recruitee.com``, or a mirror such as
  ``http://{company}.recruitee.mirror.internal:8080``), the company is put in the host;
- without it (``http://127.0.0.1:8080``: one host serving every company), each request goes
  to that host with the company's real host name in its ``Host`` header
  (``Host: <company>.recruitee.com``), as a virtual-hosting mirror expects.

Either way only scheme and host change; the path is always the real ``/api/offers/``.
See ``docs/sources.md`` for the mapping.
"""

from __future__ import annotations

from datetime import datetime

import scrapy

from crawlers.items import PostingItem
from crawlers.spiders.jobboard import (
    JobBoardSpider, salary_fields, text_or_none, utc_from_iso,
)

OFFERS_PATH = "/api/offers/"
COMPANY = "{company}"
REAL_HOST = "{company}.recruitee.com"


def utc_from_recruitee(value) -> datetime | None:
    """Recruitee's "2024-05-29 09:45:21 UTC" (or ISO 8601) as naive UTC."""
    if isinstance(value, str) and value.strip().endswith(" UTC"):
        value = value.strip()[: -len(" UTC")] + "+00:00"
    return utc_from_iso(value)


class RecruiteeSpider(JobBoardSpider):
    name = "recruitee"
    base_url_env = "SKILLTRENDS_RECRUITEE_URL"
    default_base_url = f"https://{REAL_HOST}"
    conditional_requests = True  # one response is the whole board: a 304 means "unchanged"

    def board_request(self, token: str) -> scrapy.Request:
        if COMPANY in self.base_url:
            url, headers = self.base_url.replace(COMPANY, token) + OFFERS_PATH, {}
        else:  # one host for every company: tell them apart as a virtual host would
            url, headers = self.base_url + OFFERS_PATH, {"Host": REAL_HOST.format(company=token)}
        return scrapy.Request(
            url,
            headers=headers,
            dont_filter=True,  # one URL per company only when the company is in the host
            callback=self.parse_board,
            errback=self.on_board_failed,
            cb_kwargs={"token": token},
        )

    def parse_board(self, response, token: str):
        """One careers site: every published offer.

        @api_path /api/offers/
        @cb_kwargs {"token": "dataroots"}
        @returns requests 0 0
        @returns items 1
        @scrapes source source_id url html title company location posted_at updated_at employment_type raw
        """
        data = self.load_json(response, f"Recruitee company {token!r}")
        if data is None:
            return
        offers = data.get("offers") if isinstance(data, dict) else None
        if not isinstance(offers, list):
            self.unexpected_layout(token, response, "an object with an 'offers' list")
            return
        self.count("boards_done")
        yield from self.readable(offers, lambda offer: self.posting_from_offer(token, offer),
                                 f"Recruitee company {token!r}")

    def posting_from_offer(self, token: str, offer) -> PostingItem | None:
        if not isinstance(offer, dict) or offer.get("id") is None:
            self.count("jobs_unreadable")
            return None
        if offer.get("status") not in (None, "published"):
            self.count("jobs_unlisted")
            return None
        salary = offer.get("salary") if isinstance(offer.get("salary"), dict) else {}
        return self.posting(
            token, offer,
            company_named=offer.get("company_name"),
            source_id=str(offer["id"]),
            url=offer.get("careers_url"),
            html=offer_html(offer),
            title=text_or_none(offer.get("title")),
            location=location(offer),
            posted_at=utc_from_recruitee(offer.get("published_at")) or utc_from_recruitee(offer.get("created_at")),
            updated_at=utc_from_recruitee(offer.get("updated_at")),
            department=department(offer.get("department")),
            employment_type=text_or_none(offer.get("employment_type_code")),
            remote=remote(offer),
            **salary_fields(salary.get("min"), salary.get("max"), salary.get("currency"), salary.get("period")),
        )


def offer_html(offer: dict) -> str:
    """The description, then the requirements under a heading, as the careers page shows them."""
    parts = [offer.get("description") or ""]
    if text_or_none(offer.get("requirements")):
        parts.append(f"<h3>Requirements</h3>{offer['requirements']}")
    return "\n".join(part for part in parts if part)


def location(offer: dict) -> str | None:
    """``location`` as Recruitee words it; else the ``locations`` entries; else city, country."""
    text = text_or_none(offer.get("location"))
    if text:
        return text
    places = []
    for entry in offer.get("locations") or []:
        if isinstance(entry, dict):
            parts = [text_or_none(entry.get(key)) for key in ("city", "state", "country")]
            joined = ", ".join(part for part in parts if part)
            if joined and joined not in places:
                places.append(joined)
    if places:
        return "; ".join(places)
    parts = [text_or_none(offer.get(key)) for key in ("city", "country")]
    return ", ".join(part for part in parts if part) or None


def department(value) -> str | None:
    return text_or_none(value.get("name")) if isinstance(value, dict) else text_or_none(value)


def remote(offer: dict) -> bool | None:
    """``remote`` true → True; otherwise ``hybrid`` or ``on_site`` true → False; else None."""
    if offer.get("remote") is True:
        return True
    if offer.get("hybrid") is True or offer.get("on_site") is True:
        return False
    return None
