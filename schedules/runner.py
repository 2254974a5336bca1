"""``skilltrends schedule``: run the timetable's jobs, each in a process of its own, and record every run.

- One APScheduler 3 ``BlockingScheduler`` on a UTC clock; its jobs live in a SQLAlchemy job
  store, ``<home>/schedule.sqlite``, with ``JOB_DEFAULTS`` (coalesce, max_instances=1) and
  each job's ``misfire_grace_seconds`` from ``schedules.timetable``.
- A job runs the CLI command itself, ``python -m skilltrends <command> ... --home <home>``,
  in a new session: a crawl needs a fresh process (Twisted's reactor cannot restart) and
  DuckDB writers must be separate processes. Its output goes to the log line by line; its
  run record (``schedules.runs``) keeps the last lines.
- At start the job store is brought in line with the timetable: jobs removed from it or
  disabled are deleted; a job whose definition is unchanged keeps its stored next run time,
  so a run missed while the scheduler was down starts at once when within the grace time
  (once, however many were missed) and is recorded as ``missed`` otherwise. The enabled
  jobs and their next run times are logged.
- SIGINT/SIGTERM: running jobs get SIGTERM and ``STOP_TIMEOUT_SECONDS`` to finish (then
  SIGKILL), their runs are recorded as ``interrupted``, and the scheduler shuts down; a
  second signal kills them at once.
- One scheduler per home, enforced by a lock on ``<home>/schedule.lock``.
"""

from __future__ import annotations

import logging
import os
import shlex
import signal
import subprocess
import sys
import threading
import time
from collections import deque
from contextlib import contextmanager
from dataclasses import asdict
from datetime import datetime
from pathlib import Path

from apscheduler.events import (
    EVENT_JOB_ERROR,
    EVENT_JOB_MAX_INSTANCES,
    EVENT_JOB_MISSED,
    EVENT_SCHEDULER_STARTED,
)
from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers import SchedulerNotRunningError
from apscheduler.schedulers.blocking import BlockingScheduler
import sqlalchemy.exc
from sqlalchemy.engine import URL

from schedules.runs import RunLog, RunRecord, utc_stamp
from skilltrends.parent_watch import SCHEDULER_PID_ENV
from schedules.timetable import (
    JOB_DEFAULTS,
    STOP_TIMEOUT_SECONDS,
    TAIL_LINES,
    TIMEZONE,
    ScheduledJob,
    Timetable,
    expand_args,
)
from skilltrends.errors import UserError
from skilltrends.pidlock import PidLock
from skilltrends.home import Home

logger = logging.getLogger(__name__)

STORE_FILE = "schedule.sqlite"
LOCK_FILE = "schedule.lock"
#: What the job store records as each job's function (by reference, so it survives restarts).
JOB_FUNC = "schedules.runner:run_job"
LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
LOG_TIME_FORMAT = "%Y-%m-%d %H:%M:%SZ"  # UTC, like the job times it logs


def store_url(root: Path) -> URL:
    """The job store's SQLite URL, built by SQLAlchemy: a path holding "?" or "%41" written
    into a URL string would name another file."""
    return URL.create("sqlite", database=str(Path(root) / STORE_FILE))


#: Seconds a job-store write waits for a lock another process holds (a backup tool reading the
#: file) before it fails and stops the scheduler; SQLite's own default is 5.
STORE_LOCK_WAIT_SECONDS = 60


def job_store(root: Path) -> SQLAlchemyJobStore:
    return SQLAlchemyJobStore(url=store_url(root),
                              engine_options={"connect_args": {"timeout": STORE_LOCK_WAIT_SECONDS}})


class JobStoreUnreadable(UserError):
    pass


class JobStoreUnwritable(UserError):
    pass


