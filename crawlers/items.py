"""The common posting item every spider yields; the landing file stores exactly these fields.

Fields added after ``fetched_at`` (job-board details) are optional and appended at the end, so
landing files written before them stay readable: the ETL fills the missing columns with nulls.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timezone


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


def utc_now() -> datetime:
    """Naive UTC, to the second: what every TIMESTAMP column holds."""
    return datetime.now(timezone.utc).replace(tzinfo=None, microsecond=0)
