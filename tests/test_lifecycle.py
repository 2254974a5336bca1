"""Posting lifecycle: first_seen / last_seen / closed_at of job-board listings.

A posting a complete crawl of its board no longer lists gets ``closed_at``; an incomplete
crawl (the board failed, the request budget was spent, the crawl was killed) closes nothing.
Crawls run through the real CLI against the local server; the ETL runs in process.
"""

from __future__ import annotations

import json
from datetime import datetime

import pytest

from crawlers.items import BoardResult, PostingItem, record_hash
from crawlers.landing import LandingWriter, new_run_id, seen_row
from etl.pipeline import run_etl
from skilltrends.home import Home
from tests.fixture_server import FixtureServer, Reply
from tests.greenhouse_factory import board_path, gh_job, serve_board
from tests.helpers import crawl_in_a_new_second, crawl_runs, landing_rows, snapshot_rows
from tests.landing_factory import hn_item, write_landing

BOARDS = ("--board", "alpha", "--board", "beta")
FAIL_FAST = ("--set", "RETRY_TIMES=0")


def jobs(token: str, *numbers: int) -> list[dict]:
    return [gh_job(token, number) for number in numbers]


def gh_id(token: str, number: int) -> str:
    return str(gh_job(token, number)["id"])


def closed_listings(home: Home) -> dict[str, datetime]:
    return dict(snapshot_rows(home, "SELECT source_id, closed_at FROM listings WHERE closed_at IS NOT NULL"))


def last_run_stats(home: Home) -> dict:
    runs = sorted(crawl_runs(home.root, source="greenhouse"), key=lambda run: run["run_id"])
    return json.loads(runs[-1]["stats"])


@pytest.fixture
def home(tmp_path) -> Home:
    return Home.resolve(tmp_path)


@pytest.fixture
def server():
    with FixtureServer() as fixture_server:
        serve_board(fixture_server, "alpha", jobs("alpha", 1, 2, 3))
        serve_board(fixture_server, "beta", jobs("beta", 1, 2))
        yield fixture_server


def crawl_boards(home: Home, server: FixtureServer, *args: str) -> None:
    result = crawl_in_a_new_second("greenhouse", home.root, server, *BOARDS, *FAIL_FAST, *args)
    assert result.returncode == 0, result.stderr


def test_every_board_listing_has_its_board_and_first_and_last_seen(home, server):
    crawl_boards(home, server)
    run_etl(home)
    rows = snapshot_rows(home, "SELECT source_id, board, first_seen, last_seen, closed_at FROM listings")
    assert {row[0]: row[1] for row in rows} == {
        **{gh_id("alpha", n): "alpha" for n in (1, 2, 3)}, **{gh_id("beta", n): "beta" for n in (1, 2)}}
    assert all(first is not None and first <= last and closed is None for _, _, first, last, closed in rows)


def test_a_posting_removed_between_two_complete_crawls_is_closed(home, server):
    crawl_boards(home, server)
    run_etl(home)
    first_seen = dict(snapshot_rows(home, "SELECT source_id, last_seen FROM listings"))
    serve_board(server, "alpha", jobs("alpha", 1, 3))  # job 2 taken down
    crawl_boards(home, server)
    report = run_etl(home)
    (board_seen_at,) = snapshot_rows(home, "SELECT max(seen_at) FROM crawl_boards WHERE board = 'alpha'")[0]
    assert closed_listings(home) == {gh_id("alpha", 2): board_seen_at}
    assert report.listings_closed == 1 and board_seen_at > first_seen[gh_id("alpha", 2)]
    # The posting closes with its only listing; the others stay open and were seen again.
    assert snapshot_rows(home, "SELECT count(*) FROM postings WHERE closed_at IS NOT NULL") == [(1,)]
    last_seen = dict(snapshot_rows(home, "SELECT source_id, last_seen FROM listings"))
    assert all(last_seen[i] >= board_seen_at for i in last_seen if i != gh_id("alpha", 2))
    # The second crawl stored nothing (all unchanged) and counted the closing.
    stats = last_run_stats(home)
    assert (stats["skilltrends/postings/unchanged"], stats["skilltrends/postings/new"],
            stats["skilltrends/postings/closed"], stats["skilltrends/postings_stored"]) == (4, 0, 1, 0)


