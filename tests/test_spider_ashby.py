"""The Ashby spider, crawled through the real CLI against a local server at the real API paths."""

from __future__ import annotations

import json

import pytest

from tests.fixture_server import FixtureServer, Reply
from tests.helpers import (
    ASHBY_BOARD, FIXTURES, crawl, landing_rows, registry_companies, rows_by_id, run_stats, serve_ashby_fixtures, utc,
)

ASHBY = FIXTURES / "ashby"
COMPANIES = registry_companies(FIXTURES / "boards.toml", "ashby")
FIXTURE_BOARDS = ("lumen", "quartz", "emptyco")
# The fixtures' workplaceType and pay interval values, as the spider should store them.
REMOTE_BY_WORKPLACE = {"Remote": True, "Hybrid": False, "OnSite": False}
PERIOD = {"1 YEAR": "year", "1 HOUR": "hour"}


def fixture_jobs(*tokens: str, listed_only: bool = True) -> dict[str, tuple[str, dict]]:
    """source_id → (board token, job as the fixture file holds it)."""
    return {job["id"]: (token, job)
            for token in tokens for job in json.loads((ASHBY / f"{token}.json").read_text())["jobs"]
            if job["isListed"] or not listed_only}


def salary_of(job: dict) -> dict:
    return next((c for c in job["compensation"]["summaryComponents"] if c["compensationType"] == "Salary"), {})


@pytest.fixture
def server():
    with FixtureServer() as fixture_server:
        serve_ashby_fixtures(fixture_server)
        yield fixture_server


def test_every_listed_job_is_stored_as_the_api_gives_it(server, tmp_path):
    result = crawl("ashby", tmp_path, server)
    assert result.returncode == 0, result.stderr
    rows = rows_by_id(tmp_path, "ashby")
    expected = fixture_jobs(*FIXTURE_BOARDS)
    assert rows.keys() == expected.keys() and len(rows) == 5
    for source_id, (token, job) in expected.items():
        row = rows[source_id]
        salary = salary_of(job)
        assert row["source"] == "ashby"
        assert row["url"] == job["jobUrl"]
        assert row["html"] == job["descriptionHtml"]
        assert row["title"] == job["title"]
        assert row["company"] == COMPANIES[token]
        assert row["location"] == job["location"]
        assert row["department"] == job["department"]
        assert row["employment_type"] == job["employmentType"]
        assert row["posted_at"] == utc(job["publishedAt"])
        assert row["remote"] is REMOTE_BY_WORKPLACE.get(job.get("workplaceType"), job["isRemote"])
        assert (row["salary_min"], row["salary_max"], row["salary_currency"]) == \
            (salary.get("minValue"), salary.get("maxValue"), salary.get("currencyCode"))
        assert row["salary_period"] == PERIOD.get(salary.get("interval"))
        assert row["month"] is None
        assert json.loads(row["raw"]) == job


def test_unlisted_jobs_are_skipped(server, tmp_path):
    crawl("ashby", tmp_path, server, "--board", "lumen")
    unlisted = set(fixture_jobs("lumen", listed_only=False)) - set(fixture_jobs("lumen"))
    assert unlisted and not unlisted & set(rows_by_id(tmp_path, "ashby"))
    assert run_stats(tmp_path, "ashby")[1]["skilltrends/jobs_unlisted"] == len(unlisted)


def test_pay_comes_from_the_salary_summary_not_equity_or_one_tier(server, tmp_path):
    crawl("ashby", tmp_path, server, "--board", "lumen", "--board", "quartz")
    rows = rows_by_id(tmp_path, "ashby")
    research = rows["3f1e9a70-52b1-4a0e-9b7a-0c1d2e3f4a01"]  # salary and equity components
    assert (research["salary_min"], research["salary_max"], research["salary_period"]) == (240000, 320000, "year")
    forecasting = rows["9c8b7a60-1d2e-4f3a-8b9c-0d1e2f3a4b01"]  # two tiers; the summary spans both
    assert (forecasting["salary_min"], forecasting["salary_max"], forecasting["salary_currency"]) == \
        (70000, 95000, "EUR")
    # Hybrid wins over isRemote: true; no workplaceType falls back to isRemote.
    assert rows["3f1e9a70-52b1-4a0e-9b7a-0c1d2e3f4a02"]["remote"] is False
    assert rows["9c8b7a60-1d2e-4f3a-8b9c-0d1e2f3a4b02"]["remote"] is False


