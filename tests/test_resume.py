"""Kill and resume: a crawl SIGKILLed at random points and resumed stores every posting once.

The fixture set is generated here: hundreds of Greenhouse boards in the real API format,
thousands of postings, served by the local server. The crawl (the real CLI, politeness off)
is killed with SIGKILL several times at random points, resumed with ``--resume`` each time,
then let finish. The postings stored across all landing files, and the warehouse after the
ETL, must be exactly the fixture set: nothing lost, nothing stored twice.
"""

from __future__ import annotations

import html
import json
import os
import random
import signal
import subprocess
import sys
import time
from dataclasses import replace

import duckdb
import pytest

from etl.pipeline import run_etl
from skilltrends.home import Home
from tests.fixture_server import FixtureServer, Reply
from tests.greenhouse_factory import board_path, gh_job, serve_board, write_registry
from tests.helpers import (
    FAST_CRAWL, FIXTURES, LEVER_PAGE, LEVER_TEST_PAGE_SIZE, PROJECT, crawl_runs, landing_rows, serve_lever_fixtures,
)

BOARDS = 300
KILLS = 4
FAST = ["--set", "CONCURRENT_REQUESTS=16", "--set", "CONCURRENT_REQUESTS_PER_DOMAIN=16",
        "--set", "LANDING_BATCH_SIZE=40", "--set", "RETRY_TIMES=0"]


def fixture_set(seed: int) -> dict[str, list[dict]]:
    rng = random.Random(seed)
    return {f"co{number:03d}": [gh_job(f"co{number:03d}", job) for job in range(1, rng.randint(0, 20) + 1)]
            for number in range(BOARDS)}


def start_crawl(home: Home, server: FixtureServer, registry, *args: str) -> subprocess.Popen:
    env = {**os.environ, "SKILLTRENDS_GREENHOUSE_URL": server.url, "SKILLTRENDS_BOARDS_FILE": str(registry)}
    return subprocess.Popen(
        [sys.executable, "-m", "skilltrends", "crawl", "greenhouse", "--home", str(home.root),
         *FAST_CRAWL, *FAST, *args],
        cwd=PROJECT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )


def board_requests(server: FixtureServer) -> int:
    return len(server.requested("/v1/boards/"))


