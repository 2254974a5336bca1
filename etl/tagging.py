"""Postings → ``posting_skills`` rows, with the versions that produced them."""

from __future__ import annotations

import polars as pl

from etl.skills import EXTRACTOR_VERSION, SkillExtractor

SKILL_ROWS_SCHEMA = {
    "posting_id": pl.String,
    "skill": pl.String,
    "family": pl.String,
    "category": pl.String,
    "start": pl.Int32,
    "end": pl.Int32,
    "evidence": pl.String,
    "taxonomy_version": pl.String,
    "extractor_version": pl.String,
}


def tag_skills(postings: pl.DataFrame, extractor: SkillExtractor) -> pl.DataFrame:
    """One row per (posting, skill) found in ``postings.text``."""
    version = extractor.taxonomy.version
    rows = [
        (posting_id, m.skill, m.family, m.category, m.start, m.end, m.evidence, version, EXTRACTOR_VERSION)
        for posting_id, text in zip(postings["posting_id"], postings["text"])
        for m in extractor.mentions(text)
    ]
    return pl.DataFrame(rows, schema=SKILL_ROWS_SCHEMA, orient="row")
