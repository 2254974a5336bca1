"""is_ml at posting level: does the posting seek a role that builds, trains, deploys or applies ML/AI?

The model reads a posting as its text plus the families of the skills the extractor found
in it. Features: TF-IDF over the post's words (1-2-grams); three strong cues, whether the
ML-role pattern of ``etl.is_ml`` fires in the header line and anywhere in the text, and
whether the header names an ML field as an item of its role list (5-fold CV F1 on the
training labels 0.863 -> 0.879, better in each of three fold seeds); and
how many classic-ML, MLOps and LLM skills the posting names. HN posts often list several
roles at once; the classifier sees them all.
"""

from __future__ import annotations

import numpy as np
import polars as pl
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


def role_cues(rows) -> np.ndarray:
    """Three columns: the ML-role pattern fires in the header line; it fires anywhere; the
    header names an ML field as an item of its role list ("Backend, Firmware, AI |")."""
    text = pl.Series("text", texts_of(rows), dtype=pl.String).fill_null("")
    header = text.str.split_exact("\n", 1).struct.field("field_0")
    return np.column_stack([header.str.contains(IS_ML_POLARS).to_numpy(),
                            text.str.contains(IS_ML_POLARS).to_numpy(),
                            header.str.contains(ML_FIELD_ITEM_POLARS).to_numpy()]).astype(float)


def family_counts(rows) -> np.ndarray:
    """log(1 + number of skills found) per ML family."""
    counts = np.array([[families.count(family) for family in FAMILIES] for _, families in rows], dtype=float)
    return np.log1p(counts).reshape(-1, len(FAMILIES))


def new_model() -> Pipeline:
    return Pipeline([
        ("features", FeatureUnion([
            ("words", make_pipeline(FunctionTransformer(texts_of), NgramCounter(min_df=2, max_features=50_000),
                                    TfidfTransformer(sublinear_tf=True))),
            ("cues", FunctionTransformer(role_cues)),
            ("families", FunctionTransformer(family_counts)),
        ])),
        # C chosen by 5-fold cross-validation on the training labels (1, 2, 4, 16 tried).
        ("classifier", LogisticRegression(C=1.0, class_weight="balanced", max_iter=3000)),
    ])
