"""Repeated rows are classified once (etl/classify/distinct.py) and get the answers they
would get alone."""

from __future__ import annotations

import numpy as np

from etl.classify.distinct import distinct_rows, on_distinct
from etl.extraction import PostingExtractor


class Recorder:
    """A row-wise model that remembers what it was asked."""

    def __init__(self):
        self.asked: list[list] = []

    def __call__(self, rows: list) -> np.ndarray:
        self.asked.append(list(rows))
        return np.array([[len(row), row.count("a")] for row in rows])


def test_repeats_are_asked_once_and_every_row_gets_its_answer():
    rows = ["a", "bb", "a", "ccc", "bb", "a"]
    model = Recorder()
    answers = on_distinct(model, rows)
    assert model.asked == [["a", "bb", "ccc"]]
    assert answers.tolist() == Recorder()(rows).tolist()


def test_rows_without_repeats_go_through_as_they_are():
    model = Recorder()
    assert on_distinct(model, ("x", "yy")).tolist() == [[1, 0], [2, 0]]
    assert model.asked == [["x", "yy"]]


def test_distinct_rows_give_each_row_its_position():
    assert distinct_rows(["b", "a", "b"]) == (["b", "a"], [0, 1, 0])
    assert distinct_rows(["b", "a"]) == (["b", "a"], None)


def test_no_rows_ask_for_nothing():
    model = Recorder()
    assert on_distinct(model, []).shape[0] == 0


def tags(result) -> tuple:
    return (result.is_ml, [(m.skill, m.start, m.end, m.evidence) for m in result.skills],
            [(d.label, d.sentence, d.start, d.end) for d in result.responsibilities])


def test_a_posting_repeated_in_a_batch_is_tagged_as_it_is_alone():
    ml = ("Acme | ML Engineer | Remote\nWhat you'll do:\n- Train and deploy PyTorch models with MLflow\n"
          "- Build RAG pipelines with LangChain\nBenefits: health insurance.")
    other = "Beta | Frontend Developer | NYC\nWe use React and Go. Benefits: health insurance."
    extractor = PostingExtractor()
    alone = [tags(extractor.extract([text])[0]) for text in (ml, other)]
    together = [tags(result) for result in extractor.extract([ml, other, ml, ml, other])]
    assert together == [alone[0], alone[1], alone[0], alone[0], alone[1]]
    assert alone[0][2], "the ML posting's duties should be found"


def test_the_same_text_under_another_title_is_tagged_with_its_own_title():
    text = "Join our team to build the future of AI-powered logistics. Apply now."
    titles = ["Machine Learning Engineer", "Office Manager"]
    extractor = PostingExtractor()
    alone = [tags(extractor.extract([text], titles=[title])[0]) for title in titles]
    together = [tags(result) for result in extractor.extract([text, text, text], titles=titles + titles[:1])]
    assert [is_ml for is_ml, _, _ in alone] == [True, False], "the titles should decide is_ml here"
    assert together == [alone[0], alone[1], alone[0]]
