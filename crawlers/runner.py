"""Run spiders in this process (the CLI gives each crawl a process of its own)."""

from __future__ import annotations

import os

from scrapy.crawler import CrawlerProcess
from scrapy.spiderloader import SpiderLoader
from scrapy.utils.project import get_project_settings

from skilltrends.errors import UserError
from skilltrends.home import Home
from crawlers.spiders.base import BadArgument  # noqa: F401  (re-exported for the CLI)
from crawlers.spiders.jobboard import BoardCheck
from crawlers.state import CrawlLocked, open_state  # noqa: F401  (CrawlLocked re-exported)

# Installed skilltrends has no scrapy.cfg beside it: name the settings module directly.
os.environ.setdefault("SCRAPY_SETTINGS_MODULE", "crawlers.settings")


class UnknownSource(UserError):
    pass


def available_sources() -> list[str]:
    return sorted(SpiderLoader.from_settings(get_project_settings()).list())


def job_board_sources() -> list[str]:
    loader = SpiderLoader.from_settings(get_project_settings())
    return [name for name in sorted(loader.list()) if getattr(loader.load(name), "takes_boards", False)]


def check_known(sources: list[str], known: list[str], what: str = "source") -> None:
    unknown = [source for source in sources if source not in known]
    if unknown:
        raise UnknownSource(f"Unknown {what} {', '.join(unknown)}: choose from {', '.join(known)}.")


def crawler_process(fixed: dict, overrides: dict | None) -> tuple[CrawlerProcess, SpiderLoader]:
    """A process and spider loader over the project's Scrapy settings, with ``fixed`` and then
    the caller's ``overrides`` set on top."""
    settings = get_project_settings()
    for name, value in {**fixed, **(overrides or {})}.items():
        settings.set(name, value, priority="cmdline")
    return CrawlerProcess(settings), SpiderLoader.from_settings(settings)


def run_crawl(sources: list[str], home: str, spider_args: dict | None = None,
              overrides: dict | None = None) -> dict[str, dict]:
    """Crawl ``sources`` into ``<home>/landing``; return each spider's final stats.

    Raises UnknownSource, BadArgument or CrawlLocked (one clear sentence each) before
    anything runs. Each source's crawl state (``crawlers.state``) is opened here, so a
    second crawl of a source already being crawled is refused at once.
    """
    check_known(sources, available_sources())
    process, loader = crawler_process({"SKILLTRENDS_HOME": str(home)}, overrides)
    crawlers = []
    for source in sources:
        spider_cls = loader.load(source)
        spider_cls(**(spider_args or {}))  # validate arguments before starting the reactor
        crawler = process.create_crawler(spider_cls)
        crawlers.append((source, crawler))
    os.makedirs(home, exist_ok=True)
    states = []
    try:
        if process.settings.getbool("CRAWL_STATE_ENABLED"):
            for source, crawler in crawlers:
                crawler.crawl_state = open_state(Home.resolve(home), source)
                states.append(crawler.crawl_state)
    except BaseException:
        for state in states:
            state.close()
        raise
    for source, crawler in crawlers:
        process.crawl(crawler, **(spider_args or {}))
    process.start()
    return {source: crawler.stats.get_stats() for source, crawler in crawlers}


def run_board_check(sources: list[str], overrides: dict | None = None) -> dict[str, list]:
    """Ask every registry board of ``sources`` once; return ``BoardCheck``s per source.

    Nothing is stored: no landing file, no crawl state. Politeness settings apply as in a crawl.
    """
    check_known(sources, job_board_sources(), "job-board source")
    process, loader = crawler_process(
        {"ITEM_PIPELINES": {}, "CRAWL_STATE_ENABLED": False, "CRAWL_PROGRESS_ENABLED": False}, overrides)
    crawlers = []
    for source in sources:
        crawler = process.create_crawler(loader.load(source))
        process.crawl(crawler, check=True)
        crawlers.append((source, crawler))
    process.start()
    results = {}
    for source, crawler in crawlers:
        spider = crawler.spider
        order = [entry.token for entry in spider.boards_to_crawl]
        results[source] = [
            spider.check_results.get(token) or BoardCheck(token, "error", "no answer (the check was stopped)")
            for token in order
        ]
    return results
