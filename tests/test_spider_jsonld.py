"""The jsonld spider (schema.org JobPosting in careers pages), crawled through the real CLI
against a local server holding a small careers site (tests/fixtures/jsonld/site)."""

from __future__ import annotations

import json
import re
from datetime import datetime
from pathlib import Path

import pytest

from crawlers.spiders.base import BadArgument
from crawlers.spiders.jsonld import JsonLdSpider
from tests.fixture_server import FixtureServer, Reply
from tests.helpers import (
    FIXTURES, JSONLD_SITE, crawl, landing_rows, run_cli, run_stats, serve_jsonld_fixtures,
)

SITE = FIXTURES / "jsonld" / "site"
JOB_PAGES = ("ml-platform-engineer", "data-scientist-remote", "research-engineer", "two-openings")
SCRIPT = re.compile(r'<script type="application/ld\+json[^"]*">(.*?)</script>', re.S)
# What the spider makes of the parts that need reading (places, pay, lists); the rest is
# compared with the fixture's JSON-LD below. Keys: source_id's path (and #n) on the site.
EXPECTED = {
    "/jobs/ml-platform-engineer.html": dict(
        title="ML Platform Engineer", company="Northwind AI", location="Berlin, DE", remote=None,
        employment_type="FULL_TIME", salary=(85000.0, 110000.0, "EUR", "year"),
        posted_at=datetime(2024, 5, 14, 7, 30)),
    "/jobs/data-scientist-remote.html": dict(
        title="Data Scientist (Remote)", company="Northwind AI", location=None, remote=True,
        employment_type="FULL_TIME, CONTRACTOR", salary=(70.0, 70.0, "EUR", "hour"),
        posted_at=datetime(2024, 5, 2)),
    "/jobs/research-engineer.html": dict(
        title="Research Engineer, Speech", company="Northwind AI", location="Amsterdam, Netherlands", remote=None,
        employment_type="FULL_TIME", salary=(None, None, None, None), posted_at=datetime(2024, 4, 29)),
    "/jobs/two-openings.html": dict(
        title="Computer Vision Engineer", company="Northwind AI", location="Lisbon, Portugal; Porto, Portugal",
        remote=None, employment_type="FULL_TIME", salary=(None, None, None, None), posted_at=datetime(2024, 5, 20, 8)),
    "/jobs/two-openings.html#2": dict(
        title="NLP Intern", company="Northwind AI", location="Lisbon, PT", remote=None,
        employment_type="INTERN", salary=(None, None, None, None), posted_at=datetime(2024, 5, 20, 8)),
    "/jobs/broken.html": dict(
        title="Analytics Engineer", company="Northwind AI", location="Berlin, DE", remote=None,
        employment_type="PART_TIME", salary=(None, None, None, None), posted_at=datetime(2024, 5, 10)),
}


def page_url(server: FixtureServer, name: str) -> str:
    return f"{server.url}/jobs/{name}.html"


def fixture_jsonld(path: str, server: FixtureServer) -> list[dict]:
    """The JobPosting objects written in a fixture page's JSON-LD, as served (host rewritten)."""
    text = (SITE / path.lstrip("/")).read_text().replace(JSONLD_SITE, server.url)
    postings = []
    for block in SCRIPT.findall(text):
        try:
            document = json.loads(block)
        except json.JSONDecodeError:
            continue
        for node in document if isinstance(document, list) else document.get("@graph", [document]):
            node = node.get("mainEntity", node)
            if "JobPosting" in (node["@type"] if isinstance(node["@type"], list) else [node["@type"]]):
                postings.append(node)
    return postings


def rows_by_path(home: Path, server: FixtureServer) -> dict[str, dict]:
    return {row["source_id"].removeprefix(server.url): row for row in landing_rows(home, source="jsonld")}


def boards(*urls: str) -> list[str]:
    return [arg for url in urls for arg in ("--board", url)]


@pytest.fixture
def server():
    with FixtureServer() as fixture_server:
        serve_jsonld_fixtures(fixture_server)
        yield fixture_server


