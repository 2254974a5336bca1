"""`scrapy check`: the contracts in the spiders' callback docstrings hold against the local server."""

from __future__ import annotations

import os
import re
import subprocess
import sys

from tests.fixture_server import FixtureServer
from tests.helpers import ASHBY_BOARD, FIXTURES, GREENHOUSE_JOBS, LEVER_PAGE, PROJECT, serve_hn_fixtures

# The contracts name real boards; the local server answers each with a fixture.
CONTRACT_FIXTURES = {
    "/api/v1/items/2396027": FIXTURES / "hn" / "item_9103.json",  # the real April 2011 thread
    GREENHOUSE_JOBS.format(token="anthropic"): FIXTURES / "greenhouse" / "acmeai.json",
    LEVER_PAGE.format(token="mistral", skip=0, limit=100): FIXTURES / "lever" / "orbital_skip0.json",
    ASHBY_BOARD.format(token="openai"): FIXTURES / "ashby" / "lumen.json",
}


def test_scrapy_check_passes_for_every_spider(tmp_path):
    with FixtureServer() as server:
        serve_hn_fixtures(server)
        for path, fixture in CONTRACT_FIXTURES.items():
            server.serve_file(path, fixture)
        result = subprocess.run(
            # No spider named: `scrapy check` runs the contracts of every spider.
            [sys.executable, "-m", "scrapy", "check", "-s", "DOWNLOAD_DELAY=0",
             "-s", "AUTOTHROTTLE_ENABLED=False"],
            cwd=PROJECT, capture_output=True, text=True, timeout=120,
            env={**os.environ, "SKILLTRENDS_HOME": str(tmp_path),
                 **{f"SKILLTRENDS_{name}_URL": server.url for name in ("HN", "GREENHOUSE", "LEVER", "ASHBY")}},
        )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    ran = re.search(r"Ran (\d+) contracts", output)  # post-hooks: hn 5, each job-board spider 3
    assert ran and int(ran.group(1)) >= 14 and output.rstrip().endswith("OK")
    assert server.requested("/api/v1/search_by_date")
    for path in CONTRACT_FIXTURES:
        assert server.requested(path), f"the contract at {path} was not checked"
