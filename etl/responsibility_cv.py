"""Cross-validate the sentence classifiers (kinds and responsibilities) on training labels only.

    python -m etl.responsibility_cv [--seeds N] [--without-duties] [--characters-only] [--gold-kinds]
                                    [--real-weight W]

Grouped 5-fold cross-validation over the labelled training postings (real HN comments and
the authored postings; all sentences of a posting in the same fold): in each fold the kind
model and the responsibility model are trained on the other folds, plus the written duties
(``duties.*.jsonl``, training only, never tested on) unless ``--without-duties``; kinds are
predicted, not given, as in ``skilltrends evaluate``. ``--characters-only`` drops the word
n-grams; ``--real-weight`` sets what a real posting's duty sentence weighs in the
responsibility model against an authored or written one (``REAL_DUTY_WEIGHT`` unless
given). ``--gold-kinds`` gives the responsibility model the labelled kinds instead of the
predicted ones, to show what the kind step costs. Prints the responsibilities' macro-F1,
micro precision/recall/F1 and per-label F1, and the kinds' F1, for the real and the
authored postings apart, each the mean over ``--seeds`` fold seeds (default 1). The
evaluation postings are never read.
The skill tokens come from the shipped disambiguator, which was trained on mention labels
of these same postings: a small optimism shared by every configuration compared. This is
how the responsibility model's features and data are chosen (docs/extraction.md).
"""

from __future__ import annotations

import argparse
import random
import statistics

from etl.classify import artifacts, sentences
from etl.evaluation import compare_sentences, macro_f1, pooled
from etl.extraction import SkillTagger, predict_responsibilities
from etl.labelled import RESPONSIBILITIES, SENTENCE_KINDS, load_reference_texts, read_authored_postings
from etl.taxonomy import load_taxonomy
from etl.training import (
    REAL_DUTY_WEIGHT, SEED, labelled_postings, responsibility_examples, sentence_examples, written_duties,
)

FOLDS = 5


def predict_by_folds(features, kinds, labels, groups, written, words: bool, seed: int,
                     gold_kinds: bool = False, real_weight: float = REAL_DUTY_WEIGHT,
                     ) -> tuple[list[str], list[list[str]]]:
    """Each sentence's predicted kind and responsibilities from models trained on the other folds."""
    order = sorted(set(groups))
    random.Random(seed).shuffle(order)
    fold_of = {group: n % FOLDS for n, group in enumerate(order)}
    predicted_kinds: list[str] = [""] * len(kinds)
    predicted: list[list[str]] = [[] for _ in kinds]
    for fold in range(FOLDS):
        train = [i for i, group in enumerate(groups) if fold_of[group] != fold]
        test = [i for i, group in enumerate(groups) if fold_of[group] == fold]
        kind_model = None if gold_kinds else sentences.new_kind_model().fit(
            [features[i] for i in train], [kinds[i] for i in train])
        examples, examples_labels, weights = responsibility_examples(
            [features[i] for i in train], [kinds[i] for i in train], [labels[i] for i in train], written,
            [groups[i].startswith("hn:") for i in train], real_weight)
        model = sentences.fit_responsibility_model(
            examples, sentences.to_matrix(examples_labels, RESPONSIBILITIES), weights, words)
        kinds_found, found = predict_responsibilities(kind_model, model, [features[i] for i in test],
                                                      [kinds[i] for i in test] if gold_kinds else None)
        for i, kind, labels_found in zip(test, kinds_found, found):
            predicted_kinds[i], predicted[i] = kind, labels_found
    return predicted_kinds, predicted


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=1, help="fold seeds to average over")
    parser.add_argument("--without-duties", action="store_true", help="leave the written duties out of training")
    parser.add_argument("--characters-only", action="store_true", help="no word n-grams in the responsibility model")
    parser.add_argument("--gold-kinds", action="store_true", help="give the labelled sentence kinds, not predicted ones")
    parser.add_argument("--real-weight", type=float, default=REAL_DUTY_WEIGHT,
                        help="weight of a real posting's duty sentence in the responsibility model")
    args = parser.parse_args()
    tagger = SkillTagger(load_taxonomy(), artifacts.load("disambiguation"))
    real = [(f"hn:{key}", text, rows) for key, text, rows in labelled_postings(load_reference_texts(), False)]
    authored = [(posting["id"], posting["text"], posting["sentences"]) for posting in read_authored_postings()]
    everything = real + authored
    features, kinds, labels = sentence_examples(tagger, [(text, rows) for _, text, rows in everything])
    groups = [group for group, _, rows in everything for _ in rows]
    written = ([], []) if args.without_duties else written_duties(tagger)
    runs = [predict_by_folds(features, kinds, labels, groups, written, not args.characters_only, SEED + n,
                             args.gold_kinds, args.real_weight) for n in range(args.seeds)]
    print(f"written duties in training: {len(written[1])}; word n-grams: {not args.characters_only}; "
          f"real duty weight: {args.real_weight:g}; "
          f"fold seeds: {args.seeds}; kinds: {'labelled' if args.gold_kinds else 'predicted'}")
    for name, real_posting in (("real HN postings", True), ("authored postings", False)):
        rows = [i for i, group in enumerate(groups) if group.startswith("hn:") == real_posting]
        compared = [compare_sentences([kinds[i] for i in rows], [labels[i] for i in rows],
                                      [run_kinds[i] for i in rows], [predicted[i] for i in rows])
                    for run_kinds, predicted in runs]
        per_run = [by_label for _, by_label in compared]
        mean = statistics.fmean
        micro = [pooled(scores.values()) for scores in per_run]
        print(f"{name} ({len(rows)} sentences): macro-F1 {mean(macro_f1(s.values()) for s in per_run):.3f}, "
              f"micro precision {mean(m.precision for m in micro):.3f} recall {mean(m.recall for m in micro):.3f} "
              f"F1 {mean(m.f1 for m in micro):.3f}")
        for label in RESPONSIBILITIES:
            print(f"  {label:28} F1 {mean(s[label].f1 for s in per_run):.3f} ({per_run[0][label].support})")
        print("  kinds F1: " + ", ".join(f"{kind} {mean(by_kind[kind].f1 for by_kind, _ in compared):.3f}"
                                        for kind in SENTENCE_KINDS))


if __name__ == "__main__":
    main()