@contextmanager
def open_job_store(root: Path):
    """The job store of ``root`` opened on its own, outside a running scheduler (to read or tidy it)."""
    store = job_store(root)
    try:
        store.start(BlockingScheduler(timezone=TIMEZONE), "default")
        yield store
    except sqlalchemy.exc.DatabaseError as exc:
        if "locked" in str(exc.orig):
            raise JobStoreUnreadable(
                f"{Path(root) / STORE_FILE} stayed locked by another process for {STORE_LOCK_WAIT_SECONDS}s "
                f"({exc.orig}): let that process finish, then try again.") from None
        raise JobStoreUnreadable(
            f"{Path(root) / STORE_FILE} is not a readable job store ({exc.orig}); delete it: it holds only the "
            "jobs' next run times, which the next start sets again from the timetable.") from None
    finally:
        store.shutdown()


def command_line(args: list[str]) -> str:
    """``skilltrends ARGS`` as one line, quoting only what a shell would split."""
    return " ".join(["skilltrends", *(shlex.quote(arg) if not arg or any(c.isspace() or c in "'\"" for c in arg)
                                      else arg for arg in args)])


# --- running one job -------------------------------------------------------------------


class Children:
    """The job processes running now, so that stopping the scheduler can end them."""

    def __init__(self):
        self._lock = threading.Lock()
        self._running: dict[int, subprocess.Popen] = {}
        self._stopped: set[int] = set()
        self.accepting = True

    def spawn(self, argv: list[str]) -> subprocess.Popen | None:
        """Start ``argv`` in a session of its own (a Ctrl-C meant for the scheduler does not
        reach it; the scheduler passes the stop on); None once stopping has begun."""
        with self._lock:
            if not self.accepting:
                return None
            process = subprocess.Popen(
                argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                text=True, encoding="utf-8", errors="replace", bufsize=1, start_new_session=True,
                # TZ: the job's own log lines (Scrapy's) stamped in UTC, like the scheduler's.
                env={**os.environ, "PYTHONUNBUFFERED": "1", "TZ": "UTC", SCHEDULER_PID_ENV: str(os.getpid())},
            )
            self._running[process.pid] = process
            return process

    def forget(self, process: subprocess.Popen) -> bool:
        """Drop a finished process; True if the scheduler stopped it."""
        with self._lock:
            self._running.pop(process.pid, None)
            stopped = process.pid in self._stopped
            self._stopped.discard(process.pid)
            return stopped

    def count(self) -> int:
        with self._lock:
            return len(self._running)

    def reopen(self) -> None:
        with self._lock:
            self.accepting = True

    def stop_all(self, grace: float) -> None:
        """SIGTERM every running job, SIGKILL those still running ``grace`` seconds later."""
        with self._lock:
            self.accepting = False
            processes = list(self._running.values())
            self._stopped.update(process.pid for process in processes)
        for process in processes:
            signal_group(process, signal.SIGTERM)
        deadline = time.monotonic() + grace
        for process in processes:
            try:
                process.wait(max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                logger.warning("Job process %d did not stop within %ss; killing it.", process.pid, grace)
        # Then SIGKILL what is left of each group: a process that did not stop in time, or
        # children one that did left behind.
        for process in processes:
            end_group(process, deadline)

    def kill_all(self) -> None:
        with self._lock:
            self.accepting = False
            processes = list(self._running.values())
            self._stopped.update(process.pid for process in processes)
        for process in processes:
            signal_group(process, signal.SIGKILL)


#: How long what a job's process left behind gets to end by itself (a multiprocessing
#: resource tracker notices its parent is gone within a second or two) before it is stopped.
LEFTOVER_GRACE_SECONDS = 5.0


def signal_group(process: subprocess.Popen, signum: int) -> None:
    """Signal the job's whole process group (it leads a session of its own). The group is
    signalled even when the job's own process has ended: its children (``etl --workers``)
    may live on, holding the output pipe open."""
    try:
        os.killpg(process.pid, signum)
    except ProcessLookupError:  # nobody left in the group
        pass


def group_alive(process: subprocess.Popen) -> bool:
    """Does the job's process group hold a process that has not ended? Ended ones waiting
    for their parent to collect them (zombies) do not count."""
    if not os.path.isdir("/proc/self"):  # pragma: no cover - not Linux: zombies count
        try:
            os.killpg(process.pid, 0)
        except (ProcessLookupError, PermissionError):
            return False
        return True
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as stat:
                line = stat.read()
        except OSError:  # ended meanwhile
            continue
        state, _, group = line[line.rindex(b")") + 2:].split()[:3]  # the name may hold spaces
        if int(group) == process.pid and state not in (b"Z", b"X"):
            return True
    return False


def group_ended(process: subprocess.Popen, deadline: float) -> bool:
    """Wait until the job's group has ended, up to ``deadline`` (monotonic); has it?"""
    while group_alive(process):
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.1)
    return True


