"""CrawlState: what one source's crawls remember between runs, in ``<home>/crawl_state/<source>.duckdb``.

- ``postings`` — the latest stored version (``record_hash``) of every posting, so a crawl
  stores only postings that are new or changed and merely notes the unchanged ones;
- ``boards`` — per job board, its last complete crawl: the postings it listed and the
  validators (``ETag``, ``Last-Modified``) of its answer, for conditional requests;
- ``jobs`` / ``job_boards`` — the boards a crawl set out to do and those it has done, so
  ``skilltrends crawl SOURCE --resume`` finishes an interrupted crawl;
- ``synced_runs`` — the landing files already folded in.

The landing files are the record; this file is derived from them. It is updated only from
landing files (``sync_landing_file``): at the end of each run from the run's own file, and at
the start of each crawl from any file a killed crawl left behind. So a crawl killed at any
moment never leaves the state claiming more than the landing files hold.

A crawl holds this file open for its whole run. DuckDB lets one process open a file for
writing, so a second crawl of the same source is refused (``CrawlLocked``) while one runs.
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from crawlers.items import utc_now
from skilltrends.errors import UserError, first_line, is_lock_error, sql_string
from skilltrends.home import Home

logger = logging.getLogger(__name__)

STATE_SCHEMA = """
CREATE TABLE IF NOT EXISTS postings (
    source_id    VARCHAR PRIMARY KEY,
    record_hash  VARCHAR,
    board        VARCHAR,
    seen_at      TIMESTAMP,
    run_id       VARCHAR
);
CREATE TABLE IF NOT EXISTS boards (
    board          VARCHAR PRIMARY KEY,
    url            VARCHAR,
    etag           VARCHAR,
    last_modified  VARCHAR,
    ids            VARCHAR[],
    seen_at        TIMESTAMP,
    run_id         VARCHAR
);
CREATE TABLE IF NOT EXISTS jobs (
    job_id       VARCHAR PRIMARY KEY,
    started_at   TIMESTAMP NOT NULL,
    boards       VARCHAR[],
    finished_at  TIMESTAMP,
    outcome      VARCHAR
);
CREATE TABLE IF NOT EXISTS job_boards (
    job_id  VARCHAR NOT NULL,
    board   VARCHAR NOT NULL,
    PRIMARY KEY (job_id, board)
);
CREATE TABLE IF NOT EXISTS synced_runs (
    run_id        VARCHAR PRIMARY KEY,
    landing_file  VARCHAR,
    synced_at     TIMESTAMP
);
"""


class CrawlLocked(UserError):
    """Another process is crawling this source (it holds the source's state file)."""


@dataclass
class Job:
    """What this run crawls: ``todo`` boards of job ``job_id`` (``None``: not a board source)."""

    job_id: str | None
    todo: list[str] | None
    planned: int = 0
    resumed: bool = False
    done_before: list[str] = field(default_factory=list)


@dataclass
class KnownBoard:
    url: str | None
    etag: str | None
    last_modified: str | None
    ids: list[str]


def state_file(home: Home, source: str) -> Path:
    return home.root / "crawl_state" / f"{source}.duckdb"


class CrawlState:
    """The state of one source's crawls; see the module docstring."""

    def __init__(self, path: Path, source: str):
        self.path = path
        self.source = source
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self.conn = duckdb.connect(str(path), config={"memory_limit": "256MB"})
        except duckdb.IOException as exc:
            if is_lock_error(exc):
                raise CrawlLocked(
                    f"Another crawl of {source} is running (it holds {path}); two crawls of the same "
                    "source at once are refused: wait for it to end, or stop it and use --resume."
                ) from None
            raise
        self.conn.execute(STATE_SCHEMA)
        self.hashes: dict[str, str] = {}
        self.boards: dict[str, KnownBoard] = {}
        self._job: Job | None = None
        self.closed = False

    @classmethod
    def open(cls, home: Home, source: str) -> "CrawlState":
        return cls(state_file(home, source), source)

    # -- reading -------------------------------------------------------------------------

    def load(self) -> None:
        """Read what the crawl consults on every item into memory."""
        self.hashes = dict(self.conn.execute("SELECT source_id, record_hash FROM postings").fetchall())
        self.boards = {
            board: KnownBoard(url, etag, last_modified, list(ids or []))
            for board, url, etag, last_modified, ids in self.conn.execute(
                "SELECT board, url, etag, last_modified, ids FROM boards").fetchall()
        }

    def validators(self, url: str, board: str) -> KnownBoard | None:
        """The validators of ``board``'s last complete crawl, if it was fetched at ``url``."""
        known = self.boards.get(board)
        if known and known.url == url and (known.etag or known.last_modified):
            return known
        return None

    # -- jobs (resume) ---------------------------------------------------------------------

    def job(self, planned: list[str] | None, resume: bool) -> Job:
        """This run's job, decided once: a new one, or (``resume``) the unfinished one continued."""
        if self._job is not None:
            return self._job
        if planned is None:  # a source without boards: nothing to plan or resume
            self._job = Job(None, None)
            return self._job
        unfinished = self.conn.execute(
            "SELECT job_id, boards FROM jobs WHERE finished_at IS NULL ORDER BY started_at DESC LIMIT 1"
        ).fetchall()
        if resume and unfinished:
            job_id, boards = unfinished[0]
            done = {row[0] for row in self.conn.execute(
                "SELECT board FROM job_boards WHERE job_id = ?", [job_id]).fetchall()}
            todo = [board for board in boards if board not in done]
            self._job = Job(job_id, todo, len(boards), True, sorted(done))
            return self._job
        if resume:
            logger.warning("Nothing to resume for %s: its last crawl ended; starting a new crawl.", self.source)
        elif unfinished:
            logger.warning(
                "The unfinished %s crawl %s is abandoned; next time use --resume to finish it instead.",
                self.source, unfinished[0][0])
        job_id = f"{utc_now():%Y%m%dT%H%M%SZ}-{secrets.token_hex(3)}"
        self.conn.execute("BEGIN TRANSACTION")
        self.conn.execute("UPDATE jobs SET finished_at = ?, outcome = 'abandoned' WHERE finished_at IS NULL",
                          [utc_now()]).fetchall()
        self.conn.execute("INSERT INTO jobs (job_id, started_at, boards) VALUES (?, ?, ?)",
                          [job_id, utc_now(), list(planned)]).fetchall()
        self.conn.execute("COMMIT")
        self._job = Job(job_id, list(planned), len(planned))
        return self._job

    def end_job(self, job_id: str, outcome: str = "finished") -> None:
        self.conn.execute("UPDATE jobs SET finished_at = ?, outcome = ? WHERE job_id = ? AND finished_at IS NULL",
                          [utc_now(), outcome, job_id]).fetchall()

    # -- syncing from landing files --------------------------------------------------------

    def sync_landing_dir(self, landing_dir: Path, skip: Path | None = None) -> int:
        """Fold in every landing file of this source not synced yet (a killed crawl's, say)."""
        synced = {row[0] for row in self.conn.execute("SELECT landing_file FROM synced_runs").fetchall()}
        count = 0
        for path in sorted(landing_dir.glob("*.duckdb"), key=lambda p: p.name):
            if str(path) in synced or path == skip:
                continue
            count += self.sync_landing_file(path)
        return count

    def sync_landing_file(self, path: Path) -> int:
        """Fold one landing file in, in one transaction; 0 if it cannot be read now."""
        try:
            self.conn.execute(f"ATTACH {sql_string(path)} AS landing (READ_ONLY)")
        except duckdb.Error as exc:
            logger.warning("Landing file %s cannot be read now (%s); it is left for later.", path, first_line(exc))
            return 0
        try:
            tables = {row[0] for row in self.conn.execute(
                "SELECT table_name FROM duckdb_tables() WHERE database_name = 'landing'").fetchall()}
            run = self.conn.execute(
                "SELECT run_id, job_id FROM landing.crawl_run LIMIT 1").fetchall() if "crawl_run" in tables else []
            run_id, job_id = run[0] if run else (path.stem, None)
            self.conn.execute("BEGIN TRANSACTION")
            if "seen" in tables:
                self.conn.execute("""
                    INSERT OR REPLACE INTO postings
                    SELECT source_id, record_hash, board, seen_at, ? FROM landing.seen
                    WHERE record_hash IS NOT NULL AND change <> 'unchanged'
                """, [run_id]).fetchall()
            if "boards" in tables:
                listed = ("(SELECT board, list(source_id ORDER BY source_id) AS ids FROM landing.seen GROUP BY board)"
                          if "seen" in tables else "(SELECT NULL AS board, NULL::VARCHAR[] AS ids)")
                self.conn.execute(f"""
                    INSERT OR REPLACE INTO boards
                    SELECT b.board, b.url, b.etag, b.last_modified, coalesce(s.ids, []), b.seen_at, ?
                    FROM landing.boards b LEFT JOIN {listed} s ON s.board = b.board
                    WHERE b.complete
                """, [run_id]).fetchall()
                if job_id:
                    self.conn.execute(
                        "INSERT OR IGNORE INTO job_boards SELECT ?, board FROM landing.boards", [job_id]
                    ).fetchall()
            self.conn.execute("INSERT OR REPLACE INTO synced_runs VALUES (?, ?, ?)",
                              [run_id, str(path), utc_now()]).fetchall()
            self.conn.execute("COMMIT")
        except BaseException:
            try:
                self.conn.execute("ROLLBACK")
            except duckdb.Error:
                pass
            raise
        finally:
            self.conn.execute("DETACH landing")
        return 1

    def close(self) -> None:
        if not self.closed:
            self.conn.close()
            self.closed = True


def crawl_state(crawler) -> CrawlState | None:
    """The crawler's CrawlState, opened (synced and loaded) on first use.

    None when ``CRAWL_STATE_ENABLED`` is off or there is no ``SKILLTRENDS_HOME``. The runner
    opens it before the crawl starts, so a locked state is one clear error, not a traceback.
    """
    state = getattr(crawler, "crawl_state", None)
    if state is None and crawler.settings.getbool("CRAWL_STATE_ENABLED") and crawler.settings.get("SKILLTRENDS_HOME"):
        state = open_state(Home.resolve(crawler.settings.get("SKILLTRENDS_HOME")), crawler.spidercls.name)
        crawler.crawl_state = state
    return state


def open_state(home: Home, source: str) -> CrawlState:
    """Open ``source``'s state, fold in landing files a killed crawl left, load it."""
    state = CrawlState.open(home, source)
    try:
        synced = state.sync_landing_dir(home.landing_dir / source)
        if synced:
            logger.info("Crawl state of %s: folded in %d landing file(s) not synced yet.", source, synced)
        state.load()
    except BaseException:
        state.close()
        raise
    return state
