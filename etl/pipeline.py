"""``skilltrends etl``: landing files → warehouse → published snapshot, incrementally.

Steps, under the ETL lock:

1. read the landing files not loaded yet (all of them with ``full=True``);
2. normalize them (``etl.normalize``) and keep each record's latest version;
3. upsert ``listings``: ``first_seen``/``last_seen`` widen, changed text moves a listing
   to a new posting; every version is kept in ``posting_versions``;
4. apply the sightings (``seen``: postings a crawl saw but did not re-store because they
   were unchanged): ``last_seen`` moves on;
5. record the runs and how each job board's crawl ended (``crawl_boards``), then set
   ``closed_at`` (see ``_update_lifecycle``);
6. insert the postings new to the warehouse, tagging their skills; refresh the
   aggregates of every posting touched; drop postings left with no listing;
7. re-tag every posting when the taxonomy or extractor version changed;
8. rebuild the monthly tables, publish a snapshot.

Running it again with no new landing data changes nothing. A run killed after committing a
change but before publishing it leaves a note in ``meta`` (``build_pending``) or a snapshot
of another build than the warehouse's (``build_id``); the next run rebuilds and publishes.
"""

from __future__ import annotations

import logging
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone

import duckdb
import polars as pl

from analysis.snapshot import SnapshotUnavailable, open_snapshot
from etl.landing import UnreadableLandingFile, landing_files, read_landing_file
from etl.lock import EtlLock
from etl.normalize import MAX_HTML_CHARS, MAX_TEXT_CHARS, NORMALIZE_VERSION, normalize_listings
from etl.publish import publish_snapshot
from etl.schema import SCHEMA_VERSION, migrate, transaction
from etl.extraction import extractor_version
from etl.tagging import tag_postings
from etl.workers import ExtractionWorkers
from etl.trends import rebuild_monthly_tables
from skilltrends.errors import UserError, duckdb_file_error_sentence, first_line, is_lock_error
from skilltrends.home import Home

logger = logging.getLogger(__name__)

DATA_TABLES = ("crawl_runs", "listings", "postings", "posting_skills", "posting_responsibilities",
               "posting_months", "crawl_boards", "posting_versions")
# meta key present while a change awaits the monthly rebuild and a snapshot (_mark_build_pending).
BUILD_PENDING = "build_pending"
# Runs whose complete board crawls may close postings (crawlers.runstatus.ELIGIBLE_STATUSES).
ELIGIBLE_STATUSES = ("finished", "finished_with_errors")


class NoLandingData(UserError):
    pass


class WarehouseUnreadable(UserError):
    """DuckDB refuses the warehouse file: another process holds it, or it is damaged."""


@dataclass
class EtlReport:
    runs_loaded: int = 0
    runs_skipped: list[str] = field(default_factory=list)
    runs_unreadable: list[str] = field(default_factory=list)
    listings_read: int = 0
    listings_seen: int = 0
    listings_closed: int = 0
    listings_reopened: int = 0
    new_postings: int = 0
    retagged: int = 0
    rebuilt: bool = False  # from every landing file, because the normalization changed
    postings_total: int = 0
    ml_postings_total: int = 0
    published: str | None = None
    seconds: float = 0.0

    def summary(self) -> str:
        parts = [
            f"Loaded {self.runs_loaded} crawl run(s), {self.listings_read:,} listing(s): "
            f"{self.new_postings:,} new posting(s)"
        ]
        if self.listings_closed or self.listings_reopened:
            parts.append(f"{self.listings_closed:,} listing(s) closed, {self.listings_reopened:,} reopened")
        if self.rebuilt:
            parts.append("rebuilt from every landing file because the normalization (text conversion, posting ids) changed")
        if self.retagged:
            parts.append(f"re-tagged {self.retagged:,} posting(s) for a new taxonomy")
        parts.append(f"warehouse holds {self.postings_total:,} postings ({self.ml_postings_total:,} ML)")
        if self.runs_skipped:
            parts.append(f"{len(self.runs_skipped)} landing file(s) still being written, left for next time")
        if self.runs_unreadable:
            parts.append(f"{len(self.runs_unreadable)} landing file(s) unreadable, skipped")
        parts.append(f"published {self.published}" if self.published else "nothing new to publish")
        return "; ".join(parts) + f" ({self.seconds:.1f}s)."


