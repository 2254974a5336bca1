"""Shared test helpers: run the real CLI in a subprocess, find fixtures and reference data."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import tomllib
from datetime import datetime, timezone
from pathlib import Path

import duckdb
import pytest

from analysis.snapshot import open_snapshot
from tests.fixture_server import FixtureServer
from tests.landing_factory import write_landing

TESTS = Path(__file__).parent
FIXTURES = TESTS / "fixtures"
PROJECT = TESTS.parent
SHARED_DATA = PROJECT.parent / "shared" / "data"
SEARCH = "/api/v1/search_by_date?page={page}&query=hiring&tags=story,(author__whoishiring,author_whoishiring)"
GREENHOUSE_JOBS = "/v1/boards/{token}/jobs?content=true"
LEVER_PAGE = "/v0/postings/{token}?mode=json&skip={skip}&limit={limit}"
ASHBY_BOARD = "/posting-api/job-board/{token}?includeCompensation=true"
LEVER_TEST_PAGE_SIZE = 2  # the Lever fixtures hold two postings a page
# Fast, still polite in kind: robots.txt obeyed, retries on, only the waits shortened.
FAST_CRAWL = ["--set", "DOWNLOAD_DELAY=0", "--set", "AUTOTHROTTLE_ENABLED=False",
              "--set", "RETRY_BACKOFF_BASE=0.05", "--no-progress"]


def reference_data(*parts: str) -> Path:
    path = SHARED_DATA.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"reference data {path} is absent (it lives beside the project, in ../shared/data)")
    return path


def run_cli(*args: str, env: dict | None = None, timeout: float = 300, cwd: Path | None = None,
            stdin: str | None = None) -> subprocess.CompletedProcess:
    full_env = {**os.environ, **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "skilltrends", *args], capture_output=True, text=True, input=stdin,
        env=full_env, timeout=timeout, cwd=cwd or PROJECT,
    )


def home_after_etl(home: Path, items: list) -> Path:
    """``home`` with ``items`` landed by one HN crawl run and loaded by `skilltrends etl`."""
    write_landing(home, items)
    result = run_cli("etl", "--home", str(home))
    assert result.returncode == 0, result.stderr
    return home


def serve_hn_fixtures(server: FixtureServer, folder: Path = FIXTURES / "hn") -> None:
    for page_file in sorted(folder.glob("search_page*.json")):
        page = int(page_file.stem.removeprefix("search_page"))
        server.serve_file(SEARCH.format(page=page), page_file)
    for item_file in folder.glob("item_*.json"):
        server.serve_file(f"/api/v1/items/{item_file.stem.removeprefix('item_')}", item_file)


def serve_greenhouse_fixtures(server: FixtureServer, folder: Path = FIXTURES / "greenhouse") -> None:
    for board_file in folder.glob("*.json"):
        server.serve_file(GREENHOUSE_JOBS.format(token=board_file.stem), board_file)


def serve_lever_fixtures(server: FixtureServer, limit: int = LEVER_TEST_PAGE_SIZE,
                         folder: Path = FIXTURES / "lever") -> None:
    """``<site>_skip<N>.json`` at ``skip=N&limit=<limit>``."""
    for page_file in folder.glob("*_skip*.json"):
        token, _, skip = page_file.stem.rpartition("_skip")
        server.serve_file(LEVER_PAGE.format(token=token, skip=int(skip), limit=limit), page_file)


def serve_ashby_fixtures(server: FixtureServer, folder: Path = FIXTURES / "ashby") -> None:
    for board_file in folder.glob("*.json"):
        server.serve_file(ASHBY_BOARD.format(token=board_file.stem), board_file)


def crawl(source: str, home: Path, server: FixtureServer, *args: str, env_var: str | None = None,
          env: dict | None = None) -> subprocess.CompletedProcess:
    """``skilltrends crawl <source>`` through the real CLI, its API base URL on ``server``.

    ``env_var`` defaults to ``SKILLTRENDS_<SOURCE>_URL``; the board registry is the fixtures'
    (``tests/fixtures/boards.toml``) unless ``env`` names another.
    """
    env_var = env_var or f"SKILLTRENDS_{source.upper()}_URL"
    return run_cli("crawl", source, "--home", str(home), *FAST_CRAWL, *args,
                   env={env_var: server.url, "SKILLTRENDS_BOARDS_FILE": str(FIXTURES / "boards.toml"),
                        **(env or {})})


def crawl_in_a_new_second(source: str, home: Path, server: FixtureServer, *args: str,
                          env: dict | None = None) -> subprocess.CompletedProcess:
    """``crawl``, started in a new wall-clock second. Times are kept to the second and a board
    crawl closes only listings last seen before it, so two crawls whose responses fall in the
    same second close nothing; a warm machine runs one in about a second (1.0-1.3 s measured;
    lifecycle tests failed that way in full runs, with nothing closed)."""
    time.sleep(1.001 - time.time() % 1)
    return crawl(source, home, server, *args, env=env)


def crawl_hn(home: Path, server: FixtureServer, *args: str) -> subprocess.CompletedProcess:
    return crawl("hn", home, server, *args)


def landing_rows(home: Path, sql: str = "SELECT * FROM postings", source: str = "hn") -> list[dict]:
    rows = []
    for path in sorted((home / "landing" / source).glob("*.duckdb")):
        conn = duckdb.connect(str(path), read_only=True)
        try:
            rows += conn.sql(sql).pl().to_dicts()
        finally:
            conn.close()
    return rows


def crawl_runs(home: Path, source: str = "hn") -> list[dict]:
    return landing_rows(home, "SELECT * FROM crawl_run", source)


def snapshot_rows(home, sql: str) -> list[tuple]:
    """The rows a query gives on the current snapshot of a home (``analysis.snapshot.open_snapshot``)."""
    with open_snapshot(home) as conn:
        return conn.execute(sql).fetchall()


def assert_one_clear_error(result: subprocess.CompletedProcess, *words: str) -> None:
    """The CLI failed with one line on stderr, "Error: …", naming each of ``words``."""
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("Error: ")
    for word in words:
        assert word in lines[0]


def rows_by_id(home: Path, source: str) -> dict[str, dict]:
    """The landed rows of one source, by source id."""
    return {row["source_id"]: row for row in landing_rows(home, source=source)}


def run_stats(home: Path, source: str) -> tuple[dict, dict]:
    """The one crawl run of a source, and its stats."""
    (run,) = crawl_runs(home, source=source)
    return run, json.loads(run["stats"])


def registry_companies(boards_toml: Path, source: str) -> dict[str, str]:
    """Board token → company name, as a board registry file lists them for one source."""
    return {entry["token"]: entry["company"] for entry in tomllib.loads(boards_toml.read_text())[source]}


def utc(text: str) -> datetime:
    """An ISO 8601 time with an offset as the naive UTC time the landing files store."""
    return datetime.fromisoformat(text).astimezone(timezone.utc).replace(tzinfo=None)


# --- job sources added with the workable … jsonld spiders ----------------------------------
from tests.fixture_server import Reply  # noqa: E402

WORKABLE_ACCOUNT = "/api/v1/widget/accounts/{token}?details=true"
SMARTRECRUITERS_LIST = "/v1/companies/{token}/postings?offset={offset}&limit={limit}"
SMARTRECRUITERS_DETAIL = "/v1/companies/{token}/postings/{posting_id}"
SMARTRECRUITERS_TEST_PAGE_SIZE = 2  # the SmartRecruiters fixtures hold two postings a page
RECRUITEE_OFFERS = "/api/offers/"
REMOTIVE_JOBS = "/api/remote-jobs"
ARBEITNOW_PAGE = "/api/job-board-api"
HIMALAYAS_FIRST = "/jobs/api?limit={limit}"
HIMALAYAS_CURSOR = "/jobs/api?limit={limit}&cursor={cursor}"  # the cursor URL-quoted
HIMALAYAS_OFFSET = "/jobs/api?limit={limit}&offset={offset}"  # deprecated by the API
HIMALAYAS_TEST_PAGE_SIZE = 2  # the Himalayas fixtures hold two jobs a page
REMOTEOK_API = "/api"
JSONLD_SITE = "https://careers.example.com"  # the host the jsonld fixtures are written for


def boards_file(source: str) -> dict:
    """``env`` for ``crawl()``: the board registry kept beside a source's fixtures."""
    return {"SKILLTRENDS_BOARDS_FILE": str(FIXTURES / source / "boards.toml")}