def test_an_empty_board_stores_nothing_and_is_no_error(server, tmp_path):
    result = crawl("ashby", tmp_path, server, "--board", "emptyco")
    assert result.returncode == 0, result.stderr
    assert server.requested(ASHBY_BOARD.format(token="emptyco"))
    assert landing_rows(tmp_path, source="ashby") == []
    run, stats = run_stats(tmp_path, "ashby")
    assert (run["status"], run["errors"], stats["skilltrends/boards_done"]) == ("finished", 0, 1)


def test_a_gone_board_is_one_log_line_and_the_other_boards_arrive(server, tmp_path):
    result = crawl("ashby", tmp_path, server)  # the registry lists vanishedco, unknown to the server
    assert result.returncode == 0, result.stderr
    gone = [line for line in result.stderr.splitlines() if "vanishedco" in line]
    assert len(gone) == 1 and "gone" in gone[0] and "404" in gone[0]
    assert set(rows_by_id(tmp_path, "ashby")) == set(fixture_jobs(*FIXTURE_BOARDS))
    run, stats = run_stats(tmp_path, "ashby")
    assert stats["skilltrends/errors/board_gone"] == 1
    assert (run["status"], run["errors"]) == ("finished_with_errors", 1)


def test_malformed_json_for_one_board_keeps_the_other_boards(server, tmp_path):
    server.routes[ASHBY_BOARD.format(token="lumen")] = Reply(body=b'{"apiVersion": "1", "jobs": [{"id": "3f1e')
    result = crawl("ashby", tmp_path, server, "--board", "lumen", "--board", "quartz")
    assert result.returncode == 0, result.stderr
    assert set(rows_by_id(tmp_path, "ashby")) == set(fixture_jobs("quartz"))
    errors = [line for line in result.stderr.splitlines() if "not valid JSON" in line]
    assert len(errors) == 1 and "lumen" in errors[0]
    run, _ = run_stats(tmp_path, "ashby")
    assert (run["status"], run["errors"]) == ("finished_with_errors", 1)


def test_a_server_error_that_persists_is_recorded_as_such_not_as_a_gone_board(server, tmp_path):
    server.routes[ASHBY_BOARD.format(token="lumen")] = Reply(502, b"bad gateway")
    result = crawl("ashby", tmp_path, server, "--set", "RETRY_TIMES=1", "--board", "lumen", "--board", "quartz")
    assert result.returncode == 0, result.stderr
    assert set(rows_by_id(tmp_path, "ashby")) == set(fixture_jobs("quartz"))
    stats = run_stats(tmp_path, "ashby")[1]
    assert stats["skilltrends/errors/http_502"] == 1 and "skilltrends/errors/board_gone" not in stats


def test_pay_the_employer_holds_back_is_not_stored(server, tmp_path):
    """With includeCompensation=true the API also sends pay whose job says
    shouldDisplayCompensationOnJobPostings: false; only the published pay is stored."""
    pay = {"summaryComponents": [{"compensationType": "Salary", "interval": "1 YEAR", "currencyCode": "USD",
                                  "minValue": 211400, "maxValue": 290600}]}
    jobs = [{"id": job_id, "title": "ML Engineer", "isListed": True, "jobUrl": f"https://jobs.ashbyhq.com/x/{job_id}",
             "descriptionHtml": "<p>Train models.</p>", "publishedAt": "2026-04-07T17:12:35.753+00:00",
             "compensation": pay, **shown}
            for job_id, shown in [("held", {"shouldDisplayCompensationOnJobPostings": False}),
                                  ("shown", {"shouldDisplayCompensationOnJobPostings": True}),
                                  ("unsaid", {})]]
    server.routes[ASHBY_BOARD.format(token="withheld")] = Reply(body=json.dumps({"apiVersion": "1", "jobs": jobs}).encode())
    assert crawl("ashby", tmp_path, server, "--board", "withheld").returncode == 0
    rows = rows_by_id(tmp_path, "ashby")
    salary = ("salary_min", "salary_max", "salary_currency", "salary_period")
    assert [rows["held"][key] for key in salary] == [None] * 4
    assert json.loads(rows["held"]["raw"])["compensation"] == pay  # kept as received
    for job_id in ("shown", "unsaid"):
        assert [rows[job_id][key] for key in salary] == [211400, 290600, "USD", "year"]
