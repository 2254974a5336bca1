"""The Remote OK spider, crawled through the real CLI against a local server at the real API paths."""

from __future__ import annotations

import json
from datetime import datetime, timezone

import pytest

from tests.fixture_server import FixtureServer, Reply
from tests.helpers import FIXTURES, REMOTEOK_API, crawl, landing_rows, rows_by_id, run_stats

RO = FIXTURES / "remoteok"
FEED = json.loads((RO / "api.json").read_text())
NOTICE, JOBS = FEED[0], FEED[1:]


@pytest.fixture
def server():
    with FixtureServer() as fixture_server:
        fixture_server.serve_file(REMOTEOK_API, RO / "api.json")
        yield fixture_server


def test_every_job_is_stored_and_the_legal_notice_is_not_a_job(server, tmp_path):
    result = crawl("remoteok", tmp_path, server)
    assert result.returncode == 0, result.stderr
    assert server.requested("/api") == [REMOTEOK_API]
    rows = rows_by_id(tmp_path, "remoteok")
    assert rows.keys() == {job["id"] for job in JOBS} and len(rows) == 3
    for job in JOBS:
        row = rows[job["id"]]
        low, high = job["salary_min"] or None, job["salary_max"] or None  # 0: not given
        assert row["source"] == "remoteok"
        assert row["url"] == job["url"]  # the listing on Remote OK: the link-back its terms ask for
        assert row["title"] == job["position"]
        assert row["company"] == job["company"]
        assert row["location"] == (job["location"] or None)
        assert row["remote"] is True
        assert row["html"] == job["description"]
        assert row["posted_at"] == datetime.fromisoformat(job["date"]).astimezone(timezone.utc).replace(tzinfo=None)
        assert (row["salary_min"], row["salary_max"]) == (low, high)
        assert (row["salary_currency"], row["salary_period"]) == (("USD", "year") if low or high else (None, None))
        assert json.loads(row["raw"]) == job
    # The terms travel with the run: logged once, kept in its stats.
    run, stats = run_stats(tmp_path, "remoteok")
    assert stats["skilltrends/source_terms"] == NOTICE["legal"]
    assert (run["status"], run["errors"], stats.get("skilltrends/jobs_unreadable", 0)) == ("finished", 0, 0)


CANARY = ("<p>Please mention the word <b>ENTHUSE</b> and tag RMTI3LjAuMC4x when applying to show you read the "
          "job post completely (#RMTI3LjAuMC4x). This is a beta feature to avoid spam applicants. Companies can "
          "search these words to find applicants that read this and see they're human.</p>")
MARKDOWN_CANARY = ("\n\nPlease mention the word **FUTURESTIC** and tag RMjcuNi4xMjguMjA5 when applying to show "
                   "you read the job post completely (#RMjcuNi4xMjguMjA5).")


def test_the_note_that_carries_the_crawlers_address_is_removed(server, tmp_path):
    # Remote OK's API appends it to every description; its tag is the base64 of the caller's IP.
    jobs = [{**job, "description": job["description"] + canary} for job, canary in zip(JOBS, (CANARY, MARKDOWN_CANARY))]
    server.routes[REMOTEOK_API] = Reply(body=json.dumps([NOTICE, *jobs, *JOBS[2:]]).encode())
    result = crawl("remoteok", tmp_path, server)
    assert result.returncode == 0, result.stderr
    rows = rows_by_id(tmp_path, "remoteok")
    for job in JOBS:
        assert rows[job["id"]]["html"] == job["description"]
        assert json.loads(rows[job["id"]]["raw"]) == job
    assert run_stats(tmp_path, "remoteok")[1]["skilltrends/reader_canaries_removed"] == 2


def test_a_feed_of_only_the_notice_stores_nothing_and_is_no_error(server, tmp_path):
    server.serve_file(REMOTEOK_API, RO / "notice_only.json")
    result = crawl("remoteok", tmp_path, server)
    assert result.returncode == 0, result.stderr
    assert landing_rows(tmp_path, source="remoteok") == []
    run, stats = run_stats(tmp_path, "remoteok")
    assert (run["status"], run["errors"], stats["skilltrends/pages_done"]) == ("finished", 0, 1)


