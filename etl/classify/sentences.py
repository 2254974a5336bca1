"""Sentence kinds (responsibility, requirement, nice_to_have, boilerplate, other) and, for
responsibility sentences, which ML responsibilities they describe (multi-label).

A sentence is read with its context: the nearest heading above it (a short line ending
in ``:`` such as "What you'll do:" or "Requirements:"), whether it is a bullet, and where it
sits in the post. TF-IDF over words and the context tokens, logistic regressions.
"""

from __future__ import annotations

import re

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.multiclass import OneVsRestClassifier
from sklearn.pipeline import Pipeline

HEADING = re.compile(r"^\s*[^\n]{2,60}:\s*$")
WORD = re.compile(r"[a-z][a-z+#.]*")


def sentence_features(text: str, spans: list[tuple[int, int]]) -> list[str]:
    """One feature string per sentence: its words plus context tokens."""
    features = []
    heading = ""
    total = max(len(spans), 1)
    for position, (start, end) in enumerate(spans):
        sentence = text[start:end]
        line_start = text.rfind("\n", 0, start) + 1
        bullet = text[line_start:start].strip() != ""
        if HEADING.match(sentence):
            heading = sentence.lower()
        context = [f"pos{min(4, position * 5 // total)}", "first" if position == 0 else "",
                   "bullet" if bullet else "", "heading" if HEADING.match(sentence) else "",
                   "has_pipe" if sentence.count("|") >= 2 else "", "has_url" if "http" in sentence else ""]
        context += [f"H_{w}" for w in WORD.findall(heading)]
        features.append(" ".join([sentence.lower(), *[c for c in context if c]]))
    return features


def new_kind_model() -> Pipeline:
    return Pipeline([
        ("features", TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True, token_pattern=r"[A-Za-z_+#][\w+#.]*")),
        ("classifier", LogisticRegression(C=4.0, class_weight="balanced", max_iter=3000)),
    ])


def new_responsibility_model() -> Pipeline:
    return Pipeline([
        ("features", TfidfVectorizer(ngram_range=(1, 2), min_df=1, sublinear_tf=True, token_pattern=r"[A-Za-z_+#][\w+#.]*")),
        ("classifier", OneVsRestClassifier(LogisticRegression(C=8.0, class_weight="balanced", max_iter=3000))),
    ])


def to_matrix(label_sets: list[list[str]], labels: tuple[str, ...]) -> np.ndarray:
    index = {label: i for i, label in enumerate(labels)}
    matrix = np.zeros((len(label_sets), len(labels)), dtype=int)
    for row, chosen in enumerate(label_sets):
        for label in chosen:
            matrix[row, index[label]] = 1
    return matrix
