"""The items spiders yield: one ``PostingItem`` per posting, one ``BoardResult`` per job board.

The landing file stores exactly the ``PostingItem`` fields (table ``postings``) and one row
per ``BoardResult`` (table ``boards``). Fields added after ``fetched_at`` are optional and
appended at the end, so landing files written before them stay readable: the ETL fills the
missing columns with nulls.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field, fields
from datetime import date, datetime, timezone

# Not part of a record's content: when it was fetched, where it was listed, and the hash itself.
NOT_CONTENT = ("fetched_at", "board", "record_hash")


@dataclass
class PostingItem:
    source: str
    source_id: str
    url: str
    html: str
    posted_at: datetime | None = None
    author: str | None = None
    thread_id: str | None = None
    month: date | None = None
    company: str | None = None
    title: str | None = None
    location: str | None = None
    raw: str | None = None  # the source's JSON for this record, as received
    fetched_at: datetime = field(default_factory=lambda: utc_now())
    # Job-board (ATS) details; None where a source does not say.
    department: str | None = None
    employment_type: str | None = None  # as the source words it: "FullTime", "Full-time", ...
    remote: bool | None = None
    salary_min: float | None = None
    salary_max: float | None = None
    salary_currency: str | None = None  # ISO 4217 code, as given
    salary_period: str | None = None  # "year", "month", "week", "day", "hour", or the source's word
    updated_at: datetime | None = None  # naive UTC, when the source last changed the posting
    # Crawl bookkeeping: the job board that listed it (None for HN) and ``record_hash(item)``.
    board: str | None = None
    record_hash: str | None = None

    def __post_init__(self):
        # A value a source sent where text belongs, passed through, would fail the whole batch
        # when written to the landing file: a number is its text, anything else unreadable (the
        # spider's ``readable`` makes that one line and skips the record).
        for name in TEXT_FIELDS:
            value = getattr(self, name)
            if value is None or isinstance(value, str):
                continue
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                setattr(self, name, str(value))
            else:
                raise TypeError(f"its {name} is {type(value).__name__} {str(value)[:60]!r}, not text")


@dataclass
class BoardResult:
    """How the crawl of one job board ended (``crawlers.spiders.jobboard`` yields one per board).

    ``complete`` is true only when every request of the board succeeded, the spider read the
    board to its end and no job was unreadable: only then may the ETL close the board's
    postings that were not listed. ``not_modified``: the board answered 304 to a conditional
    request, so it lists the same postings (``ids``) as its last complete crawl.
    """

    source: str
    board: str
    complete: bool
    seen_at: datetime  # when its first response arrived: no earlier than the crawl's requests
    ids: list[str] = field(default_factory=list)  # the postings it listed, in order
    not_modified: bool = False
    error: str | None = None  # the first failure's kind when not complete
    url: str | None = None  # the board's first request, and the validators its answer carried
    etag: str | None = None
    last_modified: str | None = None


def record_hash(item: PostingItem) -> str:
    """16 hex digits of SHA-1 over every content field of ``item``: changes when the source
    changes anything in the record (text, title, pay, its raw JSON...), not when it is
    merely fetched again."""
    # Fields left None are omitted, so a field added to the item later changes no old hash.
    content = {name: value for name in CONTENT_FIELDS if (value := getattr(item, name)) is not None}
    encoded = json.dumps(content, sort_keys=True, default=str, ensure_ascii=False).encode("utf-8")
    return hashlib.sha1(encoded).hexdigest()[:16]


CONTENT_FIELDS = tuple(f.name for f in fields(PostingItem) if f.name not in NOT_CONTENT)
TEXT_FIELDS = tuple(f.name for f in fields(PostingItem) if f.type in ("str", "str | None"))


def utc_now() -> datetime:
    """Naive UTC, to the second: what every TIMESTAMP column holds."""
    return datetime.now(timezone.utc).replace(tzinfo=None, microsecond=0)
