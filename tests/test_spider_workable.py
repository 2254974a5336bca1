"""The Workable spider, crawled through the real CLI against a local server at the real API paths."""

from __future__ import annotations

import json
from datetime import datetime

import pytest

from tests.fixture_server import FixtureServer, Reply
from tests.helpers import (
    FIXTURES, WORKABLE_ACCOUNT, boards_file, crawl, landing_rows, registry_companies, rows_by_id, run_stats, serve_workable_fixtures,
)

WK = FIXTURES / "workable"
REGISTRY = boards_file("workable")
COMPANIES = registry_companies(WK / "boards.toml", "workable")
FIXTURE_ACCOUNTS = ("tensorforge", "quietlab")
REMOTE = {"remote": True, "hybrid": False, "on_site": False}


def account(token: str) -> dict:
    return json.loads((WK / f"{token}.json").read_text())


def fixture_jobs(*tokens: str) -> dict[str, tuple[str, dict]]:
    """source_id (the shortcode) → (account, job as the fixture file holds it)."""
    return {job["shortcode"]: (token, job) for token in tokens for job in account(token)["jobs"]}


def expected_location(job: dict) -> str:
    def place(entry, region_key):
        return ", ".join(part for part in (entry.get("city"), entry.get(region_key), entry.get("country")) if part)
    visible = [place(entry, "region") for entry in job.get("locations", []) if not entry["hidden"]]
    return "; ".join(visible) or place(job, "state")


def expected_html(job: dict) -> str:
    if job.get("full_description"):
        return job["full_description"]
    parts = [job["description"]]
    parts += [f"<h3>{heading}</h3>{job[key]}" for key, heading in (("requirements", "Requirements"),
                                                                     ("benefits", "Benefits")) if job.get(key)]
    return "\n".join(parts)


@pytest.fixture
def server():
    with FixtureServer() as fixture_server:
        serve_workable_fixtures(fixture_server)
        yield fixture_server


def test_every_job_of_the_registry_accounts_is_stored_as_the_api_gives_it(server, tmp_path):
    result = crawl("workable", tmp_path, server, env=REGISTRY)
    assert result.returncode == 0, result.stderr
    rows = rows_by_id(tmp_path, "workable")
    expected = fixture_jobs(*FIXTURE_ACCOUNTS)
    assert rows.keys() == expected.keys() and len(rows) == 3
    for source_id, (token, job) in expected.items():
        row = rows[source_id]
        assert row["source"] == "workable"
        assert row["url"] == job["url"]
        assert row["title"] == job["title"]
        assert row["company"] == COMPANIES[token]
        assert row["location"] == expected_location(job)
        assert row["html"] == expected_html(job)
        assert row["department"] == (job["department"] or None)
        assert row["employment_type"] == job["employment_type"]
        assert row["posted_at"] == datetime.fromisoformat(job["published_on"])
        assert row["remote"] is REMOTE.get(job.get("workplace_type"), job["telecommuting"])
        assert (row["salary_min"], row["salary_currency"], row["updated_at"], row["month"]) == (None,) * 4
        assert json.loads(row["raw"]) == job
    # Hidden locations are left out; the remote job lists its two visible cities.
    assert rows["8F1C2A9B3D"]["location"] == "London, England, United Kingdom; Berlin, Berlin, Germany"
    run, stats = run_stats(tmp_path, "workable")
    assert stats["skilltrends/errors/board_gone"] == 1  # vanishedco
    assert (run["status"], stats["skilltrends/boards_done"]) == ("finished_with_errors", 2)


def test_an_account_not_in_the_registry_is_named_by_the_api(server, tmp_path):
    result = crawl("workable", tmp_path, server, "--board", "openweights", env=REGISTRY)
    assert result.returncode == 0, result.stderr
    assert server.requested("/api/v1/widget/") == [WORKABLE_ACCOUNT.format(token="openweights")]
    (row,) = landing_rows(tmp_path, source="workable")
    assert row["company"] == account("openweights")["name"]


def test_an_account_without_jobs_stores_nothing_and_is_no_error(server, tmp_path):
    result = crawl("workable", tmp_path, server, "--board", "quietlab", env=REGISTRY)
    assert result.returncode == 0, result.stderr
    assert landing_rows(tmp_path, source="workable") == []
    run, stats = run_stats(tmp_path, "workable")
    assert (run["status"], run["errors"], stats["skilltrends/boards_done"]) == ("finished", 0, 1)


def test_malformed_json_for_one_account_keeps_the_others(server, tmp_path):
    server.routes[WORKABLE_ACCOUNT.format(token="quietlab")] = Reply(body=b'{"name": "Quiet Lab", "jobs": [{"ti')
    result = crawl("workable", tmp_path, server, "--board", "tensorforge", "--board", "quietlab", env=REGISTRY)
    assert result.returncode == 0, result.stderr
    assert rows_by_id(tmp_path, "workable").keys() == fixture_jobs("tensorforge").keys()
    errors = [line for line in result.stderr.splitlines() if "not valid JSON" in line]
    assert len(errors) == 1 and "quietlab" in errors[0]
    run, stats = run_stats(tmp_path, "workable")
    assert (run["status"], stats["skilltrends/errors/malformed_json"]) == ("finished_with_errors", 1)


def test_a_job_the_parser_cannot_read_loses_only_itself(server, tmp_path):
    body = account("tensorforge")
    odd = body["jobs"][0]
    odd["locations"] = 5  # a layout the parser did not foresee: reading it raises
    server.routes[WORKABLE_ACCOUNT.format(token="tensorforge")] = Reply(body=json.dumps(body).encode())
    result = crawl("workable", tmp_path, server, "--board", "tensorforge", env=REGISTRY)
    assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr
    assert rows_by_id(tmp_path, "workable").keys() == fixture_jobs("tensorforge").keys() - {odd["shortcode"]}
    boards = landing_rows(tmp_path, "SELECT board, complete, error FROM boards", "workable")
    assert boards == [{"board": "tensorforge", "complete": False, "error": "record_unreadable"}]


def test_a_gone_account_is_one_log_line(server, tmp_path):
    result = crawl("workable", tmp_path, server, "--board", "vanishedco", "--board", "tensorforge", env=REGISTRY)
    gone = [line for line in result.stderr.splitlines() if "vanishedco" in line]
    assert len(gone) == 1 and "gone" in gone[0] and "404" in gone[0]
    assert rows_by_id(tmp_path, "workable").keys() == fixture_jobs("tensorforge").keys()
