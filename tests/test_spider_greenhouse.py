"""The Greenhouse spider, crawled through the real CLI against a local server at the real API paths."""

from __future__ import annotations

import html
import json
from pathlib import Path

import duckdb
import pytest

from skilltrends.home import Home
from tests.fixture_server import FixtureServer, Reply
from tests.helpers import (
    FIXTURES, GREENHOUSE_JOBS, crawl, landing_rows, registry_companies, rows_by_id, run_cli, run_stats, serve_greenhouse_fixtures, utc,
)

GH = FIXTURES / "greenhouse"
COMPANIES = registry_companies(FIXTURES / "boards.toml", "greenhouse")
FIXTURE_BOARDS = ("acmeai", "nimbuslabs", "quietco")


def fixture_jobs(*tokens: str) -> dict[str, tuple[str, dict]]:
    """source_id → (board token, job as the fixture file holds it)."""
    return {str(job["id"]): (token, job)
            for token in tokens for job in json.loads((GH / f"{token}.json").read_text())["jobs"]}


@pytest.fixture
def server():
    with FixtureServer() as fixture_server:
        serve_greenhouse_fixtures(fixture_server)
        yield fixture_server


def test_every_job_of_the_registry_boards_is_stored_as_the_api_gives_it(server, tmp_path):
    result = crawl("greenhouse", tmp_path, server)
    assert result.returncode == 0, result.stderr
    rows = rows_by_id(tmp_path, "greenhouse")
    expected = fixture_jobs(*FIXTURE_BOARDS)
    assert rows.keys() == expected.keys() and len(rows) == 5
    for source_id, (token, job) in expected.items():
        row = rows[source_id]
        assert row["source"] == "greenhouse"
        assert row["url"] == job["absolute_url"]
        assert row["title"] == job["title"]
        assert row["location"] == job["location"]["name"]
        assert row["company"] == COMPANIES[token]
        assert row["html"] == html.unescape(job["content"])
        assert row["department"] == ("; ".join(d["name"] for d in job["departments"]) or None)
        assert row["posted_at"] == (utc(job["first_published"]) if "first_published" in job else None)
        assert row["updated_at"] == utc(job["updated_at"])
        assert row["month"] is None
        assert json.loads(row["raw"]) == job
    # Greenhouse publishes no pay, no remote flag: only a location naming "remote" says so.
    assert {source_id for source_id, row in rows.items() if row["remote"]} == {"4410035008"}
    assert all(row["salary_min"] is None for row in rows.values())
    # An "Employment Type" custom field, where the employer publishes one.
    assert rows["4410021008"]["employment_type"] == "Full-time"
    assert rows["7730012"]["employment_type"] is None


def test_content_is_unescaped_exactly_once(server, tmp_path):
    crawl("greenhouse", tmp_path, server, "--board", "acmeai", "--board", "nimbuslabs")
    rows = rows_by_id(tmp_path, "greenhouse")
    inference = rows["4410021008"]["html"]
    assert "<strong>PyTorch</strong>" in inference and "&lt;" not in inference
    # "R&amp;amp;D" in the API's escaped content is HTML "R&amp;D": unescaping twice would lose it.
    assert "R&amp;D" in inference
    assert "&euro;80k" in rows["7730012"]["html"]


def test_board_arguments_choose_the_boards_and_companies_come_from_the_registry(server, tmp_path):
    result = crawl("greenhouse", tmp_path, server, "--board", "nimbuslabs")
    assert result.returncode == 0, result.stderr
    assert {path.split("/")[3] for path in server.requested("/v1/boards/")} == {"nimbuslabs"}
    rows = landing_rows(tmp_path, source="greenhouse")
    assert {row["source_id"] for row in rows} == set(fixture_jobs("nimbuslabs"))
    assert {row["company"] for row in rows} == {"Nimbus Labs"}


def test_a_board_not_in_the_registry_is_named_as_its_jobs_name_it_else_by_its_token(server, tmp_path):
    jobs = json.loads((GH / "nimbuslabs.json").read_text())
    named = {**jobs, "jobs": [{**job, "company_name": "Nimbus Labs, Inc."} for job in jobs["jobs"]]}
    unnamed = {**jobs, "jobs": [{key: value for key, value in job.items() if key != "company_name"}
                                for job in jobs["jobs"]]}
    server.routes[GREENHOUSE_JOBS.format(token="newco")] = Reply(body=json.dumps(named).encode())
    server.routes[GREENHOUSE_JOBS.format(token="otherco")] = Reply(body=json.dumps(unnamed).encode())
    crawl("greenhouse", tmp_path, server, "--board", "newco")
    crawl("greenhouse", tmp_path, server, "--board", "otherco")
    companies = {(row["board"], row["company"]) for row in landing_rows(tmp_path, source="greenhouse")}
    assert companies == {("newco", "Nimbus Labs, Inc."), ("otherco", "otherco")}
    # The registry's name stands whatever the jobs say.
    server.routes[GREENHOUSE_JOBS.format(token="nimbuslabs")] = Reply(body=json.dumps(named).encode())
    crawl("greenhouse", tmp_path / "registered", server, "--board", "nimbuslabs")
    assert {row["company"] for row in landing_rows(tmp_path / "registered", source="greenhouse")} == {"Nimbus Labs"}