def test_an_unreadable_element_is_skipped_and_the_others_are_stored(server, tmp_path):
    server.routes[REMOTEOK_API] = Reply(body=json.dumps([NOTICE, ["not", "a", "job"], *JOBS]).encode())
    result = crawl("remoteok", tmp_path, server)
    assert result.returncode == 0, result.stderr
    assert rows_by_id(tmp_path, "remoteok").keys() == {job["id"] for job in JOBS}
    assert run_stats(tmp_path, "remoteok")[1]["skilltrends/jobs_unreadable"] == 1


def test_an_html_page_instead_of_json_is_one_error(server, tmp_path):
    server.routes[REMOTEOK_API] = Reply(body=b"<!DOCTYPE html><html><title>Just a moment...</title></html>",
                                        headers={"Content-Type": "text/html"})
    result = crawl("remoteok", tmp_path, server)
    assert result.returncode == 1, result.stderr  # the feed is the whole source: nothing was crawled
    assert landing_rows(tmp_path, source="remoteok") == []
    run, stats = run_stats(tmp_path, "remoteok")
    assert (run["status"], stats["skilltrends/errors/html_instead_of_json"]) == ("finished_with_errors", 1)


def test_robots_txt_is_obeyed(server, tmp_path):
    server.routes["/robots.txt"] = Reply(body=b"User-agent: *\nDisallow: /api\n",
                                         headers={"Content-Type": "text/plain"})
    result = crawl("remoteok", tmp_path, server)
    assert result.returncode == 1, result.stderr  # forbidden, so nothing was crawled: said, not exit 0
    assert "(robots_forbidden) and found not one posting" in result.stderr
    assert server.requested("/api") == []  # never asked
    assert landing_rows(tmp_path, source="remoteok") == []


def test_text_encoded_twice_is_repaired_and_kept_as_received_in_raw(server, tmp_path):
    """Remote OK serves UTF-8 read as Latin-1 and encoded again: "Â\xa0" after words, "â\x80\x99"
    for a curly apostrophe. Stored as served, "PyTorchÂ" hides PyTorch from the extractor."""
    def twice(text: str) -> str:
        return text.encode("utf-8").decode("latin-1")
    served = {**JOBS[0], "position": twice("Ingeniero de grabación ML"), "company": twice("Señal Labs"),
              "description": twice("<ul><li>PyTorch\xa0</li><li>MLflow\xa0</li></ul><p>The world’s data.</p>")
              + "<br/><br/>" + MARKDOWN_CANARY.strip()}
    server.routes[REMOTEOK_API] = Reply(body=json.dumps([NOTICE, served, *JOBS[1:]]).encode())
    result = crawl("remoteok", tmp_path, server)
    assert result.returncode == 0, result.stderr
    rows = rows_by_id(tmp_path, "remoteok")
    row = rows[served["id"]]
    assert (row["title"], row["company"]) == ("Ingeniero de grabación ML", "Señal Labs")
    # The note and the line breaks before it are gone.
    assert row["html"] == "<ul><li>PyTorch\xa0</li><li>MLflow\xa0</li></ul><p>The world’s data.</p>"
    assert json.loads(row["raw"])["position"] == served["position"]
    for job in JOBS[1:]:  # clean text is left alone
        assert (rows[job["id"]]["html"], rows[job["id"]]["title"]) == (job["description"], job["position"])
    assert run_stats(tmp_path, "remoteok")[1]["skilltrends/texts_reencoded"] == 1


def test_a_long_run_of_line_breaks_is_taken_off_in_linear_time():
    import time

    from crawlers.spiders.remoteok import without_empty_end
    started = time.perf_counter()
    assert without_empty_end("<p>x</p>" + "<br>" * 20_000 + "<p>y</p>") == "<p>x</p>" + "<br>" * 20_000 + "<p>y</p>"
    assert without_empty_end("<p>x</p>" + "<br/> " * 20_000 + "<p></p>\n") == "<p>x</p>"
    assert time.perf_counter() - started < 2  # one pattern for the whole run took 42 s for the first
