"""Confidence intervals for the evaluation's figures, by bootstrap over postings.

A held-out figure rests on a sample: 14 postings that mention MLOps, 111 ML postings, 129
(sentence, responsibility) pairs. How far it could move with another sample of the same
size is what a reader needs before comparing it with a target or with another figure.
The percentile bootstrap answers that without assuming a distribution: draw as many
postings as there are, with replacement, score the draw, repeat, and take the middle 95%
of the scores. Postings are the unit that was sampled, so a posting's skills and sentences
are drawn together with it (sentences of one posting are not independent).

Each ``Score`` that should get an interval is filled with ``unit=`` (the posting) in
``Score.add``; ``interval`` then reads the per-unit counts. The draws come from a fixed
seed, so the report is reproducible.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

RESAMPLES = 2000
SEED = 2023
LEVEL = 0.95


@dataclass(frozen=True)
class Interval:
    low: float
    high: float

    def __str__(self) -> str:
        return f"{self.low:.3f}–{self.high:.3f}"


def unit_counts(scores: Sequence) -> np.ndarray:
    """(units, scores, 3): each unit's true positives, false positives and false negatives
    in each of ``scores`` (``Score`` objects filled with units). A unit one score never saw
    counts zero there."""
    units: dict = {}
    for score in scores:
        for unit in score.units:
            units.setdefault(unit, len(units))
    counts = np.zeros((len(units), len(scores), 3), dtype=np.int64)
    for column, score in enumerate(scores):
        for unit, per_unit in score.units.items():
            counts[units[unit], column] = per_unit
    return counts


def f1(totals: np.ndarray) -> np.ndarray:
    """F1 of (..., 3) counts, 0 where there is nothing to score (as ``Score.f1``)."""
    tp, fp, fn = totals[..., 0], totals[..., 1], totals[..., 2]
    denominator = 2 * tp + fp + fn
    return np.divide(2 * tp, denominator, out=np.zeros(tp.shape), where=denominator > 0)


# A statistic maps each draw's counts, (draws, scores, 3), to one value per draw; it also
# gets the measured sample's counts, (scores, 3), for what must not vary with the draw.


def micro_f1(totals: np.ndarray, sample: np.ndarray) -> np.ndarray:
    """Each draw's F1 over all scores' counts pooled."""
    return f1(totals.sum(axis=1))


def macro_f1(totals: np.ndarray, sample: np.ndarray) -> np.ndarray:
    """Each draw's mean F1 over the scores that have gold items in the measured sample
    (``evaluation.macro_f1``'s labels), a fixed set: a label that a draw happens to leave
    without gold counts F1 0 there instead of leaving the mean, which would turn the interval
    into a mix of means over different label sets."""
    supported = (sample[:, 0] + sample[:, 2]) > 0
    if not supported.any():
        return np.zeros(len(totals))
    return f1(totals[:, supported]).mean(axis=1)


def precision(totals: np.ndarray, sample: np.ndarray) -> np.ndarray:
    """Each draw's precision over all scores' counts pooled."""
    pooled = totals.sum(axis=1)
    found = pooled[:, 0] + pooled[:, 1]
    return np.divide(pooled[:, 0], found, out=np.zeros(len(totals)), where=found > 0)


def interval(scores: Sequence, statistic: Callable[[np.ndarray, np.ndarray], np.ndarray] = micro_f1,
             resamples: int = RESAMPLES, seed: int = SEED) -> Interval | None:
    """The central ``LEVEL`` interval of ``statistic`` over ``resamples`` bootstrap draws of
    the units of ``scores``; None when no unit was recorded."""
    counts = unit_counts(scores)
    units = len(counts)
    if not units:
        return None
    weights = np.random.default_rng(seed).multinomial(units, np.full(units, 1 / units), size=resamples)
    totals = np.einsum("du,usk->dsk", weights, counts)
    tail = (1 - LEVEL) / 2 * 100
    low, high = np.percentile(statistic(totals, counts.sum(axis=0)), [tail, 100 - tail])
    return Interval(float(low), float(high))