def end_group(process: subprocess.Popen, deadline: float) -> None:
    """Wait until the job's group has ended, up to ``deadline`` (monotonic); SIGKILL what is left."""
    if not group_ended(process, deadline):
        signal_group(process, signal.SIGKILL)


def terminate(process: subprocess.Popen, grace: float) -> None:
    """SIGTERM the job's group; SIGKILL it if anyone in it is still there ``grace`` seconds later."""
    signal_group(process, signal.SIGTERM)
    end_group(process, time.monotonic() + grace)


def end_leftovers(name: str, process: subprocess.Popen, grace: float) -> None:
    """Once the job's own process has ended, end what is left of its group: children it
    left behind (workers of an ETL killed by the OOM killer) would keep the output pipe
    open, so the run would never be recorded and the job never run again."""
    process.wait()
    if not group_ended(process, time.monotonic() + LEFTOVER_GRACE_SECONDS):
        logger.warning("%s: its process ended but left others running; stopping them.", name)
        terminate(process, grace)


CHILDREN = Children()


def run_job(name: str, args: list[str], home: str, timeout: float | None = None,
            kill_after: float = STOP_TIMEOUT_SECONDS) -> dict:
    """The job function the job store names: run ``skilltrends ARGS --home HOME``, record the run.

    :param name: the job's name, recorded with the run.
    :param args: the arguments after ``skilltrends`` (``ScheduledJob.cli_args()``); their
        ``{current_month}``/``{previous_month}`` are filled in now.
    :param home: the data directory, passed on as ``--home``.
    :param timeout: seconds the run may take before it is stopped (None: no limit).
    :param kill_after: seconds a stopped run gets after SIGTERM before SIGKILL.
    :return: the run record (``schedules.runs.RunRecord`` as a dict), also appended to
        ``<home>/schedule_runs.jsonl``.
    """
    started = datetime.now(TIMEZONE)
    cli_args = [*expand_args(args, started), "--home", home]
    record = RunRecord(job=name, command=command_line(cli_args), status="error", started_at=utc_stamp(started))
    clock = time.monotonic()
    logger.info("%s: started `%s`", name, record.command)
    try:
        record.exit_code, record.status, record.stderr_tail = _run_process(
            name, [sys.executable, "-m", "skilltrends", *cli_args], timeout, kill_after
        )
    except OSError as exc:
        record.stderr_tail = f"Could not start the job's process: {exc}"
    record.finished_at = utc_stamp(datetime.now(TIMEZONE))
    record.seconds = round(time.monotonic() - clock, 1)
    RunLog.for_home(Path(home)).append(record)
    log = logger.info if record.status == "ok" else logger.warning
    log("%s: %s after %.1fs (exit status %s)", name, record.status, record.seconds, record.exit_code)
    return asdict(record)


def _run_process(name: str, argv: list[str], timeout: float | None,
                 kill_after: float) -> tuple[int | None, str, str]:
    process = CHILDREN.spawn(argv)
    if process is None:
        return None, "interrupted", "Not started: the scheduler was stopping."
    tail: deque[str] = deque(maxlen=TAIL_LINES)
    timed_out = threading.Event()
    timer = None
    if timeout:
        def expire():
            timed_out.set()
            logger.warning("%s: still running after %ss; stopping it.", name, timeout)
            terminate(process, kill_after)

        timer = threading.Timer(timeout, expire)
        timer.daemon = True
        timer.start()
    threading.Thread(target=end_leftovers, args=(name, process, kill_after), daemon=True,
                     name=f"skilltrends-{name}-leftovers").start()
    try:
        for line in process.stdout:
            line = line.rstrip()
            if line:
                tail.append(line)
                logger.info("%s | %s", name, line)
        exit_code = process.wait()
    finally:
        if timer is not None:
            timer.cancel()
        stopped = CHILDREN.forget(process)
    if timed_out.is_set():
        status = "timeout"
    elif stopped:
        status = "interrupted"
    else:
        status = "ok" if exit_code == 0 else "failed"
    return exit_code, status, "\n".join(tail)