def test_every_jobposting_of_the_given_pages_is_stored(server, tmp_path):
    result = crawl("jsonld", tmp_path, server, *boards(*(page_url(server, name) for name in JOB_PAGES)))
    assert result.returncode == 0, result.stderr
    rows = rows_by_path(tmp_path, server)
    assert rows.keys() == set(EXPECTED) - {"/jobs/broken.html"}
    for path, expected in EXPECTED.items():
        if path not in rows:
            continue
        row = rows[path]
        assert row["source"] == "jsonld"
        assert row["url"] == server.url + path.split("#")[0]
        assert (row["title"], row["company"], row["location"], row["remote"], row["employment_type"]) == \
            (expected["title"], expected["company"], expected["location"], expected["remote"],
             expected["employment_type"])
        assert (row["salary_min"], row["salary_max"], row["salary_currency"], row["salary_period"]) == \
            expected["salary"]
        assert row["posted_at"] == expected["posted_at"]
    # JSON-LD postings: html is the description (unescaped once where it came escaped), raw the object.
    for path in ("/jobs/ml-platform-engineer.html", "/jobs/data-scientist-remote.html", "/jobs/two-openings.html"):
        on_page = fixture_jsonld(path, server)
        for number, posting in enumerate(on_page, 1):
            row = rows[path + (f"#{number}" if number > 1 else "")]
            assert json.loads(row["raw"]) == posting
            assert row["html"] == posting["description"].replace("&lt;", "<").replace("&gt;", ">")
    # The microdata posting: its description's HTML, its properties as raw.
    microdata = rows["/jobs/research-engineer.html"]
    assert microdata["html"].startswith("<p>Train speech recognition models with <b>Whisper</b>")
    raw = json.loads(microdata["raw"])
    assert (raw["@type"], raw["title"], raw["hiringOrganization"]["name"]) == \
        ("JobPosting", "Research Engineer, Speech", "Northwind AI")
    run, stats = run_stats(tmp_path, "jsonld")
    assert (run["status"], run["errors"], stats["skilltrends/postings_found"]) == ("finished", 0, 5)


def test_a_sitemap_from_robots_txt_is_followed_where_the_pattern_matches(server, tmp_path):
    result = crawl("jsonld", tmp_path, server, "--board", f"{server.url}/robots.txt",
                   "--set", "JSONLD_FOLLOW=/(jobs|private)/")
    assert result.returncode == 0, result.stderr
    # robots.txt → sitemap index → both sitemaps → the pages matching the pattern; /private/
    # matches but robots.txt disallows it, so it is never asked; /about.html does not match.
    assert {path.split("?")[0] for path in server.requests} >= {"/robots.txt", "/sitemap_index.xml",
                                                                 "/sitemap-jobs.xml", "/sitemap-pages.xml"}
    assert server.requested("/private/") == [] and server.requested("/about") == []
    assert sorted(server.requested("/jobs/")) == sorted(f"/jobs/{name}.html" for name in JOB_PAGES)
    assert rows_by_path(tmp_path, server).keys() == set(EXPECTED) - {"/jobs/broken.html"}
    _, stats = run_stats(tmp_path, "jsonld")
    # The disallowed page is counted once (as robots_forbidden where the spiders' failure
    # accounting names it, else as an ignored request).
    assert stats.get("skilltrends/errors/robots_forbidden", stats.get("skilltrends/ignored_requests")) == 1
    assert stats["skilltrends/sitemap_pages_not_followed"] == 2


def test_the_page_cap_limits_what_sitemaps_add(server, tmp_path):
    result = crawl("jsonld", tmp_path, server, "--board", f"{server.url}/sitemap-jobs.xml",
                   "--set", "JSONLD_MAX_PAGES=2")
    assert result.returncode == 0, result.stderr
    assert len(server.requested("/jobs/")) == 2
    assert run_stats(tmp_path, "jsonld")[1]["skilltrends/page_cap_reached"] == 3  # two jobs pages and /private/


