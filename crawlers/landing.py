"""The landing file of one crawl run: its postings, sightings, boards and run record.

Only the crawl that created a landing file writes it, so nobody waits for a lock. Items
are committed in batches, each batch in one transaction: a crawl killed at any moment keeps
every batch it committed. The ETL attaches these files read-only (``etl.landing``).

Tables:

- ``crawl_run`` — one row: the run, how it ended, its Scrapy stats;
- ``postings`` — the records this run stored (new to the crawl state, or changed);
- ``seen`` — every posting the run saw, stored or not, with ``change`` = ``new``,
  ``changed`` or ``unchanged`` (unchanged ones are not re-stored in ``postings``);
- ``boards`` — one row per job board whose crawl ended: complete or not, 304 or not.

Tables and columns are only ever added, so every landing file ever written stays readable.
"""

from __future__ import annotations

import json
import os
import secrets
from dataclasses import fields
from datetime import datetime, timezone
from pathlib import Path

import duckdb
import pyarrow as pa

from crawlers.items import BoardResult, PostingItem, record_hash, utc_now

LANDING_SCHEMA = """
CREATE TABLE IF NOT EXISTS crawl_run (
    run_id       VARCHAR PRIMARY KEY,
    source       VARCHAR NOT NULL,
    started_at   TIMESTAMP NOT NULL,
    finished_at  TIMESTAMP,
    status       VARCHAR NOT NULL,
    items        BIGINT NOT NULL DEFAULT 0,
    errors       BIGINT NOT NULL DEFAULT 0,
    stats        JSON,
    job_id       VARCHAR
);
CREATE TABLE IF NOT EXISTS postings (
    source      VARCHAR NOT NULL,
    source_id   VARCHAR NOT NULL,
    url         VARCHAR,
    html        VARCHAR,
    posted_at   TIMESTAMP,
    author      VARCHAR,
    thread_id   VARCHAR,
    month       DATE,
    company     VARCHAR,
    title       VARCHAR,
    location    VARCHAR,
    raw         JSON,
    fetched_at  TIMESTAMP NOT NULL,
    department      VARCHAR,
    employment_type VARCHAR,
    remote          BOOLEAN,
    salary_min      DOUBLE,
    salary_max      DOUBLE,
    salary_currency VARCHAR,
    salary_period   VARCHAR,
    updated_at      TIMESTAMP,
    board           VARCHAR,
    record_hash     VARCHAR,
    PRIMARY KEY (source, source_id)
);
CREATE TABLE IF NOT EXISTS seen (
    source       VARCHAR NOT NULL,
    source_id    VARCHAR NOT NULL,
    board        VARCHAR,
    record_hash  VARCHAR,
    seen_at      TIMESTAMP NOT NULL,
    change       VARCHAR NOT NULL,
    PRIMARY KEY (source, source_id)
);
CREATE TABLE IF NOT EXISTS boards (
    source         VARCHAR NOT NULL,
    board          VARCHAR NOT NULL,
    complete       BOOLEAN NOT NULL,
    not_modified   BOOLEAN NOT NULL,
    postings       BIGINT NOT NULL,
    error          VARCHAR,
    seen_at        TIMESTAMP NOT NULL,
    url            VARCHAR,
    etag           VARCHAR,
    last_modified  VARCHAR,
    PRIMARY KEY (source, board)
);
"""

ITEM_ARROW_SCHEMA = pa.schema(
    [
        ("source", pa.string()),
        ("source_id", pa.string()),
        ("url", pa.string()),
        ("html", pa.string()),
        ("posted_at", pa.timestamp("us")),
        ("author", pa.string()),
        ("thread_id", pa.string()),
        ("month", pa.date32()),
        ("company", pa.string()),
        ("title", pa.string()),
        ("location", pa.string()),
        ("raw", pa.string()),
        ("fetched_at", pa.timestamp("us")),
        # Appended later (job boards); older landing files lack them.
        ("department", pa.string()),
        ("employment_type", pa.string()),
        ("remote", pa.bool_()),
        ("salary_min", pa.float64()),
        ("salary_max", pa.float64()),
        ("salary_currency", pa.string()),
        ("salary_period", pa.string()),
        ("updated_at", pa.timestamp("us")),
        # Appended later (lifecycle, incremental crawls).
        ("board", pa.string()),
        ("record_hash", pa.string()),
    ]
)
ITEM_FIELDS = [f.name for f in fields(PostingItem)]
assert ITEM_ARROW_SCHEMA.names == ITEM_FIELDS

SEEN_ARROW_SCHEMA = pa.schema(
    [
        ("source", pa.string()),
        ("source_id", pa.string()),
        ("board", pa.string()),
        ("record_hash", pa.string()),
        ("seen_at", pa.timestamp("us")),
        ("change", pa.string()),
    ]
)
BOARD_COLUMNS = ["source", "board", "complete", "not_modified", "postings", "error", "seen_at",
                 "url", "etag", "last_modified"]

