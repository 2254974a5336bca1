"""Sentence kinds (responsibility, requirement, nice_to_have, boilerplate, other) and, for
responsibility sentences, which ML responsibilities they describe (multi-label).

A sentence is read with its context: the nearest heading above it (a short line ending
in ``:`` such as "What you'll do:" or "Requirements:", or a short capitalised line of its
own without one, as job boards write "Preferred Qualifications"), whether it is a bullet,
where it sits in the post, the word it opens with, its length and closing mark, the first
words of the sentence before it, and the skills found in it.
Kinds: TF-IDF over word 1-2-grams and the context tokens; responsibilities: TF-IDF over
character 2-5-grams within the words of the sentence and its skills, and over its word
1-2-grams. Logistic regressions.
"""

from __future__ import annotations

import re
from bisect import bisect_left

import numpy as np
import sklearn
from scipy.special import expit
from sklearn.feature_extraction.text import TfidfTransformer
from sklearn.linear_model import LogisticRegression
from sklearn.multiclass import OneVsRestClassifier
from sklearn.pipeline import FeatureUnion, Pipeline, make_pipeline
from sklearn.preprocessing import FunctionTransformer

from etl.classify.ngrams import NgramCounter
from etl.sentences import line_view

HEADING = re.compile(r"^\s*[^\n]{2,60}:\s*$")
# A heading on a line of its own without a colon, as job boards write them ("What you'll
# do", "Preferred Qualifications", "BENEFITS"): starts with a capital, at most six words, no
# sentence punctuation, colons (so no "Job Type: Full-time" or links) or pipes.
LINE_HEADING = re.compile(r"[^\W\d_][^\n|.!?,;:]{1,58}[^\n|.!?,;:\s]")
LINE_HEADING_WORDS = 6
LINE_HEADING_CHARS = 60  # the longest line LINE_HEADING can match whole: 1 + 58 + 1 characters
NON_SPACE = re.compile(r"\S")
WORD = re.compile(r"[a-z][a-z+#.]*")
PREVIOUS_WORD = re.compile(r"[a-z][a-z']*")
PREVIOUS_WORDS = 4  # read from the sentence's first PREVIOUS_CHARS characters
PREVIOUS_CHARS = 60
OPENING_CHARS = 30  # the opening word is read from a sentence's first OPENING_CHARS characters
SENTENCE_ENDS = {".": "stop", ":": "colon", "?": "question", "!": "bang"}
# The context tokens, made once rather than for every sentence.
POSITION_TOKENS = tuple(f"pos{n}" for n in range(5))
LENGTH_TOKENS = tuple(f"len{n}" for n in range(5))
END_TOKENS = {mark: "end_" + name for mark, name in SENTENCE_ENDS.items()}
# Separates what a sentence says (its words and skills) from where it stands (context
# tokens): the responsibility model reads only the first part.
CONTEXT_MARK = "\x1f"


def skill_token(skill) -> str:
    """How a taxonomy skill found in a sentence appears among its features."""
    return f"SK_{skill.name.replace(' ', '_')} FAM_{skill.family}"


