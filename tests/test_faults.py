"""The fault matrix for job boards: one board misbehaves, the others arrive.

For each fault the issue names (429, 500, 503, timeout, connection reset, truncated JSON,
invalid JSON, HTML instead of JSON, a 20 MB body, a non-UTF-8 body, a redirect loop, an
unknown field layout), served for board ``faulty`` between two good boards: the crawl
logs one clear line naming the board, records the failure on the run (a counter by kind,
the board's row in ``boards``), keeps every good posting and carries on.
"""

from __future__ import annotations

import gzip
import json
import os
import socket
import subprocess
import sys
from datetime import datetime

import duckdb
import pytest

from tests.fixture_server import FixtureServer, Reply
from tests.greenhouse_factory import board_body, board_path, gh_job, serve_board
from tests.helpers import FAST_CRAWL, PROJECT, crawl, crawl_runs, landing_rows, run_cli

QUICK = ("--set", "DOWNLOAD_TIMEOUT=1", "--set", "RETRY_TIMES=1")
BOARDS = ("--board", "first", "--board", "faulty", "--board", "last")
JSON = {"Content-Type": "application/json"}
BIG_JOBS = [{**gh_job("faulty", n), "content": gh_job("faulty", n)["content"] * 75} for n in range(1, 1001)]
BIG_BODY = board_body(BIG_JOBS)  # a real board of 1,000 long jobs, about 20 MB
assert 19_000_000 < len(BIG_BODY) < 23_000_000
LATIN1 = json.dumps({"jobs": [{**gh_job("faulty", 1), "title": "Ingénieur ML, Zürich"}]},
                    ensure_ascii=False).encode("latin-1")

FAULTS = {
    # name: (the reply for board "faulty", the error kind recorded, extra settings)
    "429": (Reply(429, b'{"error": "rate limited"}', {**JSON, "Retry-After": "0"}), "http_429", ()),
    "500": (Reply(500, b"Internal Server Error", {"Content-Type": "text/plain"}), "http_500", ()),
    "503": (Reply(503, b"Service Unavailable", {"Content-Type": "text/plain"}), "http_503", ()),
    "timeout": (Reply(body=board_body([gh_job("faulty", 1)]), delay=2.5), "timeout", ()),
    "connection reset": (Reply(reset=True), "connection_lost", ()),
    "truncated JSON": (Reply(body=board_body([gh_job("faulty", 1), gh_job("faulty", 2)])[:-400]), "malformed_json", ()),
    "truncated transfer": (Reply(body=board_body([gh_job("faulty", 1)])[:500], declared_length=5000),
                           "truncated_response", ()),
    "invalid JSON": (Reply(body=b'{"jobs": [{"id": 1,, "title": "x"}]}'), "malformed_json", ()),
    "HTML instead of JSON": (Reply(body=b"<!DOCTYPE html><html><body><h1>Careers</h1></body></html>",
                                   headers={"Content-Type": "text/html; charset=utf-8"}), "html_instead_of_json", ()),
    "20 MB body": (Reply(body=BIG_BODY), "body_too_large", ("--set", "DOWNLOAD_MAXSIZE=16000000")),
    "gzip bomb": (Reply(body=gzip.compress(b" " * 20_000_000), headers={**JSON, "Content-Encoding": "gzip"}),
                  "body_too_large", ("--set", "DOWNLOAD_MAXSIZE=16000000")),
    "non-UTF-8 body": (Reply(body=LATIN1), "bad_encoding", ()),
    "redirect loop": (Reply(302, b"", {"Location": board_path("faulty")}), "redirect_loop", ()),
    "unknown field layout": (Reply(body=b'{"data": {"positions": [{"ref": "x1", "name": "ML Engineer"}]}}'),
                             "unexpected_layout", ()),
    "unknown job fields": (Reply(body=b'{"jobs": [{"ref": "x1", "name": "ML Engineer"}], "meta": {"total": 1}}'),
                           "unreadable_jobs", ()),
}


def good_ids() -> set[str]:
    return {str(gh_job("first", n)["id"]) for n in (1, 2, 3)} | {str(gh_job("last", n)["id"]) for n in (1, 2)}


@pytest.fixture
def server():
    with FixtureServer() as fixture_server:
        serve_board(fixture_server, "first", [gh_job("first", n) for n in (1, 2, 3)])
        serve_board(fixture_server, "last", [gh_job("last", n) for n in (1, 2)])
        yield fixture_server


