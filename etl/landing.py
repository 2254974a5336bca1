"""Find and read crawl runs' landing files (read-only; a file still being written is skipped).

A landing file holds ``crawl_run``, ``postings`` and, from the lifecycle work on, ``seen``
(every posting the run saw, stored or not) and ``boards`` (how each job board's crawl
ended). Older files lack the later tables and columns: they read as empty / null.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

import duckdb
import polars as pl

from skilltrends.errors import first_line, is_lock_error
from skilltrends.home import Home

logger = logging.getLogger(__name__)

SEEN_SCHEMA = {"source": pl.String, "source_id": pl.String, "board": pl.String, "record_hash": pl.String,
               "seen_at": pl.Datetime("us"), "change": pl.String}
BOARDS_SCHEMA = {"source": pl.String, "board": pl.String, "complete": pl.Boolean, "not_modified": pl.Boolean,
                 "postings": pl.Int64, "error": pl.String, "seen_at": pl.Datetime("us")}


@dataclass
class LandingRun:
    path: Path
    run: dict
    postings: pl.DataFrame
    seen: pl.DataFrame
    boards: pl.DataFrame


class UnreadableLandingFile(Exception):
    pass


def landing_files(home: Home) -> list[Path]:
    """Every landing file, oldest run first (run ids sort by start time)."""
    if not home.landing_dir.is_dir():
        return []
    return sorted(home.landing_dir.glob("*/*.duckdb"), key=lambda path: path.name)


def read_landing_file(path: Path) -> LandingRun | None:
    """The run record, postings, sightings and boards of one landing file.

    None if a crawl still holds it; ``UnreadableLandingFile`` if it is not a database
    (a crawl killed while creating it) or cannot be read whole (a copy cut short).
    """
    try:
        conn = duckdb.connect(str(path), read_only=True)
    except duckdb.IOException as exc:
        if is_lock_error(exc):
            logger.warning("Landing file %s is still being written by a crawl; it will be loaded next time.", path)
            return None
        raise UnreadableLandingFile(f"{path}: {first_line(exc)}") from None
    except duckdb.Error as exc:
        raise UnreadableLandingFile(f"{path}: {first_line(exc)}") from None
    try:
        tables = {row[0] for row in conn.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
        run = conn.sql("SELECT * FROM crawl_run").pl().to_dicts() if "crawl_run" in tables else []
        postings = conn.sql("SELECT * EXCLUDE (raw) FROM postings").pl() if "postings" in tables else pl.DataFrame()
        seen = (conn.sql(f"SELECT {', '.join(SEEN_SCHEMA)} FROM seen").pl() if "seen" in tables
                else pl.DataFrame(schema=SEEN_SCHEMA))
        boards = (conn.sql(f"SELECT {', '.join(BOARDS_SCHEMA)} FROM boards").pl() if "boards" in tables
                  else pl.DataFrame(schema=BOARDS_SCHEMA))
    except duckdb.Error as exc:
        # A copy cut short opens (its header is whole) and fails on the first block it lacks.
        raise UnreadableLandingFile(f"{path}: {first_line(exc)}") from None
    finally:
        conn.close()
    record = run[0] if run else {"run_id": path.stem, "source": path.parent.name, "status": "unknown"}
    if record.get("status") == "running":
        # Its crawl holds no lock any more, so it ended without recording why: killed.
        record["status"] = "killed"
    return LandingRun(path, record, postings, seen, boards)
