"""is_ml at posting level: does the posting seek a role that builds, trains, deploys or applies ML/AI?

The model reads a posting as its text plus the families of the skills the extractor found
in it. Features: TF-IDF over the post's words (1-2-grams); TF-IDF over the words of its
header line apart (the job title on job boards, "Company | Role | Place" on HN), so that a
word can weigh differently in the title than in the body ("Product Manager, AI Features" is
no ML role, though its body talks of models); three strong cues, whether the
ML-role pattern of ``etl.is_ml`` fires in the header line and anywhere in the text, and
whether the header names an ML field as an item of its role list (5-fold CV F1 on the
training labels 0.863 -> 0.879, better in each of three fold seeds), counted twice
(``CUE_WEIGHT``); and
how many classic-ML, MLOps and LLM skills the posting names. HN posts often list several
roles at once; the classifier sees them all.

The header words were chosen by 5-fold cross-validation over the project's labelled training
postings, real and authored in the folds, three fold seeds pooled (2026-11-23): real HN F1
0.887 -> 0.896 (false positives 51 -> 36, misses 111 -> 112); authored job-board
descriptions as good or better for every board style (LinkedIn 0.812 -> 0.848, Glassdoor
0.844 -> 0.885, Indeed 0.980 -> 1.000, the others equal); authored HN comments 0.946 either way.

Every feature has a second copy that is zero except in board-shaped posts (``board_shaped``:
fewer than two pipes in the header, at least ``BOARD_MIN_CHARS`` long), so that the boards can weigh
a word differently from HN comments (2026-11-24). Chosen with ``python -m etl.is_ml_cv``
(three fold seeds, trained with the 100 descriptions of ``authored_boards.*``): the first 98
authored job-board descriptions F1 0.950 -> 0.972 (false positives 20 -> 8), the new ones
0.884 -> 0.955, real HN 0.886 either way, authored HN comments 0.942 -> 0.938
(docs/extraction.md).
"""

from __future__ import annotations

import numpy as np
import polars as pl
from scipy import sparse
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.feature_extraction.text import TfidfTransformer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import FeatureUnion, Pipeline, make_pipeline
from sklearn.preprocessing import FunctionTransformer

from etl.classify.ngrams import NgramCounter
from etl.is_ml import IS_ML_POLARS, ML_FIELD_ITEM_POLARS


FAMILIES = ("classic_ml", "mlops", "llm")


def posting_rows(texts: list[str], mentions) -> list[tuple[str, tuple[str, ...]]]:
    """The model's input: each text with the family of every skill found in it."""
    return [(text, tuple(m.family for m in found)) for text, found in zip(texts, mentions)]


def texts_of(rows) -> list[str]:
    return [text for text, _ in rows]


HEADER_CHARS = 200  # a post written on one line (2% of 2023 HN comments) is no title


def headers_of(rows) -> list[str]:
    """Each post's first line, at most ``HEADER_CHARS`` of it: the job title on job boards,
    the header of an HN comment (cross-validation scores the same with 150 or 300)."""
    return [text.split("\n", 1)[0][:HEADER_CHARS] for text, _ in rows]


def role_cues(rows) -> np.ndarray:
    """Three columns: the ML-role pattern fires in the header line; it fires anywhere; the
    header names an ML field as an item of its role list ("Backend, Firmware, AI |")."""
    text = pl.Series("text", texts_of(rows), dtype=pl.String).fill_null("")
    header = text.str.split_exact("\n", 1).struct.field("field_0")
    return np.column_stack([header.str.contains(IS_ML_POLARS).to_numpy(),
                            text.str.contains(IS_ML_POLARS).to_numpy(),
                            header.str.contains(ML_FIELD_ITEM_POLARS).to_numpy()]).astype(float)


# The cues stand beside some 50,000 TF-IDF columns under one L2 penalty; doubled, they can
# weigh more for the same penalty (``python -m etl.is_ml_cv``, three fold seeds: real HN F1
# 0.887 -> 0.895, misses 108 -> 98, false positives 54 either way; 3x and 4x score the same).
CUE_WEIGHT = 2.0


def weighted_role_cues(rows) -> np.ndarray:
    return CUE_WEIGHT * role_cues(rows)


def family_counts(rows) -> np.ndarray:
    """log(1 + number of skills found) per ML family."""
    counts = np.array([[families.count(family) for family in FAMILIES] for _, families in rows], dtype=float)
    return np.log1p(counts).reshape(-1, len(FAMILIES))


# 90% of the 2023 HN comments with fewer than two pipes in their header are shorter than 1,670
# characters; 99% of the authored job-board descriptions are longer than 1,900.
BOARD_MIN_CHARS = 1000


def board_shaped(rows, min_chars: int = BOARD_MIN_CHARS) -> np.ndarray:
    """1.0 for a post shaped like a job-board description, else 0.0: at least ``min_chars``
    long, with fewer than two pipes in its header (``headers_of``: the first line, at most
    ``HEADER_CHARS`` of it). HN headers are "Company | Role | Place"; a job title given apart
    may hold one ("Data Scientist | Remote")."""
    return np.array([float(header.count("|") < 2 and len(text) >= min_chars)
                     for (text, _), header in zip(rows, headers_of(rows))])


class WithBoardCopy(BaseEstimator, TransformerMixin):
    """``features``, and beside them a copy that is zero except in board-shaped posts
    (Daume's "frustratingly easy" domain adaptation): the classifier learns weights that HN
    comments and job-board descriptions share, plus corrections for the boards, where a
    company's description of its AI surrounds roles that build none ("Analytics Engineer",
    "Technical Recruiter, Machine Learning & Research"). ``min_chars`` is saved with the model."""

    def __init__(self, features: FeatureUnion, min_chars: int = BOARD_MIN_CHARS):
        self.features = features
        self.min_chars = min_chars

    def fit(self, rows, y=None):
        self.features.fit(rows, y)
        return self

    def fit_transform(self, rows, y=None, **fit_params):
        return self._with_copy(rows, self.features.fit_transform(rows, y))

    def transform(self, rows):
        return self._with_copy(rows, self.features.transform(rows))

    def _with_copy(self, rows, shared):
        shared = sparse.csr_matrix(shared)
        return sparse.hstack([shared, sparse.diags(board_shaped(rows, self.min_chars)) @ shared], format="csr")


def new_model(board_copy: bool = True) -> Pipeline:
    """``board_copy=False``: without the board-shaped copy (``python -m etl.is_ml_cv``)."""
    features = FeatureUnion([
        ("words", make_pipeline(FunctionTransformer(texts_of), NgramCounter(min_df=2, max_features=50_000),
                                TfidfTransformer(sublinear_tf=True))),
        ("header", make_pipeline(FunctionTransformer(headers_of), NgramCounter(ngram_range=(1, 2), min_df=2),
                                 TfidfTransformer(sublinear_tf=True))),
        ("cues", FunctionTransformer(weighted_role_cues)),
        ("families", FunctionTransformer(family_counts)),
    ])
    return Pipeline([
        ("features", WithBoardCopy(features) if board_copy else features),
        # C chosen by 5-fold cross-validation on the training labels (1, 2, 4, 16 tried).
        ("classifier", LogisticRegression(C=1.0, class_weight="balanced", max_iter=3000)),
    ])
