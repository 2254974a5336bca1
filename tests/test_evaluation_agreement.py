"""How `skilltrends evaluate` sets a second labeller's sentence labels beside the model's."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from etl import evaluation
from etl.evaluation import Report, _render_agreement, compare_sentences, evaluate_sentence_agreement
from etl.labelled import RESPONSIBILITIES, sentence_sha

TEXT = "Acme | ML Engineer\nYou will train models.\nYou will deploy them.\n5 years of Python."
SPANS = [(0, 18), (19, 41), (42, 63), (64, 82)]
FIRST = [("other", []), ("responsibility", ["train_models"]),
         ("responsibility", ["deploy_serve_models"]), ("requirement", [])]


def rows(labels, labeller: str) -> list[dict]:
    return [{"source": "hn", "source_id": "1", "start": start, "end": end, "sha": sentence_sha(TEXT[start:end]),
             "kind": kind, "responsibilities": duties, "labeller": labeller}
            for (start, end), (kind, duties) in zip(SPANS, labels)]


HELD_OUT = [("1", TEXT, rows(FIRST, "A"))]  # the first labeller's, as training.labelled_postings gives them


class StubModel:
    """Predicts the given kinds, or the given responsibilities (as probabilities), by sentence."""

    def __init__(self, by_sentence: dict[str, object]):
        self.by_sentence = by_sentence

    def predict(self, features):
        return np.array([self.by_sentence[feature] for feature in features])

    def predict_proba(self, features):
        return np.array([[1.0 if label in self.by_sentence[feature] else 0.0 for label in RESPONSIBILITIES]
                         for feature in features])


def stub_extractor(kinds: list[str], duties: list[list[str]]) -> SimpleNamespace:
    sentences = [TEXT[start:end] for start, end in SPANS]
    return SimpleNamespace(
        tagger=SimpleNamespace(sentence_features=lambda texts, spans: [
            text[start:end] for text, pairs in zip(texts, spans) for start, end in pairs]),
        kind_model=StubModel(dict(zip(sentences, kinds))),
        responsibility_model=StubModel(dict(zip(sentences, duties))))


@pytest.fixture
def labels(monkeypatch):
    """The second labeller's label rows, read where the label files would be."""
    second: list[dict] = []
    monkeypatch.setattr(evaluation, "read_jsonl", lambda pattern: second if pattern == evaluation.SECOND_SENTENCES else [])
    return second


def test_compare_sentences_counts_each_kind_and_responsibility_against_the_gold_labels():
    kinds, duties = compare_sentences(
        ["responsibility", "requirement", "other"], [["train_models"], [], []],
        ["responsibility", "responsibility", "other"], [["train_models", "deploy_serve_models"], ["train_models"], []])
    assert (kinds["responsibility"].tp, kinds["responsibility"].fp, kinds["responsibility"].fn) == (1, 1, 0)
    assert (kinds["requirement"].tp, kinds["requirement"].fn) == (0, 1)
    assert (duties["train_models"].tp, duties["train_models"].fp) == (1, 1)
    assert (duties["deploy_serve_models"].fp, duties["deploy_serve_models"].support) == (1, 0)


def test_second_labeller_and_model_are_scored_on_the_same_sentences(labels):
    second = rows([("other", []), ("responsibility", ["train_models"]),
                   ("responsibility", ["deploy_serve_models", "ml_platform_infrastructure"]), ("requirement", [])], "B")
    labels += [second[2], second[0], second[3], second[1]]  # label files need not be in text order
    report = Report()
    evaluate_sentence_agreement(report, stub_extractor(
        ["other", "responsibility", "requirement", "requirement"], [[], ["train_models"], [], []]), HELD_OUT)
    second, model = report.agreement, report.agreement_model
    assert (second.postings, second.sentences, model.sentences) == (1, 4, 4)
    assert second.macro_f1 == pytest.approx(1.0)
    assert second.micro.precision == pytest.approx(2 / 3)
    # The model calls the deploy sentence a requirement, so it gets no responsibility.
    assert model.macro_f1 == pytest.approx(0.5)
    assert (model.kinds["responsibility"].fn, model.kinds["requirement"].fp) == (1, 1)
    table = "\n".join(_render_agreement(report))
    assert "| responsibilities, macro-F1 over labels with support | 1.000 | 0.500 | |" in table
    assert "every sentence (4) of the 1 held-out postings" in table


def test_second_labeller_must_label_exactly_the_held_out_sentences(labels):
    labels += rows(FIRST[:3], "B")
    with pytest.raises(ValueError, match=r"posting 1 are not the held-out labels' sentences: missing \[\(64, 82\)\], extra \[\]"):
        evaluate_sentence_agreement(Report(), stub_extractor([], []), HELD_OUT)


def test_second_labels_of_a_posting_without_held_out_sentence_labels_are_refused(labels):
    labels += rows(FIRST, "B") + [dict(rows(FIRST, "B")[0], source_id="2")]
    with pytest.raises(ValueError, match="not held-out postings with sentence labels: 2"):
        evaluate_sentence_agreement(Report(), stub_extractor([], []), HELD_OUT)


def test_labels_of_two_second_labellers_are_not_mixed(labels):
    labels += rows(FIRST[:2], "B") + rows(FIRST, "C")[2:]
    with pytest.raises(ValueError, match="labels of 2 labellers"):
        evaluate_sentence_agreement(Report(), stub_extractor([], []), HELD_OUT)


def test_without_second_labels_nothing_is_reported(labels):
    report = Report()
    evaluate_sentence_agreement(report, stub_extractor([], []), HELD_OUT)
    assert report.agreement is None and _render_agreement(report) == []
