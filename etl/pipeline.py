"""``skilltrends etl``: landing files → warehouse → published snapshot, incrementally.

Steps, under the ETL lock:

1. read the landing files not loaded yet (all of them with ``full=True``);
2. normalize them (``etl.normalize``) and keep each record's latest version;
3. upsert ``listings``: ``first_seen``/``last_seen`` widen, changed text moves a listing
   to a new posting;
4. insert the postings new to the warehouse, tagging their skills; refresh the
   aggregates of every posting touched; drop postings left with no listing;
5. re-tag every posting when the taxonomy or extractor version changed;
6. rebuild the monthly tables, record the runs, publish a snapshot.

Running it again with no new landing data changes nothing.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone

import duckdb
import polars as pl

from etl.landing import landing_files, read_landing_file
from etl.lock import EtlLock
from etl.normalize import normalize_listings
from etl.publish import publish_snapshot
from etl.schema import migrate
from etl.extraction import PostingExtractor, extractor_version
from etl.tagging import tag_postings
from etl.trends import rebuild_monthly_tables
from skilltrends.errors import UserError
from skilltrends.home import Home

logger = logging.getLogger(__name__)

DATA_TABLES = ("crawl_runs", "listings", "postings", "posting_skills", "posting_responsibilities",
               "posting_months")


class NoLandingData(UserError):
    pass


@dataclass
class EtlReport:
    runs_loaded: int = 0
    runs_skipped: list[str] = field(default_factory=list)
    listings_read: int = 0
    new_postings: int = 0
    retagged: int = 0
    postings_total: int = 0
    ml_postings_total: int = 0
    published: str | None = None
    seconds: float = 0.0

    def summary(self) -> str:
        parts = [
            f"Loaded {self.runs_loaded} crawl run(s), {self.listings_read:,} listing(s): "
            f"{self.new_postings:,} new posting(s)"
        ]
        if self.retagged:
            parts.append(f"re-tagged {self.retagged:,} posting(s) for a new taxonomy")
        parts.append(f"warehouse holds {self.postings_total:,} postings ({self.ml_postings_total:,} ML)")
        if self.runs_skipped:
            parts.append(f"{len(self.runs_skipped)} landing file(s) still being written, left for next time")
        parts.append(f"published {self.published}" if self.published else "nothing new to publish")
        return "; ".join(parts) + f" ({self.seconds:.1f}s)."


def utc_now() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None, microsecond=0)


def run_etl(home: Home, full: bool = False, demo: bool | None = None) -> EtlReport:
    """Load new landing data into ``<home>/warehouse.duckdb`` and publish a snapshot.

    :param full: forget what was loaded and rebuild from every landing file.
    :param demo: record in ``meta`` whether the data is generated demo data (None: keep).
    """
    started = time.monotonic()
    report = EtlReport()
    with EtlLock(home.etl_lock):
        conn = duckdb.connect(str(home.warehouse))
        try:
            migrate(conn)
            if full:
                for table in DATA_TABLES:
                    conn.execute(f"DELETE FROM {table}").fetchall()
            changed = _load_new_runs(conn, home, report)
            changed |= _retag_if_versions_changed(conn, report)
            if demo is not None:
                changed |= _set_meta(conn, {"demo": "true" if demo else "false"})
            never_published = home.current_snapshot() is None
            if changed or never_published:
                rebuild_monthly_tables(conn)
                _set_meta(conn, {"built_at": utc_now().isoformat(sep=" ")})
            report.postings_total, report.ml_postings_total = conn.execute(
                "SELECT count(*), count(*) FILTER (is_ml) FROM postings"
            ).fetchall()[0]
            conn.execute("CHECKPOINT").fetchall()
        finally:
            conn.close()
        if changed or never_published:
            report.published = str(publish_snapshot(home))
    report.seconds = time.monotonic() - started
    return report


def _set_meta(conn, values: dict[str, str]) -> bool:
    current = dict(conn.execute("SELECT key, value FROM meta").fetchall())
    changed = {key: value for key, value in values.items() if current.get(key) != value}
    for key, value in changed.items():
        conn.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", [key, value]).fetchall()
    return bool(changed)


def _load_new_runs(conn, home: Home, report: EtlReport) -> bool:
    loaded = {row[0] for row in conn.execute("SELECT landing_file FROM crawl_runs").fetchall()}
    runs, frames = [], []
    for path in landing_files(home):
        if str(path) in loaded:
            continue
        landing = read_landing_file(path)
        if landing is None:
            report.runs_skipped.append(str(path))
            continue
        runs.append({**landing.run, "landing_file": str(path)})
        frames.append(landing.postings.with_columns(pl.lit(landing.run.get("run_id")).alias("run_id")))
    if not runs:
        if not loaded and not report.runs_skipped:
            raise NoLandingData(
                f"No landing data under {home.landing_dir}: run `skilltrends crawl hn` (or `skilltrends demo`) first."
            )
        return False
    listings = _latest_versions(pl.concat(frames, how="diagonal_relaxed")) if frames else None
    if listings is not None and listings.height:
        report.listings_read = listings.height
        report.new_postings = _merge_listings(conn, listings)
    _record_runs(conn, runs)
    report.runs_loaded = len(runs)
    return True


def _latest_versions(landing: pl.DataFrame) -> pl.DataFrame:
    return (
        normalize_listings(landing.lazy())
        .sort("fetched_at")
        .group_by("source", "source_id", maintain_order=True)
        .agg(pl.all().last(), pl.col("fetched_at").min().alias("first_fetched"))
        .collect()
    )


def _merge_listings(conn, new: pl.DataFrame) -> int:
    """Upsert listings and postings for ``new``; return how many postings are new."""
    conn.register("new_listings", new.to_arrow())
    try:
        conn.execute("BEGIN TRANSACTION")
        # Postings whose listings are about to move elsewhere must be re-aggregated too.
        conn.execute("""
            CREATE OR REPLACE TEMP TABLE touched AS
            SELECT posting_id FROM new_listings
            UNION SELECT l.posting_id FROM listings l JOIN new_listings n USING (source, source_id)
        """).fetchall()
        conn.execute("""
            INSERT INTO listings
            SELECT source, source_id, url, posted_at, first_fetched, fetched_at, NULL,
                   posting_id, author, thread_id, month, content_hash, run_id
            FROM new_listings
            ON CONFLICT (source, source_id) DO UPDATE SET
                url = excluded.url, posted_at = excluded.posted_at,
                first_seen = least(listings.first_seen, excluded.first_seen),
                last_seen = greatest(listings.last_seen, excluded.last_seen),
                posting_id = excluded.posting_id, author = excluded.author,
                thread_id = excluded.thread_id, month = excluded.month,
                content_hash = excluded.content_hash, run_id = excluded.run_id
        """).fetchall()
        fresh = conn.sql("""
            SELECT * FROM new_listings n
            WHERE NOT EXISTS (SELECT 1 FROM postings p WHERE p.posting_id = n.posting_id)
            QUALIFY row_number() OVER (PARTITION BY posting_id ORDER BY posted_at, source, source_id) = 1
        """).pl()
        _insert_postings(conn, fresh)
        _refresh_touched_postings(conn)
        conn.execute("COMMIT")
    except Exception:
        conn.execute("ROLLBACK")
        raise
    finally:
        conn.unregister("new_listings")
    return fresh.height


def _insert_postings(conn, fresh: pl.DataFrame) -> None:
    if fresh.height == 0:
        return
    conn.register("fresh_postings", fresh.to_arrow())
    conn.execute("""
        INSERT INTO postings (posting_id, source, source_id, url, company, title, location, remote,
                              posted_at, text)
        SELECT posting_id, source, source_id, url, company, title, location, remote,
               posted_at, text
        FROM fresh_postings
    """).fetchall()
    conn.unregister("fresh_postings")
    _insert_tags(conn, fresh.select("posting_id", "text"))


def _insert_tags(conn, postings: pl.DataFrame) -> None:
    """is_ml, skills, families and responsibilities of ``postings`` (already in ``postings``)."""
    tags = tag_postings(postings, PostingExtractor(), extractor_version())
    conn.register("new_flags", tags.is_ml.to_arrow())
    conn.register("new_skills", tags.skills.to_arrow())
    conn.register("new_duties", tags.responsibilities.to_arrow())
    try:
        conn.execute(
            "UPDATE postings p SET is_ml = f.is_ml FROM new_flags f WHERE p.posting_id = f.posting_id"
        ).fetchall()
        conn.execute("INSERT INTO posting_responsibilities SELECT * FROM new_duties").fetchall()
        conn.execute("INSERT INTO posting_skills SELECT * FROM new_skills").fetchall()
        conn.execute("""
            UPDATE postings p SET families = f.families
            FROM (SELECT posting_id, list_sort(list_distinct(list(family))) AS families
                  FROM new_skills GROUP BY posting_id) f
            WHERE p.posting_id = f.posting_id
        """).fetchall()
    finally:
        for name in ("new_flags", "new_skills", "new_duties"):
            conn.unregister(name)
    conn.execute("UPDATE postings SET families = [] WHERE families IS NULL").fetchall()


def _refresh_touched_postings(conn) -> None:
    conn.execute("""
        DELETE FROM posting_months WHERE posting_id IN (SELECT posting_id FROM touched)
    """).fetchall()
    conn.execute("""
        INSERT INTO posting_months
        SELECT DISTINCT posting_id, source, month FROM listings
        WHERE posting_id IN (SELECT posting_id FROM touched) AND month IS NOT NULL
    """).fetchall()
    conn.execute("""
        UPDATE postings p SET
            posted_at = a.posted_at, first_seen = a.first_seen, last_seen = a.last_seen,
            closed_at = a.closed_at, n_listings = a.n_listings
        FROM (SELECT posting_id, min(posted_at) AS posted_at, min(first_seen) AS first_seen,
                     max(last_seen) AS last_seen,
                     CASE WHEN bool_and(closed_at IS NOT NULL) THEN max(closed_at) END AS closed_at,
                     count(*) AS n_listings
              FROM listings WHERE posting_id IN (SELECT posting_id FROM touched)
              GROUP BY posting_id) a
        WHERE p.posting_id = a.posting_id
    """).fetchall()
    orphans = "SELECT posting_id FROM touched EXCEPT SELECT posting_id FROM listings"
    conn.execute(f"DELETE FROM posting_skills WHERE posting_id IN ({orphans})").fetchall()
    conn.execute(f"DELETE FROM posting_responsibilities WHERE posting_id IN ({orphans})").fetchall()
    conn.execute(f"DELETE FROM postings WHERE posting_id IN ({orphans})").fetchall()


def _record_runs(conn, runs: list[dict]) -> None:
    loaded_at = utc_now()
    for run in runs:
        conn.execute(
            """INSERT OR REPLACE INTO crawl_runs
               (run_id, source, started_at, finished_at, status, items, errors, stats, landing_file, loaded_at)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            [run.get("run_id"), run.get("source"), run.get("started_at"), run.get("finished_at"),
             run.get("status"), run.get("items"), run.get("errors"), run.get("stats"),
             run["landing_file"], loaded_at],
        ).fetchall()


def _retag_if_versions_changed(conn, report: EtlReport) -> bool:
    """Re-tag history when the taxonomy or extractor changed, so trend series stay consistent."""
    extractor = PostingExtractor()
    wanted = {"taxonomy_version": extractor.taxonomy_version, "extractor_version": extractor_version()}
    current = dict(conn.execute("SELECT key, value FROM meta").fetchall())
    stale = any(current.get(key) not in (None, value) for key, value in wanted.items())
    if stale:
        postings = conn.sql("SELECT posting_id, text FROM postings").pl()
        conn.execute("BEGIN TRANSACTION")
        conn.execute("DELETE FROM posting_skills").fetchall()
        conn.execute("DELETE FROM posting_responsibilities").fetchall()
        conn.execute("UPDATE postings SET families = NULL").fetchall()
        _insert_tags(conn, postings)
        conn.execute("COMMIT")
        report.retagged = postings.height
    return _set_meta(conn, wanted) or stale
