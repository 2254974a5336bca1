"""The warehouse schema: tables, research views and the named migrations that create them.

Every column is documented in ``docs/schema.md``; change both together. Migrations are
recorded in ``schema_migrations`` so applying them again is a no-op.
"""

from __future__ import annotations

from contextlib import contextmanager

import duckdb

FAMILIES = ("classic_ml", "mlops", "llm", "other")

#: The 97.5% standard-normal quantile: a two-sided 95% interval (also analysis.shares.Z95).
Z95 = 1.959963984540054


def _wilson_macros(impossible: str, z: float = Z95) -> str:
    """``wilson_low(k, n)`` and ``wilson_high(k, n)``: NULL where ``impossible`` holds,
    exactly 0 at ``k = 0`` and 1 at ``k = n``, else the Wilson bounds clipped to [0, 1]."""
    def bound(sign: str, exact_end: str, value: str) -> str:
        return f"""CASE WHEN {impossible} THEN NULL WHEN {exact_end} THEN {value} ELSE
            greatest(0.0, least(1.0,
                ((k / n) + {z} ^ 2 / (2 * n) {sign} {z} * sqrt((k / n) * (1 - k / n) / n + {z} ^ 2 / (4 * n * n)))
                / (1 + {z} ^ 2 / n))) END"""
    return f"""
        CREATE OR REPLACE MACRO wilson_low(k, n) AS {bound("-", "k = 0", "0.0")};
        CREATE OR REPLACE MACRO wilson_high(k, n) AS {bound("+", "k = n", "1.0")};
    """


