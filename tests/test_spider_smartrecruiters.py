"""The SmartRecruiters spider, crawled through the real CLI against a local server at the real API paths."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest

from tests.fixture_server import FixtureServer, Reply
from tests.helpers import (
    FIXTURES, SMARTRECRUITERS_DETAIL, SMARTRECRUITERS_LIST, SMARTRECRUITERS_TEST_PAGE_SIZE, boards_file, crawl,
    crawl_in_a_new_second, crawl_runs, landing_rows, registry_companies, rows_by_id, run_cli, run_stats, serve_smartrecruiters_fixtures,
    snapshot_rows, utc,
)

SR = FIXTURES / "smartrecruiters"
REGISTRY = boards_file("smartrecruiters")
COMPANIES = registry_companies(SR / "boards.toml", "smartrecruiters")
SMALL_PAGES = ("--set", f"SMARTRECRUITERS_PAGE_SIZE={SMARTRECRUITERS_TEST_PAGE_SIZE}")
SECTIONS = ("companyDescription", "jobDescription", "qualifications", "additionalInformation")


def listed_postings(token: str) -> dict[str, dict]:
    """posting id → the posting as the fixture list pages hold it."""
    return {posting["id"]: posting for page in sorted(SR.glob(f"{token}_offset*.json"))
            for posting in json.loads(page.read_text())["content"]}


def detail(token: str, posting_id: str) -> dict:
    return json.loads((SR / f"{token}_posting_{posting_id}.json").read_text())


def expected_html(posting: dict) -> str:
    sections = posting["jobAd"]["sections"]
    return "\n".join(f"<h3>{sections[key]['title']}</h3>{sections[key]['text']}"
                     for key in SECTIONS if sections.get(key, {}).get("text"))


def offsets_requested(server: FixtureServer, token: str) -> list[int]:
    return sorted(int(path.split("offset=")[1].split("&")[0])
                  for path in server.requested(f"/v1/companies/{token}/postings?"))


@pytest.fixture
def server():
    with FixtureServer() as fixture_server:
        serve_smartrecruiters_fixtures(fixture_server)
        yield fixture_server


def test_every_posting_is_stored_with_its_job_ad(server, tmp_path):
    result = crawl("smartrecruiters", tmp_path, server, *SMALL_PAGES, env=REGISTRY)
    assert result.returncode == 0, result.stderr
    rows = rows_by_id(tmp_path, "smartrecruiters")
    listed = listed_postings("NovaMobility")
    assert rows.keys() == listed.keys() and len(rows) == 3
    for posting_id, in_list in listed.items():
        full = {**in_list, **detail("NovaMobility", posting_id)}
        row = rows[posting_id]
        place = full["location"]
        assert row["source"] == "smartrecruiters"
        assert row["url"] == full["postingUrl"]
        assert row["title"] == full["name"]
        assert row["company"] == COMPANIES["NovaMobility"]
        # Without fullLocation: "city, region, COUNTRY" (the API gives the ISO code in lower case).
        assert row["location"] == place.get("fullLocation", ", ".join(
            place[key] for key in ("city", "region") if place.get(key)) + f", {place['country'].upper()}")
        assert row["html"] == expected_html(full)
        assert row["department"] == full["department"]["label"]
        assert row["employment_type"] == full["typeOfEmployment"]["label"]
        assert row["posted_at"] == utc(full["releasedDate"])
        assert row["remote"] is {True: True, False: False, None: None}[place.get("remote")]
        assert (row["salary_min"], row["updated_at"], row["month"]) == (None, None, None)
        assert json.loads(row["raw"]) == full
    run, stats = run_stats(tmp_path, "smartrecruiters")
    assert stats["skilltrends/errors/board_gone"] == 1  # vanishedco
    assert stats["skilltrends/boards_done"] == 2 and "skilltrends/details_missing" not in stats


def test_pages_are_read_until_total_found(server, tmp_path):
    crawl("smartrecruiters", tmp_path, server, *SMALL_PAGES, env=REGISTRY)
    assert offsets_requested(server, "NovaMobility") == [0, 1]  # pages overlap by one: 2 + 1 of totalFound 3
    assert offsets_requested(server, "QuietCorp") == [0]
    assert all(f"limit={SMARTRECRUITERS_TEST_PAGE_SIZE}" in path for path in server.requested("/v1/companies/")
               if "?" in path)
    details = [path for path in server.requested("/v1/companies/NovaMobility/postings/")]
    assert len(details) == len(set(details))  # the overlap posting is not asked for again
    assert sorted(details) == sorted(SMARTRECRUITERS_DETAIL.format(token="NovaMobility", posting_id=posting_id)
                                     for posting_id in listed_postings("NovaMobility"))


def test_a_company_without_postings_stores_nothing_and_is_no_error(server, tmp_path):
    result = crawl("smartrecruiters", tmp_path, server, *SMALL_PAGES, "--board", "QuietCorp", env=REGISTRY)
    assert result.returncode == 0, result.stderr
    assert landing_rows(tmp_path, source="smartrecruiters") == []
    run, stats = run_stats(tmp_path, "smartrecruiters")
    assert (run["status"], run["errors"], stats["skilltrends/boards_done"]) == ("finished", 0, 1)


def test_a_missing_detail_keeps_the_posting_from_the_list(server, tmp_path):
    missing = "744000050000002"
    server.routes[SMARTRECRUITERS_DETAIL.format(token="NovaMobility", posting_id=missing)] = Reply(500, b"oops")
    result = crawl("smartrecruiters", tmp_path, server, *SMALL_PAGES, "--board", "NovaMobility", env=REGISTRY)
    assert result.returncode == 0, result.stderr
    rows = rows_by_id(tmp_path, "smartrecruiters")
    assert rows.keys() == listed_postings("NovaMobility").keys()
    in_list = listed_postings("NovaMobility")[missing]
    assert rows[missing]["html"] == "" and rows[missing]["title"] == in_list["name"]
    assert json.loads(rows[missing]["raw"]) == in_list
    assert all(row["html"] for source_id, row in rows.items() if source_id != missing)
    run, stats = run_stats(tmp_path, "smartrecruiters")
    assert (stats["skilltrends/errors/http_500"], stats["skilltrends/details_missing"]) == (1, 1)
    assert run["status"] == "finished_with_errors"
    # Every page of the list was read, so the board's postings are all known: it stays complete.
    assert board_results(tmp_path) in (None, [{"board": "NovaMobility", "complete": True, "postings": 3}])


def test_a_missing_detail_never_replaces_a_stored_text(server, tmp_path):
    missing = "744000050000002"
    first = crawl("smartrecruiters", tmp_path, server, *SMALL_PAGES, "--board", "NovaMobility", env=REGISTRY)
    assert first.returncode == 0, first.stderr
    assert run_cli("etl", "--home", str(tmp_path)).returncode == 0
    query = f"SELECT text FROM postings WHERE source_id = '{missing}'"
    (stored,) = snapshot_rows(tmp_path, query)[0]
    server.routes[SMARTRECRUITERS_DETAIL.format(token="NovaMobility", posting_id=missing)] = Reply(500, b"oops")
    second = crawl("smartrecruiters", tmp_path, server, *SMALL_PAGES, "--board", "NovaMobility", env=REGISTRY)
    assert second.returncode == 0, second.stderr
    assert run_cli("etl", "--home", str(tmp_path)).returncode == 0
    assert stored and snapshot_rows(tmp_path, query) == [(stored,)]  # the first crawl's job ad stands
    runs = crawl_runs(tmp_path, "smartrecruiters")
    assert [run["status"] for run in runs] == ["finished", "finished_with_errors"]


def test_a_detail_answering_404_is_a_posting_withdrawn_and_no_error(server, tmp_path):
    """SmartRecruiters answers 404 for a posting withdrawn between the list and its detail:
    it is not stored as a textless posting, and the complete board closes a stored copy."""
    withdrawn = "744000050000002"
    first = crawl("smartrecruiters", tmp_path, server, *SMALL_PAGES, "--board", "NovaMobility", env=REGISTRY)
    assert first.returncode == 0, first.stderr
    server.routes[SMARTRECRUITERS_DETAIL.format(token="NovaMobility", posting_id=withdrawn)] = \
        Reply(404, b'{"code":"RESOURCE_NOT_FOUND","message":"Posting not found"}')
    second = crawl_in_a_new_second("smartrecruiters", tmp_path, server, *SMALL_PAGES, "--board", "NovaMobility",
                                   env=REGISTRY)
    assert second.returncode == 0, second.stderr
    runs = crawl_runs(tmp_path, "smartrecruiters")
    assert [(run["status"], run["errors"]) for run in runs] == [("finished", 0), ("finished", 0)]
    first_file, second_file = sorted((tmp_path / "landing" / "smartrecruiters").glob("*.duckdb"))
    with duckdb.connect(str(second_file), read_only=True) as conn:
        seen = {source_id for (source_id,) in conn.sql("SELECT source_id FROM seen").fetchall()}
        ((stats,),) = conn.sql("SELECT stats FROM crawl_run").fetchall()
        board = conn.sql("SELECT complete, postings FROM boards").fetchall()
    assert seen == set(listed_postings("NovaMobility")) - {withdrawn} and board == [(True, 2)]
    assert json.loads(stats)["skilltrends/postings_withdrawn"] == 1
    assert run_cli("etl", "--home", str(tmp_path)).returncode == 0
    closed = dict(snapshot_rows(tmp_path, "SELECT source_id, closed_at IS NOT NULL FROM postings"))
    assert closed == {posting_id: posting_id == withdrawn for posting_id in listed_postings("NovaMobility")}


def board_results(home: Path) -> list[dict] | None:
    """The run's job-board results; None for landing files without a ``boards`` table."""
    try:
        return landing_rows(home, "SELECT board, complete, postings FROM boards", source="smartrecruiters")
    except duckdb.CatalogException:
        return None


