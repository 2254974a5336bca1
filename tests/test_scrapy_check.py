"""`scrapy check`: the contracts in the spiders' callback docstrings hold against the local server."""

from __future__ import annotations

import os
import re
import subprocess
import sys

from tests.fixture_server import FixtureServer
from tests.helpers import FIXTURES, PROJECT, serve_hn_fixtures


def test_scrapy_check_passes(tmp_path):
    with FixtureServer() as server:
        serve_hn_fixtures(server)
        # The contract names the real April 2011 thread; the local server answers with a fixture.
        server.serve_file("/api/v1/items/2396027", FIXTURES / "hn" / "item_9103.json")
        result = subprocess.run(
            [sys.executable, "-m", "scrapy", "check", "hn", "-s", "DOWNLOAD_DELAY=0",
             "-s", "AUTOTHROTTLE_ENABLED=False"],
            cwd=PROJECT, capture_output=True, text=True, timeout=120,
            env={**os.environ, "SKILLTRENDS_HN_URL": server.url, "SKILLTRENDS_HOME": str(tmp_path)},
        )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    ran = re.search(r"Ran (\d+) contracts", output)
    assert ran and int(ran.group(1)) >= 5 and output.rstrip().endswith("OK")
    assert server.requested("/api/v1/items/2396027") and server.requested("/api/v1/search_by_date")
