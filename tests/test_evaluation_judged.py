"""How `skilltrends evaluate` scores the disambiguator on postings kept aside (judged_postings)."""

from __future__ import annotations

import pytest

from etl.evaluation import judged_scores
from etl.extraction import PostingExtractor


@pytest.fixture(scope="module")
def extractor() -> PostingExtractor:
    return PostingExtractor()


def occurrence(text: str, alias: str, skill: str, is_skill: bool, style: str = "hn", nth: int = 0) -> dict:
    start = -1
    for _ in range(nth + 1):
        start = text.index(alias, start + 1)
    return {"text": text, "style": style, "start": start, "end": start + len(alias), "alias": alias,
            "skill": skill, "is_skill": is_skill, "labeller": "T"}


def test_every_occurrence_counts_once_per_style_and_each_disagreement_is_an_error(extractor):
    stack = "Backend Engineer | Remote\nWe write Go services and Python tools on Postgres and Kafka."
    board = "Data Analyst\nAnalyze sales in Excel and SQL; build Tableau dashboards."
    rows = [occurrence(stack, "Go", "Go", True), occurrence(stack, "Python", "Python", True),
            occurrence(board, "Excel", "Excel", True, style="job_board"),
            # Labelled wrongly on purpose: the extractor is right to accept it, so it is an error.
            occurrence(board, "Tableau", "Tableau", False, style="job_board")]
    scores, errors = judged_scores(extractor, rows)
    assert (scores["hn"].tp, scores["hn"].fp, scores["hn"].fn) == (2, 0, 0)
    assert (scores["job_board"].tp, scores["job_board"].fp, scores["job_board"].fn) == (1, 1, 0)
    assert len(errors) == 1 and errors[0].startswith("T: accepted Tableau: ") and "[Tableau]" in errors[0]


def test_an_occurrence_a_negative_context_vetoes_counts_as_rejected(extractor):
    text = "Our go-to-market team is hiring. Go ahead and apply."
    vetoed = occurrence(text, "go", "Go", True)  # "go-to-market": no candidate at all
    scores, errors = judged_scores(extractor, [vetoed])
    assert (scores["hn"].tp, scores["hn"].fn) == (0, 1)
    assert errors == ["T: rejected Go: …Our [go]-to-market team is hiring. Go ahead and apply.…"]


def test_an_accepted_occurrence_of_another_skill_at_the_same_place_does_not_count(extractor):
    text = "Stack: Python, Go, Postgres."
    row = occurrence(text, "Go", "Rust", True)  # the right span, the wrong skill
    scores, _ = judged_scores(extractor, [row])
    assert (scores["hn"].tp, scores["hn"].fn) == (0, 1)