def test_a_chain_of_sitemap_indexes_without_end_is_cut_at_the_sitemap_cap(server, tmp_path):
    for n in range(10):
        index = (f'<?xml version="1.0" encoding="UTF-8"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
                 f"<sitemap><loc>{server.url}/chain{n + 1}.xml</loc></sitemap></sitemapindex>")
        server.routes[f"/chain{n}.xml"] = Reply(body=index.encode(), headers={"Content-Type": "application/xml"})
    result = crawl("jsonld", tmp_path, server, "--board", f"{server.url}/chain0.xml", "--set", "JSONLD_MAX_SITEMAPS=4")
    assert result.returncode == 0, result.stderr
    assert [path for path in server.requests if path.startswith("/chain")] == [f"/chain{n}.xml" for n in range(4)]
    assert sum("JSONLD_MAX_SITEMAPS" in line for line in result.stderr.splitlines()) == 1, result.stderr


def test_a_block_beyond_what_the_html_parser_reaches_is_said(server, tmp_path):
    page = ("<html><body>" + "<div><span>x" * 2500
            + '<script type="application/ld+json">{"@type": "JobPosting", "title": "ML Engineer"}</script>')
    server.routes["/jobs/deep.html"] = Reply(body=page.encode(), headers={"Content-Type": "text/html; charset=utf-8"})
    result = crawl("jsonld", tmp_path, server, "--board", page_url(server, "deep"))
    # Its one posting unread, the crawl found none: exit status 1, after the error line.
    assert result.returncode == 1, result.stderr
    assert result.stderr.strip().splitlines()[-1] == ("Error: The jsonld crawl had 1 error(s) (unparsed_jsonld) "
                                                      "and found not one posting, so nothing was crawled.")
    said = [line for line in result.stderr.splitlines() if "did not reach" in line]
    assert len(said) == 1 and "deep.html" in said[0], result.stderr
    assert run_stats(tmp_path, "jsonld")[0]["status"] == "finished_with_errors"


def test_a_block_written_in_a_comment_or_in_code_is_no_unparsed_block(server, tmp_path):
    page = (page_html := (SITE / "jobs" / "ml-platform-engineer.html").read_text()).replace(
        "</body>", '<!-- old: <script type="application/ld+json">{}</script> -->'
                   "<script>var t = '<script type=\"application/ld+json\">';</script></body>")
    assert page != page_html
    server.routes["/jobs/commented.html"] = Reply(body=page.encode(), headers={"Content-Type": "text/html; charset=utf-8"})
    result = crawl("jsonld", tmp_path, server, "--board", page_url(server, "commented"))
    assert result.returncode == 0 and "did not reach" not in result.stderr, result.stderr
    assert run_stats(tmp_path, "jsonld")[0]["status"] == "finished"


def test_a_page_without_jobposting_stores_nothing_and_is_no_error(server, tmp_path):
    result = crawl("jsonld", tmp_path, server, "--board", f"{server.url}/about.html")
    assert result.returncode == 0, result.stderr
    assert landing_rows(tmp_path, source="jsonld") == []
    run, stats = run_stats(tmp_path, "jsonld")
    assert (run["status"], run["errors"], stats["skilltrends/pages_without_jobposting"]) == ("finished", 0, 1)


def test_a_malformed_block_and_a_missing_page_lose_nothing_else(server, tmp_path):
    result = crawl("jsonld", tmp_path, server, *boards(page_url(server, "broken"), page_url(server, "gone"),
                                                         page_url(server, "ml-platform-engineer")))
    assert result.returncode == 0, result.stderr
    # The valid JobPosting after the broken block is kept, and the other page too.
    assert rows_by_path(tmp_path, server).keys() == {"/jobs/broken.html", "/jobs/ml-platform-engineer.html"}
    assert rows_by_path(tmp_path, server)["/jobs/broken.html"]["title"] == "Analytics Engineer"
    errors = [line for line in result.stderr.splitlines() if "JSON-LD" in line]
    assert len(errors) == 1 and "broken.html" in errors[0]
    run, stats = run_stats(tmp_path, "jsonld")
    assert (stats["skilltrends/errors/malformed_jsonld"], stats["skilltrends/errors/http_404"]) == (1, 1)
    assert run["status"] == "finished_with_errors"


