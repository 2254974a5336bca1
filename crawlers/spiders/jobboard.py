"""What the job-board (ATS) spiders share: which boards to crawl, how each board's crawl
ended, gone boards, conditional requests, value helpers.

A job-board spider reads the public board API of one applicant tracking system, one board
per company. The boards come from the spider argument ``board`` (one token) or ``boards``
(comma-separated; the CLI's ``--board``), else from the registry ``crawlers/boards.toml``
(``crawlers.boards``). A board answering 404 is gone: one log line, one count of
``skilltrends/errors/board_gone``, and the other boards carry on.

**How a board's crawl ends.** Every request of a board (the one ``board_request`` builds,
and any request its callbacks yield) is tracked; when the last one is answered the spider
yields a ``BoardResult``. The board is *complete* only if none of its requests failed, no
error was recorded while its callbacks ran, no job was unreadable, and the subclass said it
read the board to its end with ``self.count("boards_done")``. Only complete boards let the
ETL close the postings they no longer list. A subclass needs nothing more than: requests
whose ``cb_kwargs`` hold ``token``, ``record_error`` for failures, ``count("jobs_unreadable")``
for a job it cannot read, ``count("boards_done")`` once the board is read through.

**Conditional requests.** A subclass whose board is ONE response (``conditional_requests =
True``: Greenhouse, Ashby) gets ``If-None-Match``/``If-Modified-Since`` on it when the board's
last complete crawl received an ``ETag``/``Last-Modified``; a 304 then means "the same
postings as last time", recorded without fetching or storing them again. Spiders that page
through a board (Lever) leave it off: one page unchanged says nothing of the others.

**Resume.** With ``--resume`` the boards come from the crawl job left unfinished
(``crawlers.state``), minus those already done.

Board APIs list the jobs open now, not a history: ``--since``/``--until`` do not apply to
them and are ignored (with a warning). ``month`` stays None; the ETL derives it from
``posted_at``.
"""

from __future__ import annotations

import json
import math
import re
import traceback
from dataclasses import dataclass, field
from datetime import datetime, timezone

import scrapy
from scrapy.spidermiddlewares.httperror import HttpError

from crawlers.boards import TOKEN_PATTERN, Board, load_boards
from crawlers.items import BoardResult, PostingItem, utc_now
from crawlers.middlewares import BudgetExhausted, CrawlStopping
from crawlers.runstatus import BOARD_GONE
from crawlers.spiders.base import BadArgument, SourceSpider, failure_kind
from crawlers.state import crawl_state

INTERVAL = re.compile(r"(?:(\d+)\s+)?(year|month|week|day|hour)s?")  # Ashby: "1 YEAR", "1 HOUR"
PER_INTERVAL = re.compile(r"per-(year|month|week|day|hour)(?:-\w+)?")  # Lever: "per-year-salary"
# Himalayas: "hourly"; others "annually".
INTERVAL_ADVERBS = {"hourly": "hour", "daily": "day", "weekly": "week", "monthly": "month", "yearly": "year",
                    "annually": "year", "annual": "year"}


# 1,000 pages of Lever's or SmartRecruiters' 100 postings: ten times the largest boards.
DEFAULT_BOARD_MAX_PAGES = 1000


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
    """Milliseconds since the epoch (Lever's ``createdAt``, a number or its digits) as naive UTC."""
    milliseconds = amount(value)
    return None if milliseconds is None or milliseconds <= 0 else utc_from_seconds(milliseconds / 1000)


def utc_from_seconds(seconds: float) -> datetime | None:
    """Seconds since the epoch as naive UTC; None beyond the years a datetime holds."""
    try:
        return datetime.fromtimestamp(seconds, timezone.utc).replace(tzinfo=None)
    except (OverflowError, OSError, ValueError):
        return None


