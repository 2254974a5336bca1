"""Find and read crawl runs' landing files (read-only; a file still being written is skipped)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

import duckdb
import polars as pl

from skilltrends.home import Home

logger = logging.getLogger(__name__)


@dataclass
class LandingRun:
    path: Path
    run: dict
    postings: pl.DataFrame


def landing_files(home: Home) -> list[Path]:
    """Every landing file, oldest run first (run ids sort by start time)."""
    if not home.landing_dir.is_dir():
        return []
    return sorted(home.landing_dir.glob("*/*.duckdb"), key=lambda path: path.name)


def read_landing_file(path: Path) -> LandingRun | None:
    """The run record and postings of one landing file, or None if a crawl still holds it."""
    try:
        conn = duckdb.connect(str(path), read_only=True)
    except duckdb.IOException as exc:
        if "lock" in str(exc).lower():
            logger.warning("Landing file %s is still being written by a crawl; it will be loaded next time.", path)
            return None
        raise
    try:
        run = conn.sql("SELECT * FROM crawl_run").pl().to_dicts()
        postings = conn.sql("SELECT * EXCLUDE (raw) FROM postings").pl()
    finally:
        conn.close()
    record = run[0] if run else {"run_id": path.stem, "source": path.parent.name, "status": "unknown"}
    if record.get("status") == "running":
        # Its crawl holds no lock any more, so it ended without recording why: killed.
        record["status"] = "killed"
    return LandingRun(path, record, postings)