@pytest.mark.parametrize("seed", [int(time.time()) % 10_000])
def test_a_crawl_killed_at_random_points_and_resumed_stores_every_posting_once(tmp_path, seed):
    rng = random.Random(seed)
    home = Home.resolve(tmp_path / "home")
    boards = fixture_set(seed)
    expected = {str(job["id"]): job for jobs in boards.values() for job in jobs}
    assert len(expected) > 2000
    registry = write_registry(tmp_path / "boards.toml", list(boards))
    kills = []
    with FixtureServer() as server:
        for token, jobs in boards.items():
            serve_board(server, token, jobs, delay=rng.choice([0, 0, 0.01, 0.03]))
        for attempt in range(KILLS):
            before = board_requests(server)
            process = start_crawl(home, server, registry, *(["--resume"] if attempt else []))
            # Kill once a random number of further boards has been asked for (or at once).
            target = before + rng.randint(0, max(1, (BOARDS - before) // 2))
            deadline = time.monotonic() + 60
            while process.poll() is None and board_requests(server) < target and time.monotonic() < deadline:
                time.sleep(0.005)
            time.sleep(rng.uniform(0, 0.2))
            process.send_signal(signal.SIGKILL)
            process.wait(30)
            kills.append((target, board_requests(server), process.returncode))
        final = start_crawl(home, server, registry, "--resume")
        _, stderr = final.communicate(timeout=300)
        assert final.returncode == 0, stderr
    context = f"seed {seed}, kills (target, boards asked, exit code) {kills}"
    assert sum(code == -signal.SIGKILL for _, _, code in kills) >= 2, context

    # Every posting stored exactly once across all landing files, exactly as served.
    stored = landing_rows(home.root, "SELECT source_id, url, title, html, board FROM postings", "greenhouse")
    ids = [row["source_id"] for row in stored]
    assert len(ids) == len(set(ids)), f"postings stored twice ({context})"
    assert set(ids) == set(expected), f"missing {len(set(expected) - set(ids))} ({context})"
    for row in stored:
        job = expected[row["source_id"]]
        assert (row["url"], row["title"], row["html"]) == (job["absolute_url"], job["title"], html.unescape(job["content"]))
        assert row["board"] == job["absolute_url"].split("/")[3]
    # The runs: the killed ones and the resumed one that finished, all one crawl job.
    runs = sorted(crawl_runs(home.root, source="greenhouse"), key=lambda run: run["run_id"])
    assert runs[-1]["status"] == "finished" and len({run["job_id"] for run in runs}) == 1, context
    boards_done = landing_rows(home.root, "SELECT board, complete FROM boards", "greenhouse")
    assert sorted(row["board"] for row in boards_done) == sorted(boards), f"a board crawled twice or never ({context})"

    # After the ETL: the same listings, one per posting, none closed.
    run_etl(home)
    conn = duckdb.connect(str(home.current_snapshot()), read_only=True)
    try:
        listings = conn.execute("SELECT source_id, url, board, closed_at FROM listings").fetchall()
    finally:
        conn.close()
    assert {row[0]: row[1] for row in listings} == {i: job["absolute_url"] for i, job in expected.items()}
    assert all(row[3] is None for row in listings)


def test_resume_refuses_board_arguments(tmp_path):
    from tests.helpers import run_cli

    result = run_cli("crawl", "greenhouse", "--resume", "--board", "x", "--home", str(tmp_path))
    assert result.returncode == 1 and "--resume finishes the boards of the interrupted crawl" in result.stderr


def test_an_interrupted_crawl_says_so_and_names_resume(tmp_path):
    # Ctrl-C: Scrapy stops gracefully and the summary is printed, but the crawl did not end.
    with FixtureServer() as server:
        for number in range(40):
            serve_board(server, f"b{number}", [gh_job(f"b{number}", 1)], delay=0.2)
        registry = write_registry(tmp_path / "boards.toml", [f"b{number}" for number in range(40)])
        process = start_crawl(Home.resolve(tmp_path), server, registry)
        deadline = time.monotonic() + 60
        while board_requests(server) < 2 and time.monotonic() < deadline:
            time.sleep(0.01)
        process.send_signal(signal.SIGINT)
        _, stderr = process.communicate(timeout=120)
    assert process.returncode == 1, stderr
    last = stderr.strip().splitlines()[-1]
    assert last.startswith("Error: The greenhouse crawl was interrupted") and "--resume" in last, stderr
    assert [run["status"] for run in crawl_runs(tmp_path, "greenhouse")] == ["interrupted"]


def test_a_stop_during_a_long_retry_after_wait_keeps_what_was_fetched(tmp_path):
    """A board answering 429 with Retry-After: 300 must not hold the stop for five minutes
    (the scheduler kills a job 60 s after SIGTERM): the wait ends, the landing file is
    closed as interrupted with the other boards' postings, and --resume crawls that board."""
    home = Home.resolve(tmp_path)
    with FixtureServer() as server:
        for token in ("alpha", "beta", "slow"):
            serve_board(server, token, [gh_job(token, 1), gh_job(token, 2)])
        server.fail_first(board_path("slow"), Reply(429, b"", {"Retry-After": "300"}))
        registry = write_registry(tmp_path / "boards.toml", ["alpha", "beta", "slow"])
        process = start_crawl(home, server, registry, "--set", "RETRY_TIMES=2")
        deadline = time.monotonic() + 60
        while len(server.requested(board_path("slow"))) < 1 and time.monotonic() < deadline:
            time.sleep(0.01)
        time.sleep(1.0)  # the other boards are stored; the slow board's retry waits
        stopped_at = time.monotonic()
        process.send_signal(signal.SIGTERM)
        _, stderr = process.communicate(timeout=120)
        took = time.monotonic() - stopped_at
        assert took < 20, f"the stop waited {took:.0f}s\n{stderr}"
        assert process.returncode == 1, stderr
        (run,) = crawl_runs(tmp_path, "greenhouse")
        assert run["status"] == "interrupted"
        stored = {row["source_id"] for row in landing_rows(tmp_path, source="greenhouse")}
        assert stored == {str(gh_job(token, n)["id"]) for token in ("alpha", "beta") for n in (1, 2)}

        resumed = start_crawl(home, server, registry, "--resume", "--set", "RETRY_TIMES=2")
        _, stderr = resumed.communicate(timeout=120)
    assert resumed.returncode == 0, stderr
    stored = {row["source_id"] for row in landing_rows(tmp_path, source="greenhouse")}
    assert {str(gh_job("slow", n)["id"]) for n in (1, 2)} <= stored


def test_a_crawl_killed_mid_run_keeps_every_board_it_finished(tmp_path):
    """Boards are committed as they end, not only every LANDING_BATCH_SIZE postings: a crawl
    SIGKILLed while a slow board loads keeps the boards it finished."""
    home = Home.resolve(tmp_path)
    with FixtureServer() as server:
        for token in ("alpha", "beta"):
            serve_board(server, token, [gh_job(token, 1), gh_job(token, 2)])
        serve_board(server, "slow", [gh_job("slow", 1)], delay=60)
        registry = write_registry(tmp_path / "boards.toml", ["alpha", "beta", "slow"])
        process = subprocess.Popen(  # the default batch size: 500 postings
            [sys.executable, "-m", "skilltrends", "crawl", "greenhouse", "--home", str(home.root), *FAST_CRAWL],
            cwd=PROJECT, env={**os.environ, "SKILLTRENDS_GREENHOUSE_URL": server.url,
                              "SKILLTRENDS_BOARDS_FILE": str(registry)},
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 60
        while not server.requested(board_path("slow")) and time.monotonic() < deadline:
            time.sleep(0.01)
        time.sleep(1.0)  # alpha and beta have ended; slow is loading
        process.send_signal(signal.SIGKILL)
        process.wait(30)
    boards = {row["board"] for row in landing_rows(tmp_path, "SELECT board FROM boards", "greenhouse")}
    assert boards == {"alpha", "beta"}
    stored = {row["source_id"] for row in landing_rows(tmp_path, source="greenhouse")}
    assert stored == {str(gh_job(token, n)["id"]) for token in ("alpha", "beta") for n in (1, 2)}


@pytest.mark.parametrize("stop", ["stopped, then killed a minute later", "killed outright"])
def test_a_killed_crawl_keeps_the_items_it_had_waiting(tmp_path, stop):
    """Items wait for a batch of LANDING_BATCH_SIZE or their board's end. A crawl told to stop
    while a request hangs waits for it (with a long DOWNLOAD_DELAY, for every queued one),
    and the scheduler SIGKILLs a job that has not ended a minute after its stop: what waits
    is committed as soon as the crawl is stopping. Killed outright, a crawl keeps the items
    that had waited LANDING_FLUSH_SECONDS."""
    stopped_first = stop.startswith("stopped")
    with FixtureServer() as server:
        serve_lever_fixtures(server)
        second_page = LEVER_PAGE.format(token="orbital", skip=1, limit=LEVER_TEST_PAGE_SIZE)
        server.routes[second_page] = replace(server.routes[second_page], delay=60)
        process = subprocess.Popen(
            [sys.executable, "-m", "skilltrends", "crawl", "lever", "--board", "orbital", "--home", str(tmp_path),
             *FAST_CRAWL, "--set", f"LEVER_PAGE_SIZE={LEVER_TEST_PAGE_SIZE}",
             "--set", f"LANDING_FLUSH_SECONDS={600 if stopped_first else 1}"],
            cwd=PROJECT, env={**os.environ, "SKILLTRENDS_LEVER_URL": server.url,
                              "SKILLTRENDS_BOARDS_FILE": str(FIXTURES / "boards.toml")},
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 60
        while not server.requested(second_page) and time.monotonic() < deadline:
            time.sleep(0.01)
        if stopped_first:
            process.send_signal(signal.SIGTERM)
        time.sleep(6.0)  # the commit comes within half a second of the stop, or of the 1 s wait
        process.send_signal(signal.SIGKILL)
        process.wait(30)
    first_page = json.loads((FIXTURES / "lever" / "orbital_skip0.json").read_text(encoding="utf-8"))
    stored = {row["source_id"] for row in landing_rows(tmp_path, source="lever")}
    assert stored == {posting["id"] for posting in first_page}


def test_resume_with_nothing_to_resume_starts_a_new_crawl(tmp_path):
    with FixtureServer() as server:
        serve_board(server, "alpha", [gh_job("alpha", 1)])
        registry = write_registry(tmp_path / "boards.toml", ["alpha"])
        process = start_crawl(Home.resolve(tmp_path), server, registry, "--resume")
        _, stderr = process.communicate(timeout=120)
    assert process.returncode == 0, stderr
    assert "Nothing to resume for greenhouse" in stderr
    assert [row["source_id"] for row in landing_rows(tmp_path, source="greenhouse")] == [str(gh_job("alpha", 1)["id"])]


def test_a_new_crawl_after_a_killed_one_says_resume_was_possible(tmp_path):
    home = Home.resolve(tmp_path)
    with FixtureServer() as server:
        serve_board(server, "alpha", [gh_job("alpha", 1)], delay=5)
        registry = write_registry(tmp_path / "boards.toml", ["alpha"])
        process = start_crawl(home, server, registry)
        deadline = time.monotonic() + 30
        while not board_requests(server) and time.monotonic() < deadline:
            time.sleep(0.05)
        process.send_signal(signal.SIGKILL)
        process.wait(30)
        server.routes["/v1/boards/alpha/jobs?content=true"].delay = 0
        again = start_crawl(home, server, registry)
        _, stderr = again.communicate(timeout=120)
    assert again.returncode == 0 and "is abandoned; next time use --resume" in stderr


def test_a_crawl_stopped_by_its_budget_is_finished_by_resume(tmp_path):
    home = Home.resolve(tmp_path / "home")
    tokens = [f"co{n}" for n in range(6)]
    registry = write_registry(tmp_path / "boards.toml", tokens)
    with FixtureServer() as server:
        for token in tokens:
            serve_board(server, token, [gh_job(token, 1), gh_job(token, 2)])
        # robots.txt + 3 boards, one at a time.
        first = start_crawl(home, server, registry, "--set", "CRAWL_REQUEST_BUDGET=4", "--set", "CONCURRENT_REQUESTS=1")
        _, stderr = first.communicate(timeout=120)
        assert first.returncode == 0, stderr
        budget_lines = [line for line in stderr.splitlines() if "request budget" in line]
        assert len(budget_lines) == 1 and "--resume" in budget_lines[0]
        (run,) = crawl_runs(home.root, source="greenhouse")
        stats = json.loads(run["stats"])
        assert run["status"] == "budget_exhausted"
        assert (stats["skilltrends/budget/used"], stats["skilltrends/boards/complete"],
                stats["skilltrends/boards/unfinished"]) == (4, 3, 3)
        assert len(server.requested("/v1/boards/")) == 3
        second = start_crawl(home, server, registry, "--resume")
        _, stderr = second.communicate(timeout=120)
        assert second.returncode == 0, stderr
    assert len(server.requested("/v1/boards/")) == 6  # the 3 boards left, once each
    stored = [row["source_id"] for row in landing_rows(home.root, source="greenhouse")]
    assert sorted(stored) == sorted(str(gh_job(t, n)["id"]) for t in tokens for n in (1, 2))
