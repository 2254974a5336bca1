"""Build small published snapshots for tests, the way the ETL lays them out.

``make_snapshot(home, postings=[...])`` creates ``<home>/published/<name>.duckdb`` with the
real schema (``etl.schema.migrate``), inserts the given postings, their months and skills,
derives the two monthly share tables with SQL, writes ``meta`` and points
``<home>/snapshot.duckdb`` at the file (a relative symlink switched with ``os.replace``).

A posting is a dict::

    {"posting_id": "p1",                 # required
     "source": "hn",                     # default "hn"
     "months": ["2024-01", ("greenhouse", "2024-02")],   # str: the posting's own source
     "is_ml": True,                      # default True
     "skills": [("PyTorch", "classic_ml"), {"skill": "LLM", "family": "llm"}],
     "company": ..., "title": ..., "url": ..., "text": ...,   # optional
     "urls": {"remotive": "https://remotive.com/..."}}       # optional: other sources' listing URLs

Each source a posting has months on gets one listing, with the posting's ``url`` on its own
source and ``urls[source]`` (or none) on the others.
"""

from __future__ import annotations

import datetime as dt
import os
import uuid
from collections.abc import Iterable, Mapping
from pathlib import Path

import duckdb

from etl.schema import migrate
from etl.trends import rebuild_monthly_tables


def make_snapshot(
    home_dir: str | os.PathLike,
    postings: Iterable[Mapping] = (),
    *,
    built_at: str = "2024-06-30T12:00:00+00:00",
    demo: bool = False,
    name: str | None = None,
) -> Path:
    """Write a snapshot under ``home_dir`` and make it current; return its path."""
    home = Path(home_dir)
    published = home / "published"
    published.mkdir(parents=True, exist_ok=True)
    path = published / f"{name or 'snapshot-' + uuid.uuid4().hex[:8]}.duckdb"

    rows = [_normalize(p) for p in postings]
    conn = duckdb.connect(str(path))
    try:
        migrate(conn)
        conn.executemany(
            """INSERT INTO postings (posting_id, source, source_id, url, company, title,
                   location, text, is_ml, families, n_listings)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            [
                [
                    p["posting_id"], p["source"], p["posting_id"], p["url"], p["company"],
                    p["title"], p.get("location"), p["text"], p["is_ml"],
                    sorted({family for _, family in p["skills"]}), len(p["months"]),
                ]
                for p in rows
            ],
        )
        month_rows = [
            [p["posting_id"], source, month] for p in rows for source, month in p["months"]
        ]
        if month_rows:
            conn.executemany("INSERT INTO posting_months VALUES (?, ?, ?)", month_rows)
        listing_rows = [
            [source, f"{p['posting_id']}@{source}",
             p["urls"].get(source, p["url"] if source == p["source"] else None),
             p["posting_id"], max(month for s, month in p["months"] if s == source)]
            for p in rows for source in sorted({s for s, _ in p["months"]})
        ]
        if listing_rows:
            conn.executemany("INSERT INTO listings (source, source_id, url, posting_id, month) VALUES (?, ?, ?, ?, ?)",
                             listing_rows)
        skill_rows = [
            [p["posting_id"], skill, family, "tool", 0, len(skill), f"Uses {skill}."]
            for p in rows
            for skill, family in p["skills"]
        ]
        if skill_rows:
            conn.executemany(
                """INSERT INTO posting_skills (posting_id, skill, family, category, start,
                       "end", evidence, taxonomy_version, extractor_version)
                   VALUES (?, ?, ?, ?, ?, ?, ?, 'test', 'test')""",
                skill_rows,
            )
        rebuild_monthly_tables(conn)  # the ETL's own SQL, so analysis is checked against it
        conn.executemany(
            "INSERT INTO meta VALUES (?, ?)",
            [["built_at", built_at], ["demo", "true" if demo else "false"]],
        )
    finally:
        conn.close()

    pointer = home / "snapshot.duckdb"
    temporary = home / f".snapshot.{uuid.uuid4().hex}.tmp"
    os.symlink(os.path.relpath(path, home), temporary)
    os.replace(temporary, pointer)
    return path


def _normalize(posting: Mapping) -> dict:
    p = dict(posting)
    pid = p["posting_id"]
    p.setdefault("source", "hn")
    p.setdefault("is_ml", True)
    p.setdefault("company", f"Company {pid}")
    p.setdefault("title", "ML Engineer")
    p.setdefault("url", f"https://news.ycombinator.com/item?id={pid}")
    p.setdefault("text", f"Company {pid} | ML Engineer | Remote")
    p.setdefault("urls", {})
    p["months"] = [
        (m[0], _month(m[1])) if isinstance(m, tuple) else (p["source"], _month(m))
        for m in p.get("months", [])
    ]
    p["skills"] = [
        (s["skill"], s["family"]) if isinstance(s, Mapping) else (s[0], s[1])
        for s in p.get("skills", [])
    ]
    return p


def _month(value: str | dt.date) -> dt.date:
    if isinstance(value, dt.date):
        return value.replace(day=1)
    return dt.date.fromisoformat(value if len(value) > 7 else f"{value}-01")
