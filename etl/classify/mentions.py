"""Is this mention of a short or ambiguous alias (``Go``, ``R``, ``Ray``, ``Spark``) the skill?

Features are tokens of the mention's context: the alias, the words just before and after
it (by position, as pairs and as a bag), and shape cues (sentence start, list context,
all-caps line, a following hyphen or possessive, the capitalisation of the alias and of its
neighbours), the last letters of the neighbouring words, the words of the whole sentence,
and how many unambiguous skills stand nearby. A logistic regression over hashed features.
"""

from __future__ import annotations

import functools
import re
import tomllib
from bisect import bisect_left, bisect_right
from itertools import accumulate, chain
from operator import add
from pathlib import Path

import numpy as np
from scipy.sparse import csr_matrix
from sklearn.feature_extraction import FeatureHasher
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import Normalizer
from sklearn.utils import murmurhash3_32

WORD = re.compile(r"\w+|[^\w\s]")
WINDOW_CHARS = 80
WINDOW_TOKENS = 6
NEAR_CHARS = 80
SENTENCE_REACH = 300  # at most this many characters of the sentence on either side
LINE_REACH = 200  # the all-caps test reads at most this much of the line on either side
SENTENCE_WORD = re.compile(r"[A-Za-z][\w+#.-]*")
_LOWER_SENTENCE_WORD = re.compile(r"[a-z][\w+#.-]*")  # SENTENCE_WORD in lower-cased ASCII text
# Case-insensitive aliases with a common meaning in another field: alias -> that meaning.
OTHER_MEANINGS: dict[str, str] = tomllib.loads(Path(__file__).with_name("other_meanings.toml").read_text(encoding="utf-8"))
# Case-insensitive aliases that are also ordinary words or names, and those with a common
# meaning in another field (OTHER_MEANINGS); with every case-sensitive alias (R, Go,
# Spark...) these are the mentions the classifier judges.
AMBIGUOUS_WORDS = frozenset({
    "airflow", "bash", "cassandra", "copilot", "flask", "flutter", "kafka", "llama", "mistral", "pandas",
    "parquet", "pinecone", "presto", "prometheus", "python", "react", "ruby", "snowflake", "tableau",
    "transformer", "transformers", "regression", "classification", "clustering", "forecasting", "statistics",
    "robotics", "serverless", "recommender", "chatbot", "chatbots", "express", "spring", "rails", "ray",
    "spark", "swift", "julia", "scala", "excel", "claude", "gemini", "chroma", "feast", "triton", "helm",
    "hive", "oracle", "node", "go", "r", "c", "rust", "jenkins", "elixir", "haskell", "gpt", "embeddings",
    "agentic", "git",
}) | frozenset(OTHER_MEANINGS)


# General words ("machine learning", "big data") mean the same wherever they stand, but these
# acronyms of theirs mean other things in other trades: artificial insemination or an
# Illustrator file (AI), millilitres (ML), adjusted gross income (AGI).
JUDGED_GENERAL_ACRONYMS = frozenset({"ai", "a.i.", "ml", "agi"})
# Judged words that technical postings name often: the classifier is asked about them only
# when no unambiguous skill stands within NEAR_CHARS (a dock worker or a sales lead stands
# apart; "Docker, Kubernetes" does not), and a lone one is taken without asking when its
# skill is taken elsewhere in the text (SkillTagger.accepted_candidates). Asking about every
# docker/SQL/terraform/azure cost the skills path 1.7 points of the bare scan's speed (25.5%
# against 27.2%, interleaved on 50,000 generated postings).
JUDGED_WHEN_ALONE = frozenset({"docker", "sql", "terraform", "azure", "computer vision"}) | JUDGED_GENERAL_ACRONYMS


