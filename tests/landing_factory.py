"""Build landing files the way a crawl does (through crawlers.landing), for ETL tests."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from crawlers.items import PostingItem
from crawlers.landing import LandingWriter, new_run_id
from skilltrends.home import Home


def hn_item(comment_id: int, html: str, month: str, author: str = "someone") -> PostingItem:
    year, number = (int(part) for part in month.split("-"))
    return PostingItem(
        source="hn", source_id=str(comment_id), url=f"https://news.ycombinator.com/item?id={comment_id}",
        html=html, posted_at=datetime(year, number, 1, 16, 0), author=author,
        thread_id=f"{year}{number:02d}", month=date(year, number, 1),
    )


def board_item(job_id: int, html: str, posted: datetime, fetched: datetime, location: str,
               remote: bool | None = None) -> PostingItem:
    """A Greenhouse job as its spider stores it, on board "acme"."""
    return PostingItem(
        source="greenhouse", source_id=str(job_id), url=f"https://boards.greenhouse.io/acme/jobs/{job_id}",
        html=html, title="ML Engineer", company="Acme", location=location, remote=remote, posted_at=posted,
        fetched_at=fetched, board="acme",
    )


def write_landing(home_dir: Path, items: list[PostingItem], status: str = "finished", stats: dict | None = None,
                  source: str = "hn") -> Path:
    run_id = new_run_id()
    home = Home.resolve(home_dir)
    writer = LandingWriter(home.landing_file(source, run_id), run_id, source)
    writer.write(items)
    writer.close(status, 0, stats or {"test": True})
    return writer.path