def page_at_offset_1(server) -> tuple[str, dict]:
    later = SMARTRECRUITERS_LIST.format(token="NovaMobility", offset=1, limit=2)
    return later, json.loads(server.routes[later].body)


@pytest.mark.parametrize("change", ["total", "same_total"])
def test_a_company_whose_list_changes_while_it_is_read_is_left_incomplete(server, tmp_path, change):
    later, page = page_at_offset_1(server)
    if change == "total":  # a posting was taken down after the first page: one fewer found
        page["totalFound"] -= 1
    else:  # posting 2 was taken down and another put up: the count stands, the rest shifted
        page["content"] = [page["content"][1], {**page["content"][1], "id": "744000050000009"}]
    server.routes[later] = Reply(body=json.dumps(page).encode())
    result = crawl("smartrecruiters", tmp_path, server, *SMALL_PAGES, "--board", "NovaMobility", env=REGISTRY)
    assert result.returncode == 0, result.stderr
    noted = [line for line in result.stderr.splitlines() if "changed while it was read" in line]
    assert len(noted) == 1 and "'NovaMobility'" in noted[0]
    assert set(listed_postings("NovaMobility")) <= set(rows_by_id(tmp_path, "smartrecruiters"))
    assert board_results(tmp_path)[0]["complete"] is False


