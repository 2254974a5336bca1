"""The demo path, offline, end to end at small size: mirror → real spider → ETL → dashboard."""

from __future__ import annotations

import socket
import time
import urllib.request

from skilltrends.home import Home
from skilltrends.mirror import HiringThreadGenerator
from tests.helpers import run_cli, snapshot_rows
from tests.test_concurrency import start_cli

SCALE = 0.03


def test_offline_demo_crawls_the_mirror_and_publishes_demo_data(tmp_path):
    result = run_cli("demo", "--offline", "--scale", str(SCALE), "--since", "2021-01", "--until", "2024-12",
                     "--no-dashboard", "--home", str(tmp_path), timeout=600)
    assert result.returncode == 0, result.stderr
    home = Home.resolve(tmp_path)
    expected = HiringThreadGenerator(scale=SCALE, start="2021-01", end="2024-12")
    # Every generated posting of those months arrived through the spider, none other.
    by_month = dict(snapshot_rows(home, "SELECT strftime(month, '%Y-%m'), count(*) FROM listings GROUP BY ALL"))
    assert by_month == {month: expected.postings_in_month(month) for month in expected.months()}
    assert snapshot_rows(home, "SELECT value FROM meta WHERE key = 'demo'") == [("true",)]
    llm = dict(snapshot_rows(home, "SELECT year(month), sum(postings) / sum(total) FROM monthly_family_share "
                              "WHERE family = 'llm' GROUP BY ALL"))
    assert llm[2024] > llm[2021]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_demo_ends_with_the_dashboard_serving_on_localhost(tmp_path):
    port = free_port()
    demo = start_cli("demo", "--offline", "--scale", "0.01", "--since", "2024-01", "--until", "2024-03",
                     "--port", str(port), "--home", str(tmp_path))
    try:
        deadline, page = time.monotonic() + 180, None
        while time.monotonic() < deadline and demo.poll() is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2) as response:
                    page = response.read().decode()
                    break
            except OSError:
                time.sleep(0.5)
        assert page is not None, f"the dashboard never answered: {demo.poll()=}"
        assert "skilltrends" in page
    finally:
        demo.terminate()
        demo.wait(timeout=30)
