"""Rebuild the monthly research tables from postings, posting_months and posting_skills."""

from __future__ import annotations

import duckdb

from etl.schema import FAMILIES

# Every month any posting counts in has a total, 0 where none was ML: such a month was
# crawled, unlike a month with no row at all.
ML_POSTING_MONTHS = """
    posting_month AS (SELECT DISTINCT m.posting_id, m.month, p.is_ml
                      FROM posting_months m JOIN postings p USING (posting_id)),
    ml AS (SELECT posting_id, month FROM posting_month WHERE is_ml),
    totals AS (SELECT month, count(*) FILTER (WHERE is_ml) AS total FROM posting_month GROUP BY month)
"""


def _share_table_sql(table: str, key: str, mentions: str, keys: str) -> str:
    """``table``: for every month of ``totals`` and every row of ``keys``, the ML postings
    that month among ``mentions`` (0 where none), of ``total``, with the Wilson interval. A
    row with postings 0 rather than no row: averages over months and ``LAG`` then compare
    what they seem to."""
    return f"""
CREATE OR REPLACE TABLE {table} AS
WITH {ML_POSTING_MONTHS},
    mentions AS ({mentions}),
    keys AS ({keys})
SELECT t.month, k.*, coalesce(m.postings, 0) AS postings, t.total,
       CASE WHEN t.total > 0 THEN coalesce(m.postings, 0) / t.total END AS share,
       wilson_low(coalesce(m.postings, 0), t.total) AS ci_low,
       wilson_high(coalesce(m.postings, 0), t.total) AS ci_high
FROM totals t CROSS JOIN keys k LEFT JOIN mentions m USING (month, {key})
ORDER BY t.month, k.{key}
"""


FAMILY_SHARE_SQL = _share_table_sql(
    "monthly_family_share", "family",
    mentions="""SELECT ml.month, s.family, count(DISTINCT ml.posting_id) AS postings
                FROM ml JOIN posting_skills s USING (posting_id) GROUP BY ALL""",
    keys="SELECT unnest($families) AS family",
)

# Every skill some ML posting mentions, in every month monthly_family_share has.
SKILL_SHARE_SQL = _share_table_sql(
    "monthly_skill_share", "skill",
    mentions="""SELECT ml.month, s.skill, any_value(s.family) AS family, count(DISTINCT ml.posting_id) AS postings
                FROM ml JOIN posting_skills s USING (posting_id) GROUP BY ml.month, s.skill""",
    keys="SELECT skill, any_value(family) AS family FROM mentions GROUP BY skill",
)


def rebuild_monthly_tables(conn: duckdb.DuckDBPyConnection) -> None:
    conn.execute(FAMILY_SHARE_SQL, {"families": list(FAMILIES)}).fetchall()
    conn.execute(SKILL_SHARE_SQL).fetchall()