# --- the scheduler -----------------------------------------------------------------------

#: The longest the scheduler sleeps before looking at the clock again.
WAKEUP_SECONDS = 60.0


class WallClockScheduler(BlockingScheduler):
    """A ``BlockingScheduler`` that looks at the wall clock at least every ``WAKEUP_SECONDS``.
    Its wait runs on the monotonic clock, which stands still while the machine sleeps: woken
    at 06:40 from a sleep that began before a 06:00 run, it would sleep out the rest of its
    wait and find the run too late, recorded "missed" though the machine was up in time."""

    def _process_jobs(self):
        wait_seconds = super()._process_jobs()
        return WAKEUP_SECONDS if wait_seconds is None else min(wait_seconds, WAKEUP_SECONDS)


class TimetableScheduler:
    """A ``BlockingScheduler`` running ``timetable``'s enabled jobs on ``home``.

    ``start()`` blocks until ``stop()`` (from another thread or a signal handler).
    """

    def __init__(self, timetable: Timetable, home: Home, stop_timeout: float = STOP_TIMEOUT_SECONDS):
        self.timetable = timetable
        self.home = home
        self.stop_timeout = stop_timeout
        self.jobs: dict[str, ScheduledJob] = {job.name: job for job in timetable.enabled}
        self.runs = RunLog.for_home(home.root)
        self.scheduler = WallClockScheduler(
            jobstores={"default": job_store(home.root)},
            executors={"default": ThreadPoolExecutor(max_workers=max(10, len(self.jobs)))},
            job_defaults=dict(JOB_DEFAULTS),
            timezone=TIMEZONE,
        )
        self.scheduler.add_listener(self._on_started, EVENT_SCHEDULER_STARTED)
        self.scheduler.add_listener(self._record_not_run, EVENT_JOB_MISSED | EVENT_JOB_MAX_INSTANCES | EVENT_JOB_ERROR)
        self.started = threading.Event()
        self._stop_lock = threading.Lock()
        self._stopping = False
        self._signals = 0

    def job_kwargs(self, job: ScheduledJob) -> dict:
        return {"name": job.name, "args": job.cli_args(), "home": str(self.home.root), "timeout": job.timeout_seconds}

    def start(self) -> None:
        """Bring the job store in line with the timetable, then run jobs until ``stop()``."""
        self.home.root.mkdir(parents=True, exist_ok=True)
        CHILDREN.reopen()
        stored = self._sync_store()
        for job in self.jobs.values():
            options = {"trigger": job.trigger(), "kwargs": self.job_kwargs(job), "id": job.name, "name": job.name,
                       "replace_existing": True, "misfire_grace_time": job.misfire_grace_seconds}
            previous = stored.get(job.name)
            if previous is not None and previous.next_run_time is not None and self._same_times(previous, options):
                # Kept though its args or timeout changed: a run due while the scheduler was
                # down is then run (or recorded missed) as if nothing had changed.
                options["next_run_time"] = previous.next_run_time
            self.scheduler.add_job(JOB_FUNC, **options)
        if self._stopping:
            return
        try:
            self.scheduler.start()
        except sqlalchemy.exc.SQLAlchemyError as exc:
            # The job store could not be written (a full disk, a file made read-only): without
            # it no run time can be kept, so stop, and the running jobs with it.
            CHILDREN.stop_all(self.stop_timeout)
            self._shutdown()
            why = getattr(exc, "orig", None) or exc
            fix = (f"let the process holding it (it waited {STORE_LOCK_WAIT_SECONDS}s) finish" if "locked" in str(why)
                   else "free disk space (or make the file writable)")
            raise JobStoreUnwritable(
                f"The job store {self.home.root / STORE_FILE} could not be written ({why}): the scheduler "
                f"stopped, and its running jobs with it; {fix}, and start it again.") from None
        logger.info("Scheduler stopped.")

    def _sync_store(self) -> dict:
        """The jobs stored by the last run; those not enabled in the timetable now are deleted."""
        with open_job_store(self.home.root) as store:
            stored = {job.id: job for job in store.get_all_jobs()}
            for job_id in sorted(set(stored) - set(self.jobs)):
                logger.info("Removing job %s from the job store: it is no longer enabled in the timetable.", job_id)
                store.remove_job(job_id)
                del stored[job_id]
            return stored

    @staticmethod
    def _same_times(stored, options: dict) -> bool:
        return stored.func_ref == JOB_FUNC and repr(stored.trigger) == repr(options["trigger"])

    def _on_started(self, event) -> None:
        self.log_jobs()
        self.started.set()
        if self._stopping:  # stop() came while starting
            self._shutdown()

    def log_jobs(self) -> None:
        """Log where state lives, then each enabled job with its next run time, then the disabled ones."""
        logger.info("Scheduler started on %s: job store %s, runs recorded in %s; times are UTC.",
                    self.home.root, self.home.root / STORE_FILE, self.runs.path)
        for stored in self.scheduler.get_jobs():
            job = self.jobs.get(stored.id)
            next_run = f"{stored.next_run_time.astimezone(TIMEZONE):%Y-%m-%d %H:%M:%S}" if stored.next_run_time else "paused"
            logger.info("Enabled job %s: next run %s, cron %r, runs `%s`", stored.id, next_run,
                        job.cron if job else str(stored.trigger), command_line(stored.kwargs.get("args", [])))
        disabled = [job.name for job in self.timetable.disabled]
        if disabled:
            logger.info("Disabled jobs: %s.", ", ".join(disabled))

    def _record_not_run(self, event) -> None:
        """Record runs that never started: missed (too late), skipped (still running), error."""
        job = self.jobs.get(event.job_id)
        due = event.scheduled_run_times[-1] if event.code == EVENT_JOB_MAX_INSTANCES else event.scheduled_run_time
        # The months filled in as that run would have had them.
        args = [*expand_args(job.cli_args(), due), "--home", str(self.home.root)] if job else [event.job_id]
        record = RunRecord(job=event.job_id, command=command_line(args), status="error")
        if event.code == EVENT_JOB_MISSED:
            record.status, record.scheduled_for = "missed", utc_stamp(event.scheduled_run_time)
            record.stderr_tail = "Not run: due while the scheduler was not running, later than the grace time."
        elif event.code == EVENT_JOB_MAX_INSTANCES:
            record.status, record.scheduled_for = "skipped", utc_stamp(event.scheduled_run_times[-1])
            record.stderr_tail = "Not run: the previous run of this job was still going."
        else:
            record.scheduled_for = utc_stamp(event.scheduled_run_time)
            record.stderr_tail = "\n".join(
                f"{event.traceback or ''}{type(event.exception).__name__}: {event.exception}".splitlines()[-TAIL_LINES:]
            )
        self.runs.append(record)

    def stop(self) -> None:
        """End running jobs (SIGTERM, SIGKILL after ``stop_timeout``), record them, shut down."""
        with self._stop_lock:
            if self._stopping:
                return
            self._stopping = True
        try:  # no job starts while the running ones stop: its run would be lost
            self.scheduler.pause()
        except SchedulerNotRunningError:
            pass
        running = CHILDREN.count()
        if running:
            logger.info("Stopping: %d running job(s) get %ss to finish.", running, self.stop_timeout)
        CHILDREN.stop_all(self.stop_timeout)
        self._shutdown()

    def _shutdown(self) -> None:
        try:
            self.scheduler.shutdown(wait=True)
        except SchedulerNotRunningError:
            pass

    def handle_signal(self, signum, frame) -> None:
        """SIGINT/SIGTERM: stop in another thread (the main thread runs the scheduler's loop);
        a second signal kills the running jobs at once."""
        self._signals += 1
        name = signal.Signals(signum).name
        if self._signals == 1:
            logger.info("Received %s: stopping (send it again to kill running jobs at once).", name)
            threading.Thread(target=self.stop, name="skilltrends-schedule-stop", daemon=True).start()
        else:
            logger.warning("Received %s again: killing the running jobs.", name)
            CHILDREN.kill_all()


