"""Incremental crawls: conditional requests, unchanged postings not re-stored, versions kept,
one crawl of a source at a time. Crawls through the real CLI against the local server."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

import duckdb
import pytest

from crawlers.state import state_file
from etl.pipeline import run_etl
from skilltrends.home import Home
from tests.fixture_server import FixtureServer, Reply
from tests.greenhouse_factory import board_path, gh_job, serve_board
from tests.helpers import (
    FAST_CRAWL, LEVER_PAGE, PROJECT, crawl, crawl_hn, crawl_in_a_new_second, crawl_runs, landing_rows, serve_hn_fixtures, snapshot_rows,
)

BOARDS = ("--board", "alpha", "--board", "beta")
ETAG = {"Content-Type": "application/json; charset=utf-8", "ETag": 'W/"alpha-v1"'}


def jobs(token: str, *numbers: int, revised: tuple[int, ...] = ()) -> list[dict]:
    return [gh_job(token, n, revision=1 if n in revised else 0) for n in numbers]


def gh_id(token: str, number: int) -> str:
    return str(gh_job(token, number)["id"])


def runs(home: Home, source: str = "greenhouse") -> list[dict]:
    return sorted(crawl_runs(home.root, source=source), key=lambda run: run["run_id"])


def last_stats(home: Home, source: str = "greenhouse") -> dict:
    return json.loads(runs(home, source)[-1]["stats"])


def landing_of(home: Home, run: dict, table: str) -> list[dict]:
    path = home.landing_file("greenhouse", run["run_id"])
    conn = duckdb.connect(str(path), read_only=True)
    try:
        return conn.sql(f"SELECT * FROM {table}").pl().to_dicts()
    finally:
        conn.close()


@pytest.fixture
def home(tmp_path) -> Home:
    return Home.resolve(tmp_path)


@pytest.fixture
def server():
    with FixtureServer() as fixture_server:
        serve_board(fixture_server, "alpha", jobs("alpha", 1, 2, 3), headers=ETAG)
        serve_board(fixture_server, "beta", jobs("beta", 1, 2))  # no validators
        yield fixture_server


def crawl_boards(home: Home, server: FixtureServer, *args: str):
    result = crawl_in_a_new_second("greenhouse", home.root, server, *BOARDS, *args)
    assert result.returncode == 0, result.stderr
    return result


def test_an_etag_is_sent_back_and_a_304_records_the_board_unchanged(home, server):
    crawl_boards(home, server)
    crawl_boards(home, server)
    first, second = server.headers_of(board_path("alpha"))
    assert "If-None-Match" not in first and second["If-None-Match"] == 'W/"alpha-v1"'
    # Beta sent no validators: it is never asked conditionally.
    assert all("If-None-Match" not in h and "If-Modified-Since" not in h for h in server.headers_of(board_path("beta")))
    run = runs(home)[-1]
    boards = {row["board"]: row for row in landing_of(home, run, "boards")}
    assert (boards["alpha"]["not_modified"], boards["alpha"]["complete"], boards["alpha"]["postings"]) == (True, True, 3)
    assert boards["beta"]["not_modified"] is False
    seen = landing_of(home, run, "seen")
    assert {(row["source_id"], row["change"]) for row in seen if row["board"] == "alpha"} == {
        (gh_id("alpha", n), "unchanged") for n in (1, 2, 3)}
    assert all(row["record_hash"] for row in seen)
    assert landing_of(home, run, "postings") == []
    stats = last_stats(home)
    assert (stats["skilltrends/conditional/sent"], stats["skilltrends/boards_not_modified"],
            stats["skilltrends/responses/304"], stats["skilltrends/postings/unchanged"]) == (1, 1, 1, 5)


def test_a_304_moves_last_seen_and_closes_nothing(home, server):
    crawl_boards(home, server)
    run_etl(home)
    before = dict(snapshot_rows(home, "SELECT source_id, last_seen FROM listings WHERE board = 'alpha'"))
    crawl_boards(home, server)
    run_etl(home)
    after = dict(snapshot_rows(home, "SELECT source_id, last_seen FROM listings WHERE board = 'alpha'"))
    assert after.keys() == before.keys() and all(after[i] > before[i] for i in after)
    assert snapshot_rows(home, "SELECT count(*) FROM listings WHERE closed_at IS NOT NULL") == [(0,)]


def test_a_changed_board_is_fetched_in_full_and_closes_what_it_dropped(home, server):
    crawl_boards(home, server)
    serve_board(server, "alpha", jobs("alpha", 1, 3), headers={**ETAG, "ETag": 'W/"alpha-v2"'})
    crawl_boards(home, server)
    assert server.headers_of(board_path("alpha"))[-1]["If-None-Match"] == 'W/"alpha-v1"'
    run_etl(home)
    assert snapshot_rows(home, "SELECT source_id FROM listings WHERE closed_at IS NOT NULL") == [(gh_id("alpha", 2),)]
    # The new ETag is the one remembered.
    crawl_boards(home, server)
    assert server.headers_of(board_path("alpha"))[-1]["If-None-Match"] == 'W/"alpha-v2"'


def test_last_modified_is_sent_back_as_if_modified_since(home, server):
    stamp = "Wed, 06 Nov 2024 08:49:37 GMT"
    serve_board(server, "beta", jobs("beta", 1, 2), headers={"Content-Type": "application/json", "Last-Modified": stamp})
    crawl_boards(home, server)
    crawl_boards(home, server)
    assert server.headers_of(board_path("beta"))[-1]["If-Modified-Since"] == stamp
    boards = {row["board"]: row for row in landing_of(home, runs(home)[-1], "boards")}
    assert boards["beta"]["not_modified"] and boards["beta"]["complete"]


def test_validators_of_an_incomplete_crawl_are_not_used(home, server):
    broken = {key: value for key, value in gh_job("alpha", 3).items() if key != "id"}
    serve_board(server, "alpha", [gh_job("alpha", 1), broken], headers=ETAG)
    crawl_boards(home, server)  # alpha incomplete: one job unreadable
    crawl_boards(home, server)
    assert all("If-None-Match" not in headers for headers in server.headers_of(board_path("alpha")))


def test_lever_pages_are_never_asked_conditionally(home):
    with FixtureServer() as server:
        path = LEVER_PAGE.format(token="orbital", skip=0, limit=100)
        server.routes[path] = Reply(body=b"[]", headers={"Content-Type": "application/json", "ETag": '"x"'})
        for _ in range(2):
            assert crawl("lever", home.root, server, "--board", "orbital").returncode == 0
        assert all("If-None-Match" not in headers for headers in server.headers_of(path))


def test_unchanged_postings_are_not_stored_again_and_changed_ones_keep_their_history(home, server):
    serve_board(server, "alpha", jobs("alpha", 1, 2, 3))  # no validators: always a full answer
    crawl_boards(home, server)
    run_etl(home)
    crawl_boards(home, server)
    assert (last_stats(home)["skilltrends/postings/unchanged"], last_stats(home)["skilltrends/postings_stored"]) == (5, 0)
    serve_board(server, "alpha", jobs("alpha", 1, 2, 3, revised=(1,)))
    crawl_boards(home, server)
    stats = last_stats(home)
    assert (stats["skilltrends/postings/changed"], stats["skilltrends/postings/unchanged"],
            stats["skilltrends/postings_stored"]) == (1, 4, 1)
    stored = landing_of(home, runs(home)[-1], "postings")
    assert [row["source_id"] for row in stored] == [gh_id("alpha", 1)]
    # Across all landing files each version is stored once.
    all_rows = landing_rows(home.root, "SELECT source_id, record_hash FROM postings", "greenhouse")
    assert len(all_rows) == len({(r["source_id"], r["record_hash"]) for r in all_rows}) == 6
    run_etl(home)
    versions = snapshot_rows(home, f"SELECT content_hash, first_seen, last_seen, posting_id FROM posting_versions "
                              f"WHERE source_id = '{gh_id('alpha', 1)}' ORDER BY first_seen")
    assert len(versions) == 2 and versions[0][0] != versions[1][0]
    assert versions[0][2] < versions[1][1]  # the old version was last seen before the new one appeared
    current = snapshot_rows(home, f"SELECT l.posting_id, p.text FROM listings l JOIN postings p USING (posting_id) "
                             f"WHERE l.source_id = '{gh_id('alpha', 1)}'")
    assert current[0][0] == versions[1][3] and "Update 1" in current[0][1]
    assert snapshot_rows(home, "SELECT count(*) FROM posting_versions") == [(6,)]


def test_hn_threads_crawled_again_store_nothing_new(home):
    with FixtureServer() as server:
        serve_hn_fixtures(server)
        assert crawl_hn(home.root, server, "--since", "2023-01", "--until", "2023-02").returncode == 0
        first = last_stats(home, "hn")
        assert crawl_hn(home.root, server, "--since", "2023-01", "--until", "2023-03").returncode == 0
    second = last_stats(home, "hn")
    assert first["skilltrends/postings/new"] > 0 and second["skilltrends/postings/unchanged"] == first["skilltrends/postings/new"]
    stored = landing_rows(home.root, "SELECT source_id FROM postings", "hn")
    assert len(stored) == len({row["source_id"] for row in stored})  # each comment stored once
    run_etl(home)
    assert snapshot_rows(home, "SELECT count(*) FROM listings") == [(len(stored),)]


def test_two_crawls_of_one_source_at_once_are_refused_with_one_sentence(home, server):
    for token in ("alpha", "beta"):
        server.routes[board_path(token)].delay = 4
    env = {"SKILLTRENDS_GREENHOUSE_URL": server.url}
    first = subprocess.Popen([sys.executable, "-m", "skilltrends", "crawl", "greenhouse", "--home", str(home.root),
                              *FAST_CRAWL, *BOARDS], cwd=PROJECT, env={**os.environ, **env},
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 30
        while not server.requested(board_path("alpha")) and time.monotonic() < deadline:
            time.sleep(0.1)
        second = crawl("greenhouse", home.root, server, *BOARDS)
        assert second.returncode == 1
        assert second.stderr.strip() == (
            f"Error: Another crawl of greenhouse is running (it holds {state_file(home, 'greenhouse')}); two "
            "crawls of the same source at once are refused: wait for it to end, or stop it and use --resume.")
        # Another source is not held up: it runs (here to 404s, as the server has no HN threads).
        other = crawl("hn", home.root, server, "--since", "2030-01")
        assert "Another crawl" not in other.stderr and len(crawl_runs(home.root, "hn")) == 1, other.stderr
    finally:
        first.wait(60)
    assert first.returncode == 0, first.stderr.read()
    assert len(runs(home)) == 1


def test_each_run_records_its_counts(home, server):
    server.routes[board_path("gamma")] = Reply(500, b"oops")
    crawl_boards(home, server, "--board", "gamma", "--set", "RETRY_TIMES=1")
    stats = last_stats(home)
    # robots.txt (404 here), alpha, beta, gamma twice (one retry).
    assert stats["skilltrends/requests"] == stats["downloader/request_count"] == 5
    assert (stats["skilltrends/responses/200"], stats["skilltrends/responses/404"],
            stats["skilltrends/responses/500"]) == (2, 1, 2)
    assert [stats[f"skilltrends/postings/{change}"] for change in ("new", "changed", "unchanged", "closed")] == [5, 0, 0, 0]
    assert (stats["skilltrends/errors/http_500"], stats["skilltrends/error_total"]) == (1, 1)
    assert (stats["skilltrends/boards/complete"], stats["skilltrends/boards/incomplete"]) == (2, 1)
    assert 0 < stats["skilltrends/duration_seconds"] < 60
    serve_board(server, "alpha", jobs("alpha", 1, 2, 3, revised=(1,)), headers={**ETAG, "ETag": 'W/"alpha-v2"'})
    serve_board(server, "beta", jobs("beta", 1))
    crawl_boards(home, server)
    stats = last_stats(home)
    assert [stats[f"skilltrends/postings/{change}"] for change in ("new", "changed", "unchanged", "closed")] == [0, 1, 3, 1]
