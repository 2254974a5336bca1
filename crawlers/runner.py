"""Run spiders in this process (the CLI gives each crawl a process of its own)."""

from __future__ import annotations

import os

from scrapy.crawler import CrawlerProcess
from scrapy.spiderloader import SpiderLoader
from scrapy.utils.project import get_project_settings

from skilltrends.errors import UserError
from crawlers.spiders.base import BadArgument  # noqa: F401  (re-exported for the CLI)

# Installed skilltrends has no scrapy.cfg beside it: name the settings module directly.
os.environ.setdefault("SCRAPY_SETTINGS_MODULE", "crawlers.settings")


class UnknownSource(UserError):
    pass


def available_sources() -> list[str]:
    return sorted(SpiderLoader.from_settings(get_project_settings()).list())


def run_crawl(sources: list[str], home: str, spider_args: dict | None = None,
              overrides: dict | None = None) -> dict[str, dict]:
    """Crawl ``sources`` into ``<home>/landing``; return each spider's final stats.

    Raises UnknownSource or BadArgument (one clear sentence each) before anything runs.
    """
    known = available_sources()
    unknown = [source for source in sources if source not in known]
    if unknown:
        raise UnknownSource(
            f"Unknown source {', '.join(unknown)}: choose from {', '.join(known)}."
        )
    settings = get_project_settings()
    settings.set("SKILLTRENDS_HOME", str(home), priority="cmdline")
    for name, value in (overrides or {}).items():
        settings.set(name, value, priority="cmdline")
    process = CrawlerProcess(settings)
    loader = SpiderLoader.from_settings(settings)
    crawlers = []
    for source in sources:
        spider_cls = loader.load(source)
        spider_cls(**(spider_args or {}))  # validate arguments before starting the reactor
        crawler = process.create_crawler(spider_cls)
        process.crawl(crawler, **(spider_args or {}))
        crawlers.append((source, crawler))
    os.makedirs(home, exist_ok=True)
    process.start()
    return {source: crawler.stats.get_stats() for source, crawler in crawlers}