def count_of(value) -> int | None:
    """A count as a source writes it (a whole number, or its digits); None for anything else."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value if value >= 0 else None
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def positive(value) -> float | None:
    """``amount(value)`` above 0; None for 0, which job feeds write for pay not given."""
    number = amount(value)
    return number if number and number > 0 else None


def amount(value) -> float | None:
    if isinstance(value, bool) or value is None:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None  # "NaN", "Infinity", 1e999


def salary_period(value) -> str | None:
    """"year", "month", "week", "day" or "hour" from the sources' spellings; else as given.

    "1 YEAR", "per-year-salary" and "annually" are "year"; "6 MONTH" stays "6 month";
    "one-time" stays.
    """
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip().lower()
    if text in INTERVAL_ADVERBS:
        return INTERVAL_ADVERBS[text]
    match = INTERVAL.fullmatch(text)
    if match:
        count, unit = match.groups()
        return unit if count in (None, "1") else f"{count} {unit}"
    match = PER_INTERVAL.fullmatch(text)
    return match.group(1) if match else text


def salary_fields(low, high, currency, period) -> dict:
    """The item's four salary fields from a source's values: amounts parsed, period normalised."""
    return {"salary_min": amount(low), "salary_max": amount(high),
            "salary_currency": text_or_none(currency), "salary_period": salary_period(period)}


def text_or_none(value) -> str | None:
    if isinstance(value, str) and value.strip():
        return value.strip()
    return None


def id_text(value) -> str | None:
    """A record's id as text: a non-empty string, or a whole number's digits."""
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return text_or_none(value)


@dataclass
class BoardCrawl:
    """The crawl of one board in this run, while its requests are out."""

    token: str
    outstanding: int = 0  # requests sent and not answered yet
    seen_at: datetime | None = None
    read_through: bool = False  # the subclass counted "boards_done"
    error: str | None = None
    unreadable: int = 0
    pages: int = 0  # pages read of a board that pages (``reads_on``)
    abandoned: bool = False  # a request was dropped by the request budget or a stop
    finished: bool = False
    not_modified: bool = False
    ids: dict[str, None] = field(default_factory=dict)  # ordered set of source ids
    url: str | None = None
    etag: str | None = None
    last_modified: str | None = None


@dataclass
class BoardCheck:
    """What ``skilltrends boards check`` found for one registry token."""

    token: str
    status: str  # "ok", "gone" or "error"
    detail: str = ""
    postings: int = 0


class JobBoardSpider(SourceSpider):
    """Base for ATS spiders: a subclass names its ``board_path`` and a ``parse_board``
    callback, or overrides ``board_request`` (Lever pages through a board)."""

    says_skipped_records = False  # each board's unreadable jobs are one line when it ends

    takes_boards = True
    board_path: str = ""  # the API path of one board, with a ``{token}`` placeholder
    conditional_requests: bool = False  # True only where one response is the whole board
    # Where the API answers an unknown board as an empty one (not 404), ``boards check`` says so.
    unknown_board_answer: str = ""

    def __init__(self, *args, board: str | None = None, boards: str | None = None, check=False, **kwargs):
        super().__init__(*args, **kwargs)
        registry = {entry.token: entry for entry in load_boards(self.name)}
        tokens = board_tokens(board, boards)
        self.boards_to_crawl: list[Board] = (
            [registry.get(token, Board(token, token)) for token in tokens] if tokens else list(registry.values())
        )
        self.companies = {entry.token: entry.company for entry in [*registry.values(), *self.boards_to_crawl]}
        self.check_mode = check not in (False, None, "", "0", "false", "False")
        self.board_crawls: dict[str, BoardCrawl] = {}
        self.check_results: dict[str, BoardCheck] = {}
        self._current_board: BoardCrawl | None = None

    # -- which boards ----------------------------------------------------------------------

    def tokens_to_crawl(self) -> list[str]:
        """The planned boards, or with ``--resume`` those of the unfinished job not done yet."""
        planned = [entry.token for entry in self.boards_to_crawl]
        state = None if self.check_mode else crawl_state(self.crawler)
        if state is None:
            return planned
        job = state.job(planned, self.settings.getbool("CRAWL_RESUME"))
        if job.resumed:
            self.logger.warning(
                "Resuming the %s crawl %s: %d of %d boards done before, %d to go.",
                self.name, job.job_id, job.planned - len(job.todo), job.planned, len(job.todo),
            )
        return job.todo

    async def start(self):
        if (self.since or self.until) and not self.check_mode:
            self.logger.warning("%s boards list the jobs open now: --since/--until are ignored.", self.name)
        if not self.boards_to_crawl:
            self.logger.warning("No %s boards to crawl: give --board TOKEN or list some in the board registry.",
                                self.name)
        for token in self.tokens_to_crawl():
            self.count("boards_requested")
            yield self.track(self.board_request(token), first=True)

    def board_request(self, token: str) -> scrapy.Request:
        return scrapy.Request(
            self.base_url + self.board_path.format(token=token),
            callback=self.parse_board,
            errback=self.on_board_failed,
            cb_kwargs={"token": token},
        )

    def company_of(self, token: str) -> str:
        return self.companies.get(token, token)

    # -- tracking each board's requests ------------------------------------------------------

    def track(self, request: scrapy.Request, board: BoardCrawl | None = None, first: bool = False) -> scrapy.Request:
        """Route ``request`` through the board bookkeeping (its own callbacks still run)."""
        if "board_token" in request.meta:
            return request
        token = board.token if board else request.cb_kwargs.get("token")
        if token is None:
            return request
        crawl = board or self.board_crawls.setdefault(token, BoardCrawl(token))
        crawl.outstanding += 1
        meta = {**request.meta, "board_token": token,
                "board_callback": request.callback or self.parse, "board_errback": request.errback}
        if first and self.conditional_requests and not self.check_mode:
            meta["conditional_board"] = token
            meta["board_url"] = request.url
            meta["handle_httpstatus_list"] = [*request.meta.get("handle_httpstatus_list", []), 304]
        # Never dropped silently as a duplicate: every tracked request gets an answer.
        return request.replace(callback=self._board_response, errback=self._board_failure,
                               meta=meta, dont_filter=True)

    def _board_response(self, response, **cb_kwargs):
        board = self.board_crawls[response.meta["board_token"]]
        board.outstanding -= 1
        if board.seen_at is None:
            board.seen_at = utc_now()
        if response.meta.get("conditional_board"):
            board.url = response.meta.get("board_url", response.url)
            board.etag = header(response, b"ETag")
            board.last_modified = header(response, b"Last-Modified")
        if self.check_mode:
            self._check_board(board, response, cb_kwargs)
            return
        if response.status == 304:
            yield from self._not_modified(board, response)
        else:
            callback = response.meta["board_callback"]
            yield from self._in_board(board, lambda: callback(response, **cb_kwargs))
        yield from self._finish(board)

    def _board_failure(self, failure):
        request = failure.request
        board = self.board_crawls[request.meta["board_token"]]
        board.outstanding -= 1
        if failure.check(BudgetExhausted, CrawlStopping):
            board.abandoned = True  # not crawled, not failed: --resume will do it
            self.count("budget_dropped_requests" if failure.check(BudgetExhausted) else "stopped_requests")
            return
        if self.check_mode:
            self._check_failure(board, failure)
            return
        errback = request.meta.get("board_errback") or self.on_board_failed
        output = list(self._in_board(board, lambda: errback(failure)))
        if board.error is None and errback in (self.on_board_failed, self.on_request_failed):
            # Our errbacks record what they can name; a failure they only warn about
            # (an ignored request) still leaves a hole in the board.
            board.error = failure_kind(failure)[0] or "request_ignored"
        # A subclass's own errback that records no error (a fallback it is content with) keeps
        # the board complete: SmartRecruiters stores the listed posting when its detail fails.
        yield from output
        yield from self._finish(board)

    def _in_board(self, board: BoardCrawl, call):
        """Run ``call()`` (a callback or errback) and its output with ``board`` current: its
        errors and counts are the board's, its requests are tracked, its postings listed."""
        iterator = None
        while True:
            self._current_board = board
            try:
                if iterator is None:
                    output = call()
                    if output is None:
                        return
                    iterator = iter(output)
                value = next(iterator)
            except StopIteration:
                return
            except Exception as exc:  # a bug or a layout the parser did not foresee
                self.record_error(
                    "parse_error",
                    f"{self.name} board {board.token!r}: {exc.__class__.__name__}: {exc}; "
                    "the rest of the board is skipped.",
                )
                self.logger.debug("Traceback of the parse error:\n%s", traceback.format_exc())
                return
            finally:
                self._current_board = None
            if isinstance(value, scrapy.Request):
                value = self.track(value, board)
            elif isinstance(value, PostingItem):
                if value.board is None:
                    value.board = board.token
                board.ids[value.source_id] = None
            yield value

    def _not_modified(self, board: BoardCrawl, response):
        known = crawl_state(self.crawler)
        known = known.boards.get(board.token) if known is not None else None
        if not response.meta.get("validators_sent") or known is None:
            self._current_board = board
            try:
                self.record_error("unexpected_304", f"{self.name} board {board.token!r} at {response.url} "
                                  "answered 304 to a request that was not conditional; skipped.")
            finally:
                self._current_board = None
            return
        board.not_modified = True
        board.read_through = True
        board.ids = dict.fromkeys(known.ids)
        self.count("boards_not_modified")
        return
        yield  # a generator

    def _finish(self, board: BoardCrawl):
        if board.outstanding > 0 or board.finished or board.abandoned:
            return
        board.finished = True
        if board.unreadable and board.error is None:
            self.record_error(
                "unreadable_jobs",
                f"{self.name} board {board.token!r}: {board.unreadable} job(s) without a usable id were "
                "skipped; the board counts as incomplete.",
            )
            board.error = "unreadable_jobs"
        complete = board.read_through and board.error is None
        if not complete and board.error is None:
            board.error = "not_read_through"
        self.count("boards/complete" if complete else "boards/incomplete")
        yield BoardResult(
            source=self.name, board=board.token, complete=complete, seen_at=board.seen_at or utc_now(),
            ids=list(board.ids), not_modified=board.not_modified, error=None if complete else board.error,
            url=board.url, etag=board.etag, last_modified=board.last_modified,
        )

    def unfinished_boards(self) -> list[str]:
        return [token for token, board in self.board_crawls.items() if not board.finished]

    def closed(self, reason):
        """One line for the boards left unfinished (budget spent, crawl stopped)."""
        left = self.unfinished_boards()
        self.crawler.stats.set_value("skilltrends/boards/unfinished", len(left))
        if left and not self.check_mode:
            self.logger.warning(
                "%d %s board(s) were not finished (%s): %s%s. They close nothing; "
                "`skilltrends crawl %s --resume` crawls them.",
                len(left), self.name, reason, ", ".join(left[:10]), ", ..." if len(left) > 10 else "", self.name,
            )

    # -- what callbacks report -----------------------------------------------------------------

    def record_error(self, kind: str, message: str) -> None:
        super().record_error(kind, message)
        if self._current_board is not None and self._current_board.error is None:
            self._current_board.error = kind

    def count(self, key: str, by: int = 1) -> None:
        super().count(key, by)
        board = self._current_board
        if board is not None:
            if key == "boards_done":
                board.read_through = True
            elif key == "jobs_unreadable":
                board.unreadable += by

    def on_board_failed(self, failure):
        """Errback for board requests: a 404 means the board is gone; anything else as usual."""
        if answered_not_found(failure):
            token = failure.request.cb_kwargs.get("token", "?")
            self.record_error(
                BOARD_GONE,
                f"{self.name} board {token!r} is gone (HTTP 404 at {failure.request.url}); skipped.",
            )
        else:
            self.on_request_failed(failure)

    def board_jobs(self, response, token: str, what: str, key: str = "jobs") -> tuple[dict, list] | None:
        """A board's JSON and its list of jobs, or None after recording why there is none."""
        data = self.load_json(response, f"{what} {token!r}")
        if data is None:
            return None
        jobs = data.get(key) if isinstance(data, dict) else None
        if not isinstance(jobs, list):
            self.unexpected_layout(token, response, f"an object with a {key!r} list")
            return None
        self.count("boards_done")
        return data, jobs

    def board_postings(self, response, token: str, what: str):
        """Items of every readable job of a board whose JSON holds a ``jobs`` list."""
        found = self.board_jobs(response, token, what)
        if found is None:
            return
        yield from self.readable(found[1], lambda job: self.posting_from_job(token, job), f"{what} {token!r}")

    def reads_on(self, token: str, page: str, ids: list, *, more: bool, new: int,
                 starts_with: str | None) -> bool:
        """Whether a walk whose pages overlap by one posting goes on past ``page``.

        ``ids``: the posting ids the page lists, in order; ``more``: the page says more follow
        (it is full, or fewer were listed than the board's total); ``new``: postings on it not
        seen before; ``starts_with``: the id it must start with, the last of the page before.
        A page that brings nothing new ends the walk as an error when it is more than the
        overlap (a server ignoring the offset) or says more follow (the next page would be the
        same one again: a total that overcounts); a page not starting where the last ended
        means the list changed.
        """
        if ids and not new and (len(ids) > 1 or more):
            self.record_error(
                "pagination_repeats",
                f"{self.name} board {token!r} {page} repeats postings already seen; stopped paging.",
            )
            return False
        if starts_with is not None and (ids[0] if ids else None) != starts_with:
            self.changed_while_read(token, f"{page} does not start where the page before ended")
            return False
        if not more:
            self.count("boards_done")
            return False
        board = self.board_crawls.setdefault(token, BoardCrawl(token))
        board.pages += 1
        if board.pages >= self.max_board_pages:
            self.record_error(
                "too_many_pages",
                f"{self.name} board {token!r} still had more after {board.pages} pages (the BOARD_MAX_PAGES "
                "setting); stopped paging, the board is left incomplete.",
            )
            return False
        return True

    @property
    def max_board_pages(self) -> int:
        """Pages read of one board at most (``BOARD_MAX_PAGES``): a server paging on without
        end (new ids on every full page) would otherwise be walked for ever."""
        return max(1, self.settings.getint("BOARD_MAX_PAGES", DEFAULT_BOARD_MAX_PAGES))

    def changed_while_read(self, token: str, how: str) -> None:
        """A paged board whose list changed between its pages (``how``): a posting could
        have been missed, so the walk stops here, and the board, not read through, stays
        incomplete: the ETL closes none of its postings on this crawl's account."""
        self.count("boards_changed_while_read")
        self.logger.warning("%s board %r changed while it was read (%s); its walk stops here, incomplete, so "
                            "none of its postings is closed by this crawl.", self.name, token, how)

    def unexpected_layout(self, token: str, response, expected: str) -> None:
        self.record_error(
            "unexpected_layout",
            f"{self.name} board {token!r} at {response.url} is not {expected}; skipped.",
        )

    def posting(self, token: str, job: dict, company_named=None, **fields) -> PostingItem:
        """The common item for one job of board ``token``, its JSON kept as received in ``raw``.
        ``company_named``: the company as the source names it, for a board the registry does
        not name."""
        self.count("postings_found")
        company = self.company_of(token)
        if company == token:  # not named by the registry
            company = text_or_none(company_named) or company
        return PostingItem(
            source=self.name,
            company=company,
            month=None,
            raw=json.dumps(job, ensure_ascii=False),
            board=token,
            **fields,
        )

    # -- boards check ------------------------------------------------------------------------

    def _check_board(self, board: BoardCrawl, response, cb_kwargs) -> None:
        postings = 0
        callback = response.meta["board_callback"]
        for value in self._in_board(board, lambda: callback(response, **cb_kwargs)):
            postings += self.is_listed_posting(value)
        if board.error:
            self.check_results[board.token] = BoardCheck(board.token, "error", board.error, postings)
        else:
            more = "" if board.read_through else " on its first page"
            unknown = f" ({self.unknown_board_answer})" if postings == 0 and self.unknown_board_answer else ""
            self.check_results[board.token] = BoardCheck(
                board.token, "ok", f"{postings} posting(s){more}{unknown}", postings)

    def is_listed_posting(self, value) -> bool:
        """Whether a value the board's first callback yields stands for one posting it lists."""
        return isinstance(value, PostingItem)

    def _check_failure(self, board: BoardCrawl, failure) -> None:
        if answered_not_found(failure):
            self.check_results[board.token] = BoardCheck(board.token, "gone", "HTTP 404")
        else:
            kind, why = failure_kind(failure)
            self.check_results[board.token] = BoardCheck(board.token, "error", f"{kind}: {why}")


def answered_not_found(failure) -> bool:
    return bool(failure.check(HttpError)) and failure.value.response.status == 404


def header(response, name: bytes) -> str | None:
    value = response.headers.get(name)
    return value.decode("latin-1") if value else None
