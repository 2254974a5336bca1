"""crawlers.runstatus: how many errors a run had, and whether it failed at its job, from Scrapy's stats."""

from __future__ import annotations

from crawlers.runstatus import count_errors, crawl_failure


def test_a_callback_exception_counts_once():
    # Scrapy counts each callback exception twice: in total and by its class.
    stats = {"spider_exceptions/count": 3, "spider_exceptions/TypeError": 2, "spider_exceptions/KeyError": 1,
             "skilltrends/errors/http_500": 4, "skilltrends/postings/new": 50, "downloader/request_count": 9}
    assert count_errors(stats) == 3 + 4


ANSWERED = {"skilltrends/requests": 5, "skilltrends/responses": 5}


def test_a_run_that_ended_is_no_failure_errors_or_not():
    assert crawl_failure("greenhouse", {**ANSWERED, "skilltrends/status": "finished"}) is None
    assert crawl_failure("greenhouse", {**ANSWERED, "skilltrends/status": "finished_with_errors",
                                        "skilltrends/errors/http_500": 2, "skilltrends/postings/new": 40}) is None
    assert crawl_failure("greenhouse", {**ANSWERED, "skilltrends/status": "finished_with_errors",
                                        "skilltrends/errors/http_500": 2, "skilltrends/postings/unchanged": 9}) is None
    assert crawl_failure("greenhouse", {**ANSWERED, "skilltrends/status": "budget_exhausted"}) is None


def test_a_run_stopped_by_a_closespider_setting_ended_where_it_was_asked_to():
    stats = {**ANSWERED, "skilltrends/status": "interrupted", "finish_reason": "closespider_itemcount"}
    assert crawl_failure("hn", stats) is None


def test_an_interrupted_run_names_resume_only_where_there_is_a_job():
    stopped = {**ANSWERED, "skilltrends/status": "interrupted", "finish_reason": "shutdown"}
    assert "--resume" in crawl_failure("lever", {**stopped, "skilltrends/job_id": "j1"})
    assert "run it again" in crawl_failure("hn", stopped)


def test_a_run_with_no_answer_or_that_never_ran_failed():
    refused = {"skilltrends/status": "finished_with_errors", "skilltrends/requests": 3, "skilltrends/responses": 0,
               "skilltrends/errors/connection_refused": 3}
    assert "(connection_refused)" in crawl_failure("hn", refused)
    assert "did not run" in crawl_failure("hn", {})


def test_a_run_whose_every_answer_was_an_error_failed():
    """A source that is down answers every request, with 500s or a maintenance page: a run
    that found not one posting and had errors did not do its job (it was recorded ok)."""
    down = {**ANSWERED, "skilltrends/status": "finished_with_errors", "skilltrends/errors/http_500": 3,
            "skilltrends/errors/unexpected_layout": 2, "skilltrends/postings/new": 0}
    assert crawl_failure("hn", down) == ("The hn crawl had 5 error(s) (http_500, unexpected_layout) and found "
                                         "not one posting, so nothing was crawled.")
    assert crawl_failure("hn", {**ANSWERED, "skilltrends/status": "finished"}) is None  # an empty month is no error


def test_a_gone_board_an_empty_complete_board_or_a_budget_stop_is_no_such_failure():
    gone = {**ANSWERED, "skilltrends/status": "finished_with_errors", "skilltrends/errors/board_gone": 1}
    assert crawl_failure("greenhouse", gone) is None  # `crawl greenhouse lever --board x`: x is a Lever board
    empty = {**gone, "skilltrends/errors/http_500": 1, "skilltrends/boards/complete": 2}
    assert crawl_failure("greenhouse", empty) is None  # two boards read whole, with no job open
    budget = {**ANSWERED, "skilltrends/status": "budget_exhausted", "skilltrends/errors/timeout": 1}
    assert crawl_failure("greenhouse", budget) is None
    assert "had 1 error(s) (http_500)" in crawl_failure("greenhouse", {**empty, "skilltrends/boards/complete": 0})
