"""skilltrends.parent_watch: a scheduled job ends when its scheduler is killed outright, and
an ETL worker when its parent is."""

from __future__ import annotations

import os
import select
import signal
import socket
import subprocess
import sys
import textwrap
import time
from pathlib import Path

from skilltrends.parent_watch import SCHEDULER_PID_ENV, end_with_scheduler
from tests.helpers import PROJECT


def alive(pid: int) -> bool:
    """Running, not merely a zombie nobody reaped."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_a_job_outlives_a_killed_scheduler_by_seconds_only(tmp_path):
    # A stand-in scheduler: starts a job as runner.Children does (a session of its own, the
    # scheduler's pid in the environment), prints its pid, then waits to be killed.
    job = [sys.executable, "-m", "skilltrends", "dashboard", "--port", str(free_port()), "--home", str(tmp_path)]
    stand_in = textwrap.dedent(f"""
        import os, subprocess, sys, time
        job = subprocess.Popen({job!r}, start_new_session=True, stderr=subprocess.DEVNULL,
                               env={{**os.environ, {SCHEDULER_PID_ENV!r}: str(os.getpid())}})
        print(job.pid, flush=True)
        time.sleep(600)
    """)
    scheduler = subprocess.Popen([sys.executable, "-c", stand_in], stdout=subprocess.PIPE, text=True)
    job_pid = int(scheduler.stdout.readline())
    time.sleep(3)
    assert alive(job_pid), "the job should run while its scheduler does"
    os.kill(scheduler.pid, signal.SIGKILL)
    scheduler.wait()
    deadline = time.monotonic() + 20
    while alive(job_pid) and time.monotonic() < deadline:
        time.sleep(0.2)
    if alive(job_pid):
        os.kill(job_pid, signal.SIGKILL)
        raise AssertionError("the job was still running 20 s after its scheduler was killed")


def test_only_a_scheduled_job_watches_and_its_own_children_do_not(monkeypatch):
    watched = []
    monkeypatch.setattr("skilltrends.parent_watch._watch", watched.append)  # never signal this process
    environ = {SCHEDULER_PID_ENV: "4242"}
    watch = end_with_scheduler(environ)
    watch.join(5)
    assert watched == [4242] and watch.daemon and SCHEDULER_PID_ENV not in environ
    assert end_with_scheduler({}) is None and end_with_scheduler({SCHEDULER_PID_ENV: "x"}) is None


def children_of(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (FileNotFoundError, ProcessLookupError):
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def test_extraction_workers_end_when_their_parent_is_killed_outright():
    """A pool's workers wait on a queue whose pipe they hold open themselves: an `etl
    --workers 2` SIGKILLed left them waiting for ever, each with its models loaded."""
    stand_in = textwrap.dedent("""
        import time
        from etl.workers import ExtractionWorkers
        workers = ExtractionWorkers(2).__enter__()
        list(workers.map([(None, ["PyTorch and Go"], None)] * 4))
        print("ready", flush=True)
        time.sleep(600)
    """)
    parent = subprocess.Popen([sys.executable, "-c", stand_in], stdout=subprocess.PIPE, text=True, cwd=PROJECT)
    if not select.select([parent.stdout], [], [], 180)[0]:
        parent.kill()
        raise AssertionError("the workers did not start within 180 s")
    assert parent.stdout.readline().strip() == "ready"
    children = children_of(parent.pid)
    assert len([pid for pid in children if alive(pid)]) >= 2, children  # the workers (and a resource tracker)
    os.kill(parent.pid, signal.SIGKILL)
    parent.wait()
    deadline = time.monotonic() + 20
    while any(alive(pid) for pid in children) and time.monotonic() < deadline:
        time.sleep(0.2)
    left = [pid for pid in children if alive(pid)]
    for pid in left:
        os.kill(pid, signal.SIGKILL)
    assert not left, "workers still running 20 s after their parent was killed"
