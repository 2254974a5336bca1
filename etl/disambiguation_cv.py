"""Cross-validate the disambiguation classifier on training labels only.

    python -m etl.disambiguation_cv [--with-kept-aside]

Prints, for each author of contexts (``contexts.<labeller>.jsonl``), precision and recall
on that author's contexts when the model is trained on everything else (authors write
different kinds of traps, so this is how well the model meets a new writer), and, by
5-fold cross-validation over real postings (folds by posting), the share of real skill
mentions kept and of real non-skill mentions rejected. The evaluation postings are never
read. This is how features and data for the disambiguator are chosen (docs/extraction.md).
``--with-kept-aside`` adds the labelled occurrences of the postings kept out of training
(``judged_postings.*.jsonl``) as two more authors: how the figures moved when they were
tried as training data, and why they were not kept.
"""

from __future__ import annotations

import argparse
import random

from etl.classify import mentions
from etl.evaluation import Score
from etl.extraction import ACCEPT
from etl.labelled import read_aside_postings, read_jsonl
from etl.training import disambiguation_examples, load_training_data

FOLDS = 5


def _fit_and_predict(examples, train: list[int], test: list[int]) -> list[bool]:
    model = mentions.new_model().fit([examples.features[i] for i in train], [examples.labels[i] for i in train])
    return (mentions.accept_probabilities(model, [examples.features[i] for i in test]) >= ACCEPT).tolist()


def kept_aside_contexts() -> list[dict]:
    """The kept-aside postings' labelled occurrences in the format of ``contexts.*.jsonl``."""
    postings = read_aside_postings()
    return [{**row, "text": postings[row["id"]]["text"]} for row in read_jsonl("judged_postings.*.jsonl")]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--with-kept-aside", action="store_true",
                        help="train on the kept-aside postings' labelled occurrences too")
    args = parser.parse_args()
    examples = disambiguation_examples(load_training_data(), kept_aside_contexts() if args.with_kept_aside else [])
    everyone = range(len(examples.labels))
    authors = sorted({group for group in examples.groups if not group.startswith("hn:")})
    print("left-out author: precision recall (contexts, negatives)")
    for author in authors:
        test = [i for i in everyone if examples.groups[i] == author]
        train = [i for i in everyone if examples.groups[i] != author]
        score = Score()
        score.add({i for i in test if examples.labels[i]},
                  {i for i, accepted in zip(test, _fit_and_predict(examples, train, test)) if accepted})
        print(f"  {author}: {score.precision:.3f} {score.recall:.3f} ({len(test)}, {len(test) - score.support})")
    postings = sorted({group for group in examples.groups if group.startswith("hn:")})
    random.Random(2023).shuffle(postings)
    fold_of = {posting: n % FOLDS for n, posting in enumerate(postings)}
    kept = rejected = positives = negatives = 0
    for fold in range(FOLDS):
        test = [i for i in everyone if fold_of.get(examples.groups[i]) == fold]
        train = [i for i in everyone if fold_of.get(examples.groups[i]) != fold]
        for i, accepted in zip(test, _fit_and_predict(examples, train, test)):
            if examples.labels[i]:
                positives += 1
                kept += accepted
            else:
                negatives += 1
                rejected += not accepted
    print(f"real postings, {FOLDS}-fold: skills kept {kept}/{positives} = {kept / positives:.2%}, "
          f"non-skills rejected {rejected}/{negatives}")


if __name__ == "__main__":
    main()
