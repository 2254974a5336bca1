"""The Lever spider, crawled through the real CLI against a local server at the real API paths."""

from __future__ import annotations

import json
from datetime import datetime, timezone

import pytest

from tests.fixture_server import FixtureServer, Reply
from tests.helpers import (
    FIXTURES, LEVER_PAGE, LEVER_TEST_PAGE_SIZE, crawl, landing_rows, registry_companies, rows_by_id, run_stats, serve_lever_fixtures,
)

LEVER = FIXTURES / "lever"
COMPANIES = registry_companies(FIXTURES / "boards.toml", "lever")
FIXTURE_SITES = ("orbital", "heliotrope", "stillwater")
SMALL_PAGES = ("--set", f"LEVER_PAGE_SIZE={LEVER_TEST_PAGE_SIZE}")
# The fixtures' workplaceType and salaryRange.interval values, as the spider should store them.
REMOTE = {"remote": True, "hybrid": False, "on-site": False, "unspecified": None, None: None}
PERIOD = {"per-year-salary": "year", "per-hour-wage": "hour"}


def fixture_postings(*tokens: str) -> dict[str, tuple[str, dict]]:
    """source_id → (site token, posting as the fixture pages hold it)."""
    postings = {}
    for token in tokens:
        for page in sorted(LEVER.glob(f"{token}_skip*.json")):
            postings.update({p["id"]: (token, p) for p in json.loads(page.read_text())})
    return postings


def skips_requested(server: FixtureServer, token: str) -> list[int]:
    return sorted(int(path.split("skip=")[1].split("&")[0]) for path in server.requested(f"/v0/postings/{token}?"))


@pytest.fixture
def server():
    with FixtureServer() as fixture_server:
        serve_lever_fixtures(fixture_server)
        yield fixture_server


def test_every_posting_is_stored_as_the_api_gives_it(server, tmp_path):
    result = crawl("lever", tmp_path, server, *SMALL_PAGES)
    assert result.returncode == 0, result.stderr
    rows = rows_by_id(tmp_path, "lever")
    expected = fixture_postings(*FIXTURE_SITES)
    assert rows.keys() == expected.keys() and len(rows) == 5
    for source_id, (token, posting) in expected.items():
        row = rows[source_id]
        categories = posting["categories"]
        salary = posting.get("salaryRange", {})
        assert row["source"] == "lever"
        assert row["url"] == posting["hostedUrl"]
        assert row["title"] == posting["text"]
        assert row["company"] == COMPANIES[token]
        assert row["location"] == categories["location"]
        assert row["department"] == categories.get("department", categories["team"])
        assert row["employment_type"] == categories["commitment"]
        created = datetime.fromtimestamp(posting["createdAt"] / 1000, timezone.utc)
        assert row["posted_at"] == created.replace(tzinfo=None)
        assert row["remote"] is REMOTE[posting.get("workplaceType")]
        assert (row["salary_min"], row["salary_max"], row["salary_currency"]) == \
            (salary.get("min"), salary.get("max"), salary.get("currency"))
        assert row["salary_period"] == PERIOD.get(salary.get("interval"))
        assert row["month"] is None
        assert json.loads(row["raw"]) == posting


def test_html_holds_the_description_then_the_lists_then_the_closing_text(server, tmp_path):
    crawl("lever", tmp_path, server, *SMALL_PAGES, "--board", "orbital")
    rows = rows_by_id(tmp_path, "lever")
    for source_id, (_, posting) in fixture_postings("orbital").items():
        page = rows[source_id]["html"]
        pieces = [posting["description"]]
        for block in posting["lists"]:  # each list under its heading (HTML-escaped: ' is &#x27;)
            pieces += [block["text"].replace("'", "&#x27;"), block["content"]]
        pieces += [posting["additional"]] if posting["additional"] else []
        positions = [page.index(piece) for piece in pieces]
        assert positions == sorted(positions)


def test_pages_are_read_until_one_is_short(server, tmp_path):
    crawl("lever", tmp_path, server, *SMALL_PAGES)
    assert skips_requested(server, "orbital") == [0, 1, 2]  # each page after the first overlaps by one
    assert skips_requested(server, "heliotrope") == [0, 1]  # 2 postings, then only the overlap: done
    assert skips_requested(server, "stillwater") == [0]  # none at all
    assert all(f"limit={LEVER_TEST_PAGE_SIZE}" in path for path in server.requested("/v0/postings/"))
    assert set(rows_by_id(tmp_path, "lever")) == set(fixture_postings("orbital", "heliotrope"))


def test_the_default_page_size_is_100(server, tmp_path):
    serve_lever_fixtures(server, limit=100)
    result = crawl("lever", tmp_path, server, "--board", "orbital")
    assert result.returncode == 0, result.stderr
    assert server.requested("/v0/postings/") == [LEVER_PAGE.format(token="orbital", skip=0, limit=100)]


def test_each_posting_is_scraped_once_though_pages_overlap(server, tmp_path):
    crawl("lever", tmp_path, server, *SMALL_PAGES, "--board", "orbital")
    stats = run_stats(tmp_path, "lever")[1]
    assert stats["skilltrends/postings_found"] == stats["skilltrends/postings/new"] == len(fixture_postings("orbital"))
    assert stats["skilltrends/postings/unchanged"] == 0


def test_a_page_size_below_2_is_taken_as_2_for_the_overlap(server, tmp_path):
    result = crawl("lever", tmp_path, server, "--set", "LEVER_PAGE_SIZE=1", "--board", "orbital")
    assert result.returncode == 0, result.stderr
    assert all("limit=2" in path for path in server.requested("/v0/postings/"))
    assert set(rows_by_id(tmp_path, "lever")) == set(fixture_postings("orbital"))


