"""Tag postings: skills (with evidence), families, is_ml and responsibilities, in batches.

The Aho-Corasick matcher (``etl.skills``) proposes candidates; mentions of short or
ambiguous aliases go through the disambiguation classifier; ``is_ml`` and the sentence
classifiers are scikit-learn models shipped in ``etl/models/``. Everything runs over a
batch at once, so each model is called once per batch, not once per posting.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field

from etl.classify import artifacts
from etl.classify.distinct import distinct_rows, on_distinct
from etl.classify.mentions import (
    JUDGED_WHEN_ALONE, accept_probabilities, is_ambiguous, mention_features, nearby_counts,
)
from etl.classify.postings import posting_rows
from etl.classify.sentences import responsibility_probabilities, sentence_features, skill_token
from etl.held_settings import gc_paused, quick_thread_switches
from etl.labelled import RESPONSIBILITIES
from etl.sentences import sentences_and_view
from etl.skills import Candidate, Mention, SkillExtractor
from etl.taxonomy import Taxonomy, load_taxonomy

EXTRACTOR_VERSION = "aho-1.4+clf-2.8"  # 1.3: skills named in a job title kept apart; 1.4: evidence ends at a list mark
ACCEPT = 0.5
MODEL_NAMES = ("disambiguation", "is_ml", "sentence_kind", "responsibilities")


def require_models() -> None:
    """Raise ``ModelMissing`` (one sentence) unless every trained model is there."""
    for name in MODEL_NAMES:
        artifacts.require(name)


def extractor_version() -> str:
    """The code version plus a digest of the trained models: retraining re-tags history."""
    digest = hashlib.sha1()
    for name in MODEL_NAMES:
        path = artifacts.models_dir() / f"{name}.joblib"
        digest.update(path.read_bytes() if path.exists() else name.encode())
    return f"{EXTRACTOR_VERSION}:{digest.hexdigest()[:8]}"


def title_apart(text: str, title: str | None) -> str | None:
    """The job title, stripped, when the text does not already name it in its first line
    (job boards keep it apart; an HN header, ``Company | Title | Location``, is in the text)."""
    title = (title or "").strip()
    return title if title and title.lower() not in text.split("\n", 1)[0].lower() else None


def with_titles(texts: list[str], titles: list[str | None]) -> list[str]:
    """Each text with its title as a first line, unless that line already names it."""
    return [f"{apart}\n{text}" if (apart := title_apart(text, title)) else text
            for text, title in zip(texts, titles)]


def predict_responsibilities(kind_model, responsibility_model, features: list[str],
                             kinds: list[str] | None = None) -> tuple[list[str], list[list[str]]]:
    """Each sentence's predicted kind and, for the responsibility sentences, the
    responsibilities whose probability reaches ACCEPT (in ``RESPONSIBILITIES`` order, the
    model's columns). Repeated sentences are classified once (``on_distinct``). ``kinds``:
    the sentences' labelled kinds, to use instead of ``kind_model``'s (cross-validation)."""
    if not features:
        return [], []
    if kinds is None:
        kinds = on_distinct(kind_model.predict, features).tolist()
    labels: list[list[str]] = [[] for _ in features]
    chosen = [i for i, kind in enumerate(kinds) if kind == "responsibility"]
    if chosen:
        probabilities = on_distinct(lambda rows: responsibility_probabilities(responsibility_model, rows),
                                    [features[i] for i in chosen])
        for i, row in zip(chosen, probabilities):
            labels[i] = [label for label, p in zip(RESPONSIBILITIES, row) if p >= ACCEPT]
    return kinds, labels


@dataclass
class Responsibility:
    label: str
    sentence: str
    start: int
    end: int


@dataclass
class Extraction:
    is_ml: bool
    skills: list[Mention]
    responsibilities: list[Responsibility] = field(default_factory=list)

    @property
    def families(self) -> list[str]:
        return sorted({mention.family for mention in self.skills})


def judged_when_alone(text: str, candidate: Candidate) -> bool:
    """Is this candidate's word one the classifier judges only when alone (``JUDGED_WHEN_ALONE``)?"""
    return text[candidate.start:candidate.end].lower() in JUDGED_WHEN_ALONE


class SkillTagger:
    """Candidate matching plus the disambiguation classifier: the skills of each text."""

    def __init__(self, taxonomy: Taxonomy, disambiguator=None):
        self.skills = SkillExtractor(taxonomy, needs_judging=lambda alias, exact, skill: is_ambiguous(
            alias, exact, skill.category))
        self.disambiguator = disambiguator
        self._skill_tokens = [skill_token(skill) for skill in self.skills.skills]

    @staticmethod
    def split_by_judging(found: list[Candidate]) -> tuple[list[Candidate], list[tuple[int, int]]]:
        """The candidates the classifier must judge, and the spans of the unambiguous rest
        (a phrase such as "deploying models" is neither: not a word to judge, nor a listed tool)."""
        return ([c for c in found if c.judge],
                [(c.start, c.end) for c in found if not c.judge and not c.phrase])

    @staticmethod
    def features_for(text: str, spans: list[tuple[int, int]], sure: list[tuple[int, int]]) -> list[list[str]]:
        """Disambiguation features of the mentions at ``spans``; ``sure``: the spans of the
        text's unambiguous skills (from ``split_by_judging``)."""
        return [mention_features(text, start, end, nearby)
                for (start, end), nearby in zip(spans, nearby_counts(sure, spans))]

    def accepted_candidates(self, texts: list[str]) -> list[list[Candidate]]:
        """Candidates per text, with ambiguous ones the classifier rejects removed. A word
        judged only when alone (``JUDGED_WHEN_ALONE``: "docker", "SQL", "AI") is taken without
        asking the classifier when an unambiguous skill stands near it (among tools it is a
        tool) or when its skill is already taken elsewhere in the text without asking: one
        sense per posting, as a posting that spells out "machine learning" means it by "ML"."""
        per_text = [self.skills.candidates(text) for text in texts]
        features, asked = [], []
        for text, found in zip(texts, per_text):
            judged, sure = self.split_by_judging(found)
            if not judged:
                continue
            nearby = nearby_counts(sure, [(c.start, c.end) for c in judged])
            settled = None  # found only when a gated word stands alone
            for c, near in zip(judged, nearby):
                if judged_when_alone(text, c):
                    if near:
                        continue
                    if settled is None:
                        settled = self._settled_skills(text, found, judged, nearby)
                    if c.index in settled:
                        continue
                features.append(mention_features(text, c.start, c.end, near))
                asked.append(c)
        if not features:
            return per_text
        verdicts = (accept_probabilities(self.disambiguator, features) >= ACCEPT).tolist()
        rejected = {id(c) for c, accept in zip(asked, verdicts) if not accept}
        return [[c for c in found if id(c) not in rejected] for found in per_text]

    @staticmethod
    def _settled_skills(text: str, found: list[Candidate], judged: list[Candidate], nearby: list[int]) -> set[int]:
        """The skills of ``text`` taken without asking the classifier: those of its unjudged
        candidates, and of its words judged only when alone that stand among tools."""
        return {c.index for c in found if not c.judge}.union(
            c.index for c, near in zip(judged, nearby) if near and judged_when_alone(text, c))

    def skill_mentions(self, texts: list[str], accepted: list[list[Candidate]] | None = None) -> list[list[Mention]]:
        with gc_paused():
            accepted = self.accepted_candidates(texts) if accepted is None else accepted
            return [self.skills.first_mentions(text, found) for text, found in zip(texts, accepted)]

    def skill_tokens(self, accepted: list[list[Candidate]]) -> list[list[tuple[int, str]]]:
        """Every accepted occurrence as (offset, feature tokens) for the sentence classifiers."""
        return [[(c.start, self._skill_tokens[c.index]) for c in found] for found in accepted]

    def sentence_features(self, texts: list[str], spans: list[list[tuple[int, int]]],
                          accepted: list[list[Candidate]] | None = None,
                          views: list[str] | None = None) -> list[str]:
        """``views``: each text's ``line_view``, when the caller has them."""
        accepted = self.accepted_candidates(texts) if accepted is None else accepted
        views = views or [None] * len(texts)
        return [feature for text, found, skills, view in zip(texts, spans, self.skill_tokens(accepted), views)
                for feature in sentence_features(text, found, skills, view)]


class PostingExtractor:
    def __init__(self, taxonomy: Taxonomy | None = None):
        self.disambiguator, self.is_ml_model, self.kind_model, self.responsibility_model = (
            artifacts.load(name) for name in MODEL_NAMES
        )
        self.tagger = SkillTagger(taxonomy or load_taxonomy(), self.disambiguator)
        self.skills = self.tagger.skills

    @property
    def taxonomy_version(self) -> str:
        return self.skills.taxonomy.version

    def skill_mentions(self, texts: list[str]) -> list[list[Mention]]:
        return self.tagger.skill_mentions(texts)

    def _is_ml(self, rows: list) -> list[bool]:
        probabilities = self.is_ml_model.predict_proba(rows)[:, 1]
        return [bool(p >= ACCEPT) for p in probabilities]

    def _with_title_skills(self, texts: list[str], titles: list[str | None],
                           mentions: list[list[Mention]]) -> list[list[Mention]]:
        """Each text's mentions, then those of skills its job title alone names, when the
        title is kept apart from the text: a job board's "MLOps Engineer" counts as an HN
        header's does. A title's mention has no offsets (``start``/``end`` None: they index
        the text) and the title as its evidence."""
        apart = [(t, kept) for t, (text, title) in enumerate(zip(texts, titles))
                 if (kept := title_apart(text, title))]
        if not apart:
            return mentions
        in_titles = self.tagger.skill_mentions([title for _, title in apart])
        mentions = list(mentions)
        for (t, _), found in zip(apart, in_titles):
            named = {mention.skill for mention in mentions[t]}
            extra = [mention._replace(start=None, end=None) for mention in found if mention.skill not in named]
            if extra:
                mentions[t] = mentions[t] + extra
        return mentions

    def _sentences(self, texts: list[str], accepted: list[list[Candidate]] | None) -> _Sentences:
        split = [sentences_and_view(text) for text in texts]
        spans = [found for found, _ in split]
        rows = [(t, span) for t, found in enumerate(spans) for span in found]
        features = self.tagger.sentence_features(texts, spans, accepted, [view for _, view in split]) if rows else []
        return _Sentences(rows, features)

    def _responsibilities(self, texts: list[str], sentences: _Sentences) -> list[list[Responsibility]]:
        result: list[list[Responsibility]] = [[] for _ in texts]
        if not sentences.rows:
            return result
        _, labels = predict_responsibilities(self.kind_model, self.responsibility_model, sentences.features)
        for (t, (start, end)), found in zip(sentences.rows, labels):
            for label in found:
                result[t].append(Responsibility(label, texts[t][start:end], start, end))
        return result

    def extract(self, texts: list[str], with_responsibilities: bool = True,
                titles: list[str | None] | None = None) -> list[Extraction]:
        """Tag ``texts``. ``titles`` (job-board postings keep the job title apart from the
        description) are read by the is_ml classifier; offsets always index ``texts``. A posting
        repeated in ``texts`` (with the same title) is tagged once and its result shared."""
        return self._classified(self._read(texts, titles, with_responsibilities))

    def extract_stream(self, batches: Iterable[tuple[list[str], list[str | None] | None]],
                       with_responsibilities: bool = True) -> Iterator[list[Extraction]]:
        """``extract`` of each ``(texts, titles)`` batch, in order, the same results. The
        models' part of one batch (mostly Polars and NumPy, which release the GIL) runs in a
        thread while this one reads the next batch (matching, sentence splitting and
        features: Python), so the two cores both work; at most two batches wait in between.

        So a batch's results come once the next batch has been read: an error while reading
        it (or Ctrl-C) loses the batch before it too, as with worker processes. The cyclic
        garbage collector stays paused while the stream runs (the two threads' pauses
        overlap, the caller's code between batches included); reference counting still frees
        everything, and collection resumes when the stream ends or is closed. For as long,
        the GIL switch interval is short (``etl.held_settings.quick_thread_switches``): the
        models' thread takes the GIL back after each call into Polars or SciPy without
        waiting out the reading thread's default 5 ms."""
        with quick_thread_switches(), ThreadPoolExecutor(1, thread_name_prefix="skilltrends-classify") as pool:
            waiting: Future | None = None
            for texts, titles in batches:
                # One pause over reading and waiting: were the collector to resume in between,
                # it would walk the batch in flight (measured: a tenth of the stream's time).
                with gc_paused():
                    read = self._read(texts, titles, with_responsibilities)
                    previous, waiting = waiting, pool.submit(self._classified, read)
                    results = previous.result() if previous is not None else None
                if results is not None:
                    yield results
            if waiting is not None:
                yield waiting.result()

    def _read(self, texts: list[str], titles: list[str | None] | None, with_responsibilities: bool) -> _ReadBatch:
        """The Python-bound first stage of ``extract``: the distinct postings' skills, their
        is_ml rows and their sentence features."""
        distinct, inverse = distinct_rows([(text or "", title) for text, title in
                                           zip(texts, titles or [None] * len(texts), strict=True)])
        texts = [text for text, _ in distinct]
        with gc_paused():
            accepted = self.tagger.accepted_candidates(texts)
            mentions = self.tagger.skill_mentions(texts, accepted)
            if titles:
                mentions = self._with_title_skills(texts, [title for _, title in distinct], mentions)
            rows = posting_rows(with_titles(texts, [title for _, title in distinct]) if titles else texts, mentions)
            sentences = self._sentences(texts, accepted) if with_responsibilities else _Sentences([], [])
        return _ReadBatch(texts, inverse, mentions, rows, sentences)

    def _classified(self, read: _ReadBatch) -> list[Extraction]:
        """The models' stage of ``extract``: is_ml and responsibilities, shared out to repeats."""
        with gc_paused():
            is_ml = self._is_ml(read.posting_rows) if read.texts else []
            duties = self._responsibilities(read.texts, read.sentences)
            results = [Extraction(ml, found, todo) for ml, found, todo in zip(is_ml, read.mentions, duties)]
        return results if read.inverse is None else [results[position] for position in read.inverse]


@dataclass
class _Sentences:
    rows: list[tuple[int, tuple[int, int]]]  # (text number, sentence span), in text order
    features: list[str]  # one per row


@dataclass
class _ReadBatch:
    texts: list[str]  # the batch's distinct texts
    inverse: list[int] | None  # each input text's position among them (``distinct_rows``)
    mentions: list[list[Mention]]
    posting_rows: list  # the is_ml model's input rows
    sentences: _Sentences
