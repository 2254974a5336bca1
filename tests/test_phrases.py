"""Phrase patterns (etl.phrases) and how the extractor reports their matches beside aliases."""

from __future__ import annotations

import re
import time

import pytest

from etl.extraction import SkillTagger
from etl.phrases import PatternError, compile_pattern
from etl.skills import SkillExtractor
from etl.taxonomy import TaxonomyError, load_taxonomy, parse_taxonomy


def matches(pattern: str, text: str) -> list[str]:
    """What the pattern matches in ``text``, tried at every word start as the extractor does."""
    source, _ = compile_pattern(pattern)
    regex, lowered = re.compile(source), text.lower()
    found = []
    for word in re.finditer(r"\w+", lowered):
        m = regex.match(lowered, word.start())
        if m:
            found.append(text[m.start():m.end()])
    return found


@pytest.mark.parametrize(("pattern", "text", "expected"), [
    ("deploy* ~3 model*", "You will deploy our ranking models.", ["deploy our ranking models"]),
    ("deploy* ~3 model*", "Deployment of models", ["Deployment of models"]),
    ("deploy* ~1 model*", "deploy our ranking models", []),  # three words between: too far
    ("deploy* ~3 model*", "We deploy daily. Models are retrained weekly.", []),  # a sentence ends between
    ("deploy* ~3 model*", "deploy\nmodels", []),  # a line break ends it too
    ("model ~2 monitoring", "models monitoring", []),  # a word without * is whole
    ("on device ~2 (ml|inference)", "On-device ML and on device, fast inference", ["On-device ML", "on device, fast inference"]),
    ("(ml|machine learning) platform*", "our Machine Learning Platforms team", ["Machine Learning Platforms"]),
    ("feature (store|stores)", "Feast feature store", ["feature store"]),
    ("redeploy* ~1 model*", "we deploy models", []),  # matches begin at a word start only
    ("deploy* ~3 model*", "Deploy our models, data models too.", ["Deploy our models"]),  # the nearest end
])
def test_pattern_language(pattern, text, expected):
    assert matches(pattern, text) == expected


@pytest.mark.parametrize(("pattern", "triggers"), [
    ("deploy* ~3 model*", ("deploy",)),
    ("(serve|serving) ~3 model*", ("serve", "serving")),
    ("(ml|machine learning) platform*", ("ml platform", "ml-platform", "machine learning", "machine-learning")),
    ("on device ~2 model*", ("on device", "on-device")),
])
def test_triggers_are_the_opening_words_up_to_a_selective_word(pattern, triggers):
    assert set(compile_pattern(pattern)[1]) == set(triggers)


@pytest.mark.parametrize("pattern", ["~2 models", "deploy ~2", "ml ~2 models", "(ai|ml) ~1 governance", "a* models",
                                     "deploy (ml|) models", "", "(ml|ai platform", "deploy ~ model*",
                                     "deploy ~3 ~2 model*", "de*ploy models", "deploy ~99 model*", "ml|ai platform"])
def test_malformed_or_unselective_patterns_are_refused(pattern):
    with pytest.raises(PatternError):
        compile_pattern(pattern)


def test_a_bad_pattern_in_a_taxonomy_is_a_clear_error():
    document = {"version": "t", "skill": [{"name": "MLOps", "family": "mlops", "aliases": ["mlops"],
                                           "patterns": ["ml ~2 ops"]}]}
    with pytest.raises(TaxonomyError, match="MLOps.*'ml ~2 ops'"):
        parse_taxonomy(document)


TAXONOMY = parse_taxonomy({"version": "test", "skill": [
    {"name": "model deployment", "family": "mlops", "category": "practice", "aliases": ["model deployment"],
     "patterns": ["deploy* ~3 model*"], "pattern_exceptions": ["data model"]},
    {"name": "model monitoring", "family": "mlops", "category": "practice", "aliases": ["model monitoring"],
     "patterns": ["monitor* ~3 model*"]},
    {"name": "PyTorch", "family": "classic_ml", "aliases": ["pytorch"]},
    {"name": "Go", "family": "other", "exact_aliases": ["Go"]},
]})


def test_phrase_matches_stand_beside_the_aliases_they_contain():
    text = "You will deploy and monitor PyTorch models."
    mentions = SkillExtractor(TAXONOMY).mentions(text)
    assert [(m.skill, text[m.start:m.end]) for m in mentions] == [
        ("model deployment", "deploy and monitor PyTorch models"),
        ("model monitoring", "monitor PyTorch models"),
        ("PyTorch", "PyTorch"),
    ]
    assert mentions[0].evidence == "You will deploy and monitor PyTorch models."


def test_an_exception_inside_the_match_drops_it():
    assert SkillExtractor(TAXONOMY).mentions("Deploy the dbt data models nightly.") == []


def test_a_skill_found_by_its_alias_is_not_repeated_by_its_pattern():
    extractor = SkillExtractor(TAXONOMY)
    found = extractor.candidates("Model deployment: we deploy models.")
    assert [(c.index, c.phrase) for c in found] == [(0, False), (0, True)]  # the alias, then a separate phrase
    overlapping = extractor.candidates("deploy model deployment tools")
    assert [c.phrase for c in overlapping] == [False]  # the phrase overlaps the alias of its own skill


def test_phrase_matches_are_neither_judged_nor_counted_as_listed_tools():
    tagger = SkillTagger(TAXONOMY)
    text = "Go deploy models with PyTorch"
    judged, sure = tagger.split_by_judging(tagger.skills.candidates(text))
    assert [text[c.start:c.end] for c in judged] == ["Go"]
    assert sure == [(text.index("PyTorch"), len(text))]


def test_an_exception_counts_at_a_word_start_only():
    extractor = SkillExtractor(TAXONOMY)
    assert [m.skill for m in extractor.mentions("You will deploy metadata models.")] == ["model deployment"]
    assert extractor.mentions("Deploy the dbt data models.") == []
    assert [m.skill for m in extractor.mentions("Deploy our models, data models too.")] == ["model deployment"]


@pytest.mark.parametrize("text", [
    "Models " + "-" * 3000,  # dashes could be read as gap words or separators in many ways
    "deploy " + "- " * 5000,
    "deploy deploy model " * 10_000,  # many overlapping matches of one skill
    "Model deployment; " + "deploy models " * 10_000,
])
@pytest.mark.parametrize("taxonomy", [TAXONOMY, load_taxonomy()], ids=["small", "shipped"])
def test_adversarial_text_is_matched_in_linear_time(text, taxonomy):
    extractor = SkillExtractor(taxonomy)
    started = time.perf_counter()
    extractor.candidates(text)
    assert time.perf_counter() - started < 5, "pattern matching blew up on adversarial text"