def test_the_variable_is_not_used_by_crawls(server, tmp_path):
    # crawl() points SKILLTRENDS_JSONLD_URL at an address nobody answers: the given URLs are used.
    result = crawl("jsonld", tmp_path, server, "--board", page_url(server, "ml-platform-engineer"),
                   env={"SKILLTRENDS_JSONLD_URL": "http://127.0.0.1:9"})
    assert result.returncode == 0, result.stderr
    assert rows_by_path(tmp_path, server).keys() == {"/jobs/ml-platform-engineer.html"}


def test_unusable_arguments_are_one_clear_error(tmp_path):
    bad = run_cli("crawl", "jsonld", "--board", "careers.example.com/jobs", "--home", str(tmp_path))
    assert bad.returncode == 1 and "is not a web address" in bad.stderr and "Traceback" not in bad.stderr
    with pytest.raises(BadArgument, match="not a regular expression"):
        JsonLdSpider(urls="https://careers.example.com/sitemap.xml", follow="/jobs/(")


def test_urls_and_sitemaps_are_told_apart():
    spider = JsonLdSpider(urls="https://a.example/jobs/1, https://a.example/sitemap.xml",
                          boards="https://b.example/robots.txt", sitemap="https://c.example/jobs-feed")
    assert spider.page_urls == ["https://a.example/jobs/1"]
    assert spider.sitemap_urls == ["https://a.example/sitemap.xml", "https://b.example/robots.txt",
                                   "https://c.example/jobs-feed"]


def page_with(*blocks: dict) -> bytes:
    scripts = "".join(f'<script type="application/ld+json">{json.dumps(block)}</script>' for block in blocks)
    return f"<html><head><title>Job</title>{scripts}</head><body><p>Careers</p></body></html>".encode()


def serve_page(server: FixtureServer, path: str, body: bytes, charset: str = "utf-8") -> str:
    server.routes[path] = Reply(body=body, headers={"Content-Type": f"text/html; charset={charset}"})
    return server.url + path


def test_references_to_objects_elsewhere_on_the_page_are_followed(server, tmp_path):
    """Real @graph markup names the employer and the place by @id: {"hiringOrganization": {"@id": ...}}."""
    graph = {"@context": "https://schema.org", "@graph": [
        {"@type": "Organization", "@id": "#org", "name": "Acme Robotics GmbH"},
        {"@type": "Place", "@id": "#berlin", "address": {"@type": "PostalAddress", "addressLocality": "Berlin",
                                                         "addressCountry": "DE"}},
        {"@type": "JobPosting", "title": "Research Scientist &amp; LLM Engineer", "description": "<p>RAG.</p>",
         "datePosted": "15.09.2026", "hiringOrganization": {"@id": "#org"}, "jobLocation": [{"@id": "#berlin"}],
         "salaryCurrency": "GBP",
         "baseSalary": {"@type": "MonetaryAmount", "value": {"@type": "QuantitativeValue", "minValue": "150,000",
                                                             "maxValue": "210,000", "unitText": "YEAR"}}},
    ]}
    url = serve_page(server, "/jobs/graph.html", page_with(graph))
    result = crawl("jsonld", tmp_path, server, "--board", url)
    assert result.returncode == 0, result.stderr
    (row,) = landing_rows(tmp_path, source="jsonld")
    assert (row["title"], row["company"], row["location"]) == \
        ("Research Scientist & LLM Engineer", "Acme Robotics GmbH", "Berlin, DE")
    assert (row["salary_min"], row["salary_max"], row["salary_currency"], row["salary_period"]) == \
        (150000.0, 210000.0, "GBP", "year")
    assert row["posted_at"] == datetime(2026, 9, 15)
    assert json.loads(row["raw"])["hiringOrganization"]["name"] == "Acme Robotics GmbH"  # filled in


