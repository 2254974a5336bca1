"""Cross-validate the sentence classifiers' responsibilities on training labels only.

    python -m etl.responsibility_cv [--without-duties]

Grouped 5-fold cross-validation over the labelled training postings (real HN comments and
the authored postings; all sentences of a posting in the same fold): in each fold the kind
model and the responsibility model are trained on the other folds, plus the written duty
sentences (``duties.*.jsonl``, training only, never tested on) unless ``--without-duties``;
kinds are predicted, not given, as in ``skilltrends evaluate``. Prints per-label F1 and
macro/micro-F1 for the real and the authored postings apart. The evaluation postings are
never read. This is how the responsibility model's features and data are chosen.
"""

from __future__ import annotations

import random
import sys

from etl.classify import artifacts, sentences
from etl.evaluation import Score, macro_f1, pooled
from etl.extraction import ACCEPT, SkillTagger
from etl.labelled import RESPONSIBILITIES, read_authored_postings
from etl.taxonomy import load_taxonomy
from etl.training import SEED, duty_sentences, labelled_postings, load_training_data, sentence_examples

FOLDS = 5


def main(with_duties: bool = True) -> None:
    tagger = SkillTagger(load_taxonomy(), artifacts.load("disambiguation"))
    real = [(f"hn:{key}", text, rows) for key, text, rows in labelled_postings(load_training_data().texts, False)]
    authored = [(posting["id"], posting["text"], posting["sentences"]) for posting in read_authored_postings()]
    everything = real + authored
    features, kinds, duties = sentence_examples(tagger, [(text, rows) for _, text, rows in everything])
    groups = [group for group, _, rows in everything for _ in rows]
    extra_features, extra_duties = duty_sentences(tagger) if with_duties else ([], [])
    order = sorted(set(groups))
    random.Random(SEED).shuffle(order)
    fold_of = {group: n % FOLDS for n, group in enumerate(order)}
    predicted: list[set[str]] = [set() for _ in kinds]
    for fold in range(FOLDS):
        train = [i for i, group in enumerate(groups) if fold_of[group] != fold]
        test = [i for i, group in enumerate(groups) if fold_of[group] == fold]
        kind_model = sentences.new_kind_model().fit([features[i] for i in train], [kinds[i] for i in train])
        chosen = [i for i in train if kinds[i] == "responsibility"]
        model = sentences.new_responsibility_model().fit(
            [features[i] for i in chosen] + extra_features,
            sentences.to_matrix([duties[i] for i in chosen] + extra_duties, RESPONSIBILITIES))
        guessed = kind_model.predict([features[i] for i in test])
        to_label = [i for i, kind in zip(test, guessed) if kind == "responsibility"]
        if to_label:
            for i, row in zip(to_label, model.predict_proba([features[i] for i in to_label])):
                predicted[i] = {label for label, p in zip(RESPONSIBILITIES, row) if p >= ACCEPT}
    print(f"duty sentences in training: {len(extra_duties)}")
    for name, real_posting in (("real HN postings", True), ("authored postings", False)):
        rows = [i for i, group in enumerate(groups) if group.startswith("hn:") == real_posting]
        scores = {label: Score() for label in RESPONSIBILITIES}
        for label, score in scores.items():
            score.add({i for i in rows if label in duties[i]}, {i for i in rows if label in predicted[i]})
        print(f"{name} ({len(rows)} sentences): macro-F1 {macro_f1(scores.values()):.3f}, "
              f"micro-F1 {pooled(scores.values()).f1:.3f}")
        for label, score in scores.items():
            print(f"  {label:28} F1 {score.f1:.3f} ({score.support})")


if __name__ == "__main__":
    main(with_duties="--without-duties" not in sys.argv[1:])
