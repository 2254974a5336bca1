"""Bootstrap intervals of the evaluation's figures (etl/bootstrap.py), checked against the
evaluation's own scoring of the same draws done the slow way."""

from __future__ import annotations

import random

import numpy as np
import pytest

from etl import bootstrap
from etl.evaluation import Report, Score, confidence_intervals, macro_f1, render, responsibility_scores
from etl.labelled import RESPONSIBILITIES
from etl.schema import FAMILIES


def posting_scores(n_postings: int, seed: int) -> tuple[Score, list[tuple[set, set]]]:
    """A skills score of random postings, filled by unit, and each posting's (gold, predicted)."""
    rng = random.Random(seed)
    score, postings = Score(), []
    for key in range(n_postings):
        gold = {f"s{rng.randrange(12)}" for _ in range(rng.randrange(4))}
        predicted = {s for s in gold if rng.random() < 0.8} | {f"s{rng.randrange(12)}" for _ in range(rng.randrange(2))}
        score.add(gold, predicted, key)
        postings.append((gold, predicted))
    return score, postings


def slow_percentiles(postings: list, statistic, seed: int = bootstrap.SEED,
                     resamples: int = bootstrap.RESAMPLES) -> tuple[float, float]:
    """The same draws as ``bootstrap.interval``, each scored by building the drawn sample."""
    units = len(postings)
    weights = np.random.default_rng(seed).multinomial(units, np.full(units, 1 / units), size=resamples)
    values = [statistic([posting for posting, times in zip(postings, draw) for _ in range(times)]) for draw in weights]
    tail = (1 - bootstrap.LEVEL) / 2 * 100
    low, high = np.percentile(values, [tail, 100 - tail])
    return float(low), float(high)


def test_unit_counts_add_up_to_the_score():
    score, _ = posting_scores(50, seed=1)
    counts = bootstrap.unit_counts([score])
    assert counts.shape == (50, 1, 3)
    assert counts.sum(axis=0).tolist() == [[score.tp, score.fp, score.fn]]


def test_a_unit_with_nothing_to_count_is_still_drawn():
    score = Score()
    score.add({"a"}, {"a"}, "p1")
    score.add(set(), set(), "p2")
    assert bootstrap.unit_counts([score]).shape == (2, 1, 3)


def scored(drawn) -> Score:
    """The pooled skills score of drawn (gold, predicted) postings, as the evaluation counts it."""
    total = Score()
    for number, (gold, predicted) in enumerate(drawn):
        total.add({(number, s) for s in gold}, {(number, s) for s in predicted})
    return total


def test_micro_f1_interval_scores_each_draw_as_the_evaluation_does():
    score, postings = posting_scores(40, seed=2)
    found = bootstrap.interval([score], bootstrap.micro_f1, resamples=300)
    assert (found.low, found.high) == pytest.approx(
        slow_percentiles(postings, lambda drawn: scored(drawn).f1, resamples=300))
    assert found.low < score.f1 < found.high


def test_precision_interval_of_pooled_scores():
    score, postings = posting_scores(60, seed=4)
    found = bootstrap.interval([score], bootstrap.precision, resamples=300)
    assert (found.low, found.high) == pytest.approx(
        slow_percentiles(postings, lambda drawn: scored(drawn).precision, resamples=300))


