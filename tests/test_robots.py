"""robots.txt is obeyed by every request, including those that wait for it to arrive."""

from __future__ import annotations

from tests.fixture_server import FixtureServer, Reply
from tests.helpers import boards_file, crawl, run_stats, serve_smartrecruiters_fixtures

# api.smartrecruiters.com's robots.txt as served in 2026: only LinkedIn's crawler may list postings.
LINKEDIN_ONLY = b"User-agent: LinkedInBot\nAllow: /v1/companies/\n\nUser-agent: *\nDisallow: /\n"


def test_no_request_of_the_first_burst_slips_past_a_robots_txt_that_forbids_them(tmp_path):
    # Scrapy 2.19 hands the parsed robots.txt to the first request that waited for it and None
    # ("no robots.txt: allowed") to every later one: the third board of a crawl was fetched.
    with FixtureServer() as server:
        serve_smartrecruiters_fixtures(server)
        server.routes["/robots.txt"] = Reply(body=LINKEDIN_ONLY, headers={"Content-Type": "text/plain"})
        result = crawl("smartrecruiters", tmp_path, server, env=boards_file("smartrecruiters"))
    assert server.requests == ["/robots.txt"], server.requests
    _, stats = run_stats(tmp_path, "smartrecruiters")
    assert stats["skilltrends/errors/robots_forbidden"] == 3
    assert result.stderr.count("is forbidden by the site's robots.txt") == 3, result.stderr


def test_a_robots_txt_that_answers_a_server_error_forbids_the_host(tmp_path):
    with FixtureServer() as server:
        serve_smartrecruiters_fixtures(server)
        server.routes["/robots.txt"] = Reply(500, b"Internal Server Error", {"Content-Type": "text/plain"})
        result = crawl("smartrecruiters", tmp_path, server, "--set", "RETRY_TIMES=1",
                       env=boards_file("smartrecruiters"))
    assert set(server.requests) == {"/robots.txt"}, server.requests
    said = [line for line in result.stderr.splitlines() if "robots.txt of" in line]
    assert len(said) == 1 and "HTTP 500" in said[0], result.stderr
    assert run_stats(tmp_path, "smartrecruiters")[1]["skilltrends/errors/robots_forbidden"] == 3
