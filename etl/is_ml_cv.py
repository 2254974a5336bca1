"""Cross-validate the is_ml classifier on training labels only.

    python -m etl.is_ml_cv [--seeds N] [--without-boards] [--without-board-copy]

5-fold cross-validation over the postings with a project label (real HN comments, the
authored postings, the authored job-board descriptions of ``authored_boards.*``); the
postings with only a silver job title are always in training. A posting's fold comes from
a hash of the fold seed and its id, so that adding postings leaves every other posting in
its fold and two runs compare posting by posting. Prints precision, recall and F1 for
each kind of posting (``etl.training.IS_ML_SOURCES``: real HN comments, the HN comments and
job-board descriptions of ``authored_postings.*``, the descriptions of ``authored_boards.*``),
pooled over ``--seeds`` fold seeds (default 3).
``--without-boards`` leaves the ``authored_boards`` descriptions out of training (they are
still tested: a model that never saw them); ``--without-board-copy`` drops the board-shaped
copy of the features. The evaluation postings are never read. This is how the is_ml
model's features and data are chosen (docs/extraction.md).
"""

from __future__ import annotations

import argparse
import hashlib

from etl.classify import artifacts, postings
from etl.evaluation import Score
from etl.extraction import ACCEPT, SkillTagger
from etl.taxonomy import load_taxonomy
from etl.training import IS_ML_SOURCES, is_ml_examples, load_training_data

FOLDS = 5


def fold_of(seed: int, key: str) -> int:
    return int(hashlib.sha1(f"{seed}:{key}".encode()).hexdigest(), 16) % FOLDS


def predicted_by_folds(examples, rows, seed: int, boards: bool, board_copy: bool) -> dict[int, bool]:
    """Each labelled posting's prediction by a model trained on the other folds (and on every
    silver posting; on the ``authored_boards`` descriptions only when ``boards``)."""
    labelled = [i for i, source in enumerate(examples.sources) if source != "silver"]
    predicted: dict[int, bool] = {}
    for fold in range(FOLDS):
        test = [i for i in labelled if fold_of(seed, examples.keys[i]) == fold]
        train = [i for i, source in enumerate(examples.sources)
                 if (source == "silver" or fold_of(seed, examples.keys[i]) != fold)
                 and (boards or source != "authored_boards")]
        model = postings.new_model(board_copy).fit([rows[i] for i in train], [examples.labels[i] for i in train],
                                                   classifier__sample_weight=[examples.weights[i] for i in train])
        probabilities = model.predict_proba([rows[i] for i in test])[:, 1]
        predicted.update((i, bool(p >= ACCEPT)) for i, p in zip(test, probabilities))
    return predicted


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=3, help="fold seeds to pool over")
    parser.add_argument("--without-boards", action="store_true",
                        help="train without the authored_boards descriptions (still tested)")
    parser.add_argument("--without-board-copy", action="store_true", help="no board-shaped copy of the features")
    args = parser.parse_args()
    data = load_training_data()
    examples = is_ml_examples(data)
    tagger = SkillTagger(load_taxonomy(), artifacts.load("disambiguation"))
    rows = postings.posting_rows(examples.texts, tagger.skill_mentions(examples.texts))
    scores = {source: Score() for source in IS_ML_SOURCES if source != "silver"}
    for seed in range(args.seeds):
        for i, is_ml in predicted_by_folds(examples, rows, seed, not args.without_boards,
                                           not args.without_board_copy).items():
            unit = (seed, examples.keys[i])
            scores[examples.sources[i]].add({unit} if examples.labels[i] else set(), {unit} if is_ml else set())
    print(f"fold seeds: {args.seeds}; authored_boards in training: {not args.without_boards}; "
          f"board-shaped copy: {not args.without_board_copy}")
    for source, score in scores.items():
        print(f"{source:24} postings {examples.sources.count(source):4}  precision {score.precision:.3f}  "
              f"recall {score.recall:.3f}  F1 {score.f1:.3f}  (false positives {score.fp}, misses {score.fn})")


if __name__ == "__main__":
    main()