def test_a_page_cannot_take_over_another_sites_listing(server, tmp_path):
    """The listing's id is the posting's own url only on the page's own host; another host's
    stays apart under the page's address, one id per posting whatever their order."""
    own = {"@type": "JobPosting", "title": "ML Engineer", "url": "/jobs/42?ref=x", "description": "<p>A</p>"}
    foreign = [{"@type": "JobPosting", "title": f"Fake {n}", "url": f"https://victim.example/jobs/{n}",
                "description": f"<p>B{n}</p>"} for n in (1, 2)]
    escape = {"@type": "JobPosting", "title": "Escape", "url": "/jobs/7\x1b]0;PWNED\x07", "description": "<p>C</p>"}
    urls = [serve_page(server, "/jobs/own.html", page_with(own)),
            serve_page(server, "/jobs/foreign.html", page_with(*foreign)),
            serve_page(server, "/jobs/escape.html", page_with(escape))]
    result = crawl("jsonld", tmp_path, server, *boards(*urls))
    assert result.returncode == 0, result.stderr
    ids = {row["title"]: (row["source_id"], row["url"]) for row in landing_rows(tmp_path, source="jsonld")}
    assert ids == {"ML Engineer": (f"{server.url}/jobs/42?ref=x",) * 2,
                   "Fake 1": (f"{urls[1]}#https://victim.example/jobs/1", urls[1]),
                   "Fake 2": (f"{urls[1]}#https://victim.example/jobs/2", urls[1]),
                   "Escape": (urls[2], urls[2])}  # an address with control characters is no address
    assert run_stats(tmp_path, "jsonld")[1]["skilltrends/foreign_urls_ignored"] == 2


def test_a_utf8_page_declared_latin1_a_trailing_comma_and_deep_nesting(server, tmp_path):
    posting = {"@type": "JobPosting", "title": "Data Scientist", "hiringOrganization": "Müller AG",
               "description": "<p>Statistik</p>"}
    misdeclared = serve_page(server, "/jobs/latin.html", page_with(posting), charset="ISO-8859-1")
    comma = serve_page(server, "/jobs/comma.html", page_with(posting).replace(b'"}</script>', b'",}</script>'))
    deep = serve_page(server, "/jobs/deep.html", f'<script type="application/ld+json">{"[" * 100_000}'
                                                 f'{"]" * 100_000}</script>'.encode())
    result = crawl("jsonld", tmp_path, server, *boards(misdeclared, comma, deep))
    rows = {row["source_id"]: row for row in landing_rows(tmp_path, source="jsonld")}
    assert {url: rows[url]["company"] for url in (misdeclared, comma)} == {misdeclared: "Müller AG", comma: "Müller AG"}
    assert "Traceback" not in result.stderr
    errors = [line for line in result.stderr.splitlines() if "nested too deep" in line]
    assert len(errors) == 1 and "deep.html" in errors[0]


