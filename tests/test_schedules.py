"""schedules/: the timetable and its config file, the job runs and their records, the scheduler
(job store settings, firing, catch-up, overlap, stopping) and `skilltrends schedule`."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

import pytest
from apscheduler.triggers.date import DateTrigger
import sqlalchemy
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.triggers.interval import IntervalTrigger

from schedules.runner import (
    CHILDREN,
    JOB_FUNC,
    LOCK_FILE,
    STORE_FILE,
    JobStoreUnwritable,
    ScheduleLock,
    TimetableScheduler,
    open_job_store,
    run_job,
)
from schedules.runs import RunLog, RunRecord, utc_stamp
from schedules.timetable import (
    DEFAULT_JOBS,
    ScheduledJob,
    Timetable,
    TimetableError,
    expand_args,
    load_timetable,
)
from skilltrends.home import Home
from tests.fixture_server import FixtureServer, Reply
from tests.helpers import (
    FAST_CRAWL, PROJECT, SEARCH, assert_one_clear_error, crawl_runs, run_cli, serve_hn_fixtures,
)
from tests.landing_factory import hn_item, write_landing

UTC = timezone.utc
FAST_CRAWL_SETTINGS = [arg for arg in FAST_CRAWL if arg != "--no-progress"]


def with_landing(home) -> None:
    write_landing(home, [hn_item(1, "Acme | ML Engineer | Paris<p>PyTorch and MLflow.", "2024-01")])


@dataclass(frozen=True)
class SoonJob(ScheduledJob):
    """A timetable job on any trigger (a date or interval a second away), for the scheduler tests."""

    soon: object = None

    def trigger(self):
        return self.soon


def in_a_second(seconds: float = 1.0) -> DateTrigger:
    return DateTrigger(run_date=datetime.now(UTC) + timedelta(seconds=seconds))


def start_in_thread(service: TimetableScheduler) -> threading.Thread:
    thread = threading.Thread(target=service.start, daemon=True)
    thread.start()
    assert service.started.wait(60), "the scheduler did not start"
    return thread


def stop(service: TimetableScheduler, thread: threading.Thread) -> None:
    service.stop()
    thread.join(60)
    assert not thread.is_alive(), "the scheduler did not stop"


def first_records(service, home) -> list[dict]:
    """Run ``service`` until it has recorded a run; its records."""
    thread = start_in_thread(service)
    try:
        return wait_for_records(home, lambda records: records)
    finally:
        stop(service, thread)


def wait_for_records(home, predicate, timeout: float = 60) -> list[dict]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        records = RunLog.for_home(home).read()
        if predicate(records):
            return records
        time.sleep(0.1)
    pytest.fail(f"no such run records within {timeout}s: {RunLog.for_home(home).read()}")


# --- the default timetable ---------------------------------------------------------------


def test_default_timetable_jobs_and_commands():
    timetable = load_timetable()
    jobs = {job.name: job for job in timetable.jobs}
    assert list(jobs) == ["hn", "boards", "feeds", "etl"]
    assert timetable.enabled == list(timetable.jobs)
    assert jobs["hn"].cli_args() == ["crawl", "hn", "--no-progress", "--since", "{previous_month}",
                                     "--until", "{current_month}"]
    assert jobs["boards"].cli_args() == ["crawl", "greenhouse", "lever", "ashby", "workable", "recruitee",
                                         "--no-progress"]
    assert jobs["feeds"].cli_args() == ["crawl", "remotive", "arbeitnow", "himalayas", "remoteok", "--no-progress"]
    assert jobs["etl"].cli_args() == ["etl"]
    assert jobs["hn"].timeout_seconds == 6 * 3600 and jobs["etl"].timeout_seconds == 2 * 3600


def test_default_triggers_are_utc_crons():
    jobs = {job.name: job for job in DEFAULT_JOBS}
    at = datetime(2024, 3, 10, 5, 0, tzinfo=UTC)
    assert {name: job.trigger().get_next_fire_time(None, at) for name, job in jobs.items()} == {
        "hn": datetime(2024, 3, 10, 6, 0, tzinfo=UTC),
        "boards": datetime(2024, 3, 10, 7, 0, tzinfo=UTC),
        "feeds": datetime(2024, 3, 10, 8, 0, tzinfo=UTC),
        "etl": datetime(2024, 3, 10, 5, 30, tzinfo=UTC),
    }
    after_six = datetime(2024, 3, 10, 6, 0, 1, tzinfo=UTC)
    assert jobs["hn"].trigger().get_next_fire_time(None, after_six) == datetime(2024, 3, 11, 6, 0, tzinfo=UTC)
    assert jobs["etl"].trigger().get_next_fire_time(None, after_six) == datetime(2024, 3, 10, 6, 30, tzinfo=UTC)
    for job in jobs.values():
        assert job.trigger().timezone.utcoffset(None) == timedelta(0)


def test_month_placeholders_are_filled_in_when_a_job_runs():
    args = ["--since", "{previous_month}", "--until", "{current_month}", "--set", 'X={"a": 1}']
    assert expand_args(args, datetime(2024, 1, 15, 6, tzinfo=UTC)) == [
        "--since", "2023-12", "--until", "2024-01", "--set", 'X={"a": 1}']
    assert expand_args(args[:2], datetime(2024, 7, 1, 0, 0, tzinfo=UTC)) == ["--since", "2024-06"]


# --- the config file -------------------------------------------------------------------------

GOOD_CONFIG = """
[[job]]
name = "etl"
cron = "15 */2 * * *"

