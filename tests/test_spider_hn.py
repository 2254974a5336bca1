"""The HN spider, crawled through the real CLI against a local server at the real API paths."""

from __future__ import annotations

import json
from datetime import timezone

import pytest

from tests.fixture_server import FixtureServer, Reply
from tests.helpers import FIXTURES, SEARCH, crawl, crawl_hn, crawl_runs, landing_rows, run_stats, serve_hn_fixtures

HN = FIXTURES / "hn"


def fixture_postings(*story_ids: int) -> set[str]:
    """Top-level comments with text in the fixture threads, read straight from the files."""
    ids = set()
    for story_id in story_ids:
        thread = json.loads((HN / f"item_{story_id}.json").read_text())
        ids |= {str(c["id"]) for c in thread["children"] if c.get("text")}
    return ids


ALL_THREADS = (9103, 9102, 9101, 9012)


@pytest.fixture
def server():
    with FixtureServer() as fixture_server:
        serve_hn_fixtures(fixture_server)
        yield fixture_server


def index_pages_asked(server) -> list[str]:
    return [p.split("page=")[1].split("&")[0] for p in server.requested("/api/v1/search_by_date")]


def test_discovers_hiring_threads_across_pages_until_the_last_the_index_counts(server, tmp_path):
    result = crawl_hn(tmp_path, server)
    assert result.returncode == 0, result.stderr
    assert index_pages_asked(server) == ["0", "1", "2"]  # nbPages is 3
    threads = {p.rsplit("/", 1)[1] for p in server.requested("/api/v1/items/")}
    # Not "wants to be hired", "Freelancer?", "hiring right now", nor another author's story.
    assert threads == {str(s) for s in ALL_THREADS}
    assert {row["source_id"] for row in landing_rows(tmp_path)} == fixture_postings(*ALL_THREADS)


def test_without_a_page_count_the_index_is_read_until_an_empty_page(server, tmp_path):
    for page in range(4):
        body = json.loads((HN / f"search_page{page}.json").read_text())
        del body["nbPages"]
        server.routes[SEARCH.format(page=page)] = Reply(body=json.dumps(body).encode())
    result = crawl_hn(tmp_path, server)
    assert result.returncode == 0, result.stderr
    assert index_pages_asked(server) == ["0", "1", "2", "3"]


def test_an_index_that_ignores_the_page_asked_for_is_read_once(server, tmp_path):
    first = json.loads((HN / "search_page0.json").read_text())
    del first["nbPages"]
    for page in range(4):
        server.routes[SEARCH.format(page=page)] = Reply(body=json.dumps(first).encode())
    result = crawl_hn(tmp_path, server)
    assert result.returncode == 0, result.stderr
    assert index_pages_asked(server) == ["0", "1"]
    assert run_stats(tmp_path, "hn")[1]["skilltrends/errors/pagination_repeats"] == 1


def test_a_page_of_unreadable_hits_is_no_repeat_and_the_walk_goes_on(server, tmp_path):
    first = json.loads((HN / "search_page0.json").read_text())
    server.routes[SEARCH.format(page=0)] = Reply(body=json.dumps({**first, "hits": [None, 7]}).encode())
    result = crawl_hn(tmp_path, server)
    assert result.returncode == 0, result.stderr
    assert index_pages_asked(server) == ["0", "1", "2"] and "repeats" not in result.stderr, result.stderr


def test_keeps_only_the_months_asked_for(server, tmp_path):
    result = crawl_hn(tmp_path, server, "--since", "2023-01", "--until", "2023-02")
    assert result.returncode == 0, result.stderr
    rows = landing_rows(tmp_path)
    assert {str(row["month"]) for row in rows} == {"2023-01-01", "2023-02-01"}
    assert {row["source_id"] for row in rows} == fixture_postings(9101, 9102)
    # The index is newest first: the page holding only 2022 stories ends the walk early.
    assert not any("page=3" in p for p in server.requested("/api/v1/search_by_date"))


def test_replies_are_not_postings_and_deleted_comments_are_skipped(server, tmp_path):
    crawl_hn(tmp_path, server, "--since", "2023-03", "--until", "2023-03")
    rows = landing_rows(tmp_path)
    thread = json.loads((HN / "item_9103.json").read_text())
    reply_ids = {str(r["id"]) for c in thread["children"] for r in c["children"]}
    deleted_ids = {str(c["id"]) for c in thread["children"] if c["text"] is None}
    stored = {row["source_id"] for row in rows}
    assert reply_ids and deleted_ids
    assert not stored & reply_ids and not stored & deleted_ids
    stats = json.loads(crawl_runs(tmp_path)[0]["stats"])
    assert stats["skilltrends/comments_deleted_or_empty"] == len(deleted_ids)


def test_posting_fields_are_kept(server, tmp_path):
    crawl_hn(tmp_path, server, "--since", "2023-03", "--until", "2023-03")
    thread = json.loads((HN / "item_9103.json").read_text())
    first = thread["children"][0]
    row = next(r for r in landing_rows(tmp_path) if r["source_id"] == str(first["id"]))
    assert row["html"] == first["text"]
    assert row["author"] == first["author"]
    assert row["thread_id"] == "9103"
    assert row["posted_at"].replace(tzinfo=timezone.utc).timestamp() == first["created_at_i"]
    assert row["url"] == f"https://news.ycombinator.com/item?id={first['id']}"


def test_429_with_retry_after_then_success(server, tmp_path):
    path = "/api/v1/items/9102"
    server.fail_first(path, Reply(429, b"slow down", {"Retry-After": "1", "Content-Type": "text/plain"}))
    result = crawl_hn(tmp_path, server, "--since", "2023-02", "--until", "2023-02")
    assert result.returncode == 0, result.stderr
    assert len(server.requested(path)) == 2
    assert {row["source_id"] for row in landing_rows(tmp_path)} == fixture_postings(9102)
    run = crawl_runs(tmp_path)[0]
    stats = json.loads(run["stats"])
    assert stats["retry/wait_seconds"] >= 1  # Retry-After honoured, not the 0.05 s backoff
    assert run["status"] == "finished"


