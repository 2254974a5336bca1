"""Hacker News "Ask HN: Who is hiring?" threads, through the Algolia HN Search API.

1. ``/api/v1/search_by_date?page=N&query=hiring&tags=story,(author__whoishiring,author_whoishiring)``
   lists the stories of the ``whoishiring`` account, newest first, 20 a page; pages are read
   up to the last that ``nbPages`` counts, or an empty one (or, with ``--since``, until a page
   holds only older stories); a page of stories all seen before ends the walk as an error.
2. Only "Ask HN: Who is hiring? (Month YYYY)" stories by ``whoishiring`` (or ``_whoishiring``, 2015) in the wanted
   months are kept ("Who wants to be hired?", "Freelancer?" and others are not).
3. ``/api/v1/items/<id>`` returns the whole thread as a tree; every top-level comment with
   text is one posting (replies are not postings; deleted comments are counted, skipped).
"""

from __future__ import annotations

import calendar
import json
import re
from datetime import date, datetime

import scrapy

from crawlers.items import PostingItem
from crawlers.spiders.base import SourceSpider
from crawlers.spiders.jobboard import count_of, utc_from_seconds

SEARCH_PATH = "/api/v1/search_by_date?page={page}&query=hiring&tags=story,(author__whoishiring,author_whoishiring)"
ITEM_PATH = "/api/v1/items/{id}"
# April and May 2015 were posted by "_whoishiring" (hence the tag author__whoishiring).
HIRING_ACCOUNTS = {"whoishiring", "_whoishiring"}
HIRING_TITLE = re.compile(r"^\s*Ask HN:\s*Who is hiring\?\s*\(\s*([A-Za-z]+)\s+(\d{4})\s*\)\s*$", re.IGNORECASE)
MONTH_NUMBERS = {name.lower(): number for number, name in enumerate(calendar.month_name) if name}
MONTH_NUMBERS.update({name.lower(): number for number, name in enumerate(calendar.month_abbr) if name})
MAX_CONSECUTIVE_BAD_PAGES = 3
# Algolia serves at most 1,000 hits of a search (50 pages of 20); a server that pages on past
# that, or past its own nbPages, is not the real index.
MAX_INDEX_PAGES = 50


def hiring_thread_month(title: str | None) -> date | None:
    """The month of a "Who is hiring? (Month YYYY)" title, or None for any other title."""
    match = HIRING_TITLE.match(title or "")
    if not match:
        return None
    month = MONTH_NUMBERS.get(match.group(1).lower())
    return date(int(match.group(2)), month, 1) if month else None


def utc_from_epoch(seconds) -> datetime | None:
    """Algolia's ``created_at_i`` as naive UTC; None when absent or not a number."""
    try:
        return utc_from_seconds(int(seconds))
    except (TypeError, ValueError, OverflowError):  # int() of None, "n/a", infinity
        return None


