"""How a crawl run ended, from Scrapy's close reason and the error counters; its summary counts."""

from __future__ import annotations

ERROR_STAT_PREFIX = "skilltrends/errors/"
BUDGET_CLOSE_REASON = "request_budget"
BOARD_GONE = "board_gone"  # the error kind of a board that answered 404
# Runs whose complete board crawls may close postings (the ETL uses the same list).
ELIGIBLE_STATUSES = ("finished", "finished_with_errors")


def crawl_stopping(crawler) -> bool:
    """Is the crawl stopping (a signal, a budget, the scheduler's stop)? Scrapy's graceful
    stop then waits for every request in progress; its engine has no public "closing" flag,
    so the slot's is read when there is one."""
    engine = crawler.engine
    slot = getattr(engine, "_slot", None)
    return (not crawler.crawling or engine is None or not engine.running
            or getattr(slot, "closing", None) is not None)


def count_errors(stats: dict) -> int:
    """Failures the run could not recover from: our own counters plus callback exceptions
    (Scrapy counts each of those twice: ``spider_exceptions/count`` and by class)."""
    return sum(
        value
        for key, value in stats.items()
        if key.startswith(ERROR_STAT_PREFIX) or (key.startswith("spider_exceptions/")
                                                 and key != "spider_exceptions/count")
        if isinstance(value, int)
    )


def run_status(close_reason: str, errors: int) -> str:
    """``finished``, ``finished_with_errors``, ``budget_exhausted`` or ``interrupted``.

    (A run killed before it could record anything is reported ``killed`` by the ETL.)
    """
    if close_reason == BUDGET_CLOSE_REASON:
        return "budget_exhausted"
    if close_reason != "finished":
        return "interrupted"
    return "finished_with_errors" if errors else "finished"


#: Stat set when the landing file could not be closed: its path and the error.
LANDING_NOT_CLOSED = "skilltrends/landing_not_closed"


def crawl_failure(source: str, stats: dict) -> str | None:
    """One sentence when the run of ``source`` (its final stats) did not do its job: it was
    never ran (Scrapy could not start it), could not close its landing file, was interrupted,
    not one of its requests was answered (a wrong or unreachable host), or it had errors
    (other than boards gone) and found not one posting and not one complete board (a source
    that answers everything with a 500 or a maintenance page); else None. A run with some
    failed requests that found postings did its job as far as it could: its errors are
    counted. A run a ``CLOSESPIDER_*`` setting stopped ended where it was asked to, as one
    out of request budget does."""
    if "skilltrends/status" not in stats:
        return f"The {source} crawl did not run (see the messages above); nothing was stored."
    if LANDING_NOT_CLOSED in stats:
        return (f"The {source} crawl could not close its landing file {stats[LANDING_NOT_CLOSED]}; "
                "the ETL loads what it committed as a killed run, which closes no posting.")
    asked_to_stop = str(stats.get("finish_reason", "")).startswith("closespider_")
    if stats.get("skilltrends/status") == "interrupted" and not asked_to_stop:
        then = (f"`skilltrends crawl {source} --resume` finishes its boards" if stats.get("skilltrends/job_id")
                else "run it again to finish it")
        return f"The {source} crawl was interrupted before it ended: what it fetched is kept; {then}."
    requests = stats.get("skilltrends/requests", 0)
    kinds = sorted(key.removeprefix(ERROR_STAT_PREFIX) for key in stats if key.startswith(ERROR_STAT_PREFIX))
    if requests and not stats.get("skilltrends/responses", 0):
        return (f"Not one of the {requests} requests of the {source} crawl was answered "
                f"({', '.join(kinds) or 'no response'}), so nothing was crawled.")
    # A board that is gone is a finding, not a failure (a crawl of several sources with one
    # --board asks every source); a complete board, even an empty one, is work done; and a
    # run out of its request budget ended where it was asked to.
    errors = count_errors(stats) - stats.get(f"{ERROR_STAT_PREFIX}{BOARD_GONE}", 0)
    found = sum(stats.get(f"skilltrends/postings/{change}", 0) for change in ("new", "changed", "unchanged"))
    done = found or stats.get("skilltrends/boards/complete", 0) or stats.get("skilltrends/status") == "budget_exhausted"
    if errors > 0 and not done:
        failures = ", ".join(kind for kind in kinds if kind != BOARD_GONE) or "in callbacks"
        return f"The {source} crawl had {errors} error(s) ({failures}) and found not one posting, so nothing was crawled."
    return None


def run_summary(stats: dict) -> dict:
    """The named counts every run records (for the data-health page), from Scrapy's stats.

    ``skilltrends/requests``, ``skilltrends/responses/<status>``, ``skilltrends/error_total`` (by
    kind under ``skilltrends/errors/<kind>``), ``skilltrends/duration_seconds``, and
    ``skilltrends/postings/{new,changed,unchanged,closed}`` set by the landing pipeline.
    """
    summary = {
        "skilltrends/requests": stats.get("downloader/request_count", 0),
        "skilltrends/responses": stats.get("downloader/response_count", 0),
        "skilltrends/error_total": count_errors(stats),
    }
    prefix = "downloader/response_status_count/"
    for key, value in stats.items():
        if key.startswith(prefix):
            summary[f"skilltrends/responses/{key[len(prefix):]}"] = value
    if "elapsed_time_seconds" in stats:
        summary["skilltrends/duration_seconds"] = round(float(stats["elapsed_time_seconds"]), 3)
    for change in ("new", "changed", "unchanged", "closed"):
        summary.setdefault(f"skilltrends/postings/{change}", stats.get(f"skilltrends/postings/{change}", 0))
    return summary
