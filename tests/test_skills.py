"""etl.skills: candidate matching with boundaries, case rules, negative contexts and overlaps."""

from __future__ import annotations

import random
import time

import pytest

from etl.skills import SkillExtractor, _same_length_lower, sentence_around
from etl.taxonomy import TaxonomyError, parse_taxonomy

SKILLS = [
    {"name": "Go", "family": "other", "aliases": ["golang"], "exact_aliases": ["Go"],
     "negative_contexts": ["go-to-market", "go to market"]},
    {"name": "C++", "family": "other", "aliases": ["c++"]},
    {"name": "C", "family": "other", "exact_aliases": ["C"], "negative_contexts": ["series c", "c-suite"]},
    {"name": "Vertex AI", "family": "mlops", "aliases": ["vertex ai"]},
    {"name": "AI", "family": "other", "category": "general", "exact_aliases": ["AI"]},
    {"name": "Spark", "family": "other", "exact_aliases": ["Spark"], "negative_contexts": ["spark capital"]},
    {"name": "LLM", "family": "llm", "aliases": ["llm", "llms", "large language models"]},
    {"name": "scikit-learn", "family": "classic_ml", "aliases": ["scikit-learn", "sklearn"]},
]
TAXONOMY = parse_taxonomy({"version": "test", "skill": SKILLS})


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


def test_evidence_is_the_list_item_of_a_description_flattened_onto_one_line():
    text = ("Ship models with our MLOps team on Azure ML • Communicate results • Statistics, SQL and R • "
            "Spark•style notes")
    for word, item in [("Azure ML", "Ship models with our MLOps team on Azure ML"), ("SQL", "Statistics, SQL and R"),
                       ("Spark", "Spark•style notes")]:  # a mark glued to a word is no list mark
        at = text.index(word)
        assert sentence_around(text, at, at + len(word)) == item
    assert sentence_around("• Python and Go\n• Kubernetes", 13, 15) == "Python and Go"
    other = "Ship models with our MLOps team ▪ Statistics, SQL and R ► Spark notes"
    assert sentence_around(other, other.index("SQL"), other.index("SQL") + 3) == "Statistics, SQL and R"


def test_long_sentences_are_cut_around_the_mention():
    text = "x " * 400 + "LLM" + " y" * 400
    evidence = sentence_around(text, 800, 803)
    assert "LLM" in evidence and len(evidence) <= 300


def test_evidence_shared_within_a_sentence_is_what_each_mention_would_get_alone():
    # Mentions in one sentence reuse its evidence. Line breaks, end marks that do or do not
    # end a sentence, an end mark inside an alias, whitespace runs and sentences longer
    # than the evidence limit must not make the reused sentence differ from the one the
    # mention gets by itself. So must list marks.
    extractor = SkillExtractor(parse_taxonomy({"version": "test", "skill": [
        *SKILLS, {"name": "Yahoo! Pipes", "family": "other", "aliases": ["yahoo! pipes"]},
        {"name": "XYZ", "family": "other", "aliases": [" xyz"]}]}))  # an alias starting with whitespace
    rng = random.Random(7)
    pieces = ["Go", "C", "LLM", "sklearn", "AI", "Yahoo! Pipes", " xyz", " ", " " * 150, ". ", ".", "! ",
              "?\n", "\n", "e.g. ", "A.I. ", "Node.js", ", ", "and ", "x" * 90, "y " * 60,
              "•", "• ", " •", "•\n", "c•d", " ▪ ", "•  "]  # list marks, glued or not
    checked = 0
    for _ in range(5000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(1, 30)))
        for mention in extractor.mentions(text):
            assert mention.evidence == sentence_around(text, mention.start, mention.end), text
            checked += 1
    assert checked > 4000


