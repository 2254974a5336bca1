"""Values as the sources write them: counts and epoch times as numbers or as their digits."""

from datetime import datetime

import pytest

from crawlers.spiders.jobboard import count_of, utc_from_epoch_ms
from crawlers.spiders.jobfeed import utc_from_epoch


@pytest.mark.parametrize(("value", "count"), [(5, 5), ("5", 5), (" 12 ", 12), (0, 0), (None, None), ("many", None),
                                              (True, None), (-1, None), (2.5, None), ("", None)])
def test_count_of(value, count):
    assert count_of(value) == count


@pytest.mark.parametrize("value", [1735740000000, "1735740000000", 1735740000000.0])
def test_milliseconds_as_a_number_or_its_digits(value):
    assert utc_from_epoch_ms(value) == datetime(2025, 1, 1, 14, 0)


@pytest.mark.parametrize("value", [1735740000, "1735740000", 1735740000000, "1735740000000"])
def test_seconds_or_milliseconds_as_a_number_or_its_digits(value):
    assert utc_from_epoch(value) == datetime(2025, 1, 1, 14, 0)


@pytest.mark.parametrize("value", [None, "soon", True, 0, -5, 10 ** 30, "1e400"])
def test_no_time_or_one_beyond_the_calendar_is_none(value):
    assert utc_from_epoch(value) is None and utc_from_epoch_ms(value) is None