MIGRATIONS: list[tuple[str, str]] = [
    (
        "0001_core_tables",
        """
        CREATE TABLE crawl_runs (
            run_id        VARCHAR PRIMARY KEY,
            source        VARCHAR NOT NULL,
            started_at    TIMESTAMP,
            finished_at   TIMESTAMP,
            status        VARCHAR,
            items         BIGINT,
            errors        BIGINT,
            stats         JSON,
            landing_file  VARCHAR,
            loaded_at     TIMESTAMP
        );
        CREATE TABLE listings (
            source        VARCHAR NOT NULL,
            source_id     VARCHAR NOT NULL,
            url           VARCHAR,
            posted_at     TIMESTAMP,
            first_seen    TIMESTAMP,
            last_seen     TIMESTAMP,
            closed_at     TIMESTAMP,
            posting_id    VARCHAR NOT NULL,
            author        VARCHAR,
            thread_id     VARCHAR,
            month         DATE,
            content_hash  VARCHAR,
            run_id        VARCHAR,
            PRIMARY KEY (source, source_id)
        );
        CREATE TABLE postings (
            posting_id    VARCHAR PRIMARY KEY,
            source        VARCHAR,
            source_id     VARCHAR,
            url           VARCHAR,
            company       VARCHAR,
            title         VARCHAR,
            location      VARCHAR,
            remote        BOOLEAN,
            posted_at     TIMESTAMP,
            first_seen    TIMESTAMP,
            last_seen     TIMESTAMP,
            closed_at     TIMESTAMP,
            text          VARCHAR,
            is_ml         BOOLEAN,
            families      VARCHAR[],
            n_listings    INTEGER
        );
        CREATE TABLE posting_skills (
            posting_id        VARCHAR NOT NULL,
            skill             VARCHAR NOT NULL,
            family            VARCHAR NOT NULL,
            category          VARCHAR,
            start             INTEGER,
            "end"             INTEGER,
            evidence          VARCHAR,
            taxonomy_version  VARCHAR,
            extractor_version VARCHAR
        );
        CREATE TABLE posting_months (
            posting_id    VARCHAR NOT NULL,
            source        VARCHAR NOT NULL,
            month         DATE NOT NULL,
            PRIMARY KEY (posting_id, source, month)
        );
        CREATE TABLE monthly_family_share (
            month     DATE,
            family    VARCHAR,
            postings  BIGINT,
            total     BIGINT,
            share     DOUBLE,
            ci_low    DOUBLE,
            ci_high   DOUBLE
        );
        CREATE TABLE monthly_skill_share (
            month     DATE,
            skill     VARCHAR,
            family    VARCHAR,
            postings  BIGINT,
            total     BIGINT,
            share     DOUBLE,
            ci_low    DOUBLE,
            ci_high   DOUBLE
        );
        CREATE TABLE meta (
            key   VARCHAR PRIMARY KEY,
            value VARCHAR
        );
        """,
    ),
    (
        "0002_wilson_macros",
        # 95% Wilson score interval for k successes out of n; the same formula as
        # analysis.shares.wilson_interval (a test checks they agree).
        """
        CREATE MACRO wilson_low(k, n) AS CASE WHEN n = 0 THEN NULL ELSE
            ((k / n) + 1.959963984540054 ^ 2 / (2 * n)
             - 1.959963984540054 * sqrt((k / n) * (1 - k / n) / n
                                        + 1.959963984540054 ^ 2 / (4 * n * n)))
            / (1 + 1.959963984540054 ^ 2 / n) END;
        CREATE MACRO wilson_high(k, n) AS CASE WHEN n = 0 THEN NULL ELSE
            ((k / n) + 1.959963984540054 ^ 2 / (2 * n)
             + 1.959963984540054 * sqrt((k / n) * (1 - k / n) / n
                                        + 1.959963984540054 ^ 2 / (4 * n * n)))
            / (1 + 1.959963984540054 ^ 2 / n) END;
        """,
    ),
    (
        "0003_posting_responsibilities",
        """
        CREATE TABLE posting_responsibilities (
            posting_id      VARCHAR NOT NULL,
            responsibility  VARCHAR NOT NULL,
            sentence        VARCHAR,
            start           INTEGER,
            "end"           INTEGER
        );
        """,
    ),
    (
        "0004_posting_lifecycle",
        # Job boards: which board each listing is on, how each board's crawl ended (so a
        # complete crawl can close what it no longer lists), and every version of a posting.
        """
        ALTER TABLE listings ADD COLUMN board VARCHAR;
        ALTER TABLE crawl_runs ADD COLUMN job_id VARCHAR;
        CREATE TABLE crawl_boards (
            run_id        VARCHAR NOT NULL,
            source        VARCHAR NOT NULL,
            board         VARCHAR NOT NULL,
            complete      BOOLEAN NOT NULL,
            not_modified  BOOLEAN NOT NULL,
            postings      BIGINT,
            error         VARCHAR,
            seen_at       TIMESTAMP NOT NULL,
            PRIMARY KEY (run_id, source, board)
        );
        CREATE TABLE posting_versions (
            source        VARCHAR NOT NULL,
            source_id     VARCHAR NOT NULL,
            content_hash  VARCHAR NOT NULL,
            first_seen    TIMESTAMP,
            last_seen     TIMESTAMP,
            posting_id    VARCHAR,
            PRIMARY KEY (source, source_id, content_hash)
        );
        """,
    ),
    (
        "0005_wilson_exact_ends",
        # Rounding left the bounds a hair off at k = 0 and k = n (4.9e-17 for 0 of 3, a
        # little over 1 for 11 of 11), so "ci_low > 0" held for months with no posting.
        # Now exactly 0 and 1 there and clipped to [0, 1], as analysis.shares.wilson_interval.
        """
        CREATE OR REPLACE MACRO wilson_low(k, n) AS CASE WHEN n = 0 THEN NULL WHEN k <= 0 THEN 0.0 ELSE
            greatest(0.0, least(1.0,
                ((k / n) + 1.959963984540054 ^ 2 / (2 * n)
                 - 1.959963984540054 * sqrt((k / n) * (1 - k / n) / n
                                            + 1.959963984540054 ^ 2 / (4 * n * n)))
                / (1 + 1.959963984540054 ^ 2 / n))) END;
        CREATE OR REPLACE MACRO wilson_high(k, n) AS CASE WHEN n = 0 THEN NULL WHEN k >= n THEN 1.0 ELSE
            greatest(0.0, least(1.0,
                ((k / n) + 1.959963984540054 ^ 2 / (2 * n)
                 + 1.959963984540054 * sqrt((k / n) * (1 - k / n) / n
                                            + 1.959963984540054 ^ 2 / (4 * n * n)))
                / (1 + 1.959963984540054 ^ 2 / n))) END;
        """,
    ),
    (
        "0006_listing_posting_fields",
        # Each listing's own company, title, location and remote flag (its latest version), so
        # that a posting's row can follow its earliest listing in an incremental run as in a
        # full one (etl.pipeline._refresh_posting_fields), and when that version was fetched,
        # so that a landing file loaded late cannot put an older one back
        # (etl.pipeline._without_superseded). Listings stored before are filled by the rebuild
        # that NORMALIZE_VERSION 5 asks for.
        """
        ALTER TABLE listings ADD COLUMN fetched_at TIMESTAMP;
        ALTER TABLE listings ADD COLUMN company VARCHAR;
        ALTER TABLE listings ADD COLUMN title VARCHAR;
        ALTER TABLE listings ADD COLUMN location VARCHAR;
        ALTER TABLE listings ADD COLUMN remote BOOLEAN;
        """,
    ),
    (
        "0007_undated_month_follows_first_seen",
        # An undated job-board listing counts in the month first seen, but that month was set
        # once: a crawl file loaded late that moved first_seen back left the listing in the
        # later month. The ETL now sets it again (etl.pipeline._refresh_touched_postings);
        # this puts right the listings stored before.
        """
        UPDATE listings SET month = date_trunc('month', first_seen)::DATE
        WHERE posted_at IS NULL AND thread_id IS NULL
          AND month IS DISTINCT FROM date_trunc('month', first_seen)::DATE;
        DELETE FROM posting_months;
        INSERT INTO posting_months SELECT DISTINCT posting_id, source, month FROM listings WHERE month IS NOT NULL;
        """,
    ),
    (
        "0008_wilson_impossible_counts",
        # A count that cannot be (k < 0, k > n, n < 0) gave an interval: wilson_low(7, 5) was 1.0,
        # and a NULL count gave 0 or 1 (greatest() and least() skip NULLs). A researcher's own
        # SQL gets NULL there now, as analysis.shares.wilson_interval does.
        _wilson_macros(impossible="k IS NULL OR n IS NULL OR n <= 0 OR k < 0 OR k > n"),
    ),
]

