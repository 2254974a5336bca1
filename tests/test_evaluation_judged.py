"""How `skilltrends evaluate` scores the disambiguator on postings kept aside (judged_postings)."""

from __future__ import annotations

import pytest

from etl.evaluation import Report, evaluate_aside, evaluate_aside_sentences, judged_scores
from etl.extraction import PostingExtractor
from etl.labelled import read_aside_postings, read_jsonl


@pytest.fixture(scope="module")
def extractor() -> PostingExtractor:
    return PostingExtractor()


def occurrence(key: str, text: str, alias: str, skill: str, is_skill: bool) -> dict:
    start = text.index(alias)
    return {"id": key, "start": start, "end": start + len(alias), "alias": alias, "skill": skill,
            "is_skill": is_skill, "labeller": "T"}


STACK = "Backend Engineer | Remote\nWe write Go services and Python tools on Postgres and Kafka."
BOARD = "Data Analyst\nAnalyze sales in Excel and SQL; build Tableau dashboards."
POSTINGS = {"T-1": {"id": "T-1", "style": "hn", "text": STACK},
            "T-2": {"id": "T-2", "style": "job_board", "text": BOARD},
            "T-3": {"id": "T-3", "style": "hn", "text": "Our go-to-market team is hiring. Go ahead and apply."},
            "T-4": {"id": "T-4", "style": "hn", "text": "Stack: Python, Go, Postgres."}}


def test_every_occurrence_counts_once_per_style_and_each_disagreement_is_an_error(extractor):
    rows = [occurrence("T-1", STACK, "Go", "Go", True), occurrence("T-1", STACK, "Python", "Python", True),
            occurrence("T-2", BOARD, "Excel", "Excel", True),
            # Labelled wrongly on purpose: the extractor is right to accept it, so it is an error.
            occurrence("T-2", BOARD, "Tableau", "Tableau", False)]
    scores, errors = judged_scores(extractor, POSTINGS, rows)
    assert (scores["hn"].tp, scores["hn"].fp, scores["hn"].fn) == (2, 0, 0)
    assert (scores["job_board"].tp, scores["job_board"].fp, scores["job_board"].fn) == (1, 1, 0)
    assert len(errors) == 1 and errors[0].startswith("T-2: accepted Tableau: ") and "[Tableau]" in errors[0]


def test_an_occurrence_a_negative_context_vetoes_counts_as_rejected(extractor):
    vetoed = occurrence("T-3", POSTINGS["T-3"]["text"], "go", "Go", True)  # "go-to-market": no candidate at all
    scores, errors = judged_scores(extractor, POSTINGS, [vetoed])
    assert (scores["hn"].tp, scores["hn"].fn) == (0, 1)
    assert errors == ["T-3: rejected Go: …Our [go]-to-market team is hiring. Go ahead and apply.…"]


def test_an_accepted_occurrence_of_another_skill_at_the_same_place_does_not_count(extractor):
    row = occurrence("T-4", POSTINGS["T-4"]["text"], "Go", "Rust", True)  # the right span, the wrong skill
    scores, _ = judged_scores(extractor, POSTINGS, [row])
    assert (scores["hn"].tp, scores["hn"].fn) == (0, 1)


def test_postings_kept_aside_are_scored_per_style_against_their_labels(extractor):
    postings, labels = read_aside_postings(), read_jsonl("aside_labels.*.jsonl")
    report = Report()
    evaluate_aside(report, extractor)
    for style in ("job_board", "hn"):
        rows = [row for row in labels if postings[row["source_id"]]["style"] == style]
        scores = report.aside[style]
        assert scores.postings == len(rows) and scores.ml_postings == sum(row["is_ml"] for row in rows)
        assert scores.skills.support == sum(len(set(row["skills"])) for row in rows)


def test_every_labelled_sentence_kept_aside_is_scored_once(extractor):
    rows = read_jsonl("aside_sentences.*.jsonl")
    report = Report()
    evaluate_aside_sentences(report, extractor)
    assert report.aside_sentences == len(rows)
    assert sum(score.support for score in report.aside_kinds.values()) == len(rows)
    assert sum(score.support for score in report.aside_responsibilities.values()) == \
        sum(len(row["responsibilities"]) for row in rows)