def test_500s_that_recover(server, tmp_path):
    path = "/api/v1/items/9101"
    server.fail_first(path, Reply(500, b"oops"), Reply(503, b"busy"))
    result = crawl_hn(tmp_path, server, "--since", "2023-01", "--until", "2023-01")
    assert result.returncode == 0, result.stderr
    assert len(server.requested(path)) == 3
    assert {row["source_id"] for row in landing_rows(tmp_path)} == fixture_postings(9101)
    assert crawl_runs(tmp_path)[0]["status"] == "finished"


def test_malformed_json_is_logged_and_skipped_without_losing_other_threads(server, tmp_path):
    server.routes["/api/v1/items/9102"] = Reply(body=b'{"id": 9102, "children": [{"id": 1, "te')
    result = crawl_hn(tmp_path, server)
    assert result.returncode == 0, result.stderr
    assert {row["source_id"] for row in landing_rows(tmp_path)} == fixture_postings(9103, 9101, 9012)
    errors = [line for line in result.stderr.splitlines() if "not valid JSON" in line]
    assert len(errors) == 1 and "/api/v1/items/9102" in errors[0]
    run = crawl_runs(tmp_path)[0]
    assert (run["status"], run["errors"]) == ("finished_with_errors", 1)


def test_an_odd_story_or_comment_loses_only_itself(server, tmp_path):
    page0 = json.loads((HN / "search_page0.json").read_text())
    page0["hits"].insert(0, None)  # a hit that is not an object
    server.routes[SEARCH.format(page=0)] = Reply(body=json.dumps(page0).encode())
    thread = json.loads((HN / "item_9102.json").read_text())
    odd = next(c for c in thread["children"] if c.get("text"))
    odd["created_at_i"] = "n/a"  # kept, without a time
    thread["children"].insert(1, ["not", "a", "comment"])
    thread["children"].insert(2, {"id": {"not": "an id"}, "text": "x"})
    server.routes["/api/v1/items/9102"] = Reply(body=json.dumps(thread).encode())
    result = crawl_hn(tmp_path, server)
    assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr
    # Every thread is still found and every good comment kept, the odd one's time unknown.
    stored = {row["source_id"]: row for row in landing_rows(tmp_path)}
    assert stored.keys() == fixture_postings(*ALL_THREADS)
    assert stored[str(odd["id"])]["posted_at"] is None
    # The hit and the two comments it could not read are said, a line a list, and counted.
    said = [line for line in result.stderr.splitlines() if "record(s) without a usable id" in line]
    assert len(said) == 2 and "Thread 9102: 2 record(s)" in said[1], result.stderr
    assert run_stats(tmp_path, "hn")[1]["skilltrends/errors/unreadable_jobs"] == 2


def test_a_comment_id_written_as_digits_is_the_id(server, tmp_path):
    thread = json.loads((HN / "item_9102.json").read_text())
    for comment in thread["children"]:
        comment["id"] = str(comment["id"])
    server.routes["/api/v1/items/9102"] = Reply(body=json.dumps(thread).encode())
    result = crawl_hn(tmp_path, server)
    assert result.returncode == 0 and "ERROR" not in result.stderr, result.stderr
    assert {row["source_id"] for row in landing_rows(tmp_path)} == fixture_postings(*ALL_THREADS)


def test_a_server_error_that_persists_is_recorded_and_the_rest_arrives(server, tmp_path):
    server.routes["/api/v1/items/9101"] = Reply(502, b"bad gateway")
    result = crawl_hn(tmp_path, server, "--set", "RETRY_TIMES=1")
    assert result.returncode == 0, result.stderr
    assert {row["source_id"] for row in landing_rows(tmp_path)} == fixture_postings(9103, 9102, 9012)
    assert "HTTP 502" in result.stderr
    assert crawl_runs(tmp_path)[0]["errors"] == 1


def test_robots_txt_is_obeyed(server, tmp_path):
    server.routes["/robots.txt"] = Reply(body=b"User-agent: *\nDisallow: /api/v1/items/9103\n",
                                         headers={"Content-Type": "text/plain"})
    crawl_hn(tmp_path, server)
    assert not server.requested("/api/v1/items/9103")
    assert {row["source_id"] for row in landing_rows(tmp_path)} == fixture_postings(9102, 9101, 9012)


@pytest.mark.parametrize("contact", [None, "", "https://example.org/our-crawler"])
def test_identifies_itself_with_a_contact_url(server, tmp_path, contact):
    env = {} if contact is None else {"SKILLTRENDS_CONTACT_URL": contact}
    crawl("hn", tmp_path, server, "--since", "2023-01", "--until", "2023-01", env=env)
    (user_agent,) = server.user_agents
    expected = contact or "https://github.com/skilltrends/skilltrends"  # set but empty: the default
    assert user_agent.startswith("skilltrends/") and user_agent.endswith(f"(+{expected})")


def test_a_crawl_of_generated_data_is_recorded_as_such(server, tmp_path):
    crawl_hn(tmp_path, server, "--since", "2023-03", "--until", "2023-03", "--set", "GENERATED_DATA=True")
    _, stats = run_stats(tmp_path, "hn")
    assert stats["skilltrends/generated"] == 1
    real = tmp_path / "real"
    crawl_hn(real, server, "--since", "2023-03", "--until", "2023-03")
    assert "skilltrends/generated" not in run_stats(real, "hn")[1]