CHANGES = ("new", "changed", "unchanged")
LANDING_MEMORY_LIMIT = "256MB"


def new_run_id() -> str:
    """Sortable by start time (to the microsecond), unique across processes."""
    now = datetime.now(timezone.utc)
    return f"{now:%Y%m%dT%H%M%S.%fZ}-{os.getpid()}-{secrets.token_hex(2)}"


def seen_row(source: str, source_id: str, board: str | None, hash_: str | None, seen_at: datetime,
             change: str) -> dict:
    return {"source": source, "source_id": source_id, "board": board, "record_hash": hash_,
            "seen_at": seen_at, "change": change}


def board_row(result: BoardResult) -> tuple:
    return (result.source, result.board, result.complete, result.not_modified, len(result.ids),
            result.error, result.seen_at, result.url, result.etag, result.last_modified)


class LandingWriter:
    """Writes one crawl run's landing file; ``close`` records how the run ended."""

    def __init__(self, path: Path, run_id: str, source: str, job_id: str | None = None,
                 stats: dict | None = None):
        """``stats``: what the run record holds until ``close`` replaces it (a crawl of
        generated data says so from the start, so a killed one is known as generated too)."""
        self.path = path
        self.run_id = run_id
        self.source = source
        self.items = 0
        path.parent.mkdir(parents=True, exist_ok=True)
        # A crawl's memory is mostly DuckDB's while it checkpoints: bound it.
        self.conn = duckdb.connect(str(path), config={"memory_limit": LANDING_MEMORY_LIMIT})
        # One transaction: a crawl killed here leaves no half-made file for the ETL to trip on.
        self.conn.execute("BEGIN TRANSACTION")
        self.conn.execute(LANDING_SCHEMA)
        self.conn.execute(
            "INSERT INTO crawl_run (run_id, source, started_at, status, job_id, stats) "
            "VALUES (?, ?, ?, 'running', ?, ?)",
            [run_id, source, utc_now(), job_id, json.dumps(stats) if stats else None],
        ).fetchall()
        self.conn.execute("COMMIT")

    def write(self, items: list[PostingItem], seen: list[dict] | None = None,
              boards: list[BoardResult] | None = None) -> int:
        """Store one batch in one transaction; a record already stored is kept as is.

        ``items`` are the records to store. ``seen`` holds a row (``seen_row``) per posting
        seen, stored or not; when None, every item counts as seen and ``new``. ``boards``
        are the boards whose crawl ended. Returns how many records were stored.
        """
        if not items and not seen and not boards:
            return 0
        for item in items:
            if item.record_hash is None:
                item.record_hash = record_hash(item)
        if seen is None:
            seen = [seen_row(i.source, i.source_id, i.board, i.record_hash, i.fetched_at, "new") for i in items]
        self.conn.execute("BEGIN TRANSACTION")
        try:
            added = self._insert_items(items)
            if seen:
                self._insert_arrow("seen", pa.Table.from_pylist(seen, schema=SEEN_ARROW_SCHEMA))
            if boards:
                self.conn.executemany(
                    f"INSERT OR REPLACE INTO boards ({', '.join(BOARD_COLUMNS)}) "
                    f"VALUES ({', '.join('?' * len(BOARD_COLUMNS))})",
                    [board_row(result) for result in boards],
                )
            self.items += added
            self.conn.execute("UPDATE crawl_run SET items = ? WHERE run_id = ?", [self.items, self.run_id]).fetchall()
            self.conn.execute("COMMIT")
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        return added

    def _insert_items(self, items: list[PostingItem]) -> int:
        if not items:
            return 0
        columns = {name: [getattr(item, name) for item in items] for name in ITEM_FIELDS}
        return self._insert_arrow("postings", pa.Table.from_pydict(columns, schema=ITEM_ARROW_SCHEMA))

    def _insert_arrow(self, table: str, batch: pa.Table) -> int:
        self.conn.register("landing_batch", batch)
        try:
            return self.conn.execute(
                f"INSERT OR IGNORE INTO {table} BY NAME SELECT * FROM landing_batch"
            ).fetchall()[0][0]
        finally:
            self.conn.unregister("landing_batch")

    def close(self, status: str, errors: int, stats: dict) -> None:
        # The data is checkpointed while the run still reads "running": a disk that fills
        # up in that big write leaves a run the ETL loads as killed (it closes no posting),
        # never one whose status says it ended. The status is a small write after it.
        self.conn.execute("CHECKPOINT").fetchall()
        self.conn.execute(
            "UPDATE crawl_run SET finished_at = ?, status = ?, items = ?, errors = ?, stats = ? "
            "WHERE run_id = ?",
            [utc_now(), status, self.items, errors, json.dumps(stats, default=str, sort_keys=True), self.run_id],
        ).fetchall()
        self.conn.execute("CHECKPOINT").fetchall()
        self.conn.close()