def utc_now() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None, microsecond=0)


def run_etl(home: Home, full: bool = False, demo: bool | None = None, workers: int = 1) -> EtlReport:
    """Load new landing data into ``<home>/warehouse.duckdb`` and publish a snapshot.

    :param full: forget what was loaded and rebuild from every landing file.
    :param demo: True: the data loaded is generated demo data. Whatever it says, ``meta.demo``
        stays true while any generated crawl run is loaded (``_holds_generated_data``).
    :param workers: processes that tag postings (``etl.workers``).
    """
    started = time.monotonic()
    report = EtlReport()
    if not home.warehouse.exists() and not landing_files(home):
        raise _no_landing_data(home)  # before a warehouse and a lock file are made for nothing
    with EtlLock(home.etl_lock), ExtractionWorkers(workers) as extraction_workers:
        conn = _open_warehouse(home)
        try:
            migrate(conn)
            if not full and _normalized_by_older_code(conn):
                logger.warning("The normalization (text conversion, posting ids) changed since this warehouse "
                               "was built: rebuilding it from every landing file.")
                full = report.rebuilt = True
            if full:
                # All or none: emptied in part (a kill between two tables), the next run would
                # load every landing file again beside the tags left, and count them twice.
                _mark_build_pending(conn)  # emptied, the tables are published even if nothing loads
                with transaction(conn):
                    for table in DATA_TABLES:
                        conn.execute(f"DELETE FROM {table}").fetchall()
            changed = _load_new_runs(conn, home, report, extraction_workers)
            # A migration can change how the monthly tables are computed (the Wilson macros):
            # rebuild them once, also after a run killed between the migration and the rebuild.
            changed |= _set_meta(conn, {"normalize_version": NORMALIZE_VERSION, "schema_version": SCHEMA_VERSION})
            changed |= _retag_if_versions_changed(conn, report, extraction_workers)
            changed |= _set_meta(conn, {"demo": "true" if _holds_generated_data(conn, demo) else "false"})
            meta = _meta(conn)
            if changed or BUILD_PENDING in meta or "build_id" not in meta or home.current_snapshot() is None:
                rebuild_monthly_tables(conn)
                _set_meta(conn, {"built_at": utc_now().isoformat(sep=" "), "build_id": uuid.uuid4().hex},
                          pending=False)
                conn.execute("DELETE FROM meta WHERE key = ?", [BUILD_PENDING]).fetchall()
            build_id = _meta(conn)["build_id"]
            report.postings_total, report.ml_postings_total = conn.execute(
                "SELECT count(*), count(*) FILTER (is_ml) FROM postings"
            ).fetchall()[0]
            conn.execute("CHECKPOINT").fetchall()
        finally:
            conn.close()
        if _published_build(home) != build_id:
            report.published = str(publish_snapshot(home))
    report.seconds = time.monotonic() - started
    return report


def _holds_generated_data(conn, demo: bool | None) -> bool:
    """Has generated demo data been loaded into this home? Yes when a loaded crawl run was
    of a mirror of generated data (``GENERATED_DATA``), when the caller says so, or, when
    the caller says nothing, if the answer was yes before: demo data loaded before runs were
    marked has no mark, and erring towards "demo" is the safe side."""
    (generated,) = conn.execute(
        """SELECT count(*) FROM crawl_runs WHERE json_extract(stats, '$."skilltrends/generated"') = 1"""
    ).fetchall()[0]
    was_demo = _meta(conn).get("demo") == "true"
    return generated > 0 or demo is True or (demo is None and was_demo)


def _open_warehouse(home: Home) -> duckdb.DuckDBPyConnection:
    try:
        return duckdb.connect(str(home.warehouse))
    except duckdb.Error as exc:
        if not is_lock_error(exc):
            raise WarehouseUnreadable(duckdb_file_error_sentence(exc, f"The warehouse {home.warehouse}")) from None
        raise WarehouseUnreadable(
            f"The warehouse {home.warehouse} cannot be opened (researchers should query the published "
            f"snapshot, never the warehouse): {first_line(exc)}"
        ) from None


