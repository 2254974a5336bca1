"""How a crawl run ended, from Scrapy's close reason and the error counters."""

from __future__ import annotations

ERROR_STAT_PREFIX = "skilltrends/errors/"


def count_errors(stats: dict) -> int:
    """Failures the run could not recover from: our own counters plus callback exceptions."""
    return sum(
        value
        for key, value in stats.items()
        if key.startswith(ERROR_STAT_PREFIX) or key.startswith("spider_exceptions/")
        if isinstance(value, int)
    )


def run_status(close_reason: str, errors: int) -> str:
    if close_reason != "finished":
        return "interrupted"
    return "finished_with_errors" if errors else "finished"
