"""The Himalayas spider, crawled through the real CLI against a local server at the real API paths."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from urllib.parse import quote

import pytest

from tests.fixture_server import FixtureServer, Reply
from tests.helpers import (
    FIXTURES, HIMALAYAS_CURSOR, HIMALAYAS_FIRST, HIMALAYAS_OFFSET, HIMALAYAS_TEST_PAGE_SIZE, crawl, landing_rows,
    rows_by_id, run_stats,
)

HM = FIXTURES / "himalayas"
SMALL_PAGES = ("--set", f"HIMALAYAS_PAGE_SIZE={HIMALAYAS_TEST_PAGE_SIZE}")


PAGES = {1: json.loads((HM / "page1.json").read_text()), 2: json.loads((HM / "page2.json").read_text())}


def page_path(page: int, limit: int = HIMALAYAS_TEST_PAGE_SIZE) -> str:
    """Page 1, or the page the page before's nextCursor names."""
    if page == 1:
        return HIMALAYAS_FIRST.format(limit=limit)
    return HIMALAYAS_CURSOR.format(limit=limit, cursor=quote(PAGES[page - 1]["nextCursor"], safe="=/"))


def fixture_jobs(*pages: int) -> dict[str, dict]:
    return {job["guid"]: job for page in pages for job in PAGES[page]["jobs"]}


def expected_location(job: dict) -> str | None:
    names = [place["name"] if isinstance(place, dict) else place for place in job["locationRestrictions"]]
    return "; ".join(names) or None


@pytest.fixture
def server():
    with FixtureServer() as fixture_server:
        for page in (1, 2):
            fixture_server.serve_file(page_path(page), HM / f"page{page}.json")
        yield fixture_server


def test_every_job_of_every_page_is_stored_as_the_api_gives_it(server, tmp_path):
    result = crawl("himalayas", tmp_path, server, *SMALL_PAGES)
    assert result.returncode == 0, result.stderr
    rows = rows_by_id(tmp_path, "himalayas")
    expected = fixture_jobs(1, 2)
    assert rows.keys() == expected.keys() and len(rows) == 3
    for guid, job in expected.items():
        row = rows[guid]
        has_pay = job["minSalary"] is not None
        assert row["source"] == "himalayas"
        assert row["url"] == job["guid"]  # the job's page on Himalayas
        assert row["title"] == job["title"]
        assert row["company"] == job["companyName"]
        assert row["location"] == expected_location(job)
        assert row["remote"] is True
        assert row["html"] == job["description"]
        assert row["employment_type"] == job["employmentType"]
        assert row["posted_at"] == datetime.fromtimestamp(job["pubDate"] / 1000, timezone.utc).replace(tzinfo=None)
        assert (row["salary_min"], row["salary_max"]) == (job["minSalary"], job["maxSalary"])
        assert row["salary_currency"] == (job["currency"] if has_pay else None)
        assert row["salary_period"] == (job.get("salaryPeriod", "year") if has_pay else None)
        assert json.loads(row["raw"]) == job
    run, stats = run_stats(tmp_path, "himalayas")
    assert (run["status"], stats["skilltrends/pages_done"]) == ("finished", 2)


def test_pages_are_read_by_cursor_until_the_next_cursor_is_null(server, tmp_path):
    crawl("himalayas", tmp_path, server, *SMALL_PAGES)
    assert server.requested("/jobs/api") == [page_path(1), page_path(2)]


def test_an_answer_without_cursors_is_read_by_offset_while_full_and_below_the_total(server, tmp_path):
    for page, offset in ((1, 0), (2, 2)):
        without_cursor = {key: value for key, value in PAGES[page].items() if key != "nextCursor"}
        path = page_path(1) if page == 1 else HIMALAYAS_OFFSET.format(limit=HIMALAYAS_TEST_PAGE_SIZE, offset=offset)
        server.routes[path] = Reply(body=json.dumps(without_cursor).encode())
    result = crawl("himalayas", tmp_path, server, *SMALL_PAGES)
    assert result.returncode == 0, result.stderr
    assert server.requested("/jobs/api") == [page_path(1), HIMALAYAS_OFFSET.format(limit=2, offset=2)]
    assert rows_by_id(tmp_path, "himalayas").keys() == fixture_jobs(1, 2).keys()


def test_a_cursor_given_twice_ends_the_walk(server, tmp_path):
    # Page 2 names page 2 again (with a job not seen yet): asking on would never end.
    again = {**PAGES[2], "nextCursor": PAGES[1]["nextCursor"]}
    server.routes[page_path(2)] = Reply(body=json.dumps(again).encode())
    result = crawl("himalayas", tmp_path, server, *SMALL_PAGES)
    assert result.returncode == 0, result.stderr
    assert server.requested("/jobs/api") == [page_path(1), page_path(2)]
    assert rows_by_id(tmp_path, "himalayas").keys() == fixture_jobs(1, 2).keys()
    assert run_stats(tmp_path, "himalayas")[1]["skilltrends/errors/pagination_repeats"] == 1