def _normalized_by_older_code(conn) -> bool:
    """Were the stored listings normalized by another version of ``etl.normalize``?"""
    (version,) = conn.execute("SELECT max(value) FILTER (key = 'normalize_version') FROM meta").fetchall()[0]
    (stored,) = conn.execute("SELECT count(*) FROM listings").fetchall()[0]
    return stored > 0 and version != NORMALIZE_VERSION


def _meta(conn) -> dict[str, str]:
    return dict(conn.execute("SELECT key, value FROM meta").fetchall())


def _set_meta(conn, values: dict[str, str], pending: bool = True) -> bool:
    """Store ``values`` in ``meta``; True if any changed. ``pending``: a change needs the
    monthly tables rebuilt and a snapshot published (``_mark_build_pending``)."""
    current = _meta(conn)
    changed = {key: value for key, value in values.items() if current.get(key) != value}
    if changed and pending:
        _mark_build_pending(conn)
    for key, value in changed.items():
        conn.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", [key, value]).fetchall()
    return bool(changed)


def _mark_build_pending(conn) -> None:
    """Note, before a change is committed, that the monthly tables and the snapshot will need
    rebuilding: a run killed after the change but before the rebuild leaves the note, and
    the next run rebuilds and publishes even when it finds nothing new to load."""
    conn.execute("INSERT OR REPLACE INTO meta VALUES (?, 'true')", [BUILD_PENDING]).fetchall()


def _published_build(home: Home) -> str | None:
    """``meta.build_id`` of the current snapshot; None when there is none or it cannot be read."""
    try:
        with open_snapshot(home) as snapshot:
            found = snapshot.execute("SELECT value FROM meta WHERE key = 'build_id'").fetchall()
    except (SnapshotUnavailable, duckdb.Error):
        return None
    return found[0][0] if found else None


def _no_landing_data(home: Home) -> NoLandingData:
    return NoLandingData(
        f"No landing data under {home.landing_dir}: run `skilltrends crawl hn` (or `skilltrends demo`) first.")


def _load_new_runs(conn, home: Home, report: EtlReport, workers: ExtractionWorkers) -> bool:
    # By run id (a landing file is named after its run), not path: a home moved or copied
    # elsewhere is not loaded all over again.
    loaded = {row[0] for row in conn.execute("SELECT run_id FROM crawl_runs").fetchall()}
    runs, postings, seen, boards = [], [], [], []
    for path in landing_files(home):
        if path.stem in loaded:
            continue
        try:
            landing = read_landing_file(path)
        except UnreadableLandingFile as exc:
            logger.warning("Landing file %s cannot be read and is skipped (%s).", path, exc)
            report.runs_unreadable.append(str(path))
            continue
        if landing is None:
            report.runs_skipped.append(str(path))
            continue
        run_id = pl.lit(landing.run.get("run_id")).alias("run_id")
        runs.append({**landing.run, "landing_file": str(path)})
        if landing.postings.height:
            postings.append(landing.postings.with_columns(run_id))
        if landing.seen.height:
            seen.append(landing.seen.with_columns(run_id))
        if landing.boards.height:
            boards.append(landing.boards.with_columns(run_id))
    if not runs:
        if not loaded and not report.runs_skipped:
            raise _no_landing_data(home)
        return False
    records = _normalized_records(pl.concat(postings, how="diagonal_relaxed")) if postings else None
    _mark_build_pending(conn)
    with transaction(conn):
        conn.execute("CREATE OR REPLACE TEMP TABLE touched (posting_id VARCHAR)").fetchall()
        if records is not None and records.height:
            listings = _latest_versions(records)
            report.listings_read = listings.height
            report.new_postings = _merge_listings(conn, _without_superseded(conn, listings), workers)
            _merge_record_versions(conn, records)
        if seen:
            report.listings_seen = _merge_sightings(conn, pl.concat(seen, how="diagonal_relaxed"))
        _record_runs(conn, runs)
        if boards:
            _record_boards(conn, pl.concat(boards, how="diagonal_relaxed"))
        report.listings_closed, report.listings_reopened = _update_lifecycle(conn)
        _refresh_touched_postings(conn)
    report.runs_loaded = len(runs)
    return True


