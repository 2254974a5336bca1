"""`scrapy check`: the contracts in the spiders' callback docstrings hold against the local server."""

from __future__ import annotations

import os
import re
import subprocess
import sys

from tests.fixture_server import FixtureServer, Reply
from tests.helpers import (
    ARBEITNOW_PAGE, ASHBY_BOARD, FIXTURES, GREENHOUSE_JOBS, HIMALAYAS_FIRST, JSONLD_SITE, LEVER_PAGE, PROJECT,
    RECRUITEE_OFFERS,
    REMOTEOK_API, REMOTIVE_JOBS, SMARTRECRUITERS_DETAIL, SMARTRECRUITERS_LIST, WORKABLE_ACCOUNT, serve_hn_fixtures,
)

# The contracts name real boards; the local server answers each with a fixture.
CONTRACT_FIXTURES = {
    "/api/v1/items/2396027": FIXTURES / "hn" / "item_9103.json",  # the real April 2011 thread
    GREENHOUSE_JOBS.format(token="anthropic"): FIXTURES / "greenhouse" / "acmeai.json",
    LEVER_PAGE.format(token="mistral", skip=0, limit=100): FIXTURES / "lever" / "orbital_skip0.json",
    ASHBY_BOARD.format(token="openai"): FIXTURES / "ashby" / "lumen.json",
    WORKABLE_ACCOUNT.format(token="huggingface"): FIXTURES / "workable" / "tensorforge.json",
    SMARTRECRUITERS_LIST.format(token="BoschGroup", offset=0, limit=100):
        FIXTURES / "smartrecruiters" / "NovaMobility_offset0.json",
    SMARTRECRUITERS_DETAIL.format(token="BoschGroup", posting_id="744000000000001"):
        FIXTURES / "smartrecruiters" / "NovaMobility_posting_744000050000001.json",
    RECRUITEE_OFFERS: FIXTURES / "recruitee" / "deepfield.json",  # one host for every company
    REMOTIVE_JOBS: FIXTURES / "remotive" / "remote-jobs.json",
    ARBEITNOW_PAGE: FIXTURES / "arbeitnow" / "page1.json",
    HIMALAYAS_FIRST.format(limit=20): FIXTURES / "himalayas" / "page1.json",
    REMOTEOK_API: FIXTURES / "remoteok" / "api.json",
}
# The jsonld contracts' example page and sitemap, served as HTML and XML, with the site's
# address made the server's (a sitemap lists pages of its own host).
PAGE_FIXTURES = {
    "/jobs/ml-platform-engineer": (FIXTURES / "jsonld" / "site" / "jobs" / "ml-platform-engineer.html",
                                   "text/html; charset=utf-8"),
    "/sitemap.xml": (FIXTURES / "jsonld" / "site" / "sitemap-jobs.xml", "application/xml"),
}
API_VARIABLES = ("HN", "GREENHOUSE", "LEVER", "ASHBY", "WORKABLE", "SMARTRECRUITERS", "RECRUITEE", "REMOTIVE",
                 "ARBEITNOW", "HIMALAYAS", "REMOTEOK", "JSONLD")


def test_scrapy_check_passes_for_every_spider(tmp_path):
    with FixtureServer() as server:
        serve_hn_fixtures(server)
        for path, fixture in CONTRACT_FIXTURES.items():
            server.serve_file(path, fixture)
        for path, (fixture, content_type) in PAGE_FIXTURES.items():
            body = fixture.read_bytes().replace(JSONLD_SITE.encode(), server.url.encode())
            server.routes[path] = Reply(body=body, headers={"Content-Type": content_type})
        result = subprocess.run(
            # No spider named: `scrapy check` runs the contracts of every spider.
            [sys.executable, "-m", "scrapy", "check", "-s", "DOWNLOAD_DELAY=0",
             "-s", "AUTOTHROTTLE_ENABLED=False"],
            cwd=PROJECT, capture_output=True, text=True, timeout=120,
            env={**os.environ, "SKILLTRENDS_HOME": str(tmp_path),
                 **{f"SKILLTRENDS_{name}_URL": server.url for name in API_VARIABLES}},
        )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    # Post-hooks (@returns, @scrapes): hn 5; greenhouse, lever, ashby, workable, recruitee,
    # remotive, arbeitnow, himalayas, remoteok 3 each; smartrecruiters 2 + 3; jsonld 2 + 3.
    ran = re.search(r"Ran (\d+) contracts", output)
    assert ran and int(ran.group(1)) >= 42 and output.rstrip().endswith("OK")
    assert server.requested("/api/v1/search_by_date")
    for path in [*CONTRACT_FIXTURES, *PAGE_FIXTURES]:
        assert server.requested(path), f"the contract at {path} was not checked"
