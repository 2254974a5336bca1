r"""Remote OK (remote jobs board), through its public JSON API (no key needed).

``/api`` returns the board's recent listings in one JSON list. Its first element is not a
job but a notice, ``{"last_updated": ..., "legal": "API Terms of Service: ..."}``; it is
recognised by having no ``id``/``position`` (or a ``legal`` key), logged once, kept in the
run's stats (``skilltrends/source_terms``) and never stored as a posting.

Remote OK appends to every description its API serves a note for applicants ("Please mention
the word **X** and tag R<base64> when applying to show you read the job post completely
(#R<base64>). ..."), whose tag is the base64 of the address the request came from. The
spider removes it (stat ``skilltrends/reader_canaries_removed``): kept, it would store the
crawler's IP address in every posting, put a random word before the extractor, and make every
posting look changed whenever that address changes.

Remote OK serves much of its text encoded twice: UTF-8 bytes read as Latin-1 and encoded
again ("grabaciÃ³n", "worldâ\x80\x99s", a no-break space as "Â\xa0"). The glued "Â" hides
the word before it from the skill matcher ("PyTorchÂ"), so the spider repairs description,
position, company and location with ftfy's ``fix_encoding``, which changes only such
mojibake and stray C1 control characters (read as Windows-1252: "\x80" is "€"); stat
``skilltrends/texts_reencoded``. ``raw`` keeps them as received.

The terms ask users of the API to link back to the listing's URL on Remote OK and to name
Remote OK as the source. The spider keeps each listing's Remote OK ``url`` and stores the
postings under the source name ``remoteok``; anything published from them should show both.
It asks once per crawl with the project's named user agent, and obeys robots.txt like every
spider. See ``docs/sources.md`` for the mapping.
"""

from __future__ import annotations

import re

from ftfy import fix_encoding

from crawlers.items import PostingItem
from crawlers.spiders.jobboard import positive, text_or_none, utc_from_iso
from crawlers.spiders.jobfeed import JobFeedSpider, utc_from_epoch

API_PATH = "/api"
TAG = r"R[A-Za-z0-9+/=]+"
READER_CANARY = re.compile(
    rf"Please mention the word\s*(?:\*\*|<\w+>)?\s*[\w'-]+\s*(?:\*\*|</\w+>)?\s*and tag\s+{TAG}\s+"
    rf"when applying to show you read the job post completely(?:\s*\(#{TAG}\))?\.?"
    r"(?:\s*This is a beta feature to avoid spam applicants\.)?"
    r"(?:\s*Companies can search these words to find applicants that read this and see they"
    r"(?:'|’|&#0?39;|&rsquo;)re human\.)?",
    re.IGNORECASE,
)
# One "<p></p>" or "<br/>" at the very end: the note leaves such. Taken off one at a time
# (``without_empty_end``): one pattern for a whole run of them backtracks quadratically.
LAST_EMPTY_ELEMENT = re.compile(r"(?:<(\w+)[^>]*>\s*</\1>|<br\s*/?>)$", re.IGNORECASE)
REPAIRED_FIELDS = ("description", "position", "company", "location")


class RemoteOkSpider(JobFeedSpider):
    name = "remoteok"
    base_url_env = "SKILLTRENDS_REMOTEOK_URL"
    default_base_url = "https://remoteok.com"
    feed_label = "Remote OK"

    def first_requests(self):
        yield self.api_request(API_PATH, self.parse_feed)

    def parse_feed(self, response):
        """The whole feed: the legal notice, then one element per listing.

        @api_path /api
        @returns requests 0 0
        @returns items 1
        @scrapes source source_id url html title company remote posted_at raw
        """
        data = self.load_json(response, "Remote OK feed")
        if data is None:
            return
        if not isinstance(data, list):
            self.unexpected_layout(response, "a JSON list")
            return
        self.count("pages_done")
        yield from self.readable(data, self.posting_or_notice, "Remote OK feed")

    def posting_or_notice(self, element) -> PostingItem | None:
        if isinstance(element, dict) and is_notice(element):
            self.record_terms(element.get("legal"))
            return None
        return self.posting_from_job(element)

    def posting_from_job(self, job) -> PostingItem | None:
        if not isinstance(job, dict) or job.get("id") in (None, ""):
            self.count("jobs_unreadable")
            return None
        description = job.get("description")
        if isinstance(description, str) and READER_CANARY.search(description):
            job = {**job, "description": without_empty_end(READER_CANARY.sub("", description))}
            self.count("reader_canaries_removed")
        low, high = positive(job.get("salary_min")), positive(job.get("salary_max"))
        has_pay = low is not None or high is not None
        text = self.repaired(job)
        return self.posting(
            job,
            source_id=str(job["id"]),
            url=job.get("url"),
            html=text["description"] or "",
            title=text_or_none(text["position"]),
            company=text_or_none(text["company"]),
            location=text_or_none(text["location"]),
            remote=True,  # a remote-only board
            posted_at=utc_from_iso(job.get("date")) or utc_from_epoch(job.get("epoch")),
            salary_min=low,
            salary_max=high,
            # Remote OK states pay as yearly US dollars; 0 means not given.
            salary_currency="USD" if has_pay else None,
            salary_period="year" if has_pay else None,
        )


    def repaired(self, job: dict) -> dict:
        """The job's text fields with text encoded twice repaired (see the module's docstring)."""
        text = {}
        for name in REPAIRED_FIELDS:
            value = job.get(name)
            text[name] = fix_encoding(value) if isinstance(value, str) else value
        if any(text[name] != job.get(name) for name in REPAIRED_FIELDS):
            self.count("texts_reencoded")
        return text


def without_empty_end(html: str) -> str:
    """``html`` without the empty elements and line breaks at its end."""
    end = len(html.rstrip())
    while match := LAST_EMPTY_ELEMENT.search(html, max(0, end - 200), end):
        end = match.start()
        while end and html[end - 1].isspace():
            end -= 1
    return html[:end]


def is_notice(element: dict) -> bool:
    return "legal" in element or (element.get("id") in (None, "") and not element.get("position"))
