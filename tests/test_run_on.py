"""etl.run_on: list items that run into each other once a description lost its line breaks
and list marks, and how the sentence splitter reads them."""

from __future__ import annotations

from etl.run_on import item_starts
from etl.sentences import split_sentences

INTRO = ("Senior Machine Learning Engineer at Acme Research. We are seeking a Lead Engineer who has worked "
         "with Google Research on ranking, and we ship to millions of readers in forty countries every single day of the week. ")
ITEMS = ["Build and maintain propensity models that score cookies nightly",
         "Write Hive jobs against our cluster (CDH4)",
         "Design and analyze holdout tests with our account teams",
         "Experience with Python and SQL", "3+ years of production machine learning",
         "Competitive salary and equity"]
FLAT = INTRO + "What you'll do " + " ".join(ITEMS[:3]) + " Requirements " + " ".join(ITEMS[3:])


def sentences(text):
    return [text[start:end] for start, end in split_sentences(text)]


def test_items_that_run_on_start_at_their_opening_word():
    assert len(FLAT) >= 500 and "\n" not in FLAT
    found = sentences(FLAT)
    for item in ITEMS[:3] + ITEMS[4:]:
        assert item in found, item
    assert "Experience with Python and SQL 3+ years of production machine learning" not in found
    # after a capitalised word no item starts (titles look the same): the heading keeps its first item
    assert "Requirements Experience with Python and SQL" in found


def test_names_titles_and_words_after_an_article_are_no_item_starts():
    starts = [FLAT[end:end + 12] for _, end in item_starts(FLAT)]
    assert not any(start.startswith(("Learning", "Research", "Lead")) for start in starts)
    assert "Senior Machine Learning Engineer at Acme Research." in sentences(FLAT)


def test_text_with_its_line_breaks_or_marks_is_left_as_it_is():
    with_lines = FLAT.replace(" Write", "\nWrite").replace(" Design", "\nDesign").replace(" Requirements", "\nRequirements")
    assert item_starts(with_lines) == []
    assert item_starts(FLAT[:400]) == []  # too short to tell
    marked = INTRO + "What you'll do • " + " • ".join(ITEMS[:3]) + " Requirements • " + " • ".join(ITEMS[3:])
    assert "Experience with Python and SQL" in sentences(marked)
    # the marks show the items: an opening word inside one does not cut it
    marked = marked.replace("Write Hive jobs", "Write Hive jobs and Build dashboards")
    assert "Write Hive jobs and Build dashboards against our cluster (CDH4)" in sentences(marked)


def test_words_that_carry_a_sentence_on_keep_its_next_words():
    text = FLAT.replace("Experience with Python and SQL", "Experience with Python for at least 5 years on our Research team")
    assert "Requirements Experience with Python for at least 5 years on our Research team" in sentences(text)
