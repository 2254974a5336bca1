"""``skilltrends train``: rebuild every classifier from labels, reproducibly, in one command.

Training data (the evaluation set in ``etl/labels/eval_ids.txt`` is never used here):

- disambiguation: the project's labels of 2,112 ambiguous-alias occurrences (``Go``,
  ``React``, ``R``, ``Spark``, ``AWS``...) in non-evaluation postings (``mentions.*.jsonl``)
  and 12,700 occurrences in sentences and postings 31 of its authors wrote, 6,278 of them
  negatives (``contexts.*.jsonl``);
- is_ml: the project's own labels of 1,748 non-evaluation postings (``postings_train.*.jsonl``;
  55 of them settled by a third labeller, ``adjudicated.*.jsonl``)
  and of 298 authored postings (``authored_postings.*.jsonl``, ``authored_boards.*.jsonl``), elsewhere
  whether any silver job title is an ML role; the skills the just-trained disambiguation
  lets through are part of its input;
- sentence kinds and responsibilities: the project's sentence labels of the non-evaluation
  postings (``sentences.*.jsonl``) and of the authored descriptions; responsibilities also
  from 1,839 duties four of its authors wrote (``duties.*.jsonl``), a real posting's duty
  sentence weighing three of the project's own (``REAL_DUTY_WEIGHT``).
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass

from etl.classify import artifacts, mentions, postings, sentences
from etl.extraction import SkillTagger
from etl.is_ml import names_ml_role
from etl.labelled import (
    RESPONSIBILITIES, check_labelled_texts, clean_texts, load_reference_records, read_authored_boards,
    read_authored_postings, read_ids, read_jsonl, sentence_sha,
)
from etl.taxonomy import load_taxonomy
from skilltrends.home import Home

SEED = 2023


@dataclass
class TrainingData:
    texts: dict[str, str]
    silver: dict[str, dict]
    train_ids: list[str]
    tagger: SkillTagger | None = None  # skills as extraction finds them, once disambiguation is trained


def load_training_data(home: Home | None = None) -> TrainingData:
    """The labelled postings' texts (hn-2023h1, or a crawl in ``home``) and the training ids."""
    records = load_reference_records(home=home)
    texts = clean_texts({key: record["hn_text"] for key, record in records.items()})
    check_labelled_texts(texts)
    held_out, gold = set(read_ids("eval_ids.txt")), gold_is_ml()
    # A posting with neither a label nor a silver job title (a crawl brings every comment of
    # the threads, and no silver) would only add noise.
    train_ids = sorted(key for key in texts if key not in held_out and (key in gold or records[key].get("model_output")))
    random.Random(SEED).shuffle(train_ids)
    return TrainingData(texts, {key: records[key].get("model_output") or {} for key in records}, train_ids)


def silver_is_ml(output: dict) -> bool:
    return any(names_ml_role([str(role.get("job_title") or "") for role in output.get("roles") or []]))


@dataclass
class MentionExamples:
    features: list[list[str]]
    labels: list[int]
    groups: list[str]  # "hn:<comment id>" for real postings, the labeller for authored contexts


def disambiguation_examples(data: TrainingData, extra_contexts: list[dict] = ()) -> MentionExamples:
    """The project's mention labels (``mentions.*.jsonl``, evaluation postings left out) and
    authored contexts (``contexts.*.jsonl``, plus ``extra_contexts`` in their format) as
    feature lists: is this occurrence the skill?"""
    held_out = set(read_ids("eval_ids.txt"))
    rows = [row for row in read_jsonl("mentions.*.jsonl") if row["source_id"] not in held_out]
    authored = read_jsonl("contexts.*.jsonl") + list(extra_contexts)
    texts = [data.texts[row["source_id"]] for row in rows] + [row["text"] for row in authored]
    matcher = SkillTagger(load_taxonomy())  # candidates only: nothing is judged yet
    sure: dict[str, list[tuple[int, int]]] = {}
    features = []
    for text, row in zip(texts, rows + authored):
        if text not in sure:
            sure[text] = matcher.split_by_judging(matcher.skills.candidates(text))[1]
        features += matcher.features_for(text, [(row["start"], row["end"])], sure[text])
    return MentionExamples(features, [int(row["is_skill"]) for row in rows + authored],
                           [f"hn:{row['source_id']}" for row in rows] + [row["labeller"] for row in authored])


def train_disambiguation(data: TrainingData) -> dict:
    """From the project's mention labels and authored contexts: is this occurrence the skill?"""
    examples = disambiguation_examples(data)
    model = mentions.new_model().fit(examples.features, examples.labels)
    artifacts.save(model, "disambiguation")
    data.tagger = SkillTagger(load_taxonomy(), model)
    real = sum(group.startswith("hn:") for group in examples.groups)
    return {"mentions": real, "authored_contexts": len(examples.labels) - real, "positive": sum(examples.labels)}


