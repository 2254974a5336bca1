"""Word or character n-gram counts for a whole batch of documents, counted by Polars.

scikit-learn's ``CountVectorizer`` tokenises and counts one document at a time in Python;
over 100,000 postings that loop was most of the extraction time. ``NgramCounter`` does
the same job (a fixed vocabulary of n-grams chosen at fit time, a sparse count matrix
out) with Polars' Rust regex, list and join kernels over the batch at once. Follow it with
``TfidfTransformer`` for TF-IDF.
"""

from __future__ import annotations

import numpy as np
import polars as pl
from scipy.sparse import coo_matrix, csr_matrix
from sklearn.base import BaseEstimator, TransformerMixin

WORDS = r"\b\w\w+\b"
MAX_KEY = 2**62  # integer n-gram keys stay below this


class NgramCounter(TransformerMixin, BaseEstimator):
    """Counts of n-grams per document over a vocabulary fixed at fit time.

    ``analyzer="word"``: word n-grams (tokens by ``token_pattern``), n in ``ngram_range``.
    ``analyzer="char_wb"``: character n-grams inside each whitespace-separated word padded
    with one space each side (like scikit-learn's ``char_wb``), n in ``ngram_range``.
    """

    def __init__(self, analyzer: str = "word", ngram_range: tuple[int, int] = (1, 2), min_df: int = 1,
                 max_features: int | None = None, token_pattern: str = WORDS):
        self.analyzer = analyzer
        self.ngram_range = ngram_range
        self.min_df = min_df
        self.max_features = max_features
        self.token_pattern = token_pattern

    def _grams(self, documents) -> pl.DataFrame:
        """One row per (document number, n-gram occurrence)."""
        text = pl.Series("text", list(documents), dtype=pl.String).fill_null("").str.to_lowercase()
        pattern = r"\S+" if self.analyzer == "char_wb" else self.token_pattern
        tokens = (pl.DataFrame({"gram": text.str.extract_all(pattern)})
                  .with_row_index("doc").explode("gram").drop_nulls("gram"))
        return self._grams_of_tokens(tokens)

    def _grams_of_tokens(self, tokens: pl.DataFrame) -> pl.DataFrame:
        """(doc, token) rows, in document order, to (doc, n-gram) rows."""
        low, high = self.ngram_range
        if self.analyzer == "char_wb":
            return pl.concat([self._char_grams(tokens, n) for n in range(low, high + 1)])
        if self.analyzer != "word":
            raise ValueError(f"Unknown analyzer {self.analyzer!r}: use 'word' or 'char_wb'.")
        return pl.concat([self._word_grams(tokens, n) for n in range(low, high + 1)])

    @staticmethod
    def _word_grams(tokens: pl.DataFrame, n: int) -> pl.DataFrame:
        if n == 1:
            return tokens
        shifted = [pl.col("gram").shift(-k) for k in range(n)]
        return (tokens.select("doc", pl.concat_str(shifted, separator=" ").alias("gram"),
                              _within_one_document(n).alias("keep"))
                .filter("keep").drop("keep"))

    @staticmethod
    def _char_grams(tokens: pl.DataFrame, n: int) -> pl.DataFrame:
        padded = tokens.select("doc", (pl.lit(" ") + pl.col("gram") + pl.lit(" ")).alias("word"))
        starts = pl.int_ranges(0, pl.col("word").str.len_chars().cast(pl.Int64) - n + 1)  # signed: no wrap-around
        return (padded.with_columns(starts.alias("at"))
                .explode("at").drop_nulls("at")
                .select("doc", pl.col("word").str.slice(pl.col("at"), n).alias("gram")))

    def fit(self, documents, y=None):
        counts = (self._grams(documents).unique().group_by("gram").len()
                  .filter(pl.col("len") >= self.min_df))
        if self.max_features is not None:
            counts = counts.sort(["len", "gram"], descending=[True, False]).head(self.max_features)
        self.vocabulary_ = sorted(counts["gram"].to_list())
        self._frame = self._tables = None  # a refit invalidates the cached vocabulary tables
        return self

    def _vocabulary_frame(self) -> pl.DataFrame:
        frame = getattr(self, "_frame", None)
        if frame is None:
            frame = pl.DataFrame({"gram": self.vocabulary_}, schema={"gram": pl.String}).with_row_index("column")
            self._frame = frame
        return frame

    def transform(self, documents):
        documents = list(documents)
        if self.analyzer == "char_wb":
            return self._char_counts(documents)
        if self.analyzer != "word":
            raise ValueError(f"Unknown analyzer {self.analyzer!r}: use 'word' or 'char_wb'.")
        return self._word_counts(documents)

    def _word_counts(self, documents) -> csr_matrix:
        """Word n-grams counted by number instead of by string: each token becomes the number
        of its word among the words the vocabulary's n-grams are made of (unknown words
        none), an n-gram the base-(W+1) number its words' numbers make, and only those
        integers meet the vocabulary. No n-gram string is built for the batch."""
        words, numbers, keys = self._word_tables()
        base = len(words) + 1
        if keys is None:  # n-gram numbers would not fit in 64 bits: count by string
            cells = self._grams(documents).join(self._vocabulary_frame(), on="gram", how="inner")
            return _count_matrix(cells["doc"], cells["column"], (len(documents), len(self.vocabulary_)))
        text = pl.Series("text", documents, dtype=pl.String).fill_null("").str.to_lowercase()
        digits = (pl.DataFrame({"word": text.str.extract_all(self.token_pattern)}).with_row_index("doc")
                  .explode("word").drop_nulls("word")
                  .select("doc", (pl.col("word").replace_strict(words, numbers, default=None,
                                                                return_dtype=pl.Int64)).alias("digit")))
        low, high = self.ngram_range
        parts = []
        for n in range(low, high + 1):
            key = pl.col("digit")
            for k in range(1, n):
                key = key * base + pl.col("digit").shift(-k)
            parts.append(digits.select("doc", pl.when(_within_one_document(n)).then(key).alias("key"))
                         .drop_nulls("key"))
        cells = pl.concat(parts).join(keys, on="key", how="inner")
        return _count_matrix(cells["doc"], cells["column"], (len(documents), len(self.vocabulary_)))

    def _word_tables(self) -> tuple[pl.Series, pl.Series, pl.DataFrame | None]:
        """The words of the vocabulary's n-grams with their numbers (1, 2, ...; as Series,
        which Polars maps words by faster than Python lists), and each n-gram's number with
        its column (None when the numbers would not fit in 64 bits)."""
        tables = getattr(self, "_tables", None)
        if tables is None:
            grams = [gram.split(" ") for gram in self.vocabulary_]
            words = sorted({word for gram in grams for word in gram})
            digit = {word: number for number, word in enumerate(words, 1)}
            base = len(words) + 1
            keys = None
            if base ** self.ngram_range[1] < MAX_KEY:
                numbers = []
                for gram in grams:
                    key = 0
                    for word in gram:
                        key = key * base + digit[word]
                    numbers.append(key)
                keys = pl.DataFrame({"key": numbers, "column": range(len(grams))},
                                    schema={"key": pl.Int64, "column": pl.UInt32})
            tables = self._tables = (pl.Series("word", words, dtype=pl.String),
                                     pl.Series("digit", range(1, base), dtype=pl.Int64), keys)
        return tables

    def _char_counts(self, documents) -> csr_matrix:
        """Character n-grams stay inside words, so a document's counts are the sum of its
        words' counts: (documents x distinct words) @ (distinct words x n-grams). Each
        distinct word of the batch is cut into n-grams once instead of at every occurrence."""
        text = pl.Series("text", documents, dtype=pl.String).fill_null("").str.to_lowercase()
        occurrences = (pl.DataFrame({"word": text.str.extract_all(r"\S+")}).with_row_index("doc")
                       .explode("word").drop_nulls("word").group_by("doc", "word").len())
        words = occurrences.select(pl.col("word").unique()).with_row_index("doc")  # "doc": one word
        per_word = self._grams_of_tokens(words.rename({"word": "gram"}))
        cells = per_word.join(self._vocabulary_frame(), on="gram", how="inner")
        word_grams = _count_matrix(cells["doc"], cells["column"], (len(words), len(self.vocabulary_)))
        placed = occurrences.join(words.rename({"doc": "word_row"}), on="word")
        doc_words = csr_matrix((placed["len"].to_numpy().astype(np.float64),
                                (placed["doc"].to_numpy(), placed["word_row"].to_numpy())),
                               shape=(len(documents), len(words)))
        counts = (doc_words @ word_grams).tocsr()
        counts.sort_indices()
        return counts

    def get_feature_names_out(self, input_features=None):
        return np.asarray(self.vocabulary_, dtype=object)

    def __getstate__(self):
        state = super().__getstate__()
        state.pop("_frame", None)  # caches; keeps the saved model's bytes reproducible
        state.pop("_tables", None)
        return state


def _within_one_document(n: int) -> pl.Expr:
    """Whether the n tokens starting at each row belong to the same document."""
    same = pl.lit(True)
    for k in range(1, n):
        same = same & (pl.col("doc").shift(-k) == pl.col("doc"))
    return same


def _count_matrix(rows: pl.Series, columns: pl.Series, shape: tuple[int, int]) -> csr_matrix:
    """A CSR matrix counting each (row, column) pair: repeated pairs are summed when the
    COO triples become CSR."""
    ones = np.ones(len(rows), dtype=np.float64)
    return coo_matrix((ones, (rows.to_numpy(), columns.to_numpy())), shape=shape).tocsr()