def _normalized_records(landing: pl.DataFrame) -> pl.DataFrame:
    """Every landing record, normalized, with the hash of its version (``version_hash``).

    ``record_hash`` is the crawl's hash of the whole record; files written before it
    existed fall back to the hash of the normalized text.
    """
    for name in ("board", "record_hash"):
        if name not in landing.columns:
            landing = landing.with_columns(pl.lit(None, dtype=pl.String).alias(name))
    records = (
        normalize_listings(landing.lazy())
        .with_columns(pl.coalesce(pl.col("record_hash"), pl.col("content_hash")).alias("version_hash"))
        .collect()
    )
    cut = records.filter("text_cut").select("source", "source_id").head(3).rows()
    if cut:
        logger.warning(
            "%d record(s) had more than %s characters of text (or %s of HTML) and were cut there, e.g. %s; "
            "their landing files keep them whole.", records["text_cut"].sum(), f"{MAX_TEXT_CHARS:,}",
            f"{MAX_HTML_CHARS:,}", ", ".join(f"{source} {source_id}" for source, source_id in cut))
    return records.drop("text_cut")


def _latest_versions(records: pl.DataFrame) -> pl.DataFrame:
    return (
        records.lazy()
        .sort("fetched_at")
        .group_by("source", "source_id", maintain_order=True)
        .agg(pl.all().last(), pl.col("fetched_at").min().alias("first_fetched"))
        .collect()
    )


# The listing a posting is named after: the earliest posted (then by source and id, so that
# every run picks the same one; a listing without a date comes last).
EARLIEST_LISTING = "posted_at, source, source_id"


def _merge_listings(conn, new: pl.DataFrame, workers: ExtractionWorkers) -> int:
    """Upsert listings and postings for ``new``; return how many postings are new."""
    conn.register("new_listings", new.to_arrow())
    try:
        # Postings whose listings are about to move elsewhere must be re-aggregated too.
        conn.execute("""
            INSERT INTO touched
            SELECT posting_id FROM new_listings
            UNION SELECT l.posting_id FROM listings l JOIN new_listings n USING (source, source_id)
        """).fetchall()
        conn.execute("""
            INSERT INTO listings (source, source_id, url, posted_at, first_seen, last_seen, closed_at,
                                  posting_id, author, thread_id, month, content_hash, run_id, board,
                                  fetched_at, company, title, location, remote)
            SELECT source, source_id, url, posted_at, first_fetched, fetched_at, NULL,
                   posting_id, author, thread_id, month, content_hash, run_id, board,
                   fetched_at, company, title, location, remote
            FROM new_listings
            ON CONFLICT (source, source_id) DO UPDATE SET
                url = excluded.url, posted_at = excluded.posted_at,
                first_seen = least(listings.first_seen, excluded.first_seen),
                last_seen = greatest(listings.last_seen, excluded.last_seen),
                posting_id = excluded.posting_id, author = excluded.author,
                thread_id = excluded.thread_id, month = excluded.month,
                content_hash = excluded.content_hash, run_id = excluded.run_id,
                board = coalesce(excluded.board, listings.board),
                fetched_at = excluded.fetched_at, company = excluded.company, title = excluded.title,
                location = excluded.location, remote = excluded.remote
        """).fetchall()
        fresh = conn.sql(f"""
            SELECT * FROM new_listings n
            WHERE NOT EXISTS (SELECT 1 FROM postings p WHERE p.posting_id = n.posting_id)
            QUALIFY row_number() OVER (PARTITION BY posting_id ORDER BY {EARLIEST_LISTING}) = 1
        """).pl()
        # Postings held already first: a new one is named after its earliest listing as inserted.
        _refresh_posting_fields(conn, workers)
        _insert_postings(conn, fresh, workers)
    finally:
        conn.unregister("new_listings")
    return fresh.height


