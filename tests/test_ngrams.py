"""NgramCounter counts the same n-grams as scikit-learn's CountVectorizer, batch-wise in Polars."""

from __future__ import annotations

import pickle

import numpy as np
import pytest
from sklearn.feature_extraction.text import CountVectorizer

from etl.classify.ngrams import NgramCounter

DOCUMENTS = [
    "Deploy models to production; build RAG pipelines!",
    "We deploy, we monitor.\n- Train PyTorch models\n- Ship C++ and C# code",
    "",
    "x",
    "Ünïcode wörds, naïve café — déployer des modèles",
    "deploy deploy deploy models models",
]


def _aligned(ours: NgramCounter, theirs: CountVectorizer, documents):
    columns = [theirs.vocabulary_[gram] for gram in ours.vocabulary_]
    return ours.transform(documents).toarray(), theirs.transform(documents)[:, columns].toarray()


@pytest.mark.parametrize("ngram_range,min_df", [((1, 1), 1), ((1, 2), 1), ((1, 3), 2)])
def test_word_ngrams_match_count_vectorizer(ngram_range, min_df):
    ours = NgramCounter(ngram_range=ngram_range, min_df=min_df).fit(DOCUMENTS)
    theirs = CountVectorizer(ngram_range=ngram_range, min_df=min_df).fit(DOCUMENTS)
    assert ours.vocabulary_ == sorted(theirs.vocabulary_)
    mine, reference = _aligned(ours, theirs, DOCUMENTS + ["unseen words deploy models"])
    np.testing.assert_array_equal(mine, reference)


def test_character_ngrams_within_words_match_char_wb():
    ours = NgramCounter(analyzer="char_wb", ngram_range=(2, 5)).fit(DOCUMENTS)
    theirs = CountVectorizer(analyzer="char_wb", ngram_range=(2, 5)).fit(DOCUMENTS)
    assert ours.vocabulary_ == sorted(theirs.vocabulary_)
    # Counted per distinct word and summed per document: repeats and unseen words included.
    mine, reference = _aligned(ours, theirs, DOCUMENTS + ["unseen wörds, deploy deploy models", "   "])
    np.testing.assert_array_equal(mine, reference)


def test_character_ngrams_of_a_batch_without_words():
    counter = NgramCounter(analyzer="char_wb", ngram_range=(2, 3)).fit(DOCUMENTS)
    assert counter.transform(["", " \n "]).shape == (2, len(counter.vocabulary_))
    assert counter.transform(["", " \n "]).nnz == 0


def test_max_features_keeps_the_most_frequent_grams():
    ours = NgramCounter(ngram_range=(1, 1), max_features=2).fit(DOCUMENTS)
    assert ours.vocabulary_ == ["deploy", "models"]


def test_saved_counter_is_byte_identical_after_use():
    counter = NgramCounter().fit(DOCUMENTS)
    before = pickle.dumps(counter)
    counter.transform(DOCUMENTS)  # builds the vocabulary cache
    assert pickle.dumps(counter) == before


def test_refitting_replaces_the_vocabulary_used_by_transform():
    counter = NgramCounter(ngram_range=(1, 1)).fit(["alpha beta"])
    counter.transform(["alpha"])
    counter.fit(["gamma delta epsilon"])
    assert counter.transform(["epsilon gamma"]).toarray().tolist() == [[0, 1, 1]]


def test_unknown_analyzer_is_a_clear_error():
    with pytest.raises(ValueError, match="Unknown analyzer"):
        NgramCounter(analyzer="chars").fit(DOCUMENTS)


def test_word_ngrams_of_unknown_words_and_repeats_are_counted_by_number_as_by_string():
    ours = NgramCounter(ngram_range=(1, 3)).fit(DOCUMENTS)
    theirs = CountVectorizer(ngram_range=(1, 3)).fit(DOCUMENTS)
    batch = ["deploy models deploy models", "zzz deploy models zzz", "models", "", "zzz"]
    mine, reference = _aligned(ours, theirs, batch)
    np.testing.assert_array_equal(mine, reference)


def test_word_ngrams_fall_back_to_strings_when_their_numbers_would_not_fit(monkeypatch):
    from etl.classify import ngrams
    monkeypatch.setattr(ngrams, "MAX_KEY", 10)  # as if the vocabulary had billions of words
    ours = NgramCounter(ngram_range=(1, 2)).fit(DOCUMENTS)
    theirs = CountVectorizer(ngram_range=(1, 2)).fit(DOCUMENTS)
    assert ours._word_tables()[2] is None
    mine, reference = _aligned(ours, theirs, DOCUMENTS + ["zzz deploy models"])
    np.testing.assert_array_equal(mine, reference)
