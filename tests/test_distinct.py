"""Repeated rows are classified once (etl/classify/distinct.py) and get the answers they
would get alone."""

from __future__ import annotations

import numpy as np

from etl.classify.distinct import distinct_rows, on_distinct
from etl.extraction import PostingExtractor, predict_responsibilities
from etl.labelled import RESPONSIBILITIES


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


class KindByWord(Recorder):
    """Calls a sentence a responsibility when it opens with "build"."""

    def predict(self, rows: list) -> np.ndarray:
        self.asked.append(list(rows))
        return np.array(["responsibility" if row.startswith("build") else "other" for row in rows])


class DutyByLength(Recorder):
    """A responsibility model: the first label when the sentence is long, the second when short."""

    def predict_proba(self, rows: list) -> np.ndarray:
        self.asked.append(list(rows))
        answers = np.zeros((len(rows), len(RESPONSIBILITIES)))
        answers[:, 0] = [len(row) > 18 for row in rows]
        answers[:, 1] = [len(row) <= 18 for row in rows]
        return answers


SENTENCES = ["build models at scale", "we sell shoes", "build dashboards", "build models at scale",
             "we sell shoes", "build dashboards", "build models at scale"]


def test_repeated_sentences_get_their_kinds_and_duties_from_one_question_each():
    kind_model, duty_model = KindByWord(), DutyByLength()
    kinds, duties = predict_responsibilities(kind_model, duty_model, SENTENCES)
    assert kind_model.asked == [["build models at scale", "we sell shoes", "build dashboards"]]
    assert duty_model.asked == [["build models at scale", "build dashboards"]]
    one_by_one = [predict_responsibilities(KindByWord(), DutyByLength(), [sentence]) for sentence in SENTENCES]
    assert kinds == [found[0][0] for found in one_by_one]
    assert duties == [found[1][0] for found in one_by_one]
    assert duties[0] == [RESPONSIBILITIES[0]] and duties[2] == [RESPONSIBILITIES[1]] and duties[1] == []


def test_given_kinds_are_used_as_they_are_even_for_repeated_sentences():
    """Cross-validation with the labelled kinds: two copies of a sentence may be labelled apart."""
    kind_model, duty_model = KindByWord(), DutyByLength()
    given = ["responsibility", "other", "other", "other", "responsibility", "other", "responsibility"]
    kinds, duties = predict_responsibilities(kind_model, duty_model, SENTENCES, given)
    assert kinds == given and kind_model.asked == []
    assert [bool(found) for found in duties] == [kind == "responsibility" for kind in given]


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