class VirtualHostFixtureServer(FixtureServer):
    """A FixtureServer that also tells hosts apart, as a mirror serving many hosts does.

    A request whose ``Host`` header names another host than the server's own address is
    looked up as ``//<host><path>`` (a network-path reference), e.g.
    ``//acme.recruitee.com/api/offers/``; requests to the server's own address as usual.
    """

    def __init__(self):
        super().__init__()
        handler = self.httpd.RequestHandlerClass

        class VirtualHostHandler(handler):
            def do_GET(self):
                host = (self.headers.get("Host") or "").rsplit(":", 1)[0].lower()
                if host and host not in ("127.0.0.1", "localhost"):
                    self.path = f"//{host}{self.path}"
                super().do_GET()

        self.httpd.RequestHandlerClass = VirtualHostHandler


def serve_workable_fixtures(server: FixtureServer, folder: Path = FIXTURES / "workable") -> None:
    for account_file in folder.glob("*.json"):
        server.serve_file(WORKABLE_ACCOUNT.format(token=account_file.stem), account_file)


def serve_smartrecruiters_fixtures(server: FixtureServer, limit: int = SMARTRECRUITERS_TEST_PAGE_SIZE,
                                   folder: Path = FIXTURES / "smartrecruiters") -> None:
    """``<company>_offset<N>.json`` at ``offset=N&limit=<limit>``; ``<company>_posting_<id>.json``
    at the posting's detail path."""
    for page_file in folder.glob("*_offset*.json"):
        token, _, offset = page_file.stem.rpartition("_offset")
        server.serve_file(SMARTRECRUITERS_LIST.format(token=token, offset=int(offset), limit=limit), page_file)
    for detail_file in folder.glob("*_posting_*.json"):
        token, _, posting_id = detail_file.stem.partition("_posting_")
        server.serve_file(SMARTRECRUITERS_DETAIL.format(token=token, posting_id=posting_id), detail_file)


def serve_recruitee_fixtures(server: FixtureServer, folder: Path = FIXTURES / "recruitee") -> None:
    """``<company>.json`` for requests to ``<company>.recruitee.com`` (a VirtualHostFixtureServer)."""
    for company_file in folder.glob("*.json"):
        server.serve_file(f"//{company_file.stem}.recruitee.com{RECRUITEE_OFFERS}", company_file)


def serve_jsonld_fixtures(server: FixtureServer, folder: Path = FIXTURES / "jsonld" / "site") -> None:
    """Every file under ``site/`` at its path, ``https://careers.example.com`` rewritten to the server."""
    content_types = {".html": "text/html; charset=utf-8", ".xml": "application/xml", ".txt": "text/plain"}
    for file in sorted(path for path in folder.rglob("*") if path.is_file()):
        body = file.read_bytes().replace(JSONLD_SITE.encode(), server.url.encode())
        server.routes["/" + file.relative_to(folder).as_posix()] = Reply(
            body=body, headers={"Content-Type": content_types.get(file.suffix, "application/octet-stream")})