class HackerNewsHiringSpider(SourceSpider):
    name = "hn"
    base_url_env = "SKILLTRENDS_HN_URL"
    default_base_url = "https://hn.algolia.com"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.seen_stories: set[int] = set()
        self.seen_hits: set[str] = set()
        self.known_pages: int | None = None
        self.bad_pages_in_a_row = 0

    async def start(self):
        yield self.search_request(0)

    def search_request(self, page: int) -> scrapy.Request:
        return scrapy.Request(
            self.base_url + SEARCH_PATH.format(page=page),
            callback=self.parse_search,
            errback=self.on_search_failed,
            cb_kwargs={"page": page},
        )

    def parse_search(self, response, page: int = 0):
        """One page of the whoishiring story index.

        @api_path /api/v1/search_by_date?page=0&query=hiring&tags=story,(author__whoishiring,author_whoishiring)
        @returns requests 1
        @returns items 0 0
        """
        data = self.load_json(response, f"Story index page {page}")
        if not isinstance(data, dict) or not isinstance(data.get("hits"), list):
            if data is not None:
                self.record_error("unexpected_layout", f"Story index page {page} at {response.url} has no 'hits' list; skipped.")
            yield from self.after_bad_page(page)
            return
        self.bad_pages_in_a_row = 0
        if isinstance(data.get("nbPages"), int):
            self.known_pages = data["nbPages"]
        hits = data["hits"]
        if not hits:
            return
        self.count("index_pages")
        hit_ids = {str(hit["objectID"]) for hit in hits if isinstance(hit, dict) and hit.get("objectID") is not None}
        repeats = bool(hit_ids) and hit_ids <= self.seen_hits
        self.seen_hits |= hit_ids
        yield from self.readable(hits, self.thread_request, f"Story index page {page}", "stories_unreadable")
        if repeats:
            self.record_error("pagination_repeats", f"Story index page {page} at {response.url} repeats stories "
                                                    "already seen; stopped paging.")
        elif page + 1 >= min(MAX_INDEX_PAGES, self.known_pages or MAX_INDEX_PAGES):
            return  # the last page the index has
        elif not self.all_older_than_since(hits):
            yield self.search_request(page + 1)

    def after_bad_page(self, page: int):
        """A bad index page is skipped; the next is tried while more pages may exist."""
        self.bad_pages_in_a_row += 1
        more_pages = self.known_pages is None or page + 1 < self.known_pages
        if more_pages and self.bad_pages_in_a_row < MAX_CONSECUTIVE_BAD_PAGES:
            yield self.search_request(page + 1)

    def on_search_failed(self, failure):
        self.on_request_failed(failure)
        yield from self.after_bad_page(failure.request.cb_kwargs["page"])

    def all_older_than_since(self, hits: list[dict]) -> bool:
        if self.since is None:
            return False
        stamps = [utc_from_epoch(hit.get("created_at_i")) if isinstance(hit, dict) else None for hit in hits]
        # Threads go up on the 1st; a story created before the month --since names is older.
        return all(stamp is not None and stamp.date() < self.since for stamp in stamps)

    def thread_request(self, hit) -> scrapy.Request | None:
        if not isinstance(hit, dict):
            self.count("stories_unreadable")
            return None
        if hit.get("author") not in HIRING_ACCOUNTS:
            return None
        month = hiring_thread_month(hit.get("title"))
        if month is None:
            self.count("stories_not_hiring_threads")
            return None
        try:
            story_id = int(hit.get("objectID") or hit.get("story_id"))
        except (TypeError, ValueError):
            self.record_error("unexpected_layout", f"Story {hit.get('title')!r} has no usable objectID; skipped.")
            return None
        if story_id in self.seen_stories or not self.month_wanted(month):
            return None
        self.seen_stories.add(story_id)
        self.count("threads_found")
        return scrapy.Request(
            self.base_url + ITEM_PATH.format(id=story_id),
            callback=self.parse_thread,
            errback=self.on_request_failed,
            cb_kwargs={"month": month, "story_id": story_id},
        )

    def parse_thread(self, response, month: date | None = None, story_id: int | None = None):
        """A whole thread: one posting per top-level comment with text.

        @api_path /api/v1/items/2396027
        @returns requests 0 0
        @returns items 1
        @scrapes source source_id url html posted_at author thread_id month
        """
        story_id = story_id or int(response.url.rstrip("/").rsplit("/", 1)[-1])
        data = self.load_json(response, f"Thread {story_id}")
        if data is None:
            return
        children = data.get("children") if isinstance(data, dict) else None
        if not isinstance(children, list):
            self.record_error("unexpected_layout", f"Thread {story_id} at {response.url} has no 'children' list; skipped.")
            return
        month = month or hiring_thread_month(data.get("title"))
        self.count("threads_done")
        yield from self.readable(children, lambda comment: self.posting_from_comment(comment, story_id, month),
                                 f"Thread {story_id}", "comments_unreadable")

    def posting_from_comment(self, comment, story_id: int, month: date | None) -> PostingItem | None:
        comment_id = count_of(comment.get("id")) if isinstance(comment, dict) else None
        if comment_id is None or comment.get("type", "comment") != "comment":
            self.count("comments_unreadable")
            return None
        text = comment.get("text")
        if not isinstance(text, str) or not text.strip():
            self.count("comments_deleted_or_empty")
            return None
        raw = {key: value for key, value in comment.items() if key != "children"}
        self.count("postings_found")
        return PostingItem(
            source="hn",
            source_id=str(comment_id),
            url=f"https://news.ycombinator.com/item?id={comment_id}",
            html=text,
            posted_at=utc_from_epoch(comment.get("created_at_i")),
            author=comment.get("author"),
            thread_id=str(story_id),
            month=month,
            raw=json.dumps(raw, ensure_ascii=False),
        )