# A project label counts for five silver ones: 3 until the labels of train_ids_6.txt made
# 1,748 of the 1,948 training HN postings gold; then 4-8 cross-validated best (docs/extraction.md).
GOLD_WEIGHT = 5.0


def gold_is_ml() -> dict[str, bool]:
    """The project's is_ml labels of training postings (``postings_train.*.jsonl``), where a
    third labeller settled a disagreement (``adjudicated.*.jsonl``) with that label."""
    gold = {row["source_id"]: bool(row["is_ml"]) for row in read_jsonl("postings_train.*.jsonl")}
    gold.update((row["source_id"], bool(row["is_ml"])) for row in read_jsonl("adjudicated.*.jsonl"))
    return gold


@dataclass
class IsMlExamples:
    keys: list[str]  # the HN comment id, or the authored posting's id
    sources: list[str]  # one of IS_ML_SOURCES
    texts: list[str]
    labels: list[int]
    weights: list[float]


# Where an is_ml example comes from: a real HN comment with a project label, or with a silver
# job title only; an authored HN comment or job-board description of authored_postings.*; an
# authored job-board description of authored_boards.*.
IS_ML_SOURCES = ("hn", "silver", "authored_postings hn", "authored_postings board", "authored_boards")


def is_ml_examples(data: TrainingData) -> IsMlExamples:
    """The project's own is_ml labels where there are some, silver job titles elsewhere, then
    the authored postings and the authored job-board descriptions."""
    gold = gold_is_ml()
    keys = list(data.train_ids)
    sources = ["hn" if key in gold else "silver" for key in keys]
    texts = [data.texts[key] for key in keys]
    labels = [int(gold[key]) if key in gold else int(silver_is_ml(data.silver[key])) for key in keys]
    weights = [GOLD_WEIGHT if key in gold else 1.0 for key in keys]
    authored = [(row, "authored_postings hn" if row["style"] == "hn" else "authored_postings board")
                for row in read_authored_postings()]
    authored += [(row, "authored_boards") for row in read_authored_boards()]
    for row, source in authored:
        keys.append(row["id"])
        sources.append(source)
        texts.append(row["text"])
        labels.append(int(row["is_ml"]))
        weights.append(GOLD_WEIGHT)
    return IsMlExamples(keys, sources, texts, labels, weights)


def train_is_ml(data: TrainingData) -> dict:
    """The is_ml model from ``is_ml_examples``, project labels weighted ``GOLD_WEIGHT``."""
    examples = is_ml_examples(data)
    rows = postings.posting_rows(examples.texts, data.tagger.skill_mentions(examples.texts))
    model = postings.new_model().fit(rows, examples.labels, classifier__sample_weight=examples.weights)
    artifacts.save(model, "is_ml")
    return {"postings": len(examples.labels), "positive": sum(examples.labels),
            "gold_labels": examples.sources.count("hn"),
            "authored": sum(source.startswith("authored") for source in examples.sources)}


def sentence_examples(tagger: SkillTagger,
                      postings: list[tuple[str, list[dict]]]) -> tuple[list[str], list[str], list[list[str]]]:
    """Features, kinds and responsibility lists of labelled sentences: ``postings`` holds each
    text with its sentence labels (``start``, ``end``, ``kind``, ``responsibilities``) in
    text order. One batch, so the disambiguation model is called once."""
    texts = [text for text, _ in postings]
    spans = [[(row["start"], row["end"]) for row in rows] for _, rows in postings]
    rows = [row for _, labelled in postings for row in labelled]
    return (tagger.sentence_features(texts, spans), [row["kind"] for row in rows],
            [row.get("responsibilities") or [] for row in rows])


def labelled_postings(texts: dict[str, str], evaluation: bool) -> list[tuple[str, str, list[dict]]]:
    """(source id, text, sentence labels in text order) of the postings labelled at sentence
    level: the evaluation postings (``evaluation=True``) or every other one (for training)."""
    held_out = set(read_ids("eval_ids.txt"))
    by_posting = by_posting_and_span(row for row in read_jsonl("sentences.*.jsonl")
                                     if (row["source_id"] in held_out) == evaluation)
    return [(key, texts[key], in_text_order(key, texts[key], rows)) for key, rows in sorted(by_posting.items())]


def by_posting_and_span(rows) -> dict[str, dict[tuple[int, int], dict]]:
    """Sentence label rows by posting (``source_id``) and then by span (``start``, ``end``)."""
    by_posting: dict[str, dict[tuple[int, int], dict]] = {}
    for row in rows:
        by_posting.setdefault(row["source_id"], {})[(row["start"], row["end"])] = row
    return by_posting


