"""``skilltrends boards check``: which registry tokens answer, which are gone; a dead token
never fails a crawl. Through the real CLI against the local server."""

from __future__ import annotations

import json

import pytest

from tests.fixture_server import FixtureServer, Reply
from tests.greenhouse_factory import board_path, gh_job, serve_board
from tests.helpers import FIXTURES, LEVER_PAGE, crawl, crawl_runs, landing_rows, run_cli

REGISTRY = """
[[greenhouse]]
token = "alive"
company = "Alive"
why = "test"

[[greenhouse]]
token = "gone"
company = "Gone"
why = "test: 404"

[[greenhouse]]
token = "broken"
company = "Broken"
why = "test: 500"

[[lever]]
token = "orbital"
company = "Orbital"
why = "test"

[[lever]]
token = "leftlever"
company = "Left Lever"
why = "test: 404"
"""


@pytest.fixture
def server():
    with FixtureServer() as fixture_server:
        serve_board(fixture_server, "alive", [gh_job("alive", n) for n in (1, 2, 3)])
        fixture_server.routes[board_path("broken")] = Reply(500, b"oops")
        fixture_server.serve_file(LEVER_PAGE.format(token="orbital", skip=0, limit=100),
                                  FIXTURES / "lever" / "orbital_skip0.json")
        yield fixture_server


@pytest.fixture
def env(server, tmp_path):
    registry = tmp_path / "boards.toml"
    registry.write_text(REGISTRY)
    return {"SKILLTRENDS_BOARDS_FILE": str(registry), "SKILLTRENDS_GREENHOUSE_URL": server.url,
            "SKILLTRENDS_LEVER_URL": server.url}


def check(env, *args):
    return run_cli("boards", "check", "--set", "DOWNLOAD_DELAY=0", "--set", "AUTOTHROTTLE_ENABLED=False",
                   "--set", "RETRY_TIMES=0", *args, env=env)


def rows(stdout: str) -> dict[tuple[str, str], tuple[str, str]]:
    return {(source, token): (status, detail)
            for source, token, status, detail in (line.split("\t") for line in stdout.splitlines())}


def test_reports_answering_gone_and_failing_tokens_and_suggests_removals(env, server, tmp_path):
    result = check(env, "greenhouse")
    assert result.returncode == 0, result.stderr
    report = rows(result.stdout)
    assert report == {
        ("greenhouse", "alive"): ("ok", "3 posting(s)"),
        ("greenhouse", "gone"): ("gone", "HTTP 404"),
        ("greenhouse", "broken"): ("error", "http_500: answered HTTP 500 after retries"),
    }
    assert "1 board(s) answer, 1 gone, 1 failed." in result.stderr
    assert 'Suggested removals' in result.stderr and '[[greenhouse]] token = "gone"' in result.stderr
    assert '"broken"' not in result.stderr.split("Suggested removals")[1]  # a failure is not a removal
    # Each board asked once; nothing stored anywhere.
    assert len(server.requested(board_path("alive"))) == 1
    assert not (tmp_path / "data").exists() and not list(tmp_path.rglob("*.duckdb"))


def test_every_job_board_source_by_default(env):
    result = check(env)
    assert result.returncode == 0, result.stderr
    report = rows(result.stdout)
    assert report[("lever", "orbital")][0] == "ok" and report[("lever", "leftlever")] == ("gone", "HTTP 404")
    assert report[("greenhouse", "gone")][0] == "gone"
    assert '[[lever]] token = "leftlever"' in result.stderr


def test_unknown_or_non_board_sources_are_one_clear_error(env):
    for source in ("nosuch", "hn"):
        result = check(env, source)
        assert result.returncode == 1 and "Traceback" not in result.stderr
        assert f"Unknown job-board source {source}: choose from" in result.stderr


def test_a_dead_token_never_fails_a_crawl(env, server, tmp_path):
    result = crawl("greenhouse", tmp_path, server, env=env)
    assert result.returncode == 0, result.stderr
    assert {row["source_id"] for row in landing_rows(tmp_path, source="greenhouse")} == \
        {str(gh_job("alive", n)["id"]) for n in (1, 2, 3)}
    (run,) = crawl_runs(tmp_path, source="greenhouse")
    stats = json.loads(run["stats"])
    assert (stats["skilltrends/errors/board_gone"], stats["skilltrends/errors/http_500"]) == (1, 1)
    boards = {row["board"]: (row["complete"], row["error"])
              for row in landing_rows(tmp_path, "SELECT * FROM boards", "greenhouse")}
    assert boards == {"alive": (True, None), "gone": (False, "board_gone"), "broken": (False, "http_500")}
