"""Job-board postings keep the job title apart from the description: is_ml reads both."""

from __future__ import annotations

import polars as pl

from etl.extraction import Extraction, with_titles
from etl.tagging import tag_postings
from etl.workers import ExtractionWorkers


def test_title_becomes_the_first_line_unless_the_header_already_names_it():
    texts = ["We build search for shops.\nYou will own ranking.", "Acme | Senior ML Engineer | Remote\nJoin us."]
    titles = ["Machine Learning Engineer", "Senior ML Engineer"]
    assert with_titles(texts, titles) == [
        "Machine Learning Engineer\nWe build search for shops.\nYou will own ranking.",
        "Acme | Senior ML Engineer | Remote\nJoin us.",
    ]
    assert with_titles(["Text"], [None]) == ["Text"]
    assert with_titles(["Text"], ["   "]) == ["Text"]


class RecordingExtractor:
    taxonomy_version = "test"

    def __init__(self):
        self.calls = []

    def extract_stream(self, batches, with_responsibilities=True):
        for texts, titles in batches:
            self.calls.append((list(texts), list(titles or [])))
            yield [Extraction(False, []) for _ in texts]


def test_the_etl_hands_each_postings_title_to_the_extractor():
    postings = pl.DataFrame({"posting_id": ["a", "b"], "text": ["Description a", "Description b"],
                             "title": ["Data Scientist", None]})
    extractor = RecordingExtractor()
    workers = ExtractionWorkers()
    workers.extractor = extractor  # one process: the batches go to this extractor
    tag_postings(postings, workers, "v")
    assert extractor.calls == [(["Description a", "Description b"], ["Data Scientist", None])]
