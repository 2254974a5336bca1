"""`skilltrends train` is reproducible: retraining from the labels gives the shipped models."""

from __future__ import annotations

import pytest

from etl.classify import artifacts
from etl.evaluation import Score, SentenceScores
from etl.extraction import MODEL_NAMES, PostingExtractor
from etl.labelled import load_reference_texts, read_ids
from etl.training import responsibility_examples
from tests.helpers import reference_data, run_cli


@pytest.mark.reference_data
def test_retraining_reproduces_the_shipped_models(tmp_path, monkeypatch):
    reference_data("hn-2023h1")
    result = run_cli("train", env={artifacts.MODELS_ENV: str(tmp_path)}, timeout=600)
    assert result.returncode == 0, result.stderr
    assert {p.stem for p in tmp_path.glob("*.joblib")} == set(MODEL_NAMES)
    texts = load_reference_texts()
    sample = [texts[key] for key in read_ids("eval_ids.txt")[:120]]
    shipped = PostingExtractor().extract(sample)
    monkeypatch.setenv(artifacts.MODELS_ENV, str(tmp_path))
    artifacts.forget_loaded()
    retrained = PostingExtractor().extract(sample)
    artifacts.forget_loaded()
    assert [(r.is_ml, [m.skill for m in r.skills], [(d.label, d.start) for d in r.responsibilities])
            for r in retrained] == \
           [(r.is_ml, [m.skill for m in r.skills], [(d.label, d.start) for d in r.responsibilities])
            for r in shipped]


def test_missing_models_are_a_clear_error(tmp_path):
    result = run_cli("extract", "--in", "/dev/null", env={artifacts.MODELS_ENV: str(tmp_path)})
    assert result.returncode == 1
    assert "skilltrends train" in result.stderr and "Traceback" not in result.stderr


def test_scores():
    score = Score()
    score.add({"a", "b", "c"}, {"a", "b", "d"})
    score.add(set(), {"e"})
    assert (score.tp, score.fp, score.fn, score.support) == (2, 2, 1, 3)
    assert score.precision == pytest.approx(0.5) and score.recall == pytest.approx(2 / 3)
    assert score.f1 == pytest.approx(2 * 0.5 * (2 / 3) / (0.5 + 2 / 3))
    assert Score().f1 == 0.0


def test_responsibility_micro_and_macro_weigh_labels_differently():
    common, rare = Score(), Score()
    for i in range(30):
        common.add({i}, {i})  # 30 sentences, all right
    rare.add({0}, set())  # one sentence, missed
    scores = SentenceScores(responsibilities={"train_models": common, "evaluate_ai_systems": rare, "unused": Score()})
    assert scores.macro_f1 == pytest.approx(0.5)  # labels without support are left out
    micro = scores.micro
    assert (micro.tp, micro.fp, micro.fn, micro.support) == (30, 0, 1, 31)
    assert micro.f1 == pytest.approx(60 / 61)


def test_responsibility_examples_are_the_duty_sentences_then_the_written_duties():
    features = ["we raise money", "you will train models", "5 years of python", "you will ship them"]
    kinds = ["boilerplate", "responsibility", "requirement", "responsibility"]
    labels = [[], ["train_models"], [], ["deploy_serve_models"]]
    real = [True, True, True, False]  # the last sentence is from an authored posting
    written = (["monitor drift weekly"], [["monitor_maintain_models"]])
    assert responsibility_examples(features, kinds, labels, written, real, real_weight=3.0) == (
        ["you will train models", "you will ship them", "monitor drift weekly"],
        [["train_models"], ["deploy_serve_models"], ["monitor_maintain_models"]],
        [3.0, 1.0, 1.0],
    )
    assert responsibility_examples(features, kinds, labels, ([], []), real, real_weight=2.0) == (
        ["you will train models", "you will ship them"], [["train_models"], ["deploy_serve_models"]], [2.0, 1.0])