def is_ambiguous(alias_text: str, exact: bool, category: str) -> bool:
    """Does this match need the classifier? General words ("AI", "machine learning") only
    when they are one of ``JUDGED_GENERAL_ACRONYMS``."""
    if category == "general":
        return alias_text.lower() in JUDGED_GENERAL_ACRONYMS
    return exact or alias_text.lower() in AMBIGUOUS_WORDS


def nearby_counts(sure_spans: list[tuple[int, int]], spans: list[tuple[int, int]]) -> list[int]:
    """For each mention at ``spans``, how many unambiguous skills stand within NEAR_CHARS
    of it: "Go, Python and Postgres" is a stack list, "Go deep on customer problems" is not.
    ``sure_spans`` are in text order and do not overlap, so their ends are in order too:
    those ending too early form a prefix, those starting early enough another."""
    starts = [lo for lo, _ in sure_spans]
    ends = [hi for _, hi in sure_spans]
    return [max(0, bisect_left(starts, end + NEAR_CHARS) - bisect_right(ends, start - NEAR_CHARS))
            for start, end in spans]


_SENTENCE_ENDS = frozenset(".!?:\n")
_LIST_MARKS = frozenset((",", "/", "|", "&"))
_JOINERS = frozenset(("-", "'", "’"))
_LEFT_NAMES = ("l1=", "l2=", "l3=")  # the nearest word first
_RIGHT_NAMES = ("r1=", "r2=", "r3=")


def mention_features(text: str, start: int, end: int, nearby: int) -> list[str]:
    """Feature tokens of one mention; ``nearby``: its count from ``nearby_counts``.
    Mostly concatenation, ``map`` and set tests rather than f-strings and generators: this
    runs for every judged mention."""
    alias = text[start:end]
    a = alias.lower()
    left, right = _words_before(text, start), _words_after(text, end)
    left_lower = [w.lower() for w in left]
    right_lower = [w.lower() for w in right]
    l1 = left_lower[-1] if left else "^"
    r1 = right_lower[0] if right else "$"
    with_alias = "a=" + a + "|"
    features = ["alias=" + alias, "alias_lower=" + a,
                *map(add, _LEFT_NAMES, left_lower[:-4:-1]), *map(add, _RIGHT_NAMES, right_lower),
                *["L=" + w for w in left_lower], *["R=" + w for w in right_lower],
                with_alias + "l1=" + l1, with_alias + "r1=" + r1]
    if not left or left[-1] in _SENTENCE_ENDS:
        features.append("sentence_start")
    if not _LIST_MARKS.isdisjoint(left[-2:]) or not _LIST_MARKS.isdisjoint(right[:2]):
        features.append("list_context")
    if _line_around(text, start, end).isupper():
        features.append("caps_line")
    if right and right[0] in _JOINERS:
        features.append("next=" + right[0])
    # Word shapes tell a name or a title ("Ray Dalio", "Spark Innovation Across Teams")
    # from a tool in running text; word pairs catch idioms ("go ahead", "react quickly").
    before = _shape(left[-1]) if left else "none"
    after = _shape(right[0]) if right else "none"
    features += ["ashape=" + _shape(alias), "lshape=" + before, "rshape=" + after,
                 with_alias + "lshape=" + before, with_alias + "rshape=" + after]
    if len(left) >= 2:
        features.append("l21=" + left_lower[-2] + "_" + l1)
    if len(right) >= 2:
        features.append("r12=" + r1 + "_" + right_lower[1])
    features.append("near=" + str(min(nearby, 3)))
    # Suffixes generalise over word forms ("Go exploring", "Spark-ing", "Swiftly"); the
    # sentence's words say what it is about ("hiking", "payroll") beyond the six-word window.
    if left:
        features.append("lsuf=" + l1[-3:])
    if right:
        features += ["rsuf=" + r1[-3:], with_alias + "rsuf=" + r1[-3:]]
    features += _sentence_words(_sentence_around(text, start, end))
    if a in JUDGED_GENERAL_ACRONYMS:
        # Features of their own: their many real mentions, nearly all the skill, would
        # otherwise teach that any capitalised acronym before a title word is a tool
        # ("Site Engineer, HPC Project" went from 0.39 to 0.58 with them shared).
        return ["general|" + feature for feature in features]
    return features