def test_macro_f1_interval_averages_the_measured_labels_in_every_draw():
    rng = random.Random(3)
    gold = [[label for label in RESPONSIBILITIES[:4] if rng.random() < 0.15] for _ in range(120)]
    predicted = [[label for label in RESPONSIBILITIES[:4] if (label in wanted) == (rng.random() < 0.85)]
                 for wanted in gold]
    units = [n // 4 for n in range(120)]  # four sentences per posting
    scores = responsibility_scores(gold, predicted, units)
    measured = [label for label, score in scores.items() if score.support]
    postings = [[(gold[n], predicted[n]) for n in range(120) if units[n] == unit] for unit in range(30)]

    def macro_of(drawn):
        sentences = [sentence for posting in drawn for sentence in posting]
        by_label = responsibility_scores([g for g, _ in sentences], [p for _, p in sentences])
        return sum(by_label[label].f1 for label in measured) / len(measured)

    found = bootstrap.interval(list(scores.values()), bootstrap.macro_f1, resamples=300)
    assert (found.low, found.high) == pytest.approx(slow_percentiles(postings, macro_of, resamples=300))
    assert found.low <= macro_f1(scores.values()) <= found.high


def test_a_label_a_draw_leaves_out_still_counts_in_the_macro_mean():
    """One posting holds the only (missed) gold sentence of one label; the other label is
    always right. Every draw scores (0 + 1) / 2, whether it holds that posting or not."""
    gold = [["train_models", "analyse_data_report"]] + [["analyse_data_report"]] * 9
    predicted = [["analyse_data_report"]] * 10
    scores = responsibility_scores(gold, predicted, list(range(10)))
    assert macro_f1(scores.values()) == 0.5
    assert bootstrap.interval(list(scores.values()), bootstrap.macro_f1) == bootstrap.Interval(0.5, 0.5)


def test_responsibility_scores_by_unit_keep_the_totals():
    gold = [["train_models"], [], ["train_models", "analyse_data_report"]]
    predicted = [["train_models"], ["analyse_data_report"], []]
    plain, by_unit = responsibility_scores(gold, predicted), responsibility_scores(gold, predicted, ["a", "a", "b"])
    assert plain == by_unit
    assert by_unit["train_models"].units == {"a": [1, 0, 0], "b": [0, 0, 1]}
    assert by_unit["analyse_data_report"].units == {"a": [0, 1, 0], "b": [0, 0, 1]}


def test_more_postings_give_a_narrower_interval():
    small, _ = posting_scores(30, seed=5)
    large, _ = posting_scores(600, seed=5)
    narrow, wide = bootstrap.interval([large]), bootstrap.interval([small])
    assert narrow.high - narrow.low < wide.high - wide.low


def test_perfect_and_empty_scores():
    perfect = Score()
    for key in range(10):
        perfect.add({key}, {key}, key)
    assert bootstrap.interval([perfect]) == bootstrap.Interval(1.0, 1.0)
    assert bootstrap.interval([Score()]) is None
    assert str(bootstrap.Interval(0.5, 0.75)) == "0.500–0.750"


def test_report_shows_the_intervals_it_has():
    report = Report()
    score, _ = posting_scores(40, seed=6)
    report.held_out.skills = report.held_out.is_ml = score
    report.held_out.family_presence = {family: score for family in FAMILIES}
    report.held_out.skills_by_family = {family: score for family in FAMILIES}
    report.intervals = confidence_intervals(report)
    assert report.intervals["skills_micro_f1"] is not None
    assert report.intervals["tricky_precision"] is None  # nothing measured, no interval
    text = render(report)
    verdict = "meets" if score.f1 >= 0.90 else "below"
    assert (f"Skills, micro-F1 over (posting, skill) pairs: {score.f1:.3f} ({verdict} the 0.90 target; "
            f"95% interval {report.intervals['skills_micro_f1']})") in text
    assert f"95% interval {report.intervals['family_f1:mlops']})" in text
    assert "Precision on 0 tricky contexts: 0.000 (below the 0.95 target)" in text


def test_report_shows_the_development_tricky_lists_only_when_measured():
    report = Report()
    score, _ = posting_scores(40, seed=6)
    report.held_out.family_presence = {family: score for family in FAMILIES}
    report.held_out.skills_by_family = {family: score for family in FAMILIES}
    assert "development lists" not in render(report)
    report.tricky_dev, _ = posting_scores(30, seed=2)
    report.tricky_dev_cases = 30
    text = render(report)
    assert "(30 cases in `etl/labels/tricky_dev.*.jsonl`" in text
    assert report.tricky_dev.row("skills found (development lists)") in text