# --- entry points ----------------------------------------------------------------------------


class ScheduleAlreadyRunning(UserError):
    pass


class ScheduleLock(PidLock):
    """An exclusive lock on ``<home>/schedule.lock``: one scheduler per home (two would run
    every job twice). Released when the process ends, even by SIGKILL."""

    def __init__(self, path: Path):
        path = Path(path)
        super().__init__(path, lambda holder: ScheduleAlreadyRunning(
            f"Another `skilltrends schedule` is running on {path.parent} (pid {holder}); "
            "stop it first, or use another --home."
        ))


def utc_log_handler() -> logging.Handler:
    """Log lines stamped in UTC: the job times are UTC, and local time would jump at DST."""
    formatter = logging.Formatter(LOG_FORMAT, LOG_TIME_FORMAT)
    formatter.converter = time.gmtime
    handler = logging.StreamHandler()
    handler.setFormatter(formatter)
    return handler


def run_schedule(timetable: Timetable, home: Home, stop_timeout: float = STOP_TIMEOUT_SECONDS) -> None:
    """Run ``timetable`` on ``home`` until SIGINT or SIGTERM (blocks); see the module docstring.

    :param timetable: from ``schedules.timetable.load_timetable``.
    :param home: the data directory; created if missing (the first crawl fills it).
    :param stop_timeout: seconds running jobs get to finish after a stop, before SIGKILL.
    :raises ScheduleAlreadyRunning: when another scheduler runs on ``home``.
    """
    if not timetable.enabled:
        raise UserError(f"Every job of the timetable{f' in {timetable.config}' if timetable.config else ''} "
                        "is disabled: nothing to run.")
    logging.basicConfig(level=logging.INFO, handlers=[utc_log_handler()])
    logging.getLogger("apscheduler").setLevel(logging.WARNING)  # its warnings (missed, skipped) stay
    home.root.mkdir(parents=True, exist_ok=True)
    with ScheduleLock(home.root / LOCK_FILE):
        service = TimetableScheduler(timetable, home, stop_timeout)
        previous = {signum: signal.signal(signum, service.handle_signal) for signum in (signal.SIGINT, signal.SIGTERM)}
        try:
            service.start()
        finally:
            for signum, handler in previous.items():
                signal.signal(signum, handler)


