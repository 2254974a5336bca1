"""Postings → is_ml, ``posting_skills`` and ``posting_responsibilities`` rows, in batches."""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from etl.workers import ExtractionWorkers

BATCH = 2000

SKILL_ROWS_SCHEMA = {
    "posting_id": pl.String, "skill": pl.String, "family": pl.String, "category": pl.String,
    "start": pl.Int32, "end": pl.Int32, "evidence": pl.String,
    "taxonomy_version": pl.String, "extractor_version": pl.String,
}
RESPONSIBILITY_ROWS_SCHEMA = {
    "posting_id": pl.String, "responsibility": pl.String, "sentence": pl.String,
    "start": pl.Int32, "end": pl.Int32,
}


@dataclass
class Tags:
    is_ml: pl.DataFrame  # posting_id, is_ml
    skills: pl.DataFrame  # SKILL_ROWS_SCHEMA
    responsibilities: pl.DataFrame  # RESPONSIBILITY_ROWS_SCHEMA


def tag_postings(postings: pl.DataFrame, workers: ExtractionWorkers, extractor_version: str) -> Tags:
    """Everything the extractor says about ``postings`` (``posting_id``, ``text``, ``title``),
    tagged by ``workers`` (one process or several)."""
    taxonomy_version = workers.taxonomy_version
    flags, skill_rows, duty_rows = [], [], []
    ids, texts = postings["posting_id"].to_list(), postings["text"].to_list()
    titles = postings["title"].to_list() if "title" in postings.columns else [None] * len(ids)
    batches = ((ids[lo:lo + BATCH], texts[lo:lo + BATCH], titles[lo:lo + BATCH]) for lo in range(0, len(ids), BATCH))
    for batch_ids, results in workers.map(batches):
        for posting_id, result in zip(batch_ids, results):
            flags.append((posting_id, result.is_ml))
            skill_rows += [(posting_id, m.skill, m.family, m.category, m.start, m.end, m.evidence,
                            taxonomy_version, extractor_version) for m in result.skills]
            duty_rows += [(posting_id, r.label, r.sentence, r.start, r.end) for r in result.responsibilities]
    return Tags(
        pl.DataFrame(flags, schema={"posting_id": pl.String, "is_ml": pl.Boolean}, orient="row"),
        pl.DataFrame(skill_rows, schema=SKILL_ROWS_SCHEMA, orient="row"),
        pl.DataFrame(duty_rows, schema=RESPONSIBILITY_ROWS_SCHEMA, orient="row"),
    )
