"""The landing file of one crawl run: its postings and its run record, in one DuckDB file.

Only the crawl that created a landing file writes it, so nobody waits for a lock. Items
are committed in batches: a crawl killed at any moment keeps every batch it committed.
The ETL attaches these files read-only (``etl.landing``).
"""

from __future__ import annotations

import json
import os
import secrets
from dataclasses import asdict, fields
from pathlib import Path

import duckdb
import pyarrow as pa

from crawlers.items import PostingItem, utc_now

LANDING_SCHEMA = """
CREATE TABLE IF NOT EXISTS crawl_run (
    run_id       VARCHAR PRIMARY KEY,
    source       VARCHAR NOT NULL,
    started_at   TIMESTAMP NOT NULL,
    finished_at  TIMESTAMP,
    status       VARCHAR NOT NULL,
    items        BIGINT NOT NULL DEFAULT 0,
    errors       BIGINT NOT NULL DEFAULT 0,
    stats        JSON
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
    PRIMARY KEY (source, source_id)
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
    ]
)
assert ITEM_ARROW_SCHEMA.names == [f.name for f in fields(PostingItem)]


def new_run_id() -> str:
    """Sortable by start time, unique across processes."""
    return f"{utc_now():%Y%m%dT%H%M%SZ}-{os.getpid()}-{secrets.token_hex(2)}"


class LandingWriter:
    """Writes one crawl run's landing file; ``close`` records how the run ended."""

    def __init__(self, path: Path, run_id: str, source: str):
        self.path = path
        self.run_id = run_id
        self.source = source
        self.items = 0
        path.parent.mkdir(parents=True, exist_ok=True)
        self.conn = duckdb.connect(str(path))
        self.conn.execute(LANDING_SCHEMA)
        self.conn.execute(
            "INSERT INTO crawl_run (run_id, source, started_at, status) VALUES (?, ?, ?, 'running')",
            [run_id, source, utc_now()],
        ).fetchall()

    def write(self, items: list[PostingItem]) -> int:
        """Insert one batch in one transaction; a record already stored is kept as is."""
        if not items:
            return 0
        batch = pa.Table.from_pylist([asdict(item) for item in items], schema=ITEM_ARROW_SCHEMA)
        self.conn.register("landing_batch", batch)
        try:
            added = self.conn.execute(
                "INSERT OR IGNORE INTO postings BY NAME SELECT * FROM landing_batch"
            ).fetchall()[0][0]
        finally:
            self.conn.unregister("landing_batch")
        self.items += added
        self.conn.execute("UPDATE crawl_run SET items = ? WHERE run_id = ?", [self.items, self.run_id]).fetchall()
        return added

    def close(self, status: str, errors: int, stats: dict) -> None:
        self.conn.execute(
            "UPDATE crawl_run SET finished_at = ?, status = ?, items = ?, errors = ?, stats = ? "
            "WHERE run_id = ?",
            [utc_now(), status, self.items, errors, json.dumps(stats, default=str, sort_keys=True), self.run_id],
        ).fetchall()
        self.conn.close()
