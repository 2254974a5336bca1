"""etl.hn_header: the first line of an HN post → company, title, location, remote."""

import time

import pytest

from etl.hn_header import Header, parse_header


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("Shortwave | Sr. Software Engineer | Onsite in San Francisco | $150k-$225k base",
         Header("Shortwave", "Sr. Software Engineer", "Onsite in San Francisco", False)),
        ("Acme (YC S15) | ML Engineer, Data Scientist | New York, NY | REMOTE | Full-time",
         Header("Acme", "ML Engineer, Data Scientist", "New York, NY", True)),
        ("Foo Inc. | Berlin, Germany | Backend Engineer | Remote (EU) | https://foo.example/jobs",
         Header("Foo Inc.", "Backend Engineer", "Berlin, Germany", True)),
        ("Montreal - PHP/MySQL Developer", Header(None, "PHP/MySQL Developer", "Montreal", None)),
        ("Lexify | LLM Engineer | REMOTE", Header("Lexify", "LLM Engineer", "REMOTE", True)),
        ("Vizion | Computer Vision Engineer | Toronto, Canada | Hybrid",
         Header("Vizion", "Computer Vision Engineer", "Toronto, Canada", False)),
        ("Bakery • Frontend Developer • London, UK • ONSITE",
         Header("Bakery", "Frontend Developer", "London, UK", False)),
        ("Stripe | San Francisco or Remote | Many roles",
         Header("Stripe", "Many roles", "San Francisco or Remote", True)),
        ("We are hiring!", Header(None, None, None, None)),
        ("San Francisco, CA", Header(None, None, "San Francisco, CA", None)),
        ("Acme | ML Engineer ($150k-$200k) | NYC", Header("Acme", "ML Engineer ($150k-$200k)", "NYC", None)),
        ("Acme | ML Engineer | NYC | $150k-$200k + equity", Header("Acme", "ML Engineer", "NYC", None)),
        ("Our office is in Berlin, and we hire people who love building compilers for fun", Header()),
        ("Acme | ML Engineer | Python, TX", Header("Acme", "ML Engineer", "Python, TX", None)),  # a Texas town
        # "City, XX" wants a region code: "Python, ML" is a stack, not a place before Berlin.
        ("Acme | ML Engineer | Python, ML | Berlin", Header("Acme", "ML Engineer", "Berlin", None)),
        ("Acme | Engineer | Remote (US - EST) | Full-time", Header("Acme", "Engineer", "Remote (US - EST)", True)),
        ("Acme | Engineer | NYC | Remote: No", Header("Acme", "Engineer", "NYC", False)),
        ("Acme | Engineer | Non-remote, NYC", Header("Acme", "Engineer", "Non-remote, NYC", False)),
        ("Acme | Engineer | In-person (NYC)", Header("Acme", "Engineer", "In-person (NYC)", False)),
        ("The working world has fundamentally shifted. Never before have norms moved so fast | Engineer | NYC",
         Header(None, "Engineer", "NYC", None)),
        ("", Header()),
        (None, Header()),
    ],
)
def test_parse_header(line, expected):
    assert parse_header(line) == expected


def test_a_long_line_of_commas_is_parsed_at_once():
    """A first line of many "Word," items and no separator is checked for a lone place; a
    pattern that could match each comma two ways took seconds at 22 items and days at 60."""
    line = ", ".join(f"Ab{i}" for i in range(60)) + " x"
    started = time.perf_counter()
    assert parse_header(line).location is None
    assert time.perf_counter() - started < 1.0


def test_remote_no_beats_the_word_remote():
    assert parse_header("Acme | Engineer | Paris | No remote").remote is False