def _refresh_posting_fields(conn, workers: ExtractionWorkers) -> None:
    """Name every touched posting after its earliest listing, as a full rebuild does: that
    listing's source, id, url, company, title, location and remote flag, as of its latest
    version (a job moved to remote work, the listing a posting was named after gone to
    another, an earlier listing that joined later). Where this load brought that listing
    and its text or title differs from the posting's, the posting takes them and is tagged
    again, so skill offsets index its text. A posting whose earliest listing left it keeps
    its text, which normalizes the same as the text of every listing left in it."""
    conn.execute(f"""
        CREATE OR REPLACE TEMP TABLE earliest AS
        SELECT * FROM listings WHERE posting_id IN (SELECT posting_id FROM touched)
        QUALIFY row_number() OVER (PARTITION BY posting_id ORDER BY {EARLIEST_LISTING}) = 1
    """).fetchall()
    retext = conn.sql("""
        SELECT e.posting_id, n.text, n.title FROM earliest e
        JOIN new_listings n USING (source, source_id)
        JOIN postings p ON p.posting_id = e.posting_id
        WHERE p.text IS DISTINCT FROM n.text OR p.title IS DISTINCT FROM n.title
    """).pl()
    conn.execute("""
        UPDATE postings p SET source = e.source, source_id = e.source_id, url = e.url, company = e.company,
                              title = e.title, location = e.location, remote = e.remote
        FROM earliest e WHERE p.posting_id = e.posting_id
    """).fetchall()
    if retext.height:
        conn.register("retext", retext.to_arrow())
        try:
            conn.execute("UPDATE postings p SET text = r.text FROM retext r WHERE p.posting_id = r.posting_id"
                         ).fetchall()
            _clear_tags(conn, "retext")
        finally:
            conn.unregister("retext")
        _insert_tags(conn, retext, workers)


def _without_superseded(conn, listings: pl.DataFrame) -> pl.DataFrame:
    """``listings`` less the versions fetched before the one the warehouse holds, as from a
    landing file loaded after a newer one (skipped while cut short or still written): such
    a version only moves its listing's (and posting's) ``first_seen`` back, and the newer
    stays, as a full rebuild keeps the latest fetched. Needs the ``touched`` table."""
    conn.register("arrived", listings.select("source", "source_id", "fetched_at", "first_fetched").to_arrow())
    try:
        superseded = conn.sql("""
            SELECT a.source, a.source_id, a.first_fetched FROM arrived a JOIN listings l USING (source, source_id)
            WHERE a.fetched_at < l.fetched_at
        """).pl()
    finally:
        conn.unregister("arrived")
    if superseded.is_empty():
        return listings
    conn.register("superseded", superseded.to_arrow())
    try:
        conn.execute("""
            UPDATE listings l SET first_seen = least(l.first_seen, s.first_fetched)
            FROM superseded s WHERE l.source = s.source AND l.source_id = s.source_id
        """).fetchall()
        conn.execute("""
            INSERT INTO touched SELECT posting_id FROM listings JOIN superseded USING (source, source_id)
        """).fetchall()
    finally:
        conn.unregister("superseded")
    return listings.join(superseded.select("source", "source_id"), on=["source", "source_id"], how="anti")


def _merge_record_versions(conn, records: pl.DataFrame) -> None:
    """One ``posting_versions`` row per distinct version of each listing; times widen."""
    versions = (
        records.lazy()
        .sort("fetched_at")
        .group_by("source", "source_id", "version_hash")
        .agg(pl.col("fetched_at").min().alias("first_seen"), pl.col("fetched_at").max().alias("last_seen"),
             pl.col("posting_id").last())
        .collect()
    )
    _upsert_versions(conn, versions)


def _upsert_versions(conn, versions: pl.DataFrame) -> None:
    conn.register("new_versions", versions.to_arrow())
    try:
        conn.execute("""
            INSERT INTO posting_versions (source, source_id, content_hash, first_seen, last_seen, posting_id)
            SELECT source, source_id, version_hash, first_seen, last_seen, posting_id FROM new_versions
            ON CONFLICT (source, source_id, content_hash) DO UPDATE SET
                first_seen = least(posting_versions.first_seen, excluded.first_seen),
                last_seen = greatest(posting_versions.last_seen, excluded.last_seen),
                posting_id = coalesce(excluded.posting_id, posting_versions.posting_id)
        """).fetchall()
    finally:
        conn.unregister("new_versions")