@pytest.mark.parametrize("fault", list(FAULTS))
def test_a_faulty_board_is_one_line_one_recorded_failure_and_the_good_postings_arrive(server, tmp_path, fault):
    reply, kind, settings = FAULTS[fault]
    server.routes[board_path("faulty")] = reply
    result = crawl("greenhouse", tmp_path, server, *BOARDS, *QUICK, *settings)
    assert result.returncode == 0, result.stderr
    # One clear line, the only one logged: an ERROR naming the board, the fault, and "skipped".
    logged = [line for line in result.stderr.splitlines() if "] " in line and not line.startswith("greenhouse:")]
    assert len(logged) == 1, result.stderr
    assert "ERROR" in logged[0] and "faulty" in logged[0] and "skipped" in logged[0], logged[0]
    # Every good posting of the same run arrived.
    assert {row["source_id"] for row in landing_rows(tmp_path, source="greenhouse")} == good_ids()
    # The failure is recorded on the run and on the board.
    (run,) = crawl_runs(tmp_path, source="greenhouse")
    stats = json.loads(run["stats"])
    assert (run["status"], run["errors"], stats[f"skilltrends/errors/{kind}"]) == ("finished_with_errors", 1, 1)
    boards = {row["board"]: row for row in landing_rows(tmp_path, "SELECT * FROM boards", "greenhouse")}
    assert (boards["faulty"]["complete"], boards["faulty"]["error"]) == (False, kind)
    assert boards["first"]["complete"] and boards["last"]["complete"]


def test_retries_are_made_before_giving_up(server, tmp_path):
    server.routes[board_path("faulty")] = Reply(503, b"busy")
    crawl("greenhouse", tmp_path, server, *BOARDS, "--set", "RETRY_TIMES=2")
    assert len(server.requested(board_path("faulty"))) == 3


def test_a_fault_that_clears_on_retry_is_no_failure(server, tmp_path):
    serve_board(server, "faulty", [gh_job("faulty", 1)])
    server.fail_first(board_path("faulty"), Reply(reset=True), Reply(429, b"", {"Retry-After": "0"}))
    result = crawl("greenhouse", tmp_path, server, *BOARDS, "--set", "RETRY_TIMES=2")
    assert "ERROR" not in result.stderr
    assert {row["source_id"] for row in landing_rows(tmp_path, source="greenhouse")} == \
        good_ids() | {str(gh_job("faulty", 1)["id"])}
    (run,) = crawl_runs(tmp_path, source="greenhouse")
    assert run["status"] == "finished"


def test_a_20_mb_board_within_the_size_limit_is_stored_whole(server, tmp_path):
    server.routes[board_path("faulty")] = Reply(body=BIG_BODY)
    result = crawl("greenhouse", tmp_path, server, *BOARDS)
    assert result.returncode == 0 and "ERROR" not in result.stderr, result.stderr
    stored = {row["source_id"] for row in landing_rows(tmp_path, "SELECT source_id FROM postings", "greenhouse")}
    assert stored == good_ids() | {str(job["id"]) for job in BIG_JOBS}


def test_a_declared_charset_other_than_utf8_is_honoured(server, tmp_path):
    server.routes[board_path("faulty")] = Reply(body=LATIN1, headers={"Content-Type": "application/json; charset=iso-8859-1"})
    result = crawl("greenhouse", tmp_path, server, *BOARDS)
    assert "ERROR" not in result.stderr, result.stderr
    titles = {row["title"] for row in landing_rows(tmp_path, source="greenhouse")}
    assert "Ingénieur ML, Zürich" in titles


@pytest.mark.parametrize("charset", ["iso-8859-1", "utf8mb4"])
def test_a_utf8_body_is_utf8_whatever_charset_is_declared(server, tmp_path, charset):
    body = json.dumps({"jobs": [{**gh_job("faulty", 1), "title": "Ingénieur ML, Zürich"}]}, ensure_ascii=False)
    server.routes[board_path("faulty")] = Reply(body=body.encode(), headers={"Content-Type": f"application/json; charset={charset}"})
    result = crawl("greenhouse", tmp_path, server, *BOARDS)
    assert "ERROR" not in result.stderr, result.stderr
    assert "Ingénieur ML, Zürich" in {row["title"] for row in landing_rows(tmp_path, source="greenhouse")}


def test_a_board_answering_json_null_is_one_line_and_left_incomplete(server, tmp_path):
    server.routes[board_path("faulty")] = Reply(body=b"null", headers=JSON)
    result = crawl("greenhouse", tmp_path, server, *BOARDS)
    assert result.returncode == 0, result.stderr
    logged = [line for line in result.stderr.splitlines() if "] " in line]
    assert len(logged) == 1 and "JSON null" in logged[0] and "faulty" in logged[0], result.stderr
    boards = {row["board"]: row for row in landing_rows(tmp_path, "SELECT * FROM boards", "greenhouse")}
    assert boards["faulty"]["complete"] is False
    (run,) = crawl_runs(tmp_path, "greenhouse")
    assert run["status"] == "finished_with_errors"