def _sentence_words(sentence: str) -> list[str]:
    """``"S=" + word.lower()`` for each SENTENCE_WORD of ``sentence``. An ASCII sentence is
    lower-cased once, which gives the same words: outside ASCII, lower-casing can change
    what matches (the Kelvin sign lower-cases to "k")."""
    if sentence.isascii():
        return ["S=" + w for w in _LOWER_SENTENCE_WORD.findall(sentence.lower())]
    return ["S=" + w.lower() for w in SENTENCE_WORD.findall(sentence)]


def _words_before(text: str, start: int) -> list[str]:
    """The last WINDOW_TOKENS tokens in the WINDOW_CHARS characters before ``start``, read
    from a window half as wide when that holds more of them: the window's first token may be
    cut, but then it is not among those kept, and every later token is the same."""
    words = WORD.findall(text, max(0, start - WINDOW_CHARS // 2), start)
    if len(words) <= WINDOW_TOKENS and start > WINDOW_CHARS // 2:
        words = WORD.findall(text, max(0, start - WINDOW_CHARS), start)
    return words[-WINDOW_TOKENS:]


def _words_after(text: str, end: int) -> list[str]:
    """The first WINDOW_TOKENS tokens in the WINDOW_CHARS characters after ``end``, read the
    same way (there the window's last token may be cut)."""
    words = WORD.findall(text, end, end + WINDOW_CHARS // 2)
    if len(words) <= WINDOW_TOKENS and end + WINDOW_CHARS // 2 < len(text):
        words = WORD.findall(text, end, end + WINDOW_CHARS)
    return words[:WINDOW_TOKENS]


def _line_around(text: str, start: int, end: int) -> str:
    """The mention's line, at most LINE_REACH characters either side: a mention on a long
    line must not cost the whole line (quadratic when a line holds many mentions)."""
    lo, hi = max(0, start - LINE_REACH), end + LINE_REACH
    lo = text.rfind("\n", lo, start) + 1 or lo
    stop = text.find("\n", end, hi)
    return text[lo: stop if stop != -1 else hi]


def _sentence_around(text: str, start: int, end: int) -> str:
    """An approximation of the mention's sentence, cheap to find: from the last newline or
    ". " before it to the next after it, at most SENTENCE_REACH characters either side (a
    question mark or "e.g." does not end it; a word cut by the reach stays a token)."""
    lo, hi = max(0, start - SENTENCE_REACH), end + SENTENCE_REACH
    lo = max(text.rfind("\n", lo, start), text.rfind(". ", lo, start), lo - 1) + 1
    stop = text.find("\n", end, hi)
    if stop == -1:
        stop = hi
    period = text.find(". ", end, stop)  # only one before the line's end can end it first
    return text[lo:stop if period == -1 else period]


def _shape(word: str) -> str:
    if not word:
        return "none"
    if word.isupper():
        return "UP"
    if word[0].isupper():
        return "Cap"
    return "low" if word[0].islower() else "sym"


class TokenColumns:
    """``FeatureHasher.transform`` for lists of string tokens (values 1, no alternating
    sign), with each token's column remembered: mentions share most tokens ("alias=Go",
    "near=0"), and hashing them again for every mention cost more than the classifier."""

    MAX_REMEMBERED = 200_000  # tokens; about 12 MiB of columns, then forgotten and relearnt

    def __init__(self, n_features: int, dtype=np.float64):
        self.n_features, self.dtype = n_features, dtype
        self.columns: dict[str, int] = {}

    @staticmethod
    def like(hasher: FeatureHasher) -> TokenColumns:
        """The columns of ``hasher``, shared by every hasher with its settings (they depend
        on nothing else)."""
        if hasher.input_type != "string" or hasher.alternate_sign:
            raise ValueError("TokenColumns reproduces only FeatureHasher(input_type='string', alternate_sign=False).")
        return _shared_columns(hasher.n_features, np.dtype(hasher.dtype))

    def remember(self, tokens: list[str]) -> None:
        """Learn the columns of the tokens not seen yet. Finding them is a set difference (a
        C loop): a Python loop over every token of a batch cost a tenth of the skills path."""
        unseen = set(tokens).difference(self.columns)
        if len(self.columns) + len(unseen) > self.MAX_REMEMBERED:
            self.columns.clear()
            unseen = set(tokens)
        for token in unseen:
            self.columns[token] = abs(murmurhash3_32(token, seed=0)) % self.n_features

    def transform(self, rows: list[list[str]]) -> csr_matrix:
        indptr = np.fromiter(accumulate(map(len, rows), initial=0), dtype=np.int64, count=len(rows) + 1)
        total = int(indptr[-1])
        try:  # C loops straight into the array, no list of tokens: 5.5 -> 4.0 us per mention
            columns = np.fromiter(map(self.columns.get, chain.from_iterable(rows)), dtype=np.int32, count=total)
        except TypeError:  # an unseen token's column is None
            self.remember(list(chain.from_iterable(rows)))
            columns = np.fromiter(map(self.columns.get, chain.from_iterable(rows)), dtype=np.int32, count=total)
        matrix = csr_matrix((np.ones(total, dtype=self.dtype), columns, indptr), shape=(len(rows), self.n_features))
        matrix.sum_duplicates()  # a token twice in a row counts 2, as FeatureHasher sums it
        return matrix


@functools.lru_cache(maxsize=4)
def _shared_columns(n_features: int, dtype: np.dtype) -> TokenColumns:
    return TokenColumns(n_features, dtype)


def accept_probabilities(model: Pipeline, rows: list[list[str]]) -> np.ndarray:
    """``model.predict_proba(rows)[:, 1]`` of a ``new_model()`` pipeline, with its hashing step
    done by ``TokenColumns`` (the same matrix, faster)."""
    return model[1:].predict_proba(TokenColumns.like(model.steps[0][1]).transform(rows))[:, 1]


def new_model() -> Pipeline:
    return Pipeline([
        # Hashing the token lists as they are (what HashingVectorizer does after splitting
        # a joined string back into them), then scaling each mention's vector to length 1.
        ("features", FeatureHasher(n_features=2**18, input_type="string", alternate_sign=False)),
        ("scale", Normalizer()),
        # Unweighted classes: balanced weights rejected more authored negatives but lost 3%
        # of real-posting skills in 5-fold cross-validation. Features were chosen by
        # training on real mentions plus all but one author's contexts and testing on the
        # remaining author's (three authors: L15, L23, L27): the shape and pair features,
        # then the count of unambiguous skills nearby (precision 0.74 -> 0.83), then the
        # neighbours' suffixes, the sentence's words and C=32 instead of 8 (precision per
        # held-out author 0.855/0.844/0.732 -> 0.889/0.884/0.742 at equal recall; real-posting
        # skills kept in 5-fold CV 98.7% -> 98.8%). A fourth author's whole postings
        # (contexts.L32), left out: precision 0.87, recall 0.96. A fifth author's hard contexts
        # (contexts.L35) raised every other author's left-out precision (L27 0.761 -> 0.798)
        # for 0.14% of real skills in 5-fold CV; a sixth author's passages (contexts.L36) lifted
        # them again (L27 0.809, L32 0.902) with real skills kept back at 98.75%; two more
        # authors' whole postings (L37, L38) to L27 0.840, L32 0.934 (real skills 98.68%).
        # ACCEPT stays 0.5: a threshold of 0.8 would reach ~0.95 precision on two authors'
        # contexts but drop 1.7% of real skills.
        ("classifier", LogisticRegression(C=32.0, max_iter=2000)),
    ])
