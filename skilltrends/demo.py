"""``skilltrends demo``: crawl (real HN, or a local mirror of generated threads) → ETL → dashboard.

The offline path crawls a mirror served on 127.0.0.1 with the same spider that crawls the
real API, so it exercises the whole real path; the snapshot is marked as demo data and
the dashboard says so.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from datetime import date
from urllib.parse import urlparse

import click

from crawlers.spiders.base import month_range
from crawlers.spiders.hn import HackerNewsHiringSpider
from skilltrends.errors import UserError
from skilltrends.home import Home

OFFLINE_FIRST_MONTH = "2011-04"
OFFLINE_LAST_MONTH = "2026-10"
# A local mirror needs no politeness delay; robots.txt is still fetched and obeyed.
MIRROR_CRAWL_SETTINGS = ("DOWNLOAD_DELAY=0", "AUTOTHROTTLE_ENABLED=False", "CONCURRENT_REQUESTS_PER_DOMAIN=4",
                         "GENERATED_DATA=True")


class CrawlFailed(UserError):
    pass


def months_ago(months: int, today: date | None = None) -> str:
    today = today or date.today()
    index = today.year * 12 + today.month - 1 - months
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def api_reachable(base_url: str, timeout: float = 3.0) -> bool:
    parsed = urlparse(base_url)
    port = parsed.port or (443 if parsed.scheme == "https" else 80)
    try:
        with socket.create_connection((parsed.hostname, port), timeout=timeout):
            return True
    except OSError:
        return False


def crawl_in_subprocess(home: Home, since: str, until: str | None, base_url: str | None,
                        extra_settings: tuple[str, ...] = ()) -> None:
    """Each crawl gets a process of its own (Twisted's reactor cannot restart)."""
    command = [sys.executable, "-m", "skilltrends", "crawl", "hn", "--home", str(home.root), "--since", since]
    if until:
        command += ["--until", until]
    for setting in extra_settings:
        command += ["--set", setting]
    env = dict(os.environ)
    if base_url:
        env[HackerNewsHiringSpider.base_url_env] = base_url
    if subprocess.run(command, env=env).returncode != 0:
        raise CrawlFailed("The demo crawl failed (see the messages above); nothing was loaded.")


def offline_generator(scale: float, since: str | None, until: str | None):
    """The generator of the offline demo's threads; a value it cannot use is a ``UserError``."""
    from skilltrends.mirror import HiringThreadGenerator

    try:
        return HiringThreadGenerator(scale=scale, start=since or OFFLINE_FIRST_MONTH, end=until or OFFLINE_LAST_MONTH)
    except ValueError as exc:
        raise UserError(f"The offline demo cannot be generated: {exc}.") from None


def run_demo(home: Home, offline: bool, since: str | None, until: str | None, scale: float,
             serve: bool, port: int) -> None:
    from etl.pipeline import run_etl

    month_range(since, until)  # a mistake is one sentence before anything is made
    generator = offline_generator(scale, since, until) if offline else None
    if serve:
        from dashboard.app import check_listenable

        check_listenable("127.0.0.1", port)
    home.root.mkdir(parents=True, exist_ok=True)
    real_base = os.environ.get(HackerNewsHiringSpider.base_url_env, HackerNewsHiringSpider.default_base_url)
    if not offline and not api_reachable(real_base):
        click.echo(f"{real_base} is unreachable, so the demo runs offline on generated data.", err=True)
        offline = True
    if offline:
        from skilltrends.mirror import HNMirror

        generator = generator or offline_generator(scale, since, until)
        click.echo(
            f"Offline demo: serving generated 'Who is hiring?' threads {since or OFFLINE_FIRST_MONTH} → "
            f"{until or OFFLINE_LAST_MONTH} on a local mirror and crawling it.",
            err=True,
        )
        with HNMirror(generator).start() as mirror:
            crawl_in_subprocess(home, since or OFFLINE_FIRST_MONTH, until or OFFLINE_LAST_MONTH,
                                mirror.url, MIRROR_CRAWL_SETTINGS)
    else:
        click.echo(f"Crawling Hacker News 'Who is hiring?' threads from {since or months_ago(24)}.", err=True)
        crawl_in_subprocess(home, since or months_ago(24), until, None)
    report = run_etl(home, demo=offline)
    click.echo(report.summary(), err=True)
    if serve:
        from dashboard.app import check_listenable, run

        check_listenable("127.0.0.1", port)  # taken while the demo crawled?
        click.echo(f"Dashboard on http://127.0.0.1:{port}/ (Ctrl-C to stop)", err=True)
        run(home=str(home.root), host="127.0.0.1", port=port)
