"""Readers never wait for writers: queries work while a crawl and the ETL run."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import duckdb

from etl.pipeline import run_etl
from skilltrends.home import Home
from tests.fixture_server import FixtureServer
from tests.helpers import FAST_CRAWL, PROJECT, assert_one_clear_error, run_cli, serve_hn_fixtures
from tests.landing_factory import hn_item, write_landing


def start_cli(*args: str, env: dict | None = None) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "skilltrends", *args], cwd=PROJECT,
                            env={**os.environ, **(env or {})}, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def test_queries_keep_working_while_a_crawl_and_the_etl_write(tmp_path):
    home = Home.resolve(tmp_path)
    write_landing(home.root, [hn_item(1, "Acme | ML Engineer | Paris<p>PyTorch.", "2024-01")])
    run_etl(home)
    # Enough landing data that the ETL is busy for a while.
    write_landing(home.root, [
        hn_item(1000 + i, f"Company {i} | Backend Engineer | Remote<p>Python, Go and PostgreSQL. Job {i}.", "2024-02")
        for i in range(20_000)
    ])
    with FixtureServer() as server:
        serve_hn_fixtures(server)
        for reply in server.routes.values():
            reply.delay = 1.5  # a slow API keeps the crawl (and its landing file) open
        crawl = start_cli("crawl", "hn", "--home", str(home.root), *FAST_CRAWL,
                          env={"SKILLTRENDS_HN_URL": server.url})
        time.sleep(1.0)
        etl = start_cli("etl", "--home", str(home.root))
        answers, overlapped = [], False
        while etl.poll() is None or crawl.poll() is None:
            overlapped |= etl.poll() is None and crawl.poll() is None
            result = run_cli("query", "SELECT count(*) AS n FROM postings", "--format", "csv",
                             "--home", str(home.root))
            assert result.returncode == 0, result.stderr
            conn = duckdb.connect(str(home.snapshot), read_only=True)
            answers.append((int(result.stdout.splitlines()[1]), conn.execute("SELECT count(*) FROM postings").fetchone()[0]))
            conn.close()
        etl_err = etl.stderr.read()
        assert etl.returncode == 0, etl_err
        assert crawl.returncode == 0, crawl.stderr.read()
    assert overlapped, "the crawl and the ETL never ran at the same time; the test proved nothing"
    assert len(answers) >= 2
    # Each answer is a whole snapshot: before the ETL (1 posting) or after it (20,001).
    assert {n for pair in answers for n in pair} <= {1, 20_001}
    assert "still being written" in etl_err  # the running crawl's file is left for next time
    report = run_etl(home)
    assert report.runs_loaded == 1 and report.new_postings > 0


def test_a_lock_file_that_is_a_symbolic_link_is_refused_and_its_target_kept(tmp_path):
    """Taking the lock empties its file: through a planted link it would empty another file."""
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me")
    home = tmp_path / "home"
    write_landing(home, [hn_item(1, "Acme | ML Engineer | Remote<p>PyTorch.", "2024-03")])
    (home / "etl.lock").symlink_to(victim)
    result = run_cli("etl", "--home", str(home))
    assert_one_clear_error(result, "etl.lock", "symbolic link")
    assert victim.read_text() == "keep me"