def test_a_negative_context_vetoes_only_the_skills_that_name_it(extractor):
    # "series c" vetoes C, not the Go two words on, nor a C outside the phrase.
    assert [m.skill for m in extractor.mentions("Series C startup, in C and Go")] == ["C", "Go"]
    assert [c.start for c in extractor.candidates("Series C startup")] == []


def _boundary_matches(aliases, text):
    """Every alias occurrence at token boundaries, as (start, end, alias)."""
    def word(ch):
        return ch.isalnum() or ch == "_"
    return sorted({(start, start + len(a), a) for start in range(len(text)) for a in aliases
                   if a and text.startswith(a, start)
                   and not (start > 0 and word(text[start - 1]) and (word(a[0]) or a[0] == "."))
                   and not (start + len(a) < len(text) and word(text[start + len(a)]) and word(a[-1]))})


def test_case_sensitive_aliases_are_found_where_a_boundary_scan_finds_them():
    # Single letters are searched for apart from the automaton that finds the others; "go"
    # is also another skill's case-insensitive alias and "gans" a negative context there.
    aliases = ["R", "C", "C++", "Go", "GO", "GANs", "GAN", "A.I.", "I.", "Rust", "RoR", ".NET", "Ünï", "Objective-C",
               "#", "_"]
    extractor = SkillExtractor(parse_taxonomy({"version": "test", "skill": [
        *({"name": alias, "family": "other", "exact_aliases": [alias]} for alias in aliases),
        {"name": "folded go", "family": "other", "aliases": ["go"], "negative_contexts": ["gans"]}]}))
    names = [skill.name for skill in extractor.skills]
    rng = random.Random(7)
    pieces = aliases + [" ", "x", "_", "-", ".", "é", "\n", "s", "r", "ü", "İ", "go", "gans"]
    for _ in range(3000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 12)))
        raw, _, _ = extractor._scan(text, _same_length_lower(text))
        found = sorted({(start, -negated_end, names[index]) for start, negated_end, index, _ in raw
                        if names[index] != "folded go"})
        assert found == _boundary_matches(aliases, text), text


def test_a_shorter_case_sensitive_alias_stands_where_a_negative_context_vetoes_the_longer():
    # As for case-insensitive aliases: every alias at a start is a candidate, the longest wins.
    found = SkillExtractor(parse_taxonomy({"version": "test", "skill": [
        {"name": "Spark", "family": "other", "exact_aliases": ["Spark"]},
        {"name": "Spark AR", "family": "other", "exact_aliases": ["Spark AR"], "negative_contexts": ["spark ar studio"]},
    ]})).mentions
    assert [m.skill for m in found("We build filters in Spark AR for Instagram")] == ["Spark AR"]
    assert [m.skill for m in found("We write Spark AR studio plugins")] == ["Spark"]


def test_a_case_sensitive_alias_with_a_capital_sigma_is_refused():
    # It would be looked for lower-cased, and Σ lower-cases to σ or ς by what follows it.
    with pytest.raises(TaxonomyError, match="capital sigma.*ΑΣ"):
        parse_taxonomy({"version": "test", "skill": [{"name": "AS", "family": "other", "exact_aliases": ["ΑΣ"]}]})


def test_an_alias_inside_a_longer_match_that_loses_is_still_found():
    taxonomy = parse_taxonomy({"version": "test", "skill": [
        {"name": "objective", "family": "other", "aliases": ["the objective"]},
        {"name": "Objective-C", "family": "other", "exact_aliases": ["Objective-C"]},
        {"name": "C", "family": "other", "exact_aliases": ["C"]},
        {"name": "Go", "family": "other", "exact_aliases": ["Go"], "negative_contexts": ["go-to"]}]})
    found = SkillExtractor(taxonomy).mentions
    assert [m.skill for m in found("the Objective-C code")] == ["objective", "C"]