def test_an_exception_while_reading_one_job_is_one_line_and_loses_only_that_job(server, tmp_path):
    odd = {**gh_job("faulty", 2), "content": 12345}  # not a string: the parser raises TypeError
    serve_board(server, "faulty", [gh_job("faulty", 1), odd, gh_job("faulty", 3)])
    result = crawl("greenhouse", tmp_path, server, *BOARDS)
    assert result.returncode == 0 and "Traceback" not in result.stderr
    logged = [line for line in result.stderr.splitlines() if "] " in line]
    assert len(logged) == 1 and "'faulty'" in logged[0] and "TypeError" in logged[0], result.stderr
    stored = {row["source_id"] for row in landing_rows(tmp_path, source="greenhouse")}
    assert stored == good_ids() | {str(gh_job("faulty", n)["id"]) for n in (1, 3)}  # the jobs around it are kept
    boards = {row["board"]: row for row in landing_rows(tmp_path, "SELECT * FROM boards", "greenhouse")}
    # Incomplete: the unread job must not be taken for a closed one.
    assert (boards["faulty"]["complete"], boards["faulty"]["error"]) == (False, "record_unreadable")
    (run,) = crawl_runs(tmp_path, "greenhouse")
    assert run["errors"] == 1  # one exception, counted once


@pytest.mark.parametrize("url", [["https://x.example/1"], {"href": "x"}, True])
def test_a_job_whose_text_field_is_no_text_is_one_line_and_loses_only_that_job(server, tmp_path, url):
    # Passed through to the landing file, it failed the whole batch there, and every later one.
    odd = {**gh_job("faulty", 2), "absolute_url": url}
    serve_board(server, "faulty", [gh_job("faulty", 1), odd, gh_job("faulty", 3)])
    result = crawl("greenhouse", tmp_path, server, *BOARDS)
    assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr
    logged = [line for line in result.stderr.splitlines() if "] " in line]
    assert len(logged) == 1 and "'faulty'" in logged[0] and "url" in logged[0], result.stderr
    stored = {row["source_id"] for row in landing_rows(tmp_path, source="greenhouse")}
    assert stored == good_ids() | {str(gh_job("faulty", n)["id"]) for n in (1, 3)}
    boards = {row["board"]: row for row in landing_rows(tmp_path, "SELECT * FROM boards", "greenhouse")}
    assert boards["faulty"]["complete"] is False


def test_a_number_where_text_belongs_is_its_text(server, tmp_path):
    serve_board(server, "faulty", [{**gh_job("faulty", 1), "absolute_url": 12345}])
    result = crawl("greenhouse", tmp_path, server, *BOARDS)
    assert result.returncode == 0 and "ERROR" not in result.stderr, result.stderr
    urls = {row["source_id"]: row["url"] for row in landing_rows(tmp_path, source="greenhouse")}
    assert urls[str(gh_job("faulty", 1)["id"])] == "12345" and len(urls) == len(good_ids()) + 1


def test_a_batch_the_landing_file_refuses_is_one_error_and_the_next_batches_are_written(tmp_path, caplog):
    from scrapy.utils.test import get_crawler

    from crawlers.items import BoardResult, PostingItem
    from crawlers.pipelines import LandingPipeline
    from crawlers.spiders.greenhouse import GreenhouseSpider
    from skilltrends.home import Home

    crawler = get_crawler(GreenhouseSpider, {"SKILLTRENDS_HOME": str(tmp_path), "CRAWL_STATE_ENABLED": False})
    spider = GreenhouseSpider()
    pipeline = LandingPipeline(Home.resolve(tmp_path), 1, crawler)
    pipeline.spider_opened(spider)
    refused = PostingItem("greenhouse", "1", "https://x.example/1", "<p>a</p>", board="acme")
    refused.posted_at = "not a time"  # a value the landing file's TIMESTAMP column refuses
    pipeline.process_item(refused)
    pipeline.process_item(PostingItem("greenhouse", "2", "https://x.example/2", "<p>b</p>", board="acme"))
    # Its board's end arrives in a later batch: the lost row must not make posting 1 look unlisted.
    pipeline.process_item(BoardResult("greenhouse", "acme", True, datetime(2024, 5, 1), ids=["1", "2"]))
    pipeline.writer.close("finished", 1, {})
    assert crawler.stats.get_value("skilltrends/errors/landing_write_failed") == 1
    assert [r.getMessage() for r in caplog.records if r.levelname == "ERROR"][0].startswith(
        "1 postings and 0 board results could not be written to")
    conn = duckdb.connect(str(pipeline.writer.path), read_only=True)
    try:
        assert conn.execute("SELECT source_id FROM postings").fetchall() == [("2",)]
        assert conn.execute("SELECT board, complete, error FROM boards").fetchall() == [
            ("acme", False, "landing_write_failed")]
    finally:
        conn.close()


