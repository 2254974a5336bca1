"""etl.glue: text whose blocks were joined without a break, found by its shape and read with
a space at each join; ordinary text, camel-case names and links untouched."""

from __future__ import annotations

import pytest

from etl.glue import glue_points, sentence_breaks, spaced, word_joins
from etl.sentences import split_sentences
from etl.skills import SkillExtractor
from etl.taxonomy import parse_taxonomy

FILLER = " We ship weekly, review each other's code and write things down so that nobody waits on anyone." * 3
GLUED = ("Senior Data ScientistAbout usWe build ads for publishers.The RoleWe are hiring a data scientist."
         "What you'll doBuild propensity models nightlyWrite Hive jobs against our clusterRequirements"
         "Experience withPython and PyTorchStrong statistics" + FILLER)
TAXONOMY = parse_taxonomy({"version": "test", "skill": [
    {"name": "Python", "family": "other", "aliases": ["python"]},
    {"name": "PyTorch", "family": "classic_ml", "aliases": ["pytorch"]},
    {"name": "JavaScript", "family": "other", "aliases": ["javascript"]},
    {"name": "Hive", "family": "other", "exact_aliases": ["Hive"]},
    {"name": "statistics", "family": "classic_ml", "aliases": ["statistics"]},
    {"name": "Java", "family": "other", "aliases": ["java"]},
    {"name": "Optuna", "family": "classic_ml", "aliases": ["optuna"]},
    {"name": "Go", "family": "other", "exact_aliases": ["Go"]},
]})


def joined_at(text, points):
    return [text[point - 4:point] + "|" + text[point:point + 4] for point in points]


def test_ordinary_text_camel_case_names_and_links_have_no_glue_points():
    ordinary = ("We use JavaScript, PyTorch and GitHub on iPhone and macOS apps; see https://jobs.example.com/"
                "view?refId=AbCdEf&trackingId=XyZwVu&sourceId=QrSt." + FILLER)
    assert "\n" not in ordinary and len(ordinary) > 300
    assert glue_points(ordinary) == []
    lines = GLUED.replace("us", "us\n").replace("do", "do\n")  # the same words with line breaks kept
    assert glue_points(lines) == []


def test_a_long_text_without_line_breaks_breaks_where_its_blocks_were_joined():
    points = glue_points(GLUED)
    assert joined_at(GLUED, points) == ["t us|We b", "ers.|The ", "ist.|What", "l do|Buil", "htly|Writ",
                                        "ster|Requ", "with|Pyth"]
    assert glue_points(GLUED[:250]) == []  # too short to tell from a camel-cased name


def test_a_glued_word_that_carries_its_sentence_on_is_no_sentence_break():
    breaks = sentence_breaks(GLUED, glue_points(GLUED))
    assert "with|Pyth" not in joined_at(GLUED, breaks) and "ster|Requ" in joined_at(GLUED, breaks)
    sentences = [GLUED[start:end] for start, end in split_sentences(GLUED)]
    assert "Build propensity models nightly" in sentences and "Write Hive jobs against our cluster" in sentences
    # a capitalised word glued to the next ("RequirementsExperience") is no break: camel-cased
    # names look the same
    assert any(sentence.startswith("RequirementsExperience withPython and PyTorchStrong") for sentence in sentences)


def test_word_joins_add_joins_after_capitalised_words_but_not_inside_known_names():
    text = "Strong PythonNice to have JavaScriptShipped (CDH4)Write GCPStrong"
    names = [(text.index("JavaScript"), text.index("JavaScript") + len("JavaScript"))]
    assert joined_at(text, word_joins(text, [], names)) == [
        "thon|Nice", "ript|Ship", "DH4)|Writ", " GCP|Stro"]


def test_spaced_text_maps_every_offset_back():
    copy = spaced("abcXyz defGhi", [3, 10])
    assert copy.text == "abc Xyz def Ghi"
    for word in ("abc", "Xyz", "def", "Ghi", "abc Xyz"):
        start = copy.text.index(word)
        original = "abcXyz defGhi"[copy.original(start):copy.original(start + len(word))]
        assert original == word.replace(" ", "")


@pytest.fixture(scope="module")
def extractor():
    return SkillExtractor(TAXONOMY)


def test_skills_glued_to_their_neighbours_are_found_at_offsets_into_the_text(extractor):
    found = extractor.mentions(GLUED)
    assert [m.skill for m in found] == ["Hive", "Python", "PyTorch", "statistics"]
    assert all(GLUED[m.start:m.end].lower() == m.skill.lower() for m in found)


def test_a_name_inside_a_camel_cased_word_is_not_read_as_a_glued_skill(extractor):
    text = GLUED.replace("Experience withPython", "Experience withJavaScriptShipped")
    found = [m.skill for m in extractor.mentions(text)]
    assert "JavaScript" in found and "Java" not in found


def test_a_short_alias_inside_a_glued_word_does_not_hide_the_join(extractor):
    # "usingOptuna": the letters "gO" are the alias "go", which begins no word
    text = GLUED.replace("Experience withPython", "Tuned usingOptuna")
    assert "Optuna" in [m.skill for m in extractor.mentions(text)]
