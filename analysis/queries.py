"""The rows each view needs, pulled from the snapshot with parameterized SQL.

Every function takes an open snapshot connection (see :func:`analysis.snapshot.open_snapshot`)
and a selection: an inclusive month range ``[start, end]`` and a list of sources (None
means every source; an empty list selects nothing). Values are always bound as query
parameters, never formatted into the SQL text. Results come back as Polars frames
through Arrow, or as small plain values.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import duckdb
import polars as pl

MonthLike = dt.date | str

# The selection every query shares: listings counted in [start, end] from the chosen
# sources, of postings joined in as ``p``. Parameters: start, end, sources.
_SELECTION = """
    FROM posting_months m JOIN postings p USING (posting_id)
    WHERE m.month BETWEEN ?::DATE AND ?::DATE
      AND list_contains(?::VARCHAR[], m.source)
"""


@dataclass(frozen=True)
class Freshness:
    """How fresh the snapshot is and how much data a selection rests on."""

    built_at: dt.datetime | None
    """When the ETL finished building the snapshot (``meta.built_at``), if recorded."""
    postings: int
    """Distinct postings listed in the selection."""
    ml_postings: int
    """Of those, the ML postings (the denominator of every share)."""
    demo: bool
    """True when the snapshot was built from generated demo data (``meta.demo``)."""


def to_month(value: MonthLike) -> dt.date:
    """The first day of the month of ``value`` (a date, ``"YYYY-MM"`` or ``"YYYY-MM-DD"``)."""
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, str):
        text = value.strip()
        try:
            value = dt.date.fromisoformat(text if len(text) > 7 else f"{text}-01")
        except ValueError:
            raise ValueError(f"not a month: {value!r} (expected YYYY-MM or YYYY-MM-DD)") from None
    if not isinstance(value, dt.date):
        raise TypeError(f"not a month: {value!r}")
    return value.replace(day=1)


def months_between(start: MonthLike, end: MonthLike) -> list[dt.date]:
    """Every month from ``start`` to ``end`` inclusive (empty if ``end`` is earlier)."""
    first, last = to_month(start), to_month(end)
    if last < first:
        return []
    return pl.date_range(first, last, interval="1mo", eager=True).to_list()


def available_sources(conn: duckdb.DuckDBPyConnection) -> list[str]:
    """The sources that have listings in the snapshot, sorted."""
    rows = conn.execute("SELECT DISTINCT source FROM posting_months ORDER BY source").fetchall()
    return [source for (source,) in rows]


def month_range(conn: duckdb.DuckDBPyConnection) -> tuple[dt.date, dt.date] | None:
    """The first and last month any listing counts in, or None for an empty snapshot."""
    first, last = conn.execute("SELECT min(month), max(month) FROM posting_months").fetchall()[0]
    if first is None:
        return None
    return first, last


def ml_posting_months(
    conn: duckdb.DuckDBPyConnection,
    start: MonthLike,
    end: MonthLike,
    sources: Sequence[str] | None = None,
) -> pl.DataFrame:
    """One row per (ML posting, month) in the selection, with its families and skills.

    The input of :func:`analysis.shares.family_shares`, :func:`~analysis.shares.skill_shares`
    and :func:`~analysis.shares.top_skills`. A posting listed by two sources in the same
    month is one row.

    :returns: ``posting_id, month, families: list[str], skills: list[struct{skill,
        family}]`` (the lists are null for a posting without skills), sorted by month,
        posting_id.
    """
    sql = f"""
        WITH ml AS (
            SELECT DISTINCT m.posting_id, m.month
            {_SELECTION} AND p.is_ml
        ),
        tagged AS (
            SELECT posting_id,
                   list(DISTINCT family ORDER BY family) AS families,
                   list({{'skill': skill, 'family': family}} ORDER BY skill, family) AS skills
            FROM (SELECT DISTINCT posting_id, skill, family FROM posting_skills
                  WHERE posting_id IN (SELECT posting_id FROM ml))
            GROUP BY posting_id
        )
        SELECT ml.posting_id, ml.month, tagged.families, tagged.skills
        FROM ml LEFT JOIN tagged USING (posting_id)
        ORDER BY ml.month, ml.posting_id
    """
    return _frame(conn, sql, _selection_params(conn, start, end, sources))


def is_demo(conn: duckdb.DuckDBPyConnection) -> bool:
    """True when the snapshot was built from generated demo data (``meta.demo``)."""
    rows = conn.execute("SELECT value FROM meta WHERE key = 'demo'").fetchall()
    return bool(rows) and str(rows[0][0]).strip().lower() == "true"


def freshness(
    conn: duckdb.DuckDBPyConnection,
    start: MonthLike,
    end: MonthLike,
    sources: Sequence[str] | None = None,
) -> Freshness:
    """When the snapshot was built, how many postings the selection rests on, and
    whether it is demo data."""
    postings, ml_postings = conn.execute(
        f"""
        SELECT count(DISTINCT m.posting_id),
               count(DISTINCT m.posting_id) FILTER (WHERE p.is_ml)
        {_SELECTION}
        """,
        _selection_params(conn, start, end, sources),
    ).fetchall()[0]
    meta = dict(conn.execute("SELECT key, value FROM meta WHERE key IN ('built_at', 'demo')").fetchall())
    return Freshness(
        built_at=_parse_timestamp(meta.get("built_at")),
        postings=int(postings or 0),
        ml_postings=int(ml_postings or 0),
        demo=is_demo(conn),
    )


def example_postings(
    conn: duckdb.DuckDBPyConnection,
    start: MonthLike,
    end: MonthLike,
    sources: Sequence[str] | None = None,
    *,
    family: str | None = None,
    skill: str | None = None,
    limit: int = 5,
) -> pl.DataFrame:
    """ML postings in the selection that mention a family (or one skill), newest first.

    Give exactly one of ``family`` and ``skill``.

    :returns: ``posting_id, company, title, month, source, url, text, evidence`` —
        ``month`` is the latest month of the selection the posting counts in; ``source`` a
        selected source it is listed on then (its first listing's source, if that is one);
        ``url`` that source's listing of that month, else its latest (boards such as
        Remotive ask to be named and linked to); ``text`` is plain text (show it as text,
        never as HTML); ``evidence`` is the sentence of the first mention.
    """
    if (family is None) == (skill is None):
        raise ValueError("give exactly one of family= or skill=")
    column, value = ("family", family) if family is not None else ("skill", skill)
    # ``column`` is one of two fixed names chosen above, never user input.
    sql = f"""
        WITH picked AS (
            SELECT p.posting_id, m.month, m.source
            {_SELECTION} AND p.is_ml
              AND EXISTS (SELECT 1 FROM posting_skills s
                          WHERE s.posting_id = p.posting_id AND s.{column} = ?)
            QUALIFY row_number() OVER (PARTITION BY p.posting_id
                                       ORDER BY m.month DESC, m.source = p.source DESC, m.source) = 1
        )
        SELECT p.posting_id, p.company, p.title, picked.month, picked.source,
               coalesce((SELECT l.url FROM listings l
                         WHERE l.posting_id = p.posting_id AND l.source = picked.source AND l.url IS NOT NULL
                         ORDER BY l.month = picked.month DESC NULLS LAST, l.last_seen DESC NULLS LAST,
                                  l.source_id LIMIT 1),
                        CASE WHEN p.source = picked.source THEN p.url END) AS url,
               p.text,
               (SELECT s.evidence FROM posting_skills s
                WHERE s.posting_id = p.posting_id AND s.{column} = ?
                ORDER BY s.start NULLS LAST, s.skill LIMIT 1) AS evidence
        FROM picked JOIN postings p USING (posting_id)
        ORDER BY picked.month DESC, p.posting_id
        LIMIT ?
    """
    params = [*_selection_params(conn, start, end, sources), value, value, int(limit)]
    return _frame(conn, sql, params)


def _selection_params(
    conn: duckdb.DuckDBPyConnection,
    start: MonthLike,
    end: MonthLike,
    sources: Sequence[str] | None,
) -> list:
    chosen = available_sources(conn) if sources is None else [str(s) for s in sources]
    return [to_month(start), to_month(end), chosen]


def _frame(conn: duckdb.DuckDBPyConnection, sql: str, params: list) -> pl.DataFrame:
    return pl.from_arrow(conn.sql(sql, params=params).to_arrow_table())


def _parse_timestamp(value: str | None) -> dt.datetime | None:
    if not value:
        return None
    try:
        return dt.datetime.fromisoformat(value.strip())
    except ValueError:
        return None
