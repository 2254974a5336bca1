"""Micro and macro averaging of precision/recall scores (etl.evaluation)."""

from __future__ import annotations

import pytest

from etl.evaluation import Score, macro_f1, pooled


def scored(gold: set, predicted: set) -> Score:
    score = Score()
    score.add(gold, predicted)
    return score


def test_pooled_adds_the_counts_of_every_score():
    total = pooled([scored({1, 2}, {2, 3}), scored({4}, set()), scored(set(), {5})])
    assert (total.tp, total.fp, total.fn, total.support) == (1, 2, 2, 3)
    assert total.f1 == pytest.approx(2 * 1 / (2 * 1 + 2 + 2))


def test_macro_f1_averages_only_scores_with_gold_examples():
    perfect, half, no_gold = scored({1}, {1}), scored({1, 2}, {1}), scored(set(), {3})
    assert macro_f1([perfect, half, no_gold]) == pytest.approx((1.0 + 2 / 3) / 2)
    assert macro_f1([no_gold]) == 0.0
