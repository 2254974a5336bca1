"""What the job-board (ATS) spiders share: which boards to crawl, gone boards, value helpers.

A job-board spider reads the public board API of one applicant tracking system, one board
per company. The boards come from the spider argument ``board`` (one token) or ``boards``
(comma-separated; the CLI's ``--board``), else from the registry ``crawlers/boards.toml``
(``crawlers.boards``). A board answering 404 is gone: one log line, one count of
``skilltrends/errors/board_gone``, and the other boards carry on.

Board APIs list the jobs open now, not a history: ``--since``/``--until`` do not apply to
them and are ignored (with a warning). ``month`` stays None; the ETL derives it from
``posted_at``.
"""

from __future__ import annotations

import json
import re
from datetime import datetime, timezone

import scrapy
from scrapy.spidermiddlewares.httperror import HttpError

from crawlers.boards import TOKEN_PATTERN, Board, load_boards
from crawlers.items import PostingItem
from crawlers.spiders.base import BadArgument, SourceSpider

INTERVAL = re.compile(r"(?:(\d+)\s+)?(year|month|week|day|hour)s?")  # Ashby: "1 YEAR", "1 HOUR"
PER_INTERVAL = re.compile(r"per-(year|month|week|day|hour)(?:-\w+)?")  # Lever: "per-year-salary"


def board_tokens(board: str | None, boards: str | None) -> list[str]:
    """The tokens named by ``board`` and ``boards`` (comma-separated), each once, in order."""
    tokens: list[str] = []
    for text in (board, boards):
        for token in (text or "").split(","):
            token = token.strip()
            if not token:
                continue
            if not TOKEN_PATTERN.match(token):
                raise BadArgument(
                    f"--board {token!r} is not a board token: use the name from the board's URL "
                    "(letters, digits, '.', '_' or '-'), e.g. --board anthropic."
                )
            if token not in tokens:
                tokens.append(token)
    return tokens


def utc_from_iso(value) -> datetime | None:
    """An ISO 8601 time (any offset) as naive UTC; None if absent or unreadable."""
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        stamp = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    if stamp.tzinfo is not None:
        stamp = stamp.astimezone(timezone.utc).replace(tzinfo=None)
    return stamp


def utc_from_epoch_ms(value) -> datetime | None:
    """Milliseconds since the epoch (Lever's ``createdAt``) as naive UTC."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return datetime.fromtimestamp(value / 1000, timezone.utc).replace(tzinfo=None)


def amount(value) -> float | None:
    if isinstance(value, bool) or value is None:
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def salary_period(value) -> str | None:
    """"year", "month", "week", "day" or "hour" from the sources' spellings; else as given.

    "1 YEAR" and "per-year-salary" are "year"; "6 MONTH" stays "6 month"; "one-time" stays.
    """
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip().lower()
    match = INTERVAL.fullmatch(text)
    if match:
        count, unit = match.groups()
        return unit if count in (None, "1") else f"{count} {unit}"
    match = PER_INTERVAL.fullmatch(text)
    return match.group(1) if match else text


def text_or_none(value) -> str | None:
    if isinstance(value, str) and value.strip():
        return value.strip()
    return None


class JobBoardSpider(SourceSpider):
    """Base for ATS spiders: a subclass names its ``board_path`` and a ``parse_board``
    callback, or overrides ``board_request`` (Lever pages through a board)."""

    takes_boards = True
    board_path: str = ""  # the API path of one board, with a ``{token}`` placeholder

    def __init__(self, *args, board: str | None = None, boards: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        registry = {entry.token: entry for entry in load_boards(self.name)}
        tokens = board_tokens(board, boards)
        self.boards_to_crawl: list[Board] = (
            [registry.get(token, Board(token, token)) for token in tokens] if tokens else list(registry.values())
        )
        self.companies = {entry.token: entry.company for entry in [*registry.values(), *self.boards_to_crawl]}

    async def start(self):
        if self.since or self.until:
            self.logger.warning("%s boards list the jobs open now: --since/--until are ignored.", self.name)
        if not self.boards_to_crawl:
            self.logger.warning("No %s boards to crawl: give --board TOKEN or list some in the board registry.",
                                self.name)
        for entry in self.boards_to_crawl:
            self.count("boards_requested")
            yield self.board_request(entry.token)

    def board_request(self, token: str) -> scrapy.Request:
        return scrapy.Request(
            self.base_url + self.board_path.format(token=token),
            callback=self.parse_board,
            errback=self.on_board_failed,
            cb_kwargs={"token": token},
        )

    def company_of(self, token: str) -> str:
        return self.companies.get(token, token)

    def on_board_failed(self, failure):
        """Errback for board requests: a 404 means the board is gone; anything else as usual."""
        if failure.check(HttpError) and failure.value.response.status == 404:
            token = failure.request.cb_kwargs.get("token", "?")
            self.record_error(
                "board_gone",
                f"{self.name} board {token!r} is gone (HTTP 404 at {failure.request.url}); skipped.",
            )
        else:
            self.on_request_failed(failure)

    def unexpected_layout(self, token: str, response, expected: str) -> None:
        self.record_error(
            "unexpected_layout",
            f"{self.name} board {token!r} at {response.url} is not {expected}; skipped.",
        )

    def posting(self, token: str, job: dict, **fields) -> PostingItem:
        """The common item for one job of board ``token``, its JSON kept as received in ``raw``."""
        self.count("postings_found")
        return PostingItem(
            source=self.name,
            company=self.company_of(token),
            month=None,
            raw=json.dumps(job, ensure_ascii=False),
            **fields,
        )