def test_a_total_that_overcounts_ends_the_walk_instead_of_asking_for_the_same_page_again(server, tmp_path):
    # totalFound says 3, but the list holds 2: the page at offset 1 is the overlap alone.
    later, page = page_at_offset_1(server)
    server.routes[later] = Reply(body=json.dumps({**page, "content": page["content"][:1]}).encode())
    result = crawl("smartrecruiters", tmp_path, server, *SMALL_PAGES, "--board", "NovaMobility", env=REGISTRY)
    assert result.returncode == 0, result.stderr
    assert offsets_requested(server, "NovaMobility") == [0, 1]
    assert run_stats(tmp_path, "smartrecruiters")[1]["skilltrends/errors/pagination_repeats"] == 1
    assert board_results(tmp_path)[0]["complete"] is False


def test_a_server_ignoring_the_offset_is_an_error_and_ends_the_walk(server, tmp_path):
    later, _ = page_at_offset_1(server)
    server.routes[later] = Reply(body=(SR / "NovaMobility_offset0.json").read_bytes())
    result = crawl("smartrecruiters", tmp_path, server, *SMALL_PAGES, "--board", "NovaMobility", env=REGISTRY)
    assert result.returncode == 0, result.stderr
    assert offsets_requested(server, "NovaMobility") == [0, 1]
    run, stats = run_stats(tmp_path, "smartrecruiters")
    assert stats["skilltrends/errors/pagination_repeats"] == 1 and run["status"] == "finished_with_errors"
    assert board_results(tmp_path)[0]["complete"] is False


@pytest.mark.parametrize("total", ["3", None, "many"])
def test_a_total_found_written_as_text_or_missing_does_not_end_the_walk_as_if_complete(server, tmp_path, total):
    first = SMARTRECRUITERS_LIST.format(token="NovaMobility", offset=0, limit=2)
    for path in (first, page_at_offset_1(server)[0]):
        page = json.loads(server.routes[path].body)
        server.routes[path] = Reply(body=json.dumps({**page, "totalFound": total}).encode())
    result = crawl("smartrecruiters", tmp_path, server, *SMALL_PAGES, "--board", "NovaMobility", env=REGISTRY)
    assert result.returncode == 0, result.stderr
    if total == "3":  # a count written as text is the count
        assert offsets_requested(server, "NovaMobility") == [0, 1]
        assert board_results(tmp_path)[0]["complete"] is True
    else:  # no count: the first page's postings are kept, but nothing may be closed
        noted = [line for line in result.stderr.splitlines() if "totalFound" in line]
        assert len(noted) == 1 and "'NovaMobility'" in noted[0], result.stderr
        assert len(rows_by_id(tmp_path, "smartrecruiters")) == 2
        assert board_results(tmp_path)[0]["complete"] is False