def _merge_sightings(conn, seen: pl.DataFrame) -> int:
    """Postings seen again (stored or not): ``last_seen`` moves on, their version's too.

    Sightings of a listing the warehouse does not hold (its record lies in a landing file
    not loaded) are ignored. Returns how many listings were seen.
    """
    sightings = (
        seen.lazy()
        .sort("seen_at")
        .group_by("source", "source_id")
        .agg(pl.col("seen_at").min().alias("first_seen"), pl.col("seen_at").max().alias("last_seen"),
             pl.col("board").drop_nulls().last().alias("board"))
        .collect()
    )
    versions = (
        seen.lazy()
        .filter(pl.col("record_hash").is_not_null())
        .group_by("source", "source_id", pl.col("record_hash").alias("version_hash"))
        .agg(pl.col("seen_at").min().alias("first_seen"), pl.col("seen_at").max().alias("last_seen"))
        .with_columns(pl.lit(None, dtype=pl.String).alias("posting_id"))
        .collect()
    )
    conn.register("new_sightings", sightings.to_arrow())
    try:
        conn.execute("""
            INSERT INTO touched
            SELECT l.posting_id FROM listings l JOIN new_sightings s USING (source, source_id)
            WHERE s.last_seen > l.last_seen OR s.first_seen < l.first_seen
        """).fetchall()
        seen_count = conn.execute("""
            UPDATE listings l SET
                last_seen = greatest(l.last_seen, s.last_seen),
                first_seen = least(l.first_seen, s.first_seen),
                board = coalesce(s.board, l.board)
            FROM new_sightings s WHERE l.source = s.source AND l.source_id = s.source_id
        """).fetchall()[0][0]
    finally:
        conn.unregister("new_sightings")
    known = conn.sql("SELECT source, source_id FROM listings").pl()
    _upsert_versions(conn, versions.join(known, on=["source", "source_id"], how="semi"))
    return seen_count


def _record_boards(conn, boards: pl.DataFrame) -> None:
    conn.register("new_boards", boards.to_arrow())
    try:
        conn.execute("""
            INSERT OR REPLACE INTO crawl_boards
                (run_id, source, board, complete, not_modified, postings, error, seen_at)
            SELECT run_id, source, board, complete, not_modified, postings, error, seen_at FROM new_boards
        """).fetchall()
    finally:
        conn.unregister("new_boards")


def _update_lifecycle(conn) -> tuple[int, int]:
    """Set ``listings.closed_at`` from every board crawl loaded; return (closed, reopened).

    A listing of board B is closed at the time T of the first *closing* crawl of B after
    its ``last_seen``: a crawl of B that was complete (every request answered, every job
    read) in a run that ended normally (``finished`` or ``finished_with_errors``; a killed,
    interrupted or budget-stopped run counts once a ``--resume`` of its crawl job finishes).
    That crawl did not list it, or ``last_seen`` would be T or later. A listing seen again
    after T has no closing crawl after its new ``last_seen``: it is open again. HN listings
    have no board and never close. Pure function of the loaded data: reloading changes nothing.
    """
    statuses = ", ".join(f"'{status}'" for status in ELIGIBLE_STATUSES)
    conn.execute(f"""
        CREATE OR REPLACE TEMP TABLE lifecycle AS
        WITH eligible AS (
            SELECT run_id FROM crawl_runs WHERE status IN ({statuses})
            UNION
            SELECT run_id FROM crawl_runs WHERE job_id IN (
                SELECT job_id FROM crawl_runs WHERE job_id IS NOT NULL AND status IN ({statuses}))
        ),
        closing AS (
            SELECT source, board, seen_at FROM crawl_boards
            WHERE complete AND run_id IN (SELECT run_id FROM eligible)
        )
        SELECT l.source, l.source_id, l.posting_id, l.closed_at AS was, c.seen_at AS closed_at
        FROM listings l ASOF LEFT JOIN closing c
            ON l.source = c.source AND l.board = c.board AND c.seen_at > l.last_seen
        WHERE l.board IS NOT NULL
    """).fetchall()
    closed, reopened = conn.execute("""
        SELECT count(*) FILTER (was IS NULL AND closed_at IS NOT NULL),
               count(*) FILTER (was IS NOT NULL AND closed_at IS NULL)
        FROM lifecycle
    """).fetchall()[0]
    conn.execute("INSERT INTO touched SELECT posting_id FROM lifecycle WHERE was IS DISTINCT FROM closed_at").fetchall()
    conn.execute("""
        UPDATE listings l SET closed_at = c.closed_at
        FROM lifecycle c
        WHERE l.source = c.source AND l.source_id = c.source_id AND c.was IS DISTINCT FROM c.closed_at
    """).fetchall()
    return closed, reopened


