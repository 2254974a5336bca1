"""``skilltrends train``: rebuild every classifier from labels, reproducibly, in one command.

Training data (the evaluation set in ``etl/labels/eval_ids.txt`` is never used here):

- disambiguation: every short/ambiguous-alias candidate in the non-evaluation postings of
  hn-2023h1, labelled by whether the posting's silver ``technologies`` list (an LLM's
  extraction, shipped with the data) names that skill;
- is_ml: the same postings: the project's own labels (``postings_train.*.jsonl``, 270
  postings) where given, elsewhere whether any silver job title is an ML role;
- sentence kinds and responsibilities: the project's sentence labels of the postings in
  ``train_sentence_ids.txt``.
"""

from __future__ import annotations

import json
import random
from collections import Counter
from dataclasses import dataclass

from etl.classify import artifacts, mentions, postings, sentences
from etl.is_ml import IS_ML_PATTERN
from etl.labelled import (
    RESPONSIBILITIES, clean_texts, load_reference_records, read_ids, read_jsonl, sentence_sha,
)
from etl.skills import SkillExtractor
from etl.taxonomy import load_taxonomy

import re

SEED = 2023
_ML_TITLE = re.compile(IS_ML_PATTERN)


@dataclass
class TrainingData:
    texts: dict[str, str]
    silver: dict[str, dict]
    train_ids: list[str]


def load_training_data() -> TrainingData:
    records = load_reference_records()
    texts = clean_texts({key: record["hn_text"] for key, record in records.items()})
    held_out = set(read_ids("eval_ids.txt"))
    train_ids = sorted(key for key in texts if key not in held_out)
    random.Random(SEED).shuffle(train_ids)
    return TrainingData(texts, {key: records[key].get("model_output") or {} for key in records}, train_ids)


def silver_skills(output: dict, extractor: SkillExtractor) -> set[str]:
    names = [str(t) for t in output.get("technologies") or []]
    names += [str(role.get("job_title") or "") for role in output.get("roles") or []]
    return {mention.skill for name in names for mention in extractor.mentions(name)}


def silver_is_ml(output: dict) -> bool:
    return any(_ML_TITLE.search(str(role.get("job_title") or "")) for role in output.get("roles") or [])


def train_disambiguation(data: TrainingData, extractor: SkillExtractor) -> dict:
    features, labels, aliases = [], [], []
    for key in data.train_ids:
        text = data.texts[key]
        known = silver_skills(data.silver[key], extractor)
        for candidate in extractor.candidates(text):
            if candidate.exact:
                features.append(mentions.mention_features(text, candidate.start, candidate.end))
                labels.append(int(extractor.skills[candidate.index].name in known))
                aliases.append(text[candidate.start:candidate.end])
    model = mentions.new_model().fit(features, labels)
    # Silver lists omit many true mentions, so an alias seen rarely either way teaches
    # only the omissions: the classifier rules only on aliases with evidence both ways.
    per_alias = Counter(zip(aliases, labels))
    model.trusted_aliases_ = {
        alias for alias in set(aliases)
        if per_alias[alias, 1] >= mentions.MIN_EVIDENCE and per_alias[alias, 0] >= mentions.MIN_EVIDENCE
    }
    artifacts.save(model, "disambiguation")
    return {"mentions": len(labels), "positive": sum(labels), "trusted_aliases": sorted(model.trusted_aliases_)}


GOLD_WEIGHT = 3.0  # a project label counts for three silver ones


def train_is_ml(data: TrainingData) -> dict:
    """The project's own is_ml labels where there are some, silver job titles elsewhere."""
    gold = {row["source_id"]: bool(row["is_ml"]) for row in read_jsonl("postings_train.*.jsonl")}
    texts = [data.texts[key] for key in data.train_ids]
    labels = [int(gold[key]) if key in gold else int(silver_is_ml(data.silver[key])) for key in data.train_ids]
    weights = [GOLD_WEIGHT if key in gold else 1.0 for key in data.train_ids]
    model = postings.new_model().fit(postings.as_column(texts), labels, classifier__sample_weight=weights)
    artifacts.save(model, "is_ml")
    return {"postings": len(labels), "positive": sum(labels),
            "gold_labels": sum(key in gold for key in data.train_ids)}


def labelled_sentences(texts: dict[str, str], evaluation: bool) -> tuple[list[str], list[str], list[list[str]]]:
    """Features, kinds and responsibility lists of the labelled sentences of the evaluation
    postings (``evaluation=True``) or of every other labelled posting (for training)."""
    held_out = set(read_ids("eval_ids.txt"))
    by_posting: dict[str, dict[tuple[int, int], dict]] = {}
    for row in read_jsonl("sentences.*.jsonl"):
        if (row["source_id"] in held_out) == evaluation:
            by_posting.setdefault(row["source_id"], {})[(row["start"], row["end"])] = row
    features, kinds, duties = [], [], []
    for key, rows in sorted(by_posting.items()):
        text = texts[key]
        spans = sorted(rows)
        stale = [span for span in spans if sentence_sha(text[span[0]:span[1]]) != rows[span]["sha"]]
        if stale:
            raise ValueError(f"Sentence labels of posting {key} no longer match its text at {stale[:3]}.")
        features += sentences.sentence_features(text, spans)
        kinds += [rows[span]["kind"] for span in spans]
        duties += [rows[span].get("responsibilities") or [] for span in spans]
    return features, kinds, duties


def train_sentences(data: TrainingData) -> dict:
    features, kinds, duties = labelled_sentences(data.texts, evaluation=False)
    artifacts.save(sentences.new_kind_model().fit(features, kinds), "sentence_kind")
    chosen = [i for i, kind in enumerate(kinds) if kind == "responsibility"]
    matrix = sentences.to_matrix([duties[i] for i in chosen], RESPONSIBILITIES)
    model = sentences.new_responsibility_model().fit([features[i] for i in chosen], matrix)
    artifacts.save(model, "responsibilities")
    return {"sentences": len(kinds), "responsibility_sentences": len(chosen),
            "by_label": dict(zip(RESPONSIBILITIES, matrix.sum(axis=0).tolist()))}


def train_all() -> dict:
    data = load_training_data()
    extractor = SkillExtractor(load_taxonomy())
    report = {
        "disambiguation": train_disambiguation(data, extractor),
        "is_ml": train_is_ml(data),
        "sentences": train_sentences(data),
        "taxonomy_version": extractor.taxonomy.version,
    }
    (artifacts.models_dir() / "training.json").write_text(json.dumps(report, indent=1, sort_keys=True) + "\n")
    artifacts.forget_loaded()
    return report
