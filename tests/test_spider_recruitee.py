"""The Recruitee spider, crawled through the real CLI against a local virtual-hosting server.

Recruitee names the company in the host (``<company>.recruitee.com``), so the local server
tells companies apart by the ``Host`` header the spider sends when ``SKILLTRENDS_RECRUITEE_URL``
names one host for every company; the path stays the real ``/api/offers/``.
"""

from __future__ import annotations

import json
from datetime import datetime

import pytest

from crawlers.spiders.recruitee import RecruiteeSpider
from tests.fixture_server import Reply
from tests.helpers import (
    FIXTURES, RECRUITEE_OFFERS, VirtualHostFixtureServer, boards_file, crawl, landing_rows, registry_companies, rows_by_id, run_stats, serve_recruitee_fixtures,
)

RC = FIXTURES / "recruitee"
REGISTRY = boards_file("recruitee")
COMPANIES = registry_companies(RC / "boards.toml", "recruitee")
FIXTURE_COMPANIES = ("deepfield", "stillpond")


def offers_of(token: str) -> list[dict]:
    return json.loads((RC / f"{token}.json").read_text())["offers"]


def fixture_offers(*tokens: str) -> dict[str, tuple[str, dict]]:
    return {str(offer["id"]): (token, offer) for token in tokens for offer in offers_of(token)}


def recruitee_time(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%d %H:%M:%S UTC")


def expected_location(offer: dict) -> str:
    if offer["location"]:
        return offer["location"]
    return "; ".join(", ".join(entry[key] for key in ("city", "state", "country")) for entry in offer["locations"])


def expected_remote(offer: dict) -> bool | None:
    return True if offer["remote"] else (False if offer["hybrid"] or offer["on_site"] else None)


def offers_path(token: str) -> str:
    return f"//{token}.recruitee.com{RECRUITEE_OFFERS}"


@pytest.fixture
def server():
    with VirtualHostFixtureServer() as fixture_server:
        serve_recruitee_fixtures(fixture_server)
        yield fixture_server


def test_every_offer_is_stored_as_the_api_gives_it(server, tmp_path):
    result = crawl("recruitee", tmp_path, server, env=REGISTRY)
    assert result.returncode == 0, result.stderr
    # One host for every company: the real path, the company in the Host header.
    assert sorted(server.requested("//")) == sorted(offers_path(token) for token in COMPANIES)
    rows = rows_by_id(tmp_path, "recruitee")
    expected = fixture_offers(*FIXTURE_COMPANIES)
    assert rows.keys() == expected.keys() and len(rows) == 3
    for source_id, (token, offer) in expected.items():
        row = rows[source_id]
        salary = offer["salary"]
        assert row["source"] == "recruitee"
        assert row["url"] == offer["careers_url"]
        assert row["title"] == offer["title"]
        assert row["company"] == COMPANIES[token]
        assert row["location"] == expected_location(offer)
        requirements = [f"<h3>Requirements</h3>{offer['requirements']}"] if offer["requirements"] else []
        assert row["html"] == "\n".join([offer["description"], *requirements])
        assert row["department"] == offer["department"]
        assert row["employment_type"] == offer["employment_type_code"]
        assert row["posted_at"] == recruitee_time(offer["published_at"])
        assert row["updated_at"] == recruitee_time(offer["updated_at"])
        assert row["remote"] is expected_remote(offer)
        assert row["salary_min"] == (float(salary["min"]) if salary["min"] else None)
        assert row["salary_max"] == (float(salary["max"]) if salary["max"] else None)
        assert (row["salary_currency"], row["salary_period"]) == (salary["currency"], salary["period"])
        assert json.loads(row["raw"]) == offer
    run, stats = run_stats(tmp_path, "recruitee")
    assert stats["skilltrends/errors/board_gone"] == 1  # vanishedco
    assert (run["status"], stats["skilltrends/boards_done"]) == ("finished_with_errors", 2)


def test_a_company_not_in_the_registry_is_named_by_the_api(server, tmp_path):
    result = crawl("recruitee", tmp_path, server, "--board", "orbitdata", env=REGISTRY)
    assert result.returncode == 0, result.stderr
    (row,) = landing_rows(tmp_path, source="recruitee")
    assert row["company"] == offers_of("orbitdata")[0]["company_name"]


def test_a_site_without_offers_stores_nothing_and_is_no_error(server, tmp_path):
    result = crawl("recruitee", tmp_path, server, "--board", "stillpond", env=REGISTRY)
    assert result.returncode == 0, result.stderr
    assert server.requested("//") == [offers_path("stillpond")]
    assert landing_rows(tmp_path, source="recruitee") == []
    run, stats = run_stats(tmp_path, "recruitee")
    assert (run["status"], run["errors"], stats["skilltrends/boards_done"]) == ("finished", 0, 1)


def test_html_instead_of_json_for_one_company_keeps_the_others(server, tmp_path):
    server.routes[offers_path("stillpond")] = Reply(
        body=b"<!DOCTYPE html><html><body>Careers site moved</body></html>",
        headers={"Content-Type": "text/html; charset=utf-8"})
    result = crawl("recruitee", tmp_path, server, "--board", "deepfield", "--board", "stillpond", env=REGISTRY)
    assert result.returncode == 0, result.stderr
    assert rows_by_id(tmp_path, "recruitee").keys() == fixture_offers("deepfield").keys()
    run, stats = run_stats(tmp_path, "recruitee")
    assert (run["status"], stats["skilltrends/errors/html_instead_of_json"]) == ("finished_with_errors", 1)


@pytest.mark.parametrize(("template", "url", "host"), [
    (None, "https://deepfield.recruitee.com/api/offers/", None),
    ("http://{company}.recruitee.mirror.internal:8080/", "http://deepfield.recruitee.mirror.internal:8080/api/offers/",
     None),
    ("http://127.0.0.1:8080", "http://127.0.0.1:8080/api/offers/", b"deepfield.recruitee.com"),
])
def test_the_variable_replaces_scheme_and_host_only(monkeypatch, template, url, host):
    if template is None:
        monkeypatch.delenv("SKILLTRENDS_RECRUITEE_URL", raising=False)
    else:
        monkeypatch.setenv("SKILLTRENDS_RECRUITEE_URL", template)
    monkeypatch.setenv("SKILLTRENDS_BOARDS_FILE", str(RC / "boards.toml"))
    request = RecruiteeSpider(board="deepfield").board_request("deepfield")
    assert request.url == url
    assert request.headers.get("Host") == host