#: The last migration's name: ``meta.schema_version`` of a warehouse the ETL has brought up to date.
SCHEMA_VERSION = MIGRATIONS[-1][0]


@contextmanager
def transaction(conn: duckdb.DuckDBPyConnection):
    """One transaction around the block: committed at its end, rolled back if it raises.
    Not nestable: DuckDB refuses a BEGIN inside a transaction."""
    conn.execute("BEGIN TRANSACTION")
    try:
        yield
        conn.execute("COMMIT")
    except BaseException:
        try:
            conn.execute("ROLLBACK")
        except duckdb.Error:
            pass  # a COMMIT that failed (a full disk) ended the transaction: its own error says why
        raise


def migrate(conn: duckdb.DuckDBPyConnection) -> list[str]:
    """Apply the migrations not yet recorded; return the names applied now."""
    conn.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations (name VARCHAR PRIMARY KEY, applied_at TIMESTAMP)"
    )
    done = {row[0] for row in conn.execute("SELECT name FROM schema_migrations").fetchall()}
    applied = []
    for name, ddl in MIGRATIONS:
        if name in done:
            continue
        with transaction(conn):
            conn.execute(ddl)
            conn.execute("INSERT INTO schema_migrations VALUES (?, now())", [name]).fetchall()
        applied.append(name)
    return applied
