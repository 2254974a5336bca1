"""etl.sentences: lines, bullets and sentence ends, with offsets into the text."""

from etl.sentences import split_sentences


def pieces(text):
    return [text[start:end] for start, end in split_sentences(text)]


def test_lines_bullets_and_sentences():
    text = ("Acme | ML Engineer | SF\n\nWe build things. You will train models e.g. LLMs. "
            "Dr. Smith leads.\n- Deploy models to prod\n* Monitor drift!\n1. Python 3.11 required. Great pay.")
    assert pieces(text) == [
        "Acme | ML Engineer | SF", "We build things.", "You will train models e.g. LLMs.",
        "Dr. Smith leads.", "Deploy models to prod", "Monitor drift!", "Python 3.11 required.", "Great pay.",
    ]


def test_no_break_inside_versions_urls_or_lowercase_continuations():
    assert pieces("Use v2.5 at acme.io/jobs. then apply") == ["Use v2.5 at acme.io/jobs. then apply"]


def test_empty_and_blank():
    assert split_sentences("") == [] and split_sentences("\n\n  \n") == [] and split_sentences(None) == []
