"""The common posting item every spider yields; the landing file stores exactly these fields."""

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


def utc_now() -> datetime:
    """Naive UTC, to the second: what every TIMESTAMP column holds."""
    return datetime.now(timezone.utc).replace(tzinfo=None, microsecond=0)