def in_text_order(key: str, text: str, rows: dict[tuple[int, int], dict]) -> list[dict]:
    """A posting's sentence labels (by span) in text order, checked against its text."""
    spans = sorted(rows)
    stale = [span for span in spans if sentence_sha(text[span[0]:span[1]]) != rows[span]["sha"]]
    if stale:
        raise ValueError(f"Sentence labels of posting {key} no longer match its text at {stale[:3]}.")
    return [rows[span] for span in spans]


def labelled_sentences(texts: dict[str, str], evaluation: bool,
                       tagger: SkillTagger) -> tuple[list[str], list[str], list[list[str]]]:
    """Features, kinds and responsibility lists of the labelled sentences of the evaluation
    postings (``evaluation=True``) or of every other labelled posting (for training)."""
    return sentence_examples(tagger, [(text, rows) for _, text, rows in labelled_postings(texts, evaluation)])


def authored_sentences(tagger: SkillTagger) -> tuple[list[str], list[str], list[list[str]]]:
    """Features, kinds and responsibility lists of the project's authored job descriptions."""
    return sentence_examples(tagger, [(posting["text"], posting["sentences"]) for posting in read_authored_postings()])


def written_duties(tagger: SkillTagger) -> tuple[list[str], list[list[str]]]:
    """Features and responsibility lists of the duty sentences the project wrote
    (``duties.*.jsonl``): one or two sentences each, read as one unit, so they teach what a
    duty says, not where it stands."""
    rows = read_jsonl("duties.*.jsonl")
    texts = [row["text"] for row in rows]
    return tagger.sentence_features(texts, [[(0, len(text))] for text in texts]), [row["responsibilities"] for row in rows]


# A duty sentence of a real posting weighs three of the project's own (authored postings,
# written duties) in the responsibility model. The written duties lift the authored postings
# but cost the real HN comments precision (docs/extraction.md); weighted, the real sentences
# win part of it back. ``python -m etl.responsibility_cv --seeds 4 --real-weight W``, real-HN
# macro-F1 / micro-F1 and authored macro-F1: W 1 0.558 / 0.659, 0.728; W 3 0.572 / 0.672, 0.720.
REAL_DUTY_WEIGHT = 3.0


def responsibility_examples(features: list[str], kinds: list[str], labels: list[list[str]],
                            written: tuple[list[str], list[list[str]]], real: list[bool],
                            real_weight: float = REAL_DUTY_WEIGHT) -> tuple[list[str], list[list[str]], list[float]]:
    """The responsibility model's training set with each example's weight: the labelled
    responsibility sentences (``real_weight`` for those of real postings, where ``real`` says
    so, 1 for the authored ones), then the written duties (``written_duties``, 1 each)."""
    chosen = [i for i, kind in enumerate(kinds) if kind == "responsibility"]
    written_features, written_labels = written
    return ([features[i] for i in chosen] + written_features, [labels[i] for i in chosen] + written_labels,
            [real_weight if real[i] else 1.0 for i in chosen] + [1.0] * len(written_features))


def train_sentences(data: TrainingData) -> dict:
    features, kinds, duties = labelled_sentences(data.texts, evaluation=False, tagger=data.tagger)
    more_features, more_kinds, more_duties = authored_sentences(data.tagger)
    real = [True] * len(features) + [False] * len(more_features)
    features, kinds, duties = features + more_features, kinds + more_kinds, duties + more_duties
    artifacts.save(sentences.new_kind_model().fit(features, kinds), "sentence_kind")
    written = written_duties(data.tagger)
    examples, labels, weights = responsibility_examples(features, kinds, duties, written, real)
    matrix = sentences.to_matrix(labels, RESPONSIBILITIES)
    artifacts.save(sentences.fit_responsibility_model(examples, matrix, weights), "responsibilities")
    return {"sentences": len(kinds), "responsibility_sentences": kinds.count("responsibility"),
            "written_duties": len(written[1]),
            "examples_by_label": dict(zip(RESPONSIBILITIES, matrix.sum(axis=0).tolist()))}


def train_all(home: Home | None = None) -> dict:
    data = load_training_data(home)
    report = {
        "disambiguation": train_disambiguation(data),
        "is_ml": train_is_ml(data),
        "sentences": train_sentences(data),
        "taxonomy_version": load_taxonomy().version,
    }
    (artifacts.models_dir() / "training.json").write_text(json.dumps(report, indent=1, sort_keys=True) + "\n")
    artifacts.forget_loaded()
    return report
