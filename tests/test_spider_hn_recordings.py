"""The HN spider against real recorded Algolia responses (../shared/data/hn-algolia).

Skipped, with the reason, where that reference folder is absent.
"""

from __future__ import annotations

import csv
import re

import pytest

from tests.fixture_server import FixtureServer
from tests.helpers import SEARCH, crawl_hn, landing_rows, reference_data

pytestmark = pytest.mark.reference_data


@pytest.fixture
def recorded_server():
    folder = reference_data("hn-algolia")
    with FixtureServer() as server:
        for page in range(9):
            server.serve_file(SEARCH.format(page=page), folder / f"search_by_date_whoishiring_page{page}.json")
        server.serve_file("/api/v1/items/2396027", folder / "items_2396027.json")
        yield server


def test_april_2011_thread_yields_exactly_219_postings(recorded_server, tmp_path):
    result = crawl_hn(tmp_path, recorded_server, "--since", "2011-04", "--until", "2011-04")
    assert result.returncode == 0, result.stderr
    rows = landing_rows(tmp_path)
    assert len(rows) == 219
    assert len({row["source_id"] for row in rows}) == 219
    assert {str(row["month"]) for row in rows} == {"2011-04-01"}


def test_story_index_yields_the_monthly_hiring_threads_and_no_other_kind(recorded_server, tmp_path):
    crawl_hn(tmp_path, recorded_server, "--set", "RETRY_TIMES=0")
    fetched = {int(p.rsplit("/", 1)[1]) for p in recorded_server.requested("/api/v1/items/")}
    # An independent list: hiringtrends' index of the monthly threads (by story id).
    with open(reference_data("hn-hiringtrends", "whoishiring_story_index_2011_2023.csv")) as handle:
        monthly = {
            int(row["story_id"]) for row in csv.DictReader(handle)
            if re.fullmatch(r"Ask HN: Who is hiring\? \(\w+ \d{4}\)\s*", row["title"], re.IGNORECASE)
        }
    assert fetched == monthly
    assert 2391828 not in fetched  # "Should we agree that this account will submit all Who is Hiring posts?"
