"""Free-text pay lines (Remotive's ``salary``) read into min, max, currency and period."""

from __future__ import annotations

import pytest

from crawlers.spiders.jobfeed import salary_from_text


@pytest.mark.parametrize("text, expected", [
    ("$120,000 - $150,000 per year", {"min": 120000.0, "max": 150000.0, "currency": "USD", "period": "year"}),
    ("€60k–€75k", {"min": 60000.0, "max": 75000.0, "currency": "EUR"}),
    # One k after the range counts for both of its ends.
    ("$80-100k", {"min": 80000.0, "max": 100000.0, "currency": "USD"}),
    ("€50-70K per year", {"min": 50000.0, "max": 70000.0, "currency": "EUR", "period": "year"}),
    ("$25-35/hr", {"min": 25.0, "max": 35.0, "currency": "USD", "period": "hour"}),
    ("USD 100000 to 120k", {"min": 100000.0, "max": 120000.0, "currency": "USD"}),
    ("up to £90k", {"max": 90000.0, "currency": "GBP"}),
    ("Competitive", {}),
    # European writing: dots group thousands, a comma starts the decimals; spaces group too.
    ("50.000,00 € - 70.000,00 €", {"min": 50000.0, "max": 70000.0, "currency": "EUR"}),
    ("€ 4.500,00 per month", {"min": 4500.0, "max": 4500.0, "currency": "EUR", "period": "month"}),
    ("USD 100 000 to 120 000 per year", {"min": 100000.0, "max": 120000.0, "currency": "USD", "period": "year"}),
    ("£45,000-£55,000", {"min": 45000.0, "max": 55000.0, "currency": "GBP"}),
    # A space does not join two numbers, and hours or days are no pay.
    ("€90 000, 30 days leave", {"min": 90000.0, "max": 90000.0, "currency": "EUR"}),
    ("€45k (38 hours)", {"min": 45000.0, "max": 45000.0, "currency": "EUR"}),
    ("$1.2M-$1.5M equity", {"min": 1200000.0, "max": 1500000.0, "currency": "USD"}),
    ("$120.5k", {"min": 120500.0, "max": 120500.0, "currency": "USD"}),
    ("₹10,00,000 - ₹15,00,000 per year", {"min": 1000000.0, "max": 1500000.0, "currency": "INR", "period": "year"}),
    ("€100\u2009000 - 120\u2009000", {"min": 100000.0, "max": 120000.0, "currency": "EUR"}),
    ("€60k + 10% bonus", {"min": 60000.0, "currency": "EUR"}),
    ("€100 000 (35 hours)", {"min": 100000.0, "max": 100000.0, "currency": "EUR"}),
])
def test_pay_lines(text, expected):
    assert salary_from_text(text) == expected


@pytest.mark.parametrize("text", ["$50/hr + 401k", "Up to $150 per hour, 401k match"])
def test_a_k_that_does_not_end_a_range_leaves_the_number_before_it_alone(text):
    # The 401k plan is still read as a second number (a known limit); the pay stays per hour.
    assert salary_from_text(text)["min"] in (50.0, 150.0)
