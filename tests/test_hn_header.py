"""etl.hn_header: the first line of an HN post → company, title, location, remote."""

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
        ("", Header()),
        (None, Header()),
    ],
)
def test_parse_header(line, expected):
    assert parse_header(line) == expected


def test_remote_no_beats_the_word_remote():
    assert parse_header("Acme | Engineer | Paris | No remote").remote is False