def test_the_default_page_is_the_apis_maximum_of_20(server, tmp_path):
    server.serve_file(page_path(1, limit=20), HM / "page2.json")  # one job, no next cursor
    result = crawl("himalayas", tmp_path, server)
    assert result.returncode == 0, result.stderr
    assert server.requested("/jobs/api") == [page_path(1, limit=20)]


def test_a_page_size_above_the_apis_20_is_asked_as_20(server, tmp_path):
    # Asked for 100, Himalayas answers 20; read by offset, a page of 20 would look like the last.
    server.serve_file(page_path(1, limit=20), HM / "page2.json")
    result = crawl("himalayas", tmp_path, server, "--set", "HIMALAYAS_PAGE_SIZE=100")
    assert result.returncode == 0, result.stderr
    assert server.requested("/jobs/api") == [page_path(1, limit=20)]


def test_pay_of_zero_is_no_pay_and_an_hourly_period_is_hour(server, tmp_path):
    page = json.loads((HM / "page1.json").read_text())
    unpaid, hourly = ({**job} for job in page["jobs"][:2])
    unpaid.update(minSalary=0, maxSalary=0, currency="USD", salaryPeriod="hourly")
    hourly.update(minSalary=40, maxSalary=60, currency="USD", salaryPeriod="hourly")
    page["jobs"] = [unpaid, hourly]
    server.routes[page_path(1)] = Reply(body=json.dumps({**page, "totalCount": 2}).encode())
    result = crawl("himalayas", tmp_path, server, *SMALL_PAGES)
    assert result.returncode == 0, result.stderr
    rows = rows_by_id(tmp_path, "himalayas")
    pay = ("salary_min", "salary_max", "salary_currency", "salary_period")
    assert [rows[unpaid["guid"]][key] for key in pay] == [None, None, None, None]
    assert [rows[hourly["guid"]][key] for key in pay] == [40.0, 60.0, "USD", "hour"]


def test_the_page_cap_stops_the_walk(server, tmp_path):
    result = crawl("himalayas", tmp_path, server, *SMALL_PAGES, "--set", "HIMALAYAS_MAX_PAGES=1")
    assert result.returncode == 0, result.stderr
    assert server.requested("/jobs/api") == [page_path(1)]
    assert rows_by_id(tmp_path, "himalayas").keys() == fixture_jobs(1).keys()


def test_an_empty_feed_stores_nothing_and_is_no_error(server, tmp_path):
    server.serve_file(page_path(1), HM / "empty.json")
    result = crawl("himalayas", tmp_path, server, *SMALL_PAGES)
    assert result.returncode == 0, result.stderr
    assert server.requested("/jobs/api") == [page_path(1)]
    assert landing_rows(tmp_path, source="himalayas") == []
    assert run_stats(tmp_path, "himalayas")[0]["status"] == "finished"


def test_a_failing_second_page_keeps_the_first(server, tmp_path):
    server.routes[page_path(2)] = Reply(status=503, body=b'{"error": "unavailable"}')
    result = crawl("himalayas", tmp_path, server, *SMALL_PAGES, "--set", "RETRY_TIMES=1")
    assert result.returncode == 0, result.stderr
    assert len(server.requested(page_path(2))) == 2  # retried once, then given up
    assert rows_by_id(tmp_path, "himalayas").keys() == fixture_jobs(1).keys()
    run, stats = run_stats(tmp_path, "himalayas")
    assert (run["status"], stats["skilltrends/errors/http_503"]) == ("finished_with_errors", 1)


def test_a_page_repeating_jobs_ends_the_walk(server, tmp_path):
    # A server ignoring the cursor answers every page with the first one.
    server.serve_file(page_path(2), HM / "page1.json")
    result = crawl("himalayas", tmp_path, server, *SMALL_PAGES)
    assert result.returncode == 0, result.stderr
    assert server.requested("/jobs/api") == [page_path(1), page_path(2)]
    assert run_stats(tmp_path, "himalayas")[1]["skilltrends/errors/pagination_repeats"] == 1


def test_a_cursor_is_quoted_for_the_query_string():
    # The test server unquotes paths, so only the path the spider builds shows the quoting.
    from scrapy.utils.test import get_crawler

    from crawlers.spiders.himalayas import HimalayasSpider
    spider = HimalayasSpider.from_crawler(get_crawler(HimalayasSpider))
    assert spider.next_page({"nextCursor": "a+b&c%d/e="}, [{}], 0) == "/jobs/api?limit=20&cursor=a%2Bb%26c%25d/e="
    assert spider.next_page({"nextCursor": None}, [{}], 0) is None