def test_malformed_json_on_a_later_page_keeps_the_first_page(server, tmp_path):
    server.routes[SMARTRECRUITERS_LIST.format(token="NovaMobility", offset=1, limit=2)] = \
        Reply(body=b'{"offset": 1, "limit": 2, "totalFound": 3, "content": [{"id": "7440')
    result = crawl("smartrecruiters", tmp_path, server, *SMALL_PAGES, "--board", "NovaMobility", env=REGISTRY)
    assert result.returncode == 0, result.stderr
    first_page = {p["id"] for p in json.loads((SR / "NovaMobility_offset0.json").read_text())["content"]}
    assert set(rows_by_id(tmp_path, "smartrecruiters")) == first_page
    errors = [line for line in result.stderr.splitlines() if "not valid JSON" in line]
    assert len(errors) == 1 and "offset=1" in errors[0]
    assert run_stats(tmp_path, "smartrecruiters")[1]["skilltrends/errors/malformed_json"] == 1


def test_boards_check_counts_the_postings_a_page_lists_and_says_an_empty_company_may_be_unknown(server):
    result = run_cli("boards", "check", "smartrecruiters", "--set", "DOWNLOAD_DELAY=0",
                     "--set", "AUTOTHROTTLE_ENABLED=False", *SMALL_PAGES,
                     env={**REGISTRY, "SKILLTRENDS_SMARTRECRUITERS_URL": server.url})
    assert result.returncode == 0, result.stderr
    report = {token: (status, detail) for _, token, status, detail in
              (line.split("\t") for line in result.stdout.splitlines())}
    assert report == {
        "NovaMobility": ("ok", f"{SMARTRECRUITERS_TEST_PAGE_SIZE} posting(s) on its first page"),
        # The API answers an unknown company as one without postings (200, totalFound 0).
        "QuietCorp": ("ok", "0 posting(s) (SmartRecruiters answers an unknown company so too)"),
        "vanishedco": ("gone", "HTTP 404"),
    }
    assert not server.requested("/v1/companies/NovaMobility/postings/")  # no detail asked for


def test_most_details_answering_404_is_an_error_and_closes_nothing(server, tmp_path):
    """Every detail answering 404 is no wave of withdrawals but a changed path or the like:
    the company is left incomplete, so none of its stored postings is closed."""
    first = crawl("smartrecruiters", tmp_path, server, *SMALL_PAGES, "--board", "NovaMobility", env=REGISTRY)
    assert first.returncode == 0, first.stderr
    for posting_id in listed_postings("NovaMobility"):
        server.routes[SMARTRECRUITERS_DETAIL.format(token="NovaMobility", posting_id=posting_id)] = \
            Reply(404, b'{"code":"RESOURCE_NOT_FOUND"}')
    second = crawl_in_a_new_second("smartrecruiters", tmp_path, server, *SMALL_PAGES, "--board", "NovaMobility",
                                   env=REGISTRY)
    errors = [line for line in second.stderr.splitlines() if "too many to be withdrawn" in line]
    assert len(errors) == 1 and "NovaMobility" in errors[0]
    _, second_file = sorted((tmp_path / "landing" / "smartrecruiters").glob("*.duckdb"))
    with duckdb.connect(str(second_file), read_only=True) as conn:
        assert conn.sql("SELECT complete, error FROM boards").fetchall() == [(False, "details_not_found")]
    assert run_cli("etl", "--home", str(tmp_path)).returncode == 0
    assert snapshot_rows(tmp_path, "SELECT count(*) FROM postings WHERE closed_at IS NOT NULL") == [(0,)]


def test_too_many_withdrawn_is_said_once_however_the_list_grows():
    from scrapy.utils.test import get_crawler

    from crawlers.spiders.smartrecruiters import SmartRecruitersSpider
    spider = SmartRecruitersSpider.from_crawler(get_crawler(SmartRecruitersSpider), board="Co")
    said = []
    spider.record_error = lambda kind, message: said.append(kind)
    spider.seen_ids["Co"] = {str(n) for n in range(100)}
    for _ in range(51):
        spider.too_many_withdrawn("Co")
    assert said == ["details_not_found"]
    spider.seen_ids["Co"] |= {str(n) for n in range(100, 199)}  # a later page: the threshold rises
    for _ in range(49):
        spider.too_many_withdrawn("Co")
    assert said == ["details_not_found"]