def test_negative_contexts_stay_fast_when_they_repeat():
    extractor = SkillExtractor(parse_taxonomy({"version": "test", "skill": [
        {"name": "Go", "family": "other", "exact_aliases": ["Go"], "negative_contexts": ["go-to"]},
        {"name": "Python", "family": "other", "aliases": ["python"], "negative_contexts": ["monty python"]}]}))
    started = time.perf_counter()
    assert extractor.mentions("Go-to Python, " * 20_000)[0].skill == "Python"
    assert time.perf_counter() - started < 5  # a walk over every context per match took minutes


def test_a_leading_dot_after_a_word_is_part_of_that_word():
    taxonomy = parse_taxonomy({"version": "test", "skill": [
        {"name": ".NET", "family": "other", "aliases": [".net", "vb.net"]},
        {"name": "Dot", "family": "other", "exact_aliases": [".Dot"]}]})
    found = SkillExtractor(taxonomy).mentions
    assert found("Mail jobs@acme.net or see acme.Dot") == []
    assert [m.skill for m in found("We use .NET (VB.NET too) and .Dot")] == [".NET", "Dot"]


class _RejectEverything:
    """Stands in for the disambiguation pipeline: every mention asked is refused and counted."""

    def __init__(self):
        self.asked = 0

    def __getitem__(self, steps):
        return self

    @property
    def steps(self):
        from sklearn.feature_extraction import FeatureHasher
        return [("features", FeatureHasher(n_features=2**10, input_type="string", alternate_sign=False))]

    def predict_proba(self, matrix):
        import numpy as np
        self.asked += matrix.shape[0]
        return np.zeros((matrix.shape[0], 2))


def test_words_judged_when_alone_are_taken_among_tools_without_asking_the_classifier():
    from etl.classify.mentions import JUDGED_WHEN_ALONE
    from etl.extraction import SkillTagger
    from etl.taxonomy import load_taxonomy

    assert {"docker", "sql"} <= JUDGED_WHEN_ALONE
    classifier = _RejectEverything()
    tagger = SkillTagger(load_taxonomy(), classifier)
    among_tools, alone, not_gated = tagger.skill_mentions([
        "Stack: Postgres, Docker and Kubernetes.",
        "We need a casual docker for the night shift at the container berth.",
        "Stack: Postgres and Rust.",
    ])
    assert "Docker" in {m.skill for m in among_tools}  # taken, the classifier never asked about it
    assert "Docker" not in {m.skill for m in alone}  # asked, and refused
    assert "Rust" not in {m.skill for m in not_gated}  # other judged words are asked whatever stands near
    assert classifier.asked == 2  # the lone docker and Rust


def test_a_word_judged_when_alone_is_taken_when_its_skill_is_taken_elsewhere_in_the_text():
    """One sense per posting: "ML" alone means machine learning where the text spells it out,
    and a lone "Docker" is the tool where "Docker" stands among tools earlier."""
    from etl.classify.mentions import JUDGED_GENERAL_ACRONYMS, JUDGED_WHEN_ALONE
    from etl.extraction import SkillTagger
    from etl.taxonomy import load_taxonomy

    assert {"ai", "ml", "agi"} <= JUDGED_GENERAL_ACRONYMS <= JUDGED_WHEN_ALONE
    classifier = _RejectEverything()
    tagger = SkillTagger(load_taxonomy(), classifier)
    filler = " ".join(["We value kindness and clear writing."] * 4)
    texts = [
        f"We do machine learning for shipping.\n{filler}\nStrong ML background wanted.",
        f"Strong ML background wanted.\n{filler}",
        f"Stack: Postgres, Docker and Kubernetes.\n{filler}\nYou will own our Docker images.",
    ]
    spelled, lone, listed = tagger.accepted_candidates(texts)
    assert [texts[0][c.start:c.end] for c in spelled] == ["machine learning", "ML"]
    assert lone == []  # asked, and refused
    assert [texts[2][c.start:c.end] for c in listed] == ["Postgres", "Docker", "Kubernetes", "Docker"]
    assert classifier.asked == 1  # only the lone "ML" of the second text
