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

FAMILY_SHARE_SQL = f"""
CREATE OR REPLACE TABLE monthly_family_share AS
WITH {ML_POSTING_MONTHS},
    mentions AS (
        SELECT ml.month, s.family, count(DISTINCT ml.posting_id) AS postings
        FROM ml JOIN posting_skills s USING (posting_id) GROUP BY ALL),
    families AS (SELECT unnest($families) AS family)
SELECT t.month, f.family, coalesce(m.postings, 0) AS postings, t.total,
       CASE WHEN t.total > 0 THEN coalesce(m.postings, 0) / t.total END AS share,
       wilson_low(coalesce(m.postings, 0), t.total) AS ci_low,
       wilson_high(coalesce(m.postings, 0), t.total) AS ci_high
FROM totals t CROSS JOIN families f LEFT JOIN mentions m USING (month, family)
ORDER BY t.month, f.family
"""

# Every skill some ML posting mentions, in every month monthly_family_share has: a month
# without a mention is a row with postings 0 (not a missing row), so averages over months
# and LAG compare what they seem to.
SKILL_SHARE_SQL = f"""
CREATE OR REPLACE TABLE monthly_skill_share AS
WITH {ML_POSTING_MONTHS},
    mentions AS (
        SELECT ml.month, s.skill, any_value(s.family) AS family, count(DISTINCT ml.posting_id) AS postings
        FROM ml JOIN posting_skills s USING (posting_id) GROUP BY ml.month, s.skill),
    skills AS (SELECT skill, any_value(family) AS family FROM mentions GROUP BY skill)
SELECT t.month, s.skill, s.family, coalesce(m.postings, 0) AS postings, t.total,
       CASE WHEN t.total > 0 THEN coalesce(m.postings, 0) / t.total END AS share,
       wilson_low(coalesce(m.postings, 0), t.total) AS ci_low,
       wilson_high(coalesce(m.postings, 0), t.total) AS ci_high
FROM totals t CROSS JOIN skills s LEFT JOIN mentions m USING (month, skill)
ORDER BY t.month, s.skill
"""


def rebuild_monthly_tables(conn: duckdb.DuckDBPyConnection) -> None:
    conn.execute(FAMILY_SHARE_SQL, {"families": list(FAMILIES)}).fetchall()
    conn.execute(SKILL_SHARE_SQL).fetchall()
