"""The overview's selection written to and read from the address (dashboard.url_state)."""

from __future__ import annotations

from dashboard.url_state import Selection, parse_search, query_from_selection, selection_from_query

MONTHS = ["2024-01-01", "2024-02-01", "2024-03-01", "2024-04-01"]
SOURCES = ["greenhouse", "hn", "lever"]
RESOLUTIONS = ("month", "quarter", "year")


def read(search: str) -> Selection:
    return selection_from_query(parse_search(search), MONTHS, SOURCES, RESOLUTIONS)


def test_the_default_view_is_the_bare_address():
    default = read("")
    assert default == Selection("2024-01-01", "2024-04-01", SOURCES, "month")
    assert query_from_selection(default, MONTHS, SOURCES) == ""


def test_a_selection_round_trips_through_the_address():
    chosen = Selection("2024-02-01", "2024-03-01", ["hn", "lever"], "quarter")
    search = query_from_selection(chosen, MONTHS, SOURCES)
    assert search == "?start=2024-02&end=2024-03&sources=hn,lever&resolution=quarter"
    assert read(search) == chosen


def test_values_equal_to_the_defaults_are_left_out():
    # a bookmark without end keeps reaching the newest month as data arrives
    search = query_from_selection(Selection("2024-02-01", "2024-04-01", list(SOURCES), "month"), MONTHS, SOURCES)
    assert search == "?start=2024-02"


def test_values_the_snapshot_does_not_hold_fall_back_to_the_defaults():
    got = read("?start=1999-01&end=2024-13&sources=nope,,hn,hn&resolution=decade")
    assert got == Selection("2024-01-01", "2024-04-01", ["hn"], "month")
    assert read("?sources=nope").sources == SOURCES
    assert read("?start=2024-03-01").start == "2024-03-01"  # a whole date names its month


def test_sources_keep_the_snapshot_order():
    assert read("?sources=lever,greenhouse").sources == ["greenhouse", "lever"]


def test_a_query_value_that_is_not_text_is_ignored():
    assert selection_from_query({"start": ["2024-02"], "resolution": 3}, MONTHS, SOURCES, RESOLUTIONS) == read("")
