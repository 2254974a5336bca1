"""is_ml at posting level: does the posting seek a role that builds, trains, deploys or applies ML/AI?

TF-IDF over the post's words (1–2-grams) plus two strong cues: whether the ML-role
pattern of ``etl.is_ml`` fires in the header line and anywhere in the text. HN posts often
list several roles at once; the classifier sees them all.
"""

from __future__ import annotations

import re

from sklearn.compose import ColumnTransformer
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer

from etl.is_ml import IS_ML_PATTERN

_ROLE = re.compile(IS_ML_PATTERN)


def _cues(texts) -> list[list[float]]:
    rows = []
    for text in texts:
        header = text.split("\n", 1)[0]
        rows.append([float(bool(_ROLE.search(header))), float(bool(_ROLE.search(text)))])
    return rows


def _cue_matrix(column):
    import numpy as np

    return np.array(_cues(column[:, 0]), dtype=float).reshape(-1, 2)


def new_model() -> Pipeline:
    return Pipeline([
        ("features", ColumnTransformer([
            ("words", TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True, max_features=50_000), 0),
            ("cues", FunctionTransformer(_cue_matrix), [0]),
        ])),
        ("classifier", LogisticRegression(C=4.0, class_weight="balanced", max_iter=3000)),
    ])


def as_column(texts: list[str]):
    import numpy as np

    return np.array(texts, dtype=object).reshape(-1, 1)