def test_records_skipped_by_one_list_are_not_said_by_another_read_at_the_same_time(caplog):
    from scrapy.utils.test import get_crawler

    from crawlers.spiders.hn import HackerNewsHiringSpider

    crawler = get_crawler(HackerNewsHiringSpider)
    crawler.spider = spider = HackerNewsHiringSpider.from_crawler(crawler)
    comment = {"id": 1, "text": "Acme | ML Engineer"}
    first = spider.readable([comment, comment], lambda c: spider.posting_from_comment(c, 1, None), "Thread 1",
                            "comments_unreadable")
    second = spider.readable([{"text": "no id"}], lambda c: spider.posting_from_comment(c, 2, None), "Thread 2",
                             "comments_unreadable")
    next(first)  # Scrapy steps callbacks' outputs in turn
    assert list(second) == [] and len(list(first)) == 1
    said = [r.getMessage() for r in caplog.records if "without a usable id" in r.getMessage()]
    assert said == ["Thread 2: 1 record(s) without a usable id or layout skipped; the others are kept."]


def test_a_host_that_refuses_connections_is_one_line_each_for_robots_and_the_board(tmp_path):
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{probe.getsockname()[1]}"
    result = run_cli("crawl", "greenhouse", "--board", "first", "--home", str(tmp_path), *FAST_CRAWL,
                     env={"SKILLTRENDS_GREENHOUSE_URL": closed})
    # Not one request answered: the crawl did nothing, so it fails, in one closing sentence.
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("Error: Not one of the ") and last.endswith(
        " requests of the greenhouse crawl was answered (connection_refused), so nothing was crawled."), last
    logged = [line for line in result.stderr.splitlines() if "] " in line]
    assert len(logged) == 2, result.stderr
    assert "robots.txt could not be fetched" in logged[0] and "refused the connection" in logged[1]
    (run,) = crawl_runs(tmp_path, "greenhouse")
    assert (run["status"], run["errors"]) == ("finished_with_errors", 1)


def test_a_landing_file_that_cannot_be_closed_fails_the_crawl_and_keeps_what_it_committed(server, tmp_path):
    """A full disk at the landing file's last checkpoint: the crawl must not pass for one
    that ended (the scheduler would record it ok). It exits 1 with one sentence, and the
    file, left "running", loads as a killed run with what it committed."""
    patch = tmp_path / "patch"
    patch.mkdir()
    (patch / "sitecustomize.py").write_text(
        "import duckdb\n"
        "from crawlers.landing import LandingWriter\n"
        "def close(self, *args, **kwargs):\n"
        "    raise duckdb.IOException('Could not write file: No space left on device')\n"
        "LandingWriter.close = close\n")
    result = crawl("greenhouse", tmp_path / "home", server, "--board", "first", "--board", "last", *QUICK,
                   env={"PYTHONPATH": f"{patch}{os.pathsep}{os.environ.get('PYTHONPATH', '')}"})
    assert result.returncode == 1, result.stderr
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("Error: The greenhouse crawl could not close its landing file"), result.stderr
    assert "No space left on device" in last and "killed run" in last
    (run,) = crawl_runs(tmp_path / "home", "greenhouse")
    assert run["status"] == "running"
    assert {row["source_id"] for row in landing_rows(tmp_path / "home", source="greenhouse")} == good_ids()


FULL_DISK_AT_CLOSE = """
import os, resource, signal, sys
from pathlib import Path
from crawlers.items import PostingItem
from crawlers.landing import LandingWriter, new_run_id
path = Path(sys.argv[1])
writer = LandingWriter(path, new_run_id(), "greenhouse")
writer.write([PostingItem(source="greenhouse", source_id=str(i), url=f"https://example.com/{i}", html="x" * 2000,
                          board="acme") for i in range(300)])
# Room for a small write, not for the checkpoint that moves 300 postings into the file.
room = max(os.path.getsize(path), os.path.getsize(f"{path}.wal")) + 65536
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
resource.setrlimit(resource.RLIMIT_FSIZE, (room, room))
try:
    writer.close("finished", 0, {})
except Exception as exc:
    print(type(exc).__name__)
"""


def test_a_disk_full_at_the_last_checkpoint_leaves_the_run_running_not_finished(tmp_path):
    """What the crawl's exit sentence promises: a landing file that could not be closed loads
    as a killed run (which closes no posting), never as one that ended."""
    path = tmp_path / "landing.duckdb"
    result = subprocess.run([sys.executable, "-c", FULL_DISK_AT_CLOSE, str(path)], capture_output=True, text=True,
                            cwd=PROJECT, timeout=120)
    assert "Exception" in result.stdout, result.stdout + result.stderr  # the close did fail
    conn = duckdb.connect(str(path), read_only=True)
    try:
        assert conn.execute("SELECT status, (SELECT count(*) FROM postings) FROM crawl_run").fetchall() == [
            ("running", 300)]
    finally:
        conn.close()