def test_a_published_workplace_type_says_whether_a_job_is_remote(server, tmp_path):
    def job(job_id: int, location: str, workplace=None) -> dict:
        metadata = [] if workplace is None else [
            {"id": 1, "name": "Workplace Type", "value": workplace,
             "value_type": "multi_select" if isinstance(workplace, list) else "single_select"}]
        return {"id": job_id, "title": "ML Engineer", "absolute_url": f"https://example.com/{job_id}",
                "location": {"name": location}, "metadata": metadata, "content": "&lt;p&gt;Train models.&lt;/p&gt;",
                "updated_at": "2026-05-02T13:41:07-04:00"}
    jobs = [job(1, "Canada", "Remote"), job(2, "Remote - US", "Hybrid"), job(3, "Berlin", "On-site"),
            job(4, "Austin, TX", ["Remote", "Hybrid"]), job(5, "Remote (EU)"), job(6, "Paris"),
            job(7, "Remote", "Flexible"), job(8, "Berlin", "Home Office"), job(9, "Austin, TX", "Remote/Hybrid"),
            job(10, "Berlin", "Onsite or Remote"), job(11, "Berlin", "Office / Home Office"), job(12, "Paris", "In-Office")]
    server.routes[GREENHOUSE_JOBS.format(token="workplaces")] = Reply(body=json.dumps({"jobs": jobs}).encode())
    assert crawl("greenhouse", tmp_path, server, "--board", "workplaces").returncode == 0
    remote = {int(source_id): row["remote"] for source_id, row in rows_by_id(tmp_path, "greenhouse").items()}
    assert remote == {1: True, 2: False, 3: False, 4: None, 5: True, 6: None, 7: True, 8: True, 9: None,
                      10: None, 11: None, 12: False}


def test_an_empty_board_stores_nothing_and_is_no_error(server, tmp_path):
    result = crawl("greenhouse", tmp_path, server, "--board", "quietco")
    assert result.returncode == 0, result.stderr
    assert server.requested(GREENHOUSE_JOBS.format(token="quietco"))
    assert landing_rows(tmp_path, source="greenhouse") == []
    run, stats = run_stats(tmp_path, "greenhouse")
    assert (run["status"], run["errors"], stats["skilltrends/boards_done"]) == ("finished", 0, 1)


def test_a_gone_board_is_one_log_line_and_the_other_boards_arrive(server, tmp_path):
    result = crawl("greenhouse", tmp_path, server)  # the registry lists vanishedco, unknown to the server
    assert result.returncode == 0, result.stderr
    gone = [line for line in result.stderr.splitlines() if "vanishedco" in line]
    assert len(gone) == 1 and "gone" in gone[0] and "404" in gone[0]
    assert rows_by_id(tmp_path, "greenhouse").keys() == fixture_jobs(*FIXTURE_BOARDS).keys()
    run, stats = run_stats(tmp_path, "greenhouse")
    assert stats["skilltrends/errors/board_gone"] == 1
    assert (run["status"], run["errors"]) == ("finished_with_errors", 1)


def test_malformed_json_for_one_board_keeps_the_other_boards(server, tmp_path):
    server.routes[GREENHOUSE_JOBS.format(token="nimbuslabs")] = Reply(body=b'{"jobs": [{"id": 7730012, "ti')
    result = crawl("greenhouse", tmp_path, server, "--board", "acmeai", "--board", "nimbuslabs")
    assert result.returncode == 0, result.stderr
    assert rows_by_id(tmp_path, "greenhouse").keys() == fixture_jobs("acmeai").keys()
    errors = [line for line in result.stderr.splitlines() if "not valid JSON" in line]
    assert len(errors) == 1 and "nimbuslabs" in errors[0]
    run, stats = run_stats(tmp_path, "greenhouse")
    assert (run["status"], run["errors"], stats["skilltrends/errors/malformed_json"]) == \
        ("finished_with_errors", 1, 1)