def sentence_features(text: str, spans: list[tuple[int, int]], skills: list[tuple[int, str]] = (),
                      view: str | None = None) -> list[str]:
    """One feature string per sentence: its words, context tokens, and the tokens of the
    skills found in it (``skills``: (offset, token) of every accepted skill occurrence).
    ``view``: ``line_view(text)`` when the caller has it (``etl.sentences.sentences_and_view``)."""
    text = line_view(text) if view is None else view  # lines as ``split_sentences`` reads them, same offsets
    features = []
    # The heading above and the sentence before are kept as joined token strings: each
    # sentence's features are built from a few strings, not token by token.
    heading = ""
    previous = ""
    total = max(len(spans), 1)
    offsets = [offset for offset, _ in skills]
    skill_tokens = [token for _, token in skills]
    line_start = searched_to = 0
    for position, (start, end) in enumerate(spans):
        sentence = text[start:end]
        lowered = sentence.lower()
        if CONTEXT_MARK in lowered:  # a stray control character in the posting
            lowered = lowered.replace(CONTEXT_MARK, " ")
        parts = [lowered]
        first_skill = bisect_left(offsets, start)
        after_skills = bisect_left(offsets, end, first_skill)
        if after_skills > first_skill:
            parts += skill_tokens[first_skill:after_skills]
        # How long it is and how it ends: list items are short and end without a full stop,
        # prose runs on and ends with one, a lead-in ends with a colon.
        closing = sentence[-1:]
        if closing.isspace():
            closing = sentence.rstrip()[-1:]
        parts += (CONTEXT_MARK, POSITION_TOKENS[position * 5 // total])
        # The word a sentence opens with: duties open with a verb ("Build", "Own"),
        # requirements with "Experience" or "You", benefits with "Competitive". It is the
        # first of the words read for the next sentence, cut where a search up to
        # OPENING_CHARS would stop: the same word, because PREVIOUS_WORD matches a greedy run
        # that starts at the first letter (so ``find`` gives its offset) and OPENING_CHARS
        # is below PREVIOUS_CHARS.
        words = PREVIOUS_WORD.findall(lowered, 0, PREVIOUS_CHARS)
        if words:
            opening_at = lowered.find(words[0])
            if opening_at < OPENING_CHARS:
                parts.append("F_" + words[0][:OPENING_CHARS - opening_at])
        parts += (LENGTH_TOKENS[min(4, len(sentence) // 40)], END_TOKENS.get(closing, "end_none"))
        if position == 0:
            parts.append("first")
        # Text before it on its line: a bullet mark or an earlier sentence. The line's start
        # is followed from sentence to sentence, so a text of one long line costs no more
        # than one of many (looking back from each sentence made it quadratic).
        if start >= searched_to:
            newline = text.rfind("\n", searched_to, start)
            line_start = newline + 1 if newline >= 0 else line_start
        else:
            line_start = text.rfind("\n", 0, start) + 1
        searched_to = start
        after_text = _text_between(text, line_start, start)
        if after_text:
            parts.append("bullet")
        # The first line of a post is its title, not a heading.
        if (closing == ":" and HEADING.match(sentence)) or (
                position and not after_text and _is_line_heading(text, end, sentence)):
            parts.append("heading")
            heading_words = WORD.findall(lowered)
            heading = "H_" + " H_".join(heading_words) if heading_words else ""
        if "|" in sentence and sentence.count("|") >= 2:
            parts.append("has_pipe")
        if "http" in sentence:
            parts.append("has_url")
        if heading:
            parts.append(heading)
        if previous:
            parts.append(previous)
        features.append(" ".join(parts))
        # How this sentence begins is context for the next: duties and requirements come in
        # runs, often after a line such as "You will:" or "We'd love to see" (no heading).
        previous = "P_" + " P_".join(words[:PREVIOUS_WORDS]) if words else ""
    return features


def _text_between(text: str, line_start: int, start: int) -> bool:
    """Is there anything but white space in ``text[line_start:start]``? Read from ``start``
    back, so a long line is not copied."""
    for at in range(min(start, len(text)) - 1, line_start - 1, -1):
        if not text[at].isspace():
            return True
    return False


def _is_line_heading(text: str, end: int, sentence: str) -> bool:
    """Is this sentence, which starts its line, a colon-less heading (``LINE_HEADING``): the
    whole line, with text on a later line?"""
    if len(sentence) > LINE_HEADING_CHARS or not (sentence[:1].isupper() and LINE_HEADING.fullmatch(sentence)) or (
            len(sentence.split()) > LINE_HEADING_WORDS):
        return False
    line_end = text.find("\n", end)
    return line_end != -1 and not text[end:line_end].strip() and NON_SPACE.search(text, line_end) is not None


TOKEN = r"[A-Za-z_+#][\w+#.]*"


def sentence_content(features: list[str]) -> list[str]:
    """The words and skill tokens of sentence feature strings, without their context."""
    return [feature.rsplit(CONTEXT_MARK, 1)[0] for feature in features]


def new_kind_model() -> Pipeline:
    return Pipeline([
        ("counts", NgramCounter(min_df=2, token_pattern=TOKEN)),
        ("tfidf", TfidfTransformer(sublinear_tf=True)),
        # C=8 over 4 and the previous sentence's first four words (over none, two or eight,
        # or the next sentence's too) by 5-fold cross-validation on the real HN training
        # sentences: responsibility F1 0.742 -> 0.786, nice-to-have 0.495 -> 0.588.
        ("classifier", LogisticRegression(C=8.0, class_weight="balanced", max_iter=3000)),
    ])


def new_responsibility_model(words: bool = True) -> Pipeline:
    # Character n-grams within words generalise over word forms (deploy / deploying /
    # deployment); word 1-2-grams add the phrases ("work with product", "build dashboards").
    # ``python -m etl.responsibility_cv --seeds 3 [--characters-only]`` (grouped 5-fold CV,
    # kinds predicted, not given) compares them: see docs/extraction.md. Word 1-3-grams, word
    # min_df 1, C 4 or 16 scored within 0.01. The words make the model twice the size and the
    # whole extraction about a tenth slower (benchmarks.md). Balanced class weights and the 0.5
    # threshold are the cross-validated best; the sentence and its skills are read without
    # the context tokens (the same score in less time).
    return Pipeline([
        ("content", FunctionTransformer(sentence_content)),
        ("features", FeatureUnion([
            ("characters", make_pipeline(NgramCounter(analyzer="char_wb", ngram_range=(2, 5), min_df=2),
                                         TfidfTransformer(sublinear_tf=True))),
            *([("words", make_pipeline(NgramCounter(ngram_range=(1, 2), min_df=2, token_pattern=TOKEN),
                                       TfidfTransformer(sublinear_tf=True)))] if words else []),
        ])),
        ("classifier", OneVsRestClassifier(LogisticRegression(C=8.0, class_weight="balanced", max_iter=3000))),
    ])


def fit_responsibility_model(features: list[str], matrix: np.ndarray, weights: list[float],
                             words: bool = True) -> Pipeline:
    """A ``new_responsibility_model(words)`` fitted with a weight per example. Its one-vs-rest
    wrapper hands sample weights on to the regressions only through scikit-learn's metadata
    routing, switched on for this fit alone."""
    model = new_responsibility_model(words)
    with sklearn.config_context(enable_metadata_routing=True):
        model[-1].estimator.set_fit_request(sample_weight=True)
        return model.fit(features, matrix, sample_weight=weights)


def responsibility_probabilities(model: Pipeline, features: list[str]) -> np.ndarray:
    """``model.predict_proba(features)`` for a responsibility model, with its one-vs-rest
    logistic regressions applied as one product with their stacked weights: the same
    probabilities to the bit (each row's terms are summed in the same order), in a third of
    the time scikit-learn takes to apply them one label at a time."""
    classifier = model[-1] if isinstance(model, Pipeline) else None
    estimators = getattr(classifier, "estimators_", ())
    if not (getattr(classifier, "multilabel_", False)
            and all(isinstance(estimator, LogisticRegression) for estimator in estimators)):
        return model.predict_proba(features)
    weights = np.vstack([estimator.coef_ for estimator in estimators])
    intercepts = np.concatenate([estimator.intercept_ for estimator in estimators])
    return expit(model[:-1].transform(features) @ weights.T + intercepts)


def to_matrix(label_sets: list[list[str]], labels: tuple[str, ...]) -> np.ndarray:
    index = {label: i for i, label in enumerate(labels)}
    matrix = np.zeros((len(label_sets), len(labels)), dtype=int)
    for row, chosen in enumerate(label_sets):
        for label in chosen:
            matrix[row, index[label]] = 1
    return matrix