[[job]]
name = "boards"
enabled = false

[[job]]
name = "hn-backfill"
command = "crawl"
sources = ["hn"]
args = ["--since", "2011-04"]
cron = "0 3 * * sun"
timeout_minutes = 0
"""


def test_config_changes_disables_and_adds_jobs(tmp_path):
    config = tmp_path / "timetable.toml"
    config.write_text(GOOD_CONFIG)
    timetable = load_timetable(config)
    jobs = {job.name: job for job in timetable.jobs}
    assert list(jobs) == ["hn", "boards", "feeds", "etl", "hn-backfill"]
    assert jobs["hn"] == DEFAULT_JOBS[0]
    assert (jobs["etl"].command, jobs["etl"].cron) == ("etl", "15 */2 * * *")
    assert not jobs["boards"].enabled
    assert [job.name for job in timetable.enabled] == ["hn", "feeds", "etl", "hn-backfill"]
    backfill = jobs["hn-backfill"]
    assert backfill.cli_args() == ["crawl", "hn", "--no-progress", "--since", "2011-04"]
    assert backfill.timeout_seconds is None
    wednesday = datetime(2024, 5, 1, 12, tzinfo=UTC)
    assert backfill.trigger().get_next_fire_time(None, wednesday) == datetime(2024, 5, 5, 3, 0, tzinfo=UTC)
    assert jobs["etl"].trigger().get_next_fire_time(None, wednesday) == datetime(2024, 5, 1, 12, 15, tzinfo=UTC)



def test_the_example_config_in_the_docs_loads(tmp_path):
    doc = (PROJECT / "docs" / "scheduling.md").read_text()
    example = doc.split("```toml\n", 1)[1].split("```", 1)[0]
    config = tmp_path / "timetable.toml"
    config.write_text(example)
    timetable = load_timetable(config)
    assert [job.name for job in timetable.enabled] == ["hn", "feeds", "etl", "hn-history", "greenhouse-twice"]

BAD_CONFIGS = {
    "toml syntax": ("job = [", ["not valid TOML"]),
    "unknown top-level key": ('timezone = "UTC"', ["unknown key timezone", "[[job]]"]),
    "job as a table": ('[job]\nname = "etl"', ["[[job]]"]),
    "no name": ('[[job]]\ncron = "0 6 * * *"', ["job #1", "name"]),
    "unknown job key": ('[[job]]\nname = "etl"\nevery = "1h"', ["'etl'", "unknown key every"]),
    "unknown command": ('[[job]]\nname = "web"\ncommand = "dashboard"\ncron = "0 6 * * *"', ["'dashboard'", "crawl, etl"]),
    "crawl without sources": ('[[job]]\nname = "c"\ncommand = "crawl"\ncron = "0 6 * * *"', ["needs sources"]),
    "etl with sources": ('[[job]]\nname = "etl"\nsources = ["hn"]', ["only crawl jobs take sources"]),
    "cron out of range": ('[[job]]\nname = "etl"\ncron = "0 25 * * *"', ["'0 25 * * *'", "not a crontab expression"]),
    "cron with four fields": ('[[job]]\nname = "etl"\ncron = "0 6 * *"', ["not a crontab expression", "expected 5"]),
    "day no month has": ('[[job]]\nname = "etl"\ncron = "0 6 31 4,6 *"', ["'0 6 31 4,6 *'", "never fires"]),
    "numeric weekday": ('[[job]]\nname = "etl"\ncron = "0 6 * * 1-5"', ["by name", "Monday = 0"]),
    "weekday step": ('[[job]]\nname = "etl"\ncron = "0 6 * * */2"', ["'0 6 * * */2'", "list of names", "not a step"]),
    "weekday range step": ('[[job]]\nname = "etl"\ncron = "0 6 * * mon-fri/0"', ["list of names"]),
    "board of a boardless source": ('[[job]]\nname = "hn"\nargs = ["--board", "foo"]', ["'hn'", "--board", "hn has no boards"]),
    "day and weekday": ('[[job]]\nname = "etl"\ncron = "0 6 1 * mon"', ["'0 6 1 * mon'", "both", "one of them as *"]),
    "unknown source": ('[[job]]\nname = "c"\ncommand = "crawl"\nsources = ["monster"]\ncron = "0 6 * * *"',
                       ["unknown source monster", "hn"]),
    "misspelt option": ('[[job]]\nname = "hn"\nargs = ["--snice", "2024-01"]', ["--snice", "skilltrends crawl"]),
    "-h in args": ('[[job]]\nname = "etl"\nargs = ["-h"]', ["must not ask for --help"]),
    "--home in args": ('[[job]]\nname = "etl"\nargs = ["--home", "/srv"]', ["remove --home"]),
    "unknown placeholder": ('[[job]]\nname = "hn"\nargs = ["--since", "{last_month}"]', ["{last_month}", "{previous_month}"]),
    "duplicate job": ('[[job]]\nname = "etl"\n[[job]]\nname = "etl"', ["'etl' appears twice"]),
    "new job without cron": ('[[job]]\nname = "nightly"\ncommand = "etl"', ["not a default job", "needs cron"]),
    "sources not a list": ('[[job]]\nname = "hn"\nsources = "hn"', ["sources must be a list of strings"]),
    "negative timeout": ('[[job]]\nname = "etl"\ntimeout_minutes = -5', ["timeout_minutes"]),
    "bad month in args": ('[[job]]\nname = "hn"\nargs = ["--since", "2023-13"]', ["'hn'", "YYYY-MM", "2023-13"]),
    "until before since": ('[[job]]\nname = "hn"\nargs = ["--since", "{current_month}", "--until", "2011-04"]',
                           ["is after --until 2011-04"]),
    "bad setting in args": ('[[job]]\nname = "boards"\nargs = ["--set", "DOWNLOAD_DELAY=abc"]',
                            ["DOWNLOAD_DELAY takes a number"]),
    "timeout beyond a week": ('[[job]]\nname = "etl"\ntimeout_minutes = 99999999999999', ["timeout_minutes", "10,080"]),
    "enabled as text": ('[[job]]\nname = "etl"\nenabled = "no"', ["true or false"]),
}


def test_a_day_and_a_weekday_are_accepted_where_crontab_also_requires_both(tmp_path):
    config = tmp_path / "timetable.toml"
    config.write_text('[[job]]\nname = "etl"\ncron = "0 6 */2 * mon"\n')
    assert [job.cron for job in load_timetable(config).jobs if job.name == "etl"] == ["0 6 */2 * mon"]


@pytest.mark.parametrize("text, words", BAD_CONFIGS.values(), ids=BAD_CONFIGS.keys())
def test_bad_config_is_one_clear_sentence(tmp_path, text, words):
    config = tmp_path / "timetable.toml"
    config.write_text(text)
    with pytest.raises(TimetableError) as error:
        load_timetable(config)
    message = str(error.value)
    assert "\n" not in message and message.endswith("."), message
    assert message.startswith(str(config)), message
    for word in words:
        assert word in message, message


def test_missing_config_file(tmp_path):
    with pytest.raises(TimetableError, match="does not exist"):
        load_timetable(tmp_path / "nowhere.toml")


def test_cli_reports_a_bad_config_in_one_sentence(tmp_path):
    config = tmp_path / "timetable.toml"
    config.write_text(BAD_CONFIGS["unknown source"][0])
    assert_one_clear_error(run_cli("schedule", "--config", str(config), "--home", str(tmp_path)), "monster")
    assert not (tmp_path / STORE_FILE).exists()
    assert_one_clear_error(run_cli("schedule", "--list", "--config", str(tmp_path / "no.toml"),
                                   "--home", str(tmp_path)), "does not exist")


# --- one job run: the subprocess and its record ---------------------------------------------------


def test_job_runs_the_etl_command_in_a_subprocess_and_records_the_run(tmp_path):
    with_landing(tmp_path)
    record = run_job("etl", ["etl"], str(tmp_path))
    assert record["status"] == "ok" and record["exit_code"] == 0, record
    assert record["command"] == f"skilltrends etl --home {tmp_path}"
    assert (tmp_path / "snapshot.duckdb").exists()  # the real command ran
    assert "Loaded 1 crawl run(s)" in record["stderr_tail"]
    assert record["started_at"].endswith("Z") and record["started_at"] <= record["finished_at"]
    assert RunLog.for_home(tmp_path).read() == [record]


def test_a_jobs_own_log_lines_are_stamped_in_utc_like_the_schedulers(tmp_path, monkeypatch):
    monkeypatch.setenv("TZ", "America/New_York")  # a scheduler started in a local time zone
    with FixtureServer() as server:
        server.routes[SEARCH.format(page=0)] = Reply(500, b"down")
        monkeypatch.setenv("SKILLTRENDS_HN_URL", server.url)
        record = run_job("hn", ["crawl", "hn", *FAST_CRAWL, "--set", "RETRY_TIMES=0"], str(tmp_path))
    stamps = re.findall(r"^(\d{4}-\d\d-\d\d \d\d:\d\d):\d\d \[", record["stderr_tail"], re.MULTILINE)
    assert stamps, record["stderr_tail"]
    started = datetime.strptime(record["started_at"], "%Y-%m-%dT%H:%M:%SZ")
    assert all(abs(datetime.strptime(stamp, "%Y-%m-%d %H:%M") - started) < timedelta(minutes=2) for stamp in stamps)


def test_failed_run_records_its_exit_status_and_last_stderr_lines(tmp_path):
    record = run_job("etl", ["etl"], str(tmp_path))
    assert (record["status"], record["exit_code"]) == ("failed", 1)
    assert "No landing data" in record["stderr_tail"]
    assert RunLog.for_home(tmp_path).last_by_job()["etl"] == record


def test_crawl_job_runs_the_crawl_with_its_months_filled_in(tmp_path, monkeypatch):
    job = ScheduledJob("hn", "crawl", "0 6 * * *", sources=("hn",),
                       args=(*FAST_CRAWL_SETTINGS, "--since", "{previous_month}", "--until", "{current_month}"))
    with FixtureServer() as server:
        serve_hn_fixtures(server)
        monkeypatch.setenv("SKILLTRENDS_HN_URL", server.url)
        record = run_job(job.name, job.cli_args(), str(tmp_path))
        assert server.requested("/api/v1/search_by_date")
    months = expand_args(["{previous_month}", "{current_month}"], datetime.now(UTC))
    assert record["status"] == "ok", record
    assert record["command"].startswith("skilltrends crawl hn --no-progress ")
    assert record["command"].endswith(f"--since {months[0]} --until {months[1]} --home {tmp_path}")
    assert len(crawl_runs(tmp_path)) == 1  # the crawl wrote its landing file


def test_a_run_over_its_timeout_is_stopped_and_recorded(tmp_path, monkeypatch):
    with FixtureServer() as server:
        server.routes["/robots.txt"] = Reply(200, b"", {"Content-Type": "text/plain"}, delay=60)
        monkeypatch.setenv("SKILLTRENDS_HN_URL", server.url)
        started = time.monotonic()
        record = run_job("hn", ["crawl", "hn", "--no-progress"], str(tmp_path), timeout=3, kill_after=1)
    assert record["status"] == "timeout", record
    assert time.monotonic() - started < 30


def test_a_job_whose_process_dies_alone_does_not_hang_on_its_orphans(tmp_path):
    """An ETL killed by the OOM killer leaves its --workers running, holding the output pipe:
    the run must still end, be recorded, and take its leftovers with it."""
    from schedules.runner import _run_process

    CHILDREN.reopen()  # a scheduler stopped by an earlier test closed it

    orphan_pid = tmp_path / "orphan.pid"
    leader = ("import os, signal, subprocess, sys\n"
              "child = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(600)'])\n"
              f"open({str(orphan_pid)!r}, 'w').write(str(child.pid))\n"
              "print('worker started', flush=True)\n"
              "os.kill(os.getpid(), signal.SIGKILL)\n")
    result = []
    run = threading.Thread(target=lambda: result.append(
        _run_process("etl", [sys.executable, "-c", leader], timeout=None, kill_after=1)), daemon=True)
    run.start()
    run.join(15)
    pid = int(orphan_pid.read_text())
    if run.is_alive():  # hung on the orphan's pipe: end it so the test run goes on
        os.kill(pid, signal.SIGKILL)
        pytest.fail("the run was still reading its output 15 s after its process died")
    assert result == [(-signal.SIGKILL, "failed", "worker started")]
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            break
        if open(f"/proc/{pid}/stat").read().split()[2] == "Z":  # ended, waiting for its reaper
            break
        time.sleep(0.05)
    else:
        pytest.fail(f"the orphaned worker {pid} is still running")


def test_a_record_after_a_torn_line_starts_a_line_of_its_own(tmp_path):
    import duckdb

    log = RunLog.for_home(tmp_path)
    log.append(RunRecord(job="etl", command="skilltrends etl", status="ok"))
    with open(log.path, "a", encoding="utf-8") as stream:
        stream.write('{"job": "hn", "command": "skilltrends cra')  # a scheduler killed mid-write
    log.append(RunRecord(job="hn", command="skilltrends crawl hn — nightly", status="ok"))
    with open(log.path, "ab") as stream:
        stream.write('{"job": "hn", "command": "—'.encode("utf-8")[:-1])  # torn inside a character
    log.append(RunRecord(job="boards", command="skilltrends crawl greenhouse", status="failed"))
    expected = [("etl", "ok"), ("hn", "ok"), ("boards", "failed")]
    assert [(r["job"], r["status"]) for r in log.read()] == expected
    rows = duckdb.sql(f"SELECT job, status FROM read_json('{log.path}', ignore_errors = true) "
                      "WHERE job IS NOT NULL").fetchall()
    assert rows == expected  # the query docs/scheduling.md gives


def test_the_schedule_log_is_stamped_in_utc(monkeypatch):
    import logging

    from schedules.runner import utc_log_handler

    monkeypatch.setenv("TZ", "America/New_York")
    time.tzset()
    try:
        record = logging.LogRecord("schedules.runner", logging.INFO, __file__, 1, "Scheduler started", None, None)
        record.created = datetime(2026, 11, 24, 23, 12, 5, tzinfo=UTC).timestamp()
        line = utc_log_handler().format(record)
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()
    assert line == "2026-11-24 23:12:05Z INFO schedules.runner: Scheduler started"


def test_no_job_starts_while_the_scheduler_stops(tmp_path, monkeypatch):
    """A job due while running ones are given their time to stop is not started (and lost):
    it waits for the next start of the scheduler, which catches it up."""
    with FixtureServer() as server:
        server.routes["/robots.txt"] = Reply(200, b"", {"Content-Type": "text/plain"}, delay=60)
        monkeypatch.setenv("SKILLTRENDS_HN_URL", server.url)
        slow = SoonJob("hn", "crawl", "0 6 * * *", sources=("hn",), soon=in_a_second(0.2))
        frequent = SoonJob("etl", "etl", "* * * * *", soon=IntervalTrigger(seconds=0.3))
        service = TimetableScheduler(Timetable((slow, frequent)), Home.resolve(tmp_path), stop_timeout=3)
        thread = start_in_thread(service)
        deadline = time.monotonic() + 30
        while not server.requested("/robots.txt") and time.monotonic() < deadline:
            time.sleep(0.1)
        stop(service, thread)  # the crawl waits on its robots.txt until killed, 3 s later
    not_started = [r for r in RunLog.for_home(tmp_path).read() if "Not started" in (r["stderr_tail"] or "")]
    assert not_started == []


def test_a_job_with_worker_processes_that_ends_normally_is_left_alone(tmp_path, caplog):
    """Worker pools leave short-lived zombies and a resource tracker behind them for a moment:
    no reason to warn or signal anything."""
    import logging

    from schedules.runner import _run_process

    CHILDREN.reopen()  # a scheduler stopped by an earlier test closed it

    script = ("import multiprocessing as mp\n"
              "from concurrent.futures import ProcessPoolExecutor\n"
              "if __name__ == '__main__':\n"
              "    with ProcessPoolExecutor(2, mp_context=mp.get_context('spawn')) as pool:\n"
              "        print(sum(pool.map(abs, [-1, -2, -3])), flush=True)\n")
    (tmp_path / "pool.py").write_text(script)
    with caplog.at_level(logging.WARNING, logger="schedules.runner"):
        result = _run_process("etl", [sys.executable, str(tmp_path / "pool.py")], timeout=None, kill_after=1)
        time.sleep(6)  # past the leftovers' grace time
    assert result == (0, "ok", "6")
    assert [r.getMessage() for r in caplog.records] == []


# --- the scheduler ------------------------------------------------------------------------------


def test_the_scheduler_looks_at_the_clock_at_least_every_minute():
    """Its waits run on a clock that stops while the machine sleeps; capped, a run due during
    the sleep starts within a minute of waking, not when the whole wait is slept out."""
    from apscheduler.schedulers.base import BaseScheduler

    from schedules.runner import WAKEUP_SECONDS, WallClockScheduler

    scheduler = WallClockScheduler(timezone=UTC)
    scheduler.add_job(print, DateTrigger(run_date=datetime.now(UTC) + timedelta(days=1)))
    scheduler._event = threading.Event()
    BaseScheduler.start(scheduler)  # jobs and executors started, without the blocking loop
    try:
        assert scheduler._process_jobs() == WAKEUP_SECONDS == 60
        scheduler.remove_all_jobs()
        assert scheduler._process_jobs() == WAKEUP_SECONDS  # no job at all: still looks
    finally:
        scheduler.shutdown(wait=False)


def test_scheduler_fires_a_job_on_a_near_term_trigger(tmp_path):
    with_landing(tmp_path)
    job = SoonJob("etl-soon", "etl", "0 0 1 1 *", soon=in_a_second())
    service = TimetableScheduler(Timetable((job,)), Home.resolve(tmp_path))
    records = first_records(service, tmp_path)
    assert [(r["job"], r["status"], r["command"]) for r in records] == [
        ("etl-soon", "ok", f"skilltrends etl --home {tmp_path}")]
    assert (tmp_path / "snapshot.duckdb").exists()


def test_job_store_jobs_get_coalesce_max_instances_and_misfire_grace(tmp_path):
    before = datetime.now(UTC)
    service = TimetableScheduler(load_timetable(), Home.resolve(tmp_path))
    stop(service, start_in_thread(service))
    with open_job_store(tmp_path) as store:
        stored = {job.id: job for job in store.get_all_jobs()}
    assert set(stored) == {"hn", "boards", "feeds", "etl"}
    grace = {"hn": 12 * 3600, "boards": 12 * 3600, "feeds": 12 * 3600, "etl": 30 * 60}  # half the time between runs
    for job in DEFAULT_JOBS:
        kept = stored[job.name]
        assert (kept.coalesce, kept.max_instances, kept.misfire_grace_time) == (True, 1, grace[job.name])
        assert kept.func_ref == JOB_FUNC
        assert kept.kwargs == {"name": job.name, "args": job.cli_args(), "home": str(tmp_path),
                               "timeout": job.timeout_seconds}
        assert repr(kept.trigger) == repr(job.trigger())
        assert before < kept.next_run_time <= before + timedelta(days=1)


def test_job_store_follows_the_timetable(tmp_path):
    service = TimetableScheduler(load_timetable(), Home.resolve(tmp_path))
    stop(service, start_in_thread(service))
    config = tmp_path / "timetable.toml"
    config.write_text('[[job]]\nname = "boards"\nenabled = false\n[[job]]\nname = "etl"\ncron = "45 * * * *"\n')
    service = TimetableScheduler(load_timetable(config), Home.resolve(tmp_path))
    stop(service, start_in_thread(service))
    with open_job_store(tmp_path) as store:
        stored = {job.id: job for job in store.get_all_jobs()}
    assert set(stored) == {"hn", "feeds", "etl"}
    assert stored["etl"].next_run_time.minute == 45


def stored_and_due(home, job: ScheduledJob, when: datetime) -> None:
    """``job`` stored by a scheduler that ran on ``home`` and stopped, then due at ``when``:
    as if the scheduler had been down since."""
    service = TimetableScheduler(Timetable((job,)), Home.resolve(home))
    stop(service, start_in_thread(service))
    make_due(home, job.name, when)


def make_due(home, job_name: str, when: datetime) -> None:
    with open_job_store(home) as store:
        job = store.lookup_job(job_name)
        job.next_run_time = when
        store.update_job(job)


def test_runs_missed_while_down_collapse_into_one_run_at_start(tmp_path):
    with_landing(tmp_path)
    due = (datetime.now(UTC) - timedelta(minutes=10)).replace(second=0, microsecond=0)
    hourly = ScheduledJob("etl", "etl", f"{due.minute} * * * *")
    timetable = Timetable((hourly,))
    service = TimetableScheduler(timetable, Home.resolve(tmp_path))
    stop(service, start_in_thread(service))
    assert RunLog.for_home(tmp_path).read() == []
    # The scheduler was down for the last four runs: three beyond the grace time, one within it.
    make_due(tmp_path, "etl", due - timedelta(hours=3))
    service = TimetableScheduler(timetable, Home.resolve(tmp_path))
    thread = start_in_thread(service)
    try:
        wait_for_records(tmp_path, lambda records: records)
        time.sleep(1.5)
    finally:
        stop(service, thread)
    records = RunLog.for_home(tmp_path).read()
    assert [(r["job"], r["status"]) for r in records] == [("etl", "ok")]
    with open_job_store(tmp_path) as store:
        assert store.lookup_job("etl").next_run_time == due + timedelta(hours=1)


def test_a_run_due_while_down_is_run_at_start_though_the_jobs_args_changed(tmp_path):
    """An operator who fixes a job's timeout or args while the scheduler is down must not
    lose the run that came due meanwhile: only a new cron sets a new next run time."""
    with_landing(tmp_path)
    due = (datetime.now(UTC) - timedelta(minutes=10)).replace(second=0, microsecond=0)
    hourly = ScheduledJob("etl", "etl", f"{due.minute} * * * *")
    stored_and_due(tmp_path, hourly, due)
    changed = ScheduledJob("etl", "etl", hourly.cron, timeout_minutes=90)
    service = TimetableScheduler(Timetable((changed,)), Home.resolve(tmp_path))
    records = first_records(service, tmp_path)
    assert [(r["job"], r["status"]) for r in records] == [("etl", "ok")]
    with open_job_store(tmp_path) as store:
        assert store.lookup_job("etl").kwargs["timeout"] == 90 * 60


def test_a_run_missed_beyond_the_grace_time_is_recorded_not_run(tmp_path):
    due = (datetime.now(UTC) - timedelta(hours=13)).replace(second=0, microsecond=0)  # a daily job's grace: 12 h
    daily = ScheduledJob("crawl-hn", "crawl", f"{due.minute} {due.hour} * * *", sources=("hn",),
                         args=("--until", "{current_month}"))
    stored_and_due(tmp_path, daily, due)
    service = TimetableScheduler(Timetable((daily,)), Home.resolve(tmp_path))
    thread = start_in_thread(service)
    try:
        records = wait_for_records(tmp_path, lambda records: records)
        time.sleep(0.5)
    finally:
        stop(service, thread)
    assert records == RunLog.for_home(tmp_path).read()
    assert [(r["status"], r["scheduled_for"], r["exit_code"], r["started_at"]) for r in records] == [
        ("missed", utc_stamp(due), None, None)]
    assert f"--until {due:%Y-%m} " in records[0]["command"]  # the months that run would have had


def test_a_run_missed_within_the_grace_time_runs_at_start(tmp_path):
    with_landing(tmp_path)
    due = (datetime.now(UTC) - timedelta(hours=3)).replace(second=0, microsecond=0)
    daily = ScheduledJob("etl", "etl", f"{due.minute} {due.hour} * * *")
    stored_and_due(tmp_path, daily, due)
    records = first_records(TimetableScheduler(Timetable((daily,)), Home.resolve(tmp_path)), tmp_path)
    assert [(r["job"], r["status"]) for r in records] == [("etl", "ok")]


@pytest.mark.parametrize("cron, grace", [
    ("30 * * * *", 1800), ("0 6 * * *", 43200), ("0 3 * * sun", 302400), ("* * * * *", 60), ("0 6,7 * * *", 1800),
    ("*/7 * * * *", 120),  # :56 to :00 is the shortest gap, four minutes
    ("0 0 1 * *", 7 * 86400), ("0 0 1 1 *", 7 * 86400), ("0 0 29 2 *", 7 * 86400),  # a week at most
])
def test_a_jobs_grace_time_is_half_the_time_between_its_runs(cron, grace):
    assert ScheduledJob("job", "etl", cron).misfire_grace_seconds == grace


def test_a_job_still_running_is_not_started_again(tmp_path):
    job = SoonJob("etl", "etl", "* * * * *", soon=IntervalTrigger(seconds=0.5))
    service = TimetableScheduler(Timetable((job,)), Home.resolve(tmp_path), stop_timeout=5)
    thread = start_in_thread(service)
    try:
        wait_for_records(tmp_path, lambda records: any(r["status"] == "skipped" for r in records))
    finally:
        stop(service, thread)
    skipped = [r for r in RunLog.for_home(tmp_path).read() if r["status"] == "skipped"]
    assert skipped[0]["job"] == "etl" and skipped[0]["scheduled_for"] and skipped[0]["started_at"] is None


def test_stopping_interrupts_running_jobs_and_records_them(tmp_path, monkeypatch):
    with FixtureServer() as server:
        server.routes["/robots.txt"] = Reply(200, b"", {"Content-Type": "text/plain"}, delay=60)
        monkeypatch.setenv("SKILLTRENDS_HN_URL", server.url)
        job = SoonJob("hn", "crawl", "0 6 * * *", sources=("hn",), soon=in_a_second(0.2))
        service = TimetableScheduler(Timetable((job,)), Home.resolve(tmp_path), stop_timeout=2)
        thread = start_in_thread(service)
        deadline = time.monotonic() + 30
        while not server.requested("/robots.txt") and time.monotonic() < deadline:
            time.sleep(0.1)
        assert CHILDREN.count() == 1
        started = time.monotonic()
        stop(service, thread)
    assert time.monotonic() - started < 20
    assert CHILDREN.count() == 0
    [record] = RunLog.for_home(tmp_path).read()
    assert (record["job"], record["status"]) == ("hn", "interrupted")


# --- the command ------------------------------------------------------------------------------------


def test_cli_list_prints_the_timetable_without_running_it(tmp_path):
    result = run_cli("schedule", "--list", "--home", str(tmp_path))
    assert result.returncode == 0, result.stderr
    now = datetime.now(UTC).replace(tzinfo=None)
    rows = {line.split()[0]: line for line in result.stdout.splitlines()[2:]}
    assert set(rows) == {"JOB", "hn", "boards", "feeds", "etl"}
    for job in DEFAULT_JOBS:
        assert job.cron in rows[job.name] and "never" in rows[job.name]
        assert " ".join(["skilltrends", *job.cli_args()]) in rows[job.name]
        next_run = datetime.strptime(rows[job.name].split(job.cron)[1].split("never")[0].strip(), "%Y-%m-%d %H:%M")
        limit = timedelta(hours=1) if job.name == "etl" else timedelta(days=1)
        assert now - timedelta(minutes=1) < next_run <= now + limit
    assert not (tmp_path / STORE_FILE).exists() and not (tmp_path / LOCK_FILE).exists()


def test_cli_list_shows_disabled_jobs_and_last_runs(tmp_path):
    RunLog.for_home(tmp_path).append(RunRecord(job="etl", command="skilltrends etl", status="failed", exit_code=1,
                                               started_at="2024-05-01T10:30:00Z", finished_at="2024-05-01T10:30:04Z"))
    config = tmp_path / "timetable.toml"
    config.write_text('[[job]]\nname = "boards"\nenabled = false\n')
    result = run_cli("schedule", "--list", "--config", str(config), "--home", str(tmp_path))
    assert result.returncode == 0, result.stderr
    rows = {line.split()[0]: line for line in result.stdout.splitlines()[2:]}
    assert "disabled" in rows["boards"]
    assert "2024-05-01 10:30 failed (exit 1)" in rows["etl"]
    assert str(config) in result.stdout


def test_sigterm_stops_the_scheduler_cleanly(tmp_path):
    process = subprocess.Popen([sys.executable, "-m", "skilltrends", "schedule", "--home", str(tmp_path)],
                               cwd=PROJECT, stderr=subprocess.PIPE, text=True)
    lines: list[str] = []
    ready = threading.Event()

    def read():
        for line in process.stderr:
            lines.append(line)
            if "Enabled job boards" in line:
                ready.set()

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        assert ready.wait(60), "".join(lines)
        process.send_signal(signal.SIGTERM)
        assert process.wait(30) == 0, "".join(lines)
    finally:
        if process.poll() is None:
            process.kill()
    reader.join(5)
    log = "".join(lines)
    assert "Received SIGTERM" in log and "Scheduler stopped" in log and "Traceback" not in log
    assert "next run" in log and "Enabled job hn" in log and "Enabled job etl" in log
    with ScheduleLock(tmp_path / LOCK_FILE):  # released
        pass


def test_a_second_scheduler_on_the_same_home_is_refused(tmp_path):
    with ScheduleLock(tmp_path / LOCK_FILE):
        result = run_cli("schedule", "--home", str(tmp_path))
    assert_one_clear_error(result, "Another `skilltrends schedule` is running", str(tmp_path), str(os.getpid()))
    assert (tmp_path / LOCK_FILE).read_text() == ""  # let go: no pid another process may have by now


def test_a_job_store_that_is_no_database_is_one_sentence(tmp_path):
    (tmp_path / "schedule.sqlite").write_bytes(b"not a database, garbage " * 100)
    result = run_cli("schedule", "--home", str(tmp_path), timeout=60)
    assert_one_clear_error(result, str(tmp_path / "schedule.sqlite"), "delete it")


def test_the_job_store_stays_in_a_home_whose_path_holds_url_characters(tmp_path):
    home = tmp_path / "my?home%41"
    service = TimetableScheduler(load_timetable(), Home.resolve(home))
    stop(service, start_in_thread(service))
    assert (home / "schedule.sqlite").is_file()
    assert sorted(path.name for path in tmp_path.iterdir()) == ["my?home%41"]


def test_a_job_store_that_cannot_be_written_stops_the_scheduler_and_its_jobs_in_one_sentence(tmp_path, monkeypatch):
    def disk_full(store, stored_job):
        if CHILDREN.count():  # once a run is going: it must be stopped with the scheduler
            raise sqlalchemy.exc.OperationalError("UPDATE apscheduler_jobs", {}, Exception("database or disk is full"))

    monkeypatch.setattr(SQLAlchemyJobStore, "update_job", disk_full)
    failures = []
    with FixtureServer() as server:
        server.routes["/robots.txt"] = Reply(200, b"", {"Content-Type": "text/plain"}, delay=60)  # a long run
        monkeypatch.setenv("SKILLTRENDS_HN_URL", server.url)
        job = SoonJob("hn", "crawl", "0 6 * * *", sources=("hn",), soon=IntervalTrigger(seconds=1))
        service = TimetableScheduler(Timetable((job,)), Home.resolve(tmp_path), stop_timeout=2)

        def run():
            try:
                service.start()
            except Exception as exc:  # noqa: BLE001 - the test looks at what it is
                failures.append(exc)

        thread = threading.Thread(target=run, daemon=True)
        thread.start()
        thread.join(90)
    assert not thread.is_alive(), "the scheduler went on without its job store"
    (failure,) = failures
    assert isinstance(failure, JobStoreUnwritable)
    assert "database or disk is full" in str(failure) and str(tmp_path / STORE_FILE) in str(failure)
    assert CHILDREN.count() == 0
    assert [r["status"] for r in RunLog.for_home(tmp_path).read() if r["job"] == "hn"][:1] == ["interrupted"]


def test_a_run_record_that_cannot_be_written_is_logged_and_the_scheduler_carries_on(tmp_path, caplog):
    blocked = tmp_path / "not-a-dir"
    blocked.write_text("a file where the home's folder belongs")
    log = RunLog(blocked / "schedule_runs.jsonl")
    log.append(RunRecord(job="etl", command="skilltrends etl", status="ok"))  # no exception
    assert "Could not record the ok run of job etl" in caplog.text


def test_run_records_that_are_not_objects_are_skipped(tmp_path):
    log = RunLog.for_home(tmp_path)
    log.append(RunRecord(job="etl", command="skilltrends etl", status="ok"))
    with open(log.path, "a", encoding="utf-8") as stream:
        stream.write('[1, 2]\n"x"\nnull\n')
    assert [r["job"] for r in log.read()] == ["etl"]
    assert set(log.last_by_job()) == {"etl"}


def test_the_job_store_waits_for_a_lock_another_process_holds(tmp_path):
    import sqlite3

    service = TimetableScheduler(Timetable((ScheduledJob("etl", "etl", "30 * * * *"),)), Home.resolve(tmp_path))
    stop(service, start_in_thread(service))
    reader = sqlite3.connect(tmp_path / STORE_FILE, check_same_thread=False)
    reader.execute("BEGIN EXCLUSIVE")  # a backup tool, say, holding the file for a moment
    release = threading.Timer(6, reader.rollback)  # longer than SQLite's own 5 s wait
    release.start()
    try:
        make_due(tmp_path, "etl", datetime.now(UTC) + timedelta(hours=1))  # a write: waits, then succeeds
    finally:
        release.cancel()
        release.join()
        reader.close()