def test_a_board_without_a_jobs_list_is_recorded(server, tmp_path):
    server.routes[GREENHOUSE_JOBS.format(token="nimbuslabs")] = Reply(body=b'{"status": 200, "error": null}')
    crawl("greenhouse", tmp_path, server, "--board", "acmeai", "--board", "nimbuslabs")
    assert rows_by_id(tmp_path, "greenhouse").keys() == fixture_jobs("acmeai").keys()
    assert run_stats(tmp_path, "greenhouse")[1]["skilltrends/errors/unexpected_layout"] == 1


def test_months_are_ignored_with_a_warning(server, tmp_path):
    result = crawl("greenhouse", tmp_path, server, "--board", "acmeai", "--since", "2030-01")
    assert result.returncode == 0, result.stderr
    assert "--since/--until are ignored" in result.stderr
    assert rows_by_id(tmp_path, "greenhouse").keys() == fixture_jobs("acmeai").keys()


def test_unusable_board_arguments_are_one_clear_error(tmp_path):
    bad = run_cli("crawl", "greenhouse", "--board", "../admin", "--home", str(tmp_path))
    assert bad.returncode == 1 and "--board '../admin' is not a board token" in bad.stderr
    assert "Traceback" not in bad.stderr
    hn = run_cli("crawl", "hn", "--board", "anthropic", "--home", str(tmp_path))
    assert hn.returncode == 1 and "hn has no boards" in hn.stderr and "Traceback" not in hn.stderr


OLD_LANDING_SCHEMA = """
CREATE TABLE crawl_run (
    run_id VARCHAR PRIMARY KEY, source VARCHAR NOT NULL, started_at TIMESTAMP NOT NULL,
    finished_at TIMESTAMP, status VARCHAR NOT NULL, items BIGINT NOT NULL DEFAULT 0,
    errors BIGINT NOT NULL DEFAULT 0, stats JSON
);
CREATE TABLE postings (
    source VARCHAR NOT NULL, source_id VARCHAR NOT NULL, url VARCHAR, html VARCHAR,
    posted_at TIMESTAMP, author VARCHAR, thread_id VARCHAR, month DATE, company VARCHAR,
    title VARCHAR, location VARCHAR, raw JSON, fetched_at TIMESTAMP NOT NULL,
    PRIMARY KEY (source, source_id)
);
"""


def write_old_landing_file(home: Path) -> None:
    """A landing file as crawls wrote it before the job-board columns existed."""
    path = home / "landing" / "hn" / "20240101T000000Z-1-0ld0.duckdb"
    path.parent.mkdir(parents=True)
    conn = duckdb.connect(str(path))
    conn.execute(OLD_LANDING_SCHEMA)
    conn.execute(
        "INSERT INTO crawl_run VALUES ('20240101T000000Z-1-0ld0', 'hn', TIMESTAMP '2024-01-01 00:00:00', "
        "TIMESTAMP '2024-01-01 00:05:00', 'finished', 1, 0, '{}')"
    ).fetchall()
    conn.execute(
        "INSERT INTO postings VALUES ('hn', '1001', 'https://news.ycombinator.com/item?id=1001', "
        "'Ledgerly | Data Scientist | London<p>Statistics, scikit-learn and XGBoost.', "
        "TIMESTAMP '2024-01-02 16:00:00', 'someone', '999', DATE '2024-01-01', NULL, NULL, NULL, '{}', "
        "TIMESTAMP '2024-01-02 17:00:00')"
    ).fetchall()
    conn.close()


def test_the_etl_loads_board_postings_beside_older_landing_files(server, tmp_path):
    write_old_landing_file(tmp_path)
    assert crawl("greenhouse", tmp_path, server, "--board", "acmeai").returncode == 0
    result = run_cli("etl", "--home", str(tmp_path))
    assert result.returncode == 0, result.stderr
    conn = duckdb.connect(str(Home.resolve(tmp_path).current_snapshot()), read_only=True)
    try:
        postings = {row["source_id"]: row for row in conn.sql(
            "SELECT source, source_id, company, title, location FROM postings").pl().to_dicts()}
        months = dict(conn.execute(
            "SELECT source_id, month FROM listings WHERE source = 'greenhouse'").fetchall())
        first_seen = dict(conn.execute(
            "SELECT source_id, first_seen FROM listings WHERE source = 'greenhouse'").fetchall())
    finally:
        conn.close()
    assert postings.keys() == {"1001"} | fixture_jobs("acmeai").keys()
    for source_id, (_, job) in fixture_jobs("acmeai").items():
        assert (postings[source_id]["company"], postings[source_id]["title"]) == ("Acme AI", job["title"])
        assert postings[source_id]["location"] == job["location"]["name"]
        # Without first_published, the month it was first seen.
        posted = utc(job["first_published"]) if "first_published" in job else first_seen[source_id]
        expected_month = posted.date().replace(day=1)
        assert months[source_id] == expected_month