def test_a_closed_posting_that_reappears_is_open_again(home, server):
    crawl_boards(home, server)
    serve_board(server, "alpha", jobs("alpha", 1, 3))
    crawl_boards(home, server)
    run_etl(home)
    assert set(closed_listings(home)) == {gh_id("alpha", 2)}
    serve_board(server, "alpha", jobs("alpha", 1, 2, 3))
    crawl_boards(home, server)
    report = run_etl(home)
    assert closed_listings(home) == {} and report.listings_reopened == 1
    assert snapshot_rows(home, "SELECT count(*) FROM postings WHERE closed_at IS NOT NULL") == [(0,)]


def test_loading_all_at_once_or_run_by_run_gives_the_same_lifecycle(home, server):
    crawl_boards(home, server)
    run_etl(home)
    serve_board(server, "alpha", jobs("alpha", 1, 3))
    crawl_boards(home, server)
    run_etl(home)
    incremental = snapshot_rows(home, "SELECT * EXCLUDE (run_id) FROM listings ORDER BY source_id")
    run_etl(home, full=True)
    assert snapshot_rows(home, "SELECT * EXCLUDE (run_id) FROM listings ORDER BY source_id") == incremental


@pytest.mark.parametrize("fault, alpha_reply", [
    ("http_500", Reply(500, b"oops")),
    ("malformed_json", Reply(body=b'{"jobs": [{"id": 1, "ti')),
    ("html_instead_of_json", Reply(body=b"<html><body>Maintenance</body></html>",
                                   headers={"Content-Type": "text/html"})),
    ("unexpected_layout", Reply(body=b'{"postings": []}')),
    ("timeout", Reply(body=b'{"jobs": []}', delay=6)),
])
def test_a_board_whose_crawl_failed_closes_nothing_while_complete_boards_do(home, server, fault, alpha_reply):
    crawl_boards(home, server)
    # Alpha fails: it answers nothing usable (an empty list, had it been read, would close all).
    server.routes[board_path("alpha")] = alpha_reply
    serve_board(server, "beta", jobs("beta", 1))  # beta is complete and drops job 2
    # 3 s leaves the complete board a margin on a busy machine and still times alpha's 6 s delay out.
    result = crawl_in_a_new_second("greenhouse", home.root, server, *BOARDS, *FAIL_FAST, "--set", "DOWNLOAD_TIMEOUT=3")
    assert result.returncode == 0, result.stderr
    run_etl(home)
    boards = snapshot_rows(home, "SELECT board, complete, error, r.status FROM crawl_boards c JOIN crawl_runs r "
                            "USING (run_id) ORDER BY seen_at DESC, board LIMIT 2")
    assert sorted(boards) == [("alpha", False, fault, "finished_with_errors"),
                              ("beta", True, None, "finished_with_errors")], result.stderr
    assert set(closed_listings(home)) == {gh_id("beta", 2)}, (
        snapshot_rows(home, "SELECT source_id, last_seen FROM listings ORDER BY source_id"),
        snapshot_rows(home, "SELECT board, seen_at, complete FROM crawl_boards ORDER BY seen_at"), result.stderr)


def test_a_board_with_an_unreadable_job_closes_nothing(home, server):
    crawl_boards(home, server)
    broken = {key: value for key, value in gh_job("alpha", 3).items() if key != "id"}  # no id
    serve_board(server, "alpha", [gh_job("alpha", 1), broken])  # job 2 gone, job 3 unreadable
    result = crawl_in_a_new_second("greenhouse", home.root, server, *BOARDS)
    lines = [line for line in result.stderr.splitlines() if "'alpha'" in line]
    assert len(lines) == 1 and "without a usable id" in lines[0]
    run_etl(home)
    assert closed_listings(home) == {}


def test_a_crawl_stopped_by_its_request_budget_closes_nothing(home, server):
    crawl_boards(home, server)
    serve_board(server, "alpha", jobs("alpha", 1))
    serve_board(server, "beta", jobs("beta", 1))
    # robots.txt and alpha fit in the budget; beta does not.
    crawl_boards(home, server, "--set", "CRAWL_REQUEST_BUDGET=2", "--set", "CONCURRENT_REQUESTS=1")
    run = sorted(crawl_runs(home.root, source="greenhouse"), key=lambda r: r["run_id"])[-1]
    assert run["status"] == "budget_exhausted"
    assert json.loads(run["stats"])["skilltrends/postings/closed"] == 0
    run_etl(home)
    assert closed_listings(home) == {}
    # Alpha's crawl was complete, but the run was not.
    assert snapshot_rows(home, f"SELECT board, complete FROM crawl_boards WHERE run_id = '{run['run_id']}'") == [("alpha", True)]


