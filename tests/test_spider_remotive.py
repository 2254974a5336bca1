"""The Remotive spider, crawled through the real CLI against a local server at the real API paths."""

from __future__ import annotations

import json
from datetime import datetime

import pytest

from tests.fixture_server import FixtureServer, Reply
from tests.helpers import FIXTURES, REMOTIVE_JOBS, crawl, landing_rows, rows_by_id, run_cli, run_stats

RM = FIXTURES / "remotive"
FEED = json.loads((RM / "remote-jobs.json").read_text())
# The fixtures' free-text salaries, as the spider should read them: min, max, currency, period.
SALARY = {
    "$120,000 - $150,000 per year": (120000.0, 150000.0, "USD", "year"),
    "€60k–€75k": (60000.0, 75000.0, "EUR", None),
    "": (None, None, None, None),
}


@pytest.fixture
def server():
    with FixtureServer() as fixture_server:
        fixture_server.serve_file(REMOTIVE_JOBS, RM / "remote-jobs.json")
        fixture_server.serve_file(f"{REMOTIVE_JOBS}?category=data", RM / "remote-jobs_category-data.json")
        yield fixture_server


def test_every_job_of_the_feed_is_stored_as_the_api_gives_it(server, tmp_path):
    result = crawl("remotive", tmp_path, server)
    assert result.returncode == 0, result.stderr
    assert server.requested("/api/") == [REMOTIVE_JOBS]  # one request for the whole feed
    rows = rows_by_id(tmp_path, "remotive")
    assert rows.keys() == {str(job["id"]) for job in FEED["jobs"]} and len(rows) == 3
    for job in FEED["jobs"]:
        row = rows[str(job["id"])]
        assert row["source"] == "remotive"
        assert row["url"] == job["url"]  # the listing on Remotive: the link-back its terms ask for
        assert row["title"] == job["title"]
        assert row["company"] == job["company_name"]
        assert row["location"] == job["candidate_required_location"]
        assert row["remote"] is True
        assert row["html"] == job["description"]
        assert row["employment_type"] == (job["job_type"] or None)
        assert row["posted_at"] == datetime.fromisoformat(job["publication_date"])
        assert (row["salary_min"], row["salary_max"], row["salary_currency"], row["salary_period"]) == \
            SALARY[job["salary"]]
        assert (row["department"], row["month"]) == (None, None)
        assert json.loads(row["raw"]) == job
    run, stats = run_stats(tmp_path, "remotive")
    assert (run["status"], run["errors"]) == ("finished", 0)
    assert stats["skilltrends/source_terms"] == FEED["0-legal-notice"]


def test_a_category_narrows_the_feed(server, tmp_path):
    result = crawl("remotive", tmp_path, server, "--set", "REMOTIVE_CATEGORY=data")
    assert result.returncode == 0, result.stderr
    assert server.requested("/api/") == [f"{REMOTIVE_JOBS}?category=data"]
    assert set(rows_by_id(tmp_path, "remotive")) == {"1904388"}


def test_an_empty_feed_stores_nothing_and_is_no_error(server, tmp_path):
    server.serve_file(REMOTIVE_JOBS, RM / "remote-jobs_empty.json")
    result = crawl("remotive", tmp_path, server)
    assert result.returncode == 0, result.stderr
    assert landing_rows(tmp_path, source="remotive") == []
    run, stats = run_stats(tmp_path, "remotive")
    assert (run["status"], run["errors"], stats["skilltrends/pages_done"]) == ("finished", 0, 1)


def test_an_unreadable_job_is_skipped_and_the_others_are_stored(server, tmp_path):
    feed = {**FEED, "jobs": [{"title": "No id at all"}, "not an object", *FEED["jobs"]]}
    server.routes[REMOTIVE_JOBS] = Reply(body=json.dumps(feed).encode())
    result = crawl("remotive", tmp_path, server)
    assert result.returncode == 0, result.stderr
    assert rows_by_id(tmp_path, "remotive").keys() == {str(job["id"]) for job in FEED["jobs"]}
    assert run_stats(tmp_path, "remotive")[1]["skilltrends/jobs_unreadable"] == 2


def test_malformed_json_is_one_error_line(server, tmp_path):
    server.routes[REMOTIVE_JOBS] = Reply(body=b'{"job-count": 3, "jobs": [{"id": 19044')
    result = crawl("remotive", tmp_path, server)
    assert result.returncode == 1, result.stderr  # the feed is the whole source: nothing was crawled
    errors = [line for line in result.stderr.splitlines() if "not valid JSON" in line]
    assert len(errors) == 1 and "Remotive feed" in errors[0]
    run, stats = run_stats(tmp_path, "remotive")
    assert (run["status"], stats["skilltrends/errors/malformed_json"]) == ("finished_with_errors", 1)


def test_boards_are_refused(tmp_path):
    result = run_cli("crawl", "remotive", "--board", "anything", "--home", str(tmp_path))
    assert result.returncode == 1 and "remotive has no boards" in result.stderr and "Traceback" not in result.stderr
