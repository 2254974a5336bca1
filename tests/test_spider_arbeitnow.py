"""The Arbeitnow spider, crawled through the real CLI against a local server at the real API paths."""

from __future__ import annotations

import json
from datetime import datetime, timezone

import pytest

from tests.fixture_server import FixtureServer, Reply
from tests.helpers import ARBEITNOW_PAGE, FIXTURES, crawl, landing_rows, rows_by_id, run_stats

AN = FIXTURES / "arbeitnow"
PAGE_2 = f"{ARBEITNOW_PAGE}?page=2"


def page(name: str) -> dict:
    return json.loads((AN / f"{name}.json").read_text())


def fixture_jobs(*pages: str) -> dict[str, dict]:
    return {job["slug"]: job for name in pages for job in page(name)["data"]}


@pytest.fixture
def server():
    with FixtureServer() as fixture_server:
        fixture_server.serve_file(ARBEITNOW_PAGE, AN / "page1.json")
        fixture_server.serve_file(PAGE_2, AN / "page2.json")
        yield fixture_server


def test_every_job_of_every_page_is_stored_as_the_api_gives_it(server, tmp_path):
    result = crawl("arbeitnow", tmp_path, server)
    assert result.returncode == 0, result.stderr
    rows = rows_by_id(tmp_path, "arbeitnow")
    expected = fixture_jobs("page1", "page2")
    assert rows.keys() == expected.keys() and len(rows) == 3
    for slug, job in expected.items():
        row = rows[slug]
        assert row["source"] == "arbeitnow"
        assert row["url"] == job["url"]
        assert row["title"] == job["title"]
        assert row["company"] == job["company_name"]
        assert row["location"] == job["location"]
        assert row["remote"] is job["remote"]
        assert row["html"] == job["description"]
        assert row["employment_type"] == (", ".join(job["job_types"]) or None)
        assert row["posted_at"] == datetime.fromtimestamp(job["created_at"], timezone.utc).replace(tzinfo=None)
        assert (row["salary_min"], row["department"], row["month"]) == (None, None, None)
        assert json.loads(row["raw"]) == job
    run, stats = run_stats(tmp_path, "arbeitnow")
    assert (run["status"], stats["skilltrends/pages_done"], stats["skilltrends/feed_done"]) == ("finished", 2, 1)
    assert stats["skilltrends/source_terms"] == page("page1")["meta"]["terms"]


def test_links_next_is_followed_on_the_configured_host(server, tmp_path):
    crawl("arbeitnow", tmp_path, server)
    # page1's links.next is https://www.arbeitnow.com/api/job-board-api?page=2: only its
    # scheme and host were replaced.
    assert server.requested("/api/") == [ARBEITNOW_PAGE, PAGE_2]


def test_the_page_cap_stops_the_walk(server, tmp_path):
    result = crawl("arbeitnow", tmp_path, server, "--set", "ARBEITNOW_MAX_PAGES=1")
    assert result.returncode == 0, result.stderr
    assert server.requested("/api/") == [ARBEITNOW_PAGE]
    assert rows_by_id(tmp_path, "arbeitnow").keys() == fixture_jobs("page1").keys()
    assert run_stats(tmp_path, "arbeitnow")[1]["skilltrends/page_cap_reached"] == 1


def test_an_empty_feed_stores_nothing_and_is_no_error(server, tmp_path):
    server.serve_file(ARBEITNOW_PAGE, AN / "empty.json")
    result = crawl("arbeitnow", tmp_path, server)
    assert result.returncode == 0, result.stderr
    assert server.requested("/api/") == [ARBEITNOW_PAGE]
    assert landing_rows(tmp_path, source="arbeitnow") == []
    run, _ = run_stats(tmp_path, "arbeitnow")
    assert (run["status"], run["errors"]) == ("finished", 0)


def test_malformed_json_on_the_second_page_keeps_the_first(server, tmp_path):
    server.routes[PAGE_2] = Reply(body=b'{"data": [{"slug": "werkstudent')
    result = crawl("arbeitnow", tmp_path, server)
    assert result.returncode == 0, result.stderr
    assert rows_by_id(tmp_path, "arbeitnow").keys() == fixture_jobs("page1").keys()
    errors = [line for line in result.stderr.splitlines() if "not valid JSON" in line]
    assert len(errors) == 1 and "page=2" in errors[0]
    run, stats = run_stats(tmp_path, "arbeitnow")
    assert (run["status"], stats["skilltrends/errors/malformed_json"]) == ("finished_with_errors", 1)


def test_a_next_link_pointing_back_ends_the_walk(server, tmp_path):
    links = {**page("page2")["links"], "next": "https://www.arbeitnow.com/api/job-board-api?page=2"}
    looping = {**page("page2"), "links": links}
    server.routes[PAGE_2] = Reply(body=json.dumps(looping).encode())
    result = crawl("arbeitnow", tmp_path, server)
    assert result.returncode == 0, result.stderr
    assert server.requested("/api/") == [ARBEITNOW_PAGE, PAGE_2]
    assert rows_by_id(tmp_path, "arbeitnow").keys() == fixture_jobs("page1", "page2").keys()
    assert run_stats(tmp_path, "arbeitnow")[1]["skilltrends/errors/pagination_repeats"] == 1


def test_a_numeric_slug_is_the_id_and_a_job_without_one_is_said(server, tmp_path):
    second = page("page2")
    (job,) = second["data"]
    second["data"] = [{**job, "slug": 1000}, {**job, "slug": None}]
    server.routes[PAGE_2] = Reply(body=json.dumps(second).encode())
    result = crawl("arbeitnow", tmp_path, server)
    assert result.returncode == 0, result.stderr
    stored = rows_by_id(tmp_path, "arbeitnow").keys()
    assert stored == fixture_jobs("page1").keys() | {"1000"}
    said = [line for line in result.stderr.splitlines() if "without a usable id" in line]
    assert len(said) == 1 and "1 record(s)" in said[0], result.stderr