def describe_timetable(timetable: Timetable, home: Home, now: datetime | None = None) -> str:
    """The timetable as a table: each job's cron, next run and last run (from the run records)."""
    now = now or datetime.now(TIMEZONE)
    last = RunLog.for_home(home.root).last_by_job()
    rows = [("JOB", "CRON (UTC)", "NEXT RUN (UTC)", "LAST RUN", "COMMAND")]
    for job in timetable.jobs:
        next_run = job.trigger().get_next_fire_time(None, now) if job.enabled else None
        rows.append((
            job.name, job.cron, f"{next_run:%Y-%m-%d %H:%M}" if next_run else "disabled",
            _last_run(last.get(job.name)), command_line(job.cli_args()),
        ))
    widths = [max(len(row[column]) for row in rows) for column in range(len(rows[0]) - 1)]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(row, widths)) + "  " + row[-1] for row in rows]
    source = f"the defaults changed by {timetable.config}" if timetable.config else "the defaults"
    header = (f"Timetable ({source}) for {home.root}; runs are recorded in {RunLog.for_home(home.root).path}. "
              "{previous_month} and {current_month} are filled in when a job runs.")
    return "\n".join([header, "", *lines])


def _last_run(record: dict | None) -> str:
    if record is None:
        return "never"
    when = (record.get("finished_at") or record.get("scheduled_for") or "")[:16].replace("T", " ")
    exit_code = record.get("exit_code")
    return f"{when} {record.get('status')}" + (f" (exit {exit_code})" if exit_code is not None else "")