def test_a_server_ignoring_skip_is_an_error_and_ends_the_walk(server, tmp_path):
    # Asked for skip=1, it sends the first page again: it would be asked for ever.
    first = LEVER / "orbital_skip0.json"
    server.routes[LEVER_PAGE.format(token="orbital", skip=1, limit=2)] = Reply(body=first.read_bytes())
    result = crawl("lever", tmp_path, server, *SMALL_PAGES, "--board", "orbital")
    assert result.returncode == 0, result.stderr
    assert skips_requested(server, "orbital") == [0, 1]
    assert set(rows_by_id(tmp_path, "lever")) == {p["id"] for p in json.loads(first.read_text())}
    run, stats = run_stats(tmp_path, "lever")
    assert stats["skilltrends/errors/pagination_repeats"] == 1 and run["status"] == "finished_with_errors"
    assert landing_rows(tmp_path, "SELECT complete FROM boards", "lever") == [{"complete": False}]


def test_a_site_that_pages_on_without_end_is_cut_at_the_page_cap(server, tmp_path):
    # Every page full, each starting at the last of the page before, each bringing a new id.
    first = json.loads((LEVER / "orbital_skip0.json").read_text())
    for n in range(1, 8):
        page = [{**first[1], "id": f"endless-{n - 1}" if n > 1 else first[1]["id"]}, {**first[1], "id": f"endless-{n}"}]
        server.routes[LEVER_PAGE.format(token="orbital", skip=n, limit=2)] = Reply(body=json.dumps(page).encode())
    result = crawl("lever", tmp_path, server, *SMALL_PAGES, "--set", "BOARD_MAX_PAGES=3", "--board", "orbital")
    assert result.returncode == 0, result.stderr
    assert skips_requested(server, "orbital") == [0, 1, 2]
    said = [line for line in result.stderr.splitlines() if "BOARD_MAX_PAGES" in line]
    assert len(said) == 1 and "'orbital'" in said[0], result.stderr
    assert landing_rows(tmp_path, "SELECT complete FROM boards", "lever") == [{"complete": False}]
    assert len(rows_by_id(tmp_path, "lever")) == 4


@pytest.mark.parametrize("change", ["removed", "added"])
def test_a_site_that_changes_while_it_is_read_is_left_incomplete(server, tmp_path, change):
    first = json.loads((LEVER / "orbital_skip0.json").read_text())
    last = json.loads((LEVER / "orbital_skip2.json").read_text())
    if change == "removed":  # posting 1 went away after page 0: the site is now [2, 3]
        shifted = last  # skip=1 gives [3]
    else:  # a new posting went in after the first: the site is now [1, new, 2, 3]
        shifted = [{**first[0], "id": "added-while-read"}, first[1]]  # skip=1 gives [new, 2]
    server.routes[LEVER_PAGE.format(token="orbital", skip=1, limit=2)] = Reply(body=json.dumps(shifted).encode())
    result = crawl("lever", tmp_path, server, *SMALL_PAGES, "--board", "orbital")
    assert result.returncode == 0, result.stderr
    assert skips_requested(server, "orbital") == [0, 1]
    noted = [line for line in result.stderr.splitlines() if "changed while it was read" in line]
    assert len(noted) == 1 and "'orbital'" in noted[0]
    # What was read is kept, but the site is incomplete: the ETL closes nothing of it.
    assert {p["id"] for p in first} <= set(rows_by_id(tmp_path, "lever"))
    assert landing_rows(tmp_path, "SELECT board, complete FROM boards", "lever") == [
        {"board": "orbital", "complete": False}]


def test_an_empty_site_stores_nothing_and_is_no_error(server, tmp_path):
    result = crawl("lever", tmp_path, server, *SMALL_PAGES, "--board", "stillwater")
    assert result.returncode == 0, result.stderr
    assert landing_rows(tmp_path, source="lever") == []
    run, stats = run_stats(tmp_path, "lever")
    assert (run["status"], run["errors"], stats["skilltrends/boards_done"]) == ("finished", 0, 1)


def test_a_gone_site_is_one_log_line_and_the_other_sites_arrive(server, tmp_path):
    result = crawl("lever", tmp_path, server, *SMALL_PAGES)  # the registry lists vanishedco
    assert result.returncode == 0, result.stderr
    gone = [line for line in result.stderr.splitlines() if "vanishedco" in line]
    assert len(gone) == 1 and "gone" in gone[0] and "404" in gone[0]
    assert set(rows_by_id(tmp_path, "lever")) == set(fixture_postings(*FIXTURE_SITES))
    run, stats = run_stats(tmp_path, "lever")
    assert stats["skilltrends/errors/board_gone"] == 1
    assert (run["status"], run["errors"]) == ("finished_with_errors", 1)


def test_malformed_json_on_a_later_page_keeps_the_pages_before_and_the_other_sites(server, tmp_path):
    server.routes[LEVER_PAGE.format(token="orbital", skip=1, limit=2)] = Reply(body=b'[{"id": "5b3c1d2e-8f4a')
    result = crawl("lever", tmp_path, server, *SMALL_PAGES, "--board", "orbital", "--board", "heliotrope")
    assert result.returncode == 0, result.stderr
    first_page = {p["id"] for p in json.loads((LEVER / "orbital_skip0.json").read_text())}
    assert set(rows_by_id(tmp_path, "lever")) == first_page | set(fixture_postings("heliotrope"))
    errors = [line for line in result.stderr.splitlines() if "not valid JSON" in line]
    assert len(errors) == 1 and "orbital" in errors[0] and "skip=1" in errors[0]
    run, _ = run_stats(tmp_path, "lever")
    assert (run["status"], run["errors"]) == ("finished_with_errors", 1)