def test_hn_listings_never_close(home):
    write_landing(home.root, [hn_item(1, "Acme | ML Engineer | Paris<p>PyTorch.", "2024-01"),
                              hn_item(2, "Shopz | Frontend | Berlin<p>React.", "2024-01")])
    write_landing(home.root, [hn_item(1, "Acme | ML Engineer | Paris<p>PyTorch.", "2024-01")])
    run_etl(home)
    assert snapshot_rows(home, "SELECT count(*) FROM listings WHERE closed_at IS NOT NULL OR board IS NOT NULL") == [(0,)]


def board_item(token: str, number: int, when: datetime) -> PostingItem:
    job = gh_job(token, number)
    return PostingItem(source="greenhouse", source_id=str(job["id"]), url=job["absolute_url"],
                       html=job["content"], title=job["title"], board=token, fetched_at=when)


def write_run(home: Home, items: list[PostingItem], board: BoardResult, status: str, job_id: str) -> None:
    run_id = new_run_id()
    writer = LandingWriter(home.landing_file("greenhouse", run_id), run_id, "greenhouse", job_id)
    stored = {item.source_id: item for item in items}
    seen = [seen_row("greenhouse", source_id, board.board,
                     record_hash(stored[source_id]) if source_id in stored else None, board.seen_at,
                     "new" if source_id in stored else "unchanged")
            for source_id in board.ids]
    writer.write(items, seen, [board])
    if status == "killed":
        writer.conn.close()  # never closed: the ETL reads it as killed
    else:
        writer.close(status, 0, {})


def test_a_killed_run_closes_nothing_until_a_resume_finishes_its_job(home):
    t1, t2, t3 = datetime(2024, 5, 1, 10), datetime(2024, 5, 2, 10), datetime(2024, 5, 2, 11)
    write_run(home, [board_item("alpha", 1, t1), board_item("alpha", 2, t1)],
              BoardResult("greenhouse", "alpha", True, t1, [gh_id("alpha", 1), gh_id("alpha", 2)]), "finished", "job1")
    # Job 2: killed after alpha was crawled completely (job 2 of alpha no longer listed)...
    write_run(home, [], BoardResult("greenhouse", "alpha", True, t2, [gh_id("alpha", 1)]), "killed", "job2")
    run_etl(home)
    assert snapshot_rows(home, "SELECT status FROM crawl_runs ORDER BY run_id") == [("finished",), ("killed",)]
    assert closed_listings(home) == {}
    # ... then resumed (beta) and finished: the whole job counts, alpha's crawl closes job 2.
    write_run(home, [board_item("beta", 1, t3)], BoardResult("greenhouse", "beta", True, t3, [gh_id("beta", 1)]),
              "finished", "job2")
    run_etl(home)
    assert closed_listings(home) == {gh_id("alpha", 2): t2}


def test_landing_rows_record_each_board_and_each_sighting(home, server):
    crawl_boards(home, server)
    serve_board(server, "alpha", jobs("alpha", 1, 3))
    crawl_boards(home, server)
    second = sorted(landing_rows(home.root, "SELECT * FROM crawl_run", "greenhouse"), key=lambda r: r["run_id"])[-1]
    seen = landing_rows(home.root, f"SELECT source_id, board, change FROM seen "
                                   f"WHERE (SELECT run_id FROM crawl_run) = '{second['run_id']}'", "greenhouse")
    assert sorted((row["board"], row["change"]) for row in seen) == [
        ("alpha", "unchanged"), ("alpha", "unchanged"), ("beta", "unchanged"), ("beta", "unchanged")]
    boards = landing_rows(home.root, f"SELECT board, complete, postings FROM boards "
                                     f"WHERE (SELECT run_id FROM crawl_run) = '{second['run_id']}'", "greenhouse")
    assert sorted((b["board"], b["complete"], b["postings"]) for b in boards) == [("alpha", True, 2), ("beta", True, 2)]