def test_a_sitemap_lists_pages_of_its_own_host_only(server, tmp_path):
    posting = {"@type": "JobPosting", "title": "ML Engineer", "description": "<p>A</p>"}
    serve_page(server, "/jobs/here.html", page_with(posting))
    elsewhere = server.url.replace("127.0.0.1", "localhost") + "/jobs/here.html"  # same server, other host
    server.routes["/sitemap-mixed.xml"] = Reply(body=(
        '<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        f"<url><loc>{server.url}/jobs/here.html</loc></url><url><loc>{elsewhere}</loc></url></urlset>").encode(),
        headers={"Content-Type": "application/xml"})
    result = crawl("jsonld", tmp_path, server, "--board", f"{server.url}/sitemap-mixed.xml")
    assert result.returncode == 0, result.stderr
    assert [row["source_id"] for row in landing_rows(tmp_path, source="jsonld")] == [f"{server.url}/jobs/here.html"]
    assert run_stats(tmp_path, "jsonld")[1]["skilltrends/sitemap_pages_off_host"] == 1
    assert "lists only pages on other hosts" not in result.stderr


def test_a_sitemap_on_another_host_named_by_robots_txt_lists_the_sites_pages(server, tmp_path):
    """The sitemap protocol lets a site's robots.txt name a sitemap kept elsewhere (a CDN)."""
    posting = {"@type": "JobPosting", "title": "ML Engineer", "description": "<p>A</p>"}
    page = serve_page(server, "/jobs/here.html", page_with(posting))
    cdn = server.url.replace("127.0.0.1", "localhost")
    server.routes["/robots.txt"] = Reply(body=f"User-agent: *\nAllow: /\nSitemap: {cdn}/cdn-sitemap.xml\n".encode(),
                                         headers={"Content-Type": "text/plain"})
    server.routes["/cdn-sitemap.xml"] = Reply(body=(
        '<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        f"<url><loc>{page}</loc></url></urlset>").encode(), headers={"Content-Type": "application/xml"})
    result = crawl("jsonld", tmp_path, server, "--board", f"{server.url}/robots.txt")
    assert result.returncode == 0, result.stderr
    assert [row["source_id"] for row in landing_rows(tmp_path, source="jsonld")] == [page]
    # Given directly, that sitemap lists only another host's pages: none is fetched, and it is said.
    direct = crawl("jsonld", tmp_path / "direct", server, "--board", f"{cdn}/cdn-sitemap.xml")
    assert landing_rows(tmp_path / "direct", source="jsonld") == []
    assert "lists only pages on other hosts" in direct.stderr


@pytest.mark.parametrize("value,expected", [
    ("210,000", (210000, 210000)), ("85.000,00 €", (85000, 85000)), ("120k", (120000, 120000)),
    ("80,000 - 100,000 USD", (80000, 100000)), ("Competitive salary + 401k", (None, None)), ("TBD", (None, None)),
    (75000, (75000, 75000)), ("NaN", (None, None)), ("$120,000 per year", (120000, 120000)),
    ("£45,000 - £55,000 per annum", (45000, 55000)), ("Up to $120,000", (None, 120000)), ("€50k+", (50000, None)),
    ("US$120,000", (120000, 120000)), ("CHF 120'000", (120000, 120000)), ("USD 100k-120k", (100000, 120000)),
    # As an indented page template writes it; a pattern with several ways to split the spaces took 92 s.
    ("\n" + " " * 24 + "80,000\n" + " " * 24 + "-\n" + " " * 24 + "100,000\n" + " " * 24 + "per year\n",
     (80000, 100000)),
    ("1" + " " * 5_000 + "x", (None, None)),
])
def test_pay_written_as_text_is_read_only_when_it_is_an_amount_or_a_range(value, expected):
    from crawlers.spiders.jsonld import salary
    bare = salary({"baseSalary": value, "salaryCurrency": "USD"})
    quantitative = salary({"baseSalary": {"@type": "MonetaryAmount", "currency": "USD",
                                          "value": {"@type": "QuantitativeValue", "value": value}}})
    for found in (bare, quantitative):
        assert (found.get("min"), found.get("max")) == expected


def test_a_job_marked_up_in_both_jsonld_and_microdata_is_one_listing(server, tmp_path):
    posting = {"@type": "JobPosting", "title": "ML Engineer", "description": "<p>PyTorch.</p>"}
    microdata = ('<div itemscope itemtype="https://schema.org/JobPosting"><h1 itemprop="title">{}</h1>'
                 '<div itemprop="description"><p>PyTorch.</p></div></div>')
    body = page_with(posting).replace(b"<p>Careers</p>", (microdata.format("ML Engineer")
                                                           + microdata.format("Data Scientist")).encode())
    url = serve_page(server, "/jobs/twice.html", body)
    assert crawl("jsonld", tmp_path, server, "--board", url).returncode == 0
    listed = {row["source_id"]: row["title"] for row in landing_rows(tmp_path, source="jsonld")}
    assert listed == {url: "ML Engineer", f"{url}#2": "Data Scientist"}
