"""etl.skills: candidate matching with boundaries, case rules, negative contexts and overlaps."""

from __future__ import annotations

import pytest

from etl.skills import SkillExtractor, sentence_around
from etl.taxonomy import parse_taxonomy

TAXONOMY = parse_taxonomy({"version": "test", "skill": [
    {"name": "Go", "family": "other", "aliases": ["golang"], "exact_aliases": ["Go"],
     "negative_contexts": ["go-to-market", "go to market"]},
    {"name": "C++", "family": "other", "aliases": ["c++"]},
    {"name": "C", "family": "other", "exact_aliases": ["C"], "negative_contexts": ["series c", "c-suite"]},
    {"name": "Vertex AI", "family": "mlops", "aliases": ["vertex ai"]},
    {"name": "AI", "family": "other", "category": "general", "exact_aliases": ["AI"]},
    {"name": "Spark", "family": "other", "exact_aliases": ["Spark"], "negative_contexts": ["spark capital"]},
    {"name": "LLM", "family": "llm", "aliases": ["llm", "llms", "large language models"]},
    {"name": "scikit-learn", "family": "classic_ml", "aliases": ["scikit-learn", "sklearn"]},
]})


@pytest.fixture(scope="module")
def extractor():
    return SkillExtractor(TAXONOMY)


def names(extractor, text):
    return [m.skill for m in extractor.mentions(text)]


@pytest.mark.parametrize(("text", "expected"), [
    ("We write Go and C++ daily.", ["Go", "C++"]),
    ("Our go-to-market team and Go To Market plan", []),
    ("Raised a Series C; C-suite access. We use C.", ["C"]),
    ("Vertex AI for training, AI everywhere", ["Vertex AI", "AI"]),
    ("Backed by Spark Capital. Spark and sklearn.", ["Spark", "scikit-learn"]),
    ("LLMs and large language models", ["LLM"]),
    ("golang, GOLANG, Golang", ["Go"]),
    ("Gopher, Cargo, spark, sparkle, Mongo", []),
    ("tokens_golang_x and xllm", []),
    ("", []),
])
def test_mentions(extractor, text, expected):
    assert names(extractor, text) == expected


def test_offsets_point_at_the_first_mention_even_after_odd_lowercasing(extractor):
    text = "İstanbul team: LLM work, then more LLM."
    (mention,) = extractor.mentions(text)
    assert text[mention.start:mention.end] == "LLM" and mention.start == text.index("LLM")


def test_evidence_is_the_sentence(extractor):
    text = "About us. We build LLM agents for banks! Apply now."
    (mention,) = extractor.mentions(text)
    assert mention.evidence == "We build LLM agents for banks!"


def test_long_sentences_are_cut_around_the_mention():
    text = "x " * 400 + "LLM" + " y" * 400
    evidence = sentence_around(text, 800, 803)
    assert "LLM" in evidence and len(evidence) <= 300


def test_a_negative_context_vetoes_only_the_skills_that_name_it(extractor):
    # "series c" vetoes C, not the Go two words on, nor a C outside the phrase.
    assert [m.skill for m in extractor.mentions("Series C startup, in C and Go")] == ["C", "Go"]
    assert [c.start for c in extractor.candidates("Series C startup")] == []