def _insert_postings(conn, fresh: pl.DataFrame, workers: ExtractionWorkers) -> None:
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
    _insert_tags(conn, fresh.select("posting_id", "text", "title"), workers)


def _clear_tags(conn, only_postings_in: str | None = None) -> None:
    """Drop the skills, responsibilities and families of every posting, or of those whose
    ``posting_id`` is in the table or view named ``only_postings_in``."""
    where = f" WHERE posting_id IN (SELECT posting_id FROM {only_postings_in})" if only_postings_in else ""
    conn.execute(f"DELETE FROM posting_skills{where}").fetchall()
    conn.execute(f"DELETE FROM posting_responsibilities{where}").fetchall()
    conn.execute(f"UPDATE postings SET families = NULL{where}").fetchall()


def _insert_tags(conn, postings: pl.DataFrame, workers: ExtractionWorkers) -> None:
    """is_ml, skills, families and responsibilities of ``postings`` (already in ``postings``)."""
    tags = tag_postings(postings, workers, extractor_version())
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
    # A job-board listing without a date of its own (a Greenhouse job without first_published)
    # counts in the month it was first seen, when it was open for sure, not in no month at all.
    # Set again whenever touched: a crawl file loaded late can move first_seen back a month.
    conn.execute("""
        UPDATE listings SET month = date_trunc('month', first_seen)::DATE
        WHERE posting_id IN (SELECT posting_id FROM touched)
          AND (month IS NULL OR (posted_at IS NULL AND thread_id IS NULL))
          AND month IS DISTINCT FROM date_trunc('month', first_seen)::DATE
    """).fetchall()
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
               (run_id, source, started_at, finished_at, status, items, errors, stats, landing_file, loaded_at,
                job_id)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            [run.get("run_id"), run.get("source"), run.get("started_at"), run.get("finished_at"),
             run.get("status"), run.get("items"), run.get("errors"), run.get("stats"),
             run["landing_file"], loaded_at, run.get("job_id")],
        ).fetchall()


def _retag_if_versions_changed(conn, report: EtlReport, workers: ExtractionWorkers) -> bool:
    """Re-tag history when the taxonomy or extractor changed, so trend series stay consistent.

    Changed means ``meta`` names other versions, or tags of other versions are stored: a run
    killed after committing its postings but before writing ``meta`` leaves tags of the old
    versions and no word of them in ``meta``."""
    wanted = {"taxonomy_version": workers.taxonomy_version, "extractor_version": extractor_version()}
    current = dict(conn.execute("SELECT key, value FROM meta").fetchall())
    stale = any(current.get(key) not in (None, value) for key, value in wanted.items()) or bool(
        conn.execute("SELECT 1 FROM posting_skills WHERE taxonomy_version IS DISTINCT FROM ? "
                     "OR extractor_version IS DISTINCT FROM ? LIMIT 1",
                     [wanted["taxonomy_version"], wanted["extractor_version"]]).fetchall())
    if stale:
        postings = conn.sql("SELECT posting_id, text, title FROM postings").pl()
        _mark_build_pending(conn)
        with transaction(conn):
            _clear_tags(conn)
            _insert_tags(conn, postings, workers)
        report.retagged = postings.height
    return _set_meta(conn, wanted) or stale
