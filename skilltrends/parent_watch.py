"""A scheduled job ends when the scheduler that started it dies; a worker, when its parent does.

``skilltrends schedule`` starts each job in a session of its own (so a Ctrl-C meant for
the scheduler does not reach it) and names itself in ``$SKILLTRENDS_SCHEDULER_PID``. If the
scheduler is killed outright (SIGKILL, the OOM killer, a closed terminal), nothing would
stop the job or time it out, and it would hold its crawl's lock against the next
scheduler's runs. So the job watches its parent: once it is gone, the job's session gets
SIGTERM (a crawl closes its landing file, keeping what it fetched), then SIGKILL
``GRACE_SECONDS`` later, as when the scheduler stops it. An ETL worker process watches its
parent the same way (``exit_when_orphaned``).
"""

from __future__ import annotations

import os
import signal
import threading
import time

SCHEDULER_PID_ENV = "SKILLTRENDS_SCHEDULER_PID"
CHECK_SECONDS = 1.0
GRACE_SECONDS = 60.0


def end_with_scheduler(environ=os.environ) -> threading.Thread | None:
    """Start the watch if this process is a scheduled job; the watching thread, or None.
    The variable is taken out of the environment: processes the job starts (the demo's
    crawl, ETL workers) have the job for parent and are ended with its session."""
    try:
        scheduler = int(environ.pop(SCHEDULER_PID_ENV, ""))
    except ValueError:
        return None
    watch = threading.Thread(target=_watch, args=(scheduler,), daemon=True, name="skilltrends-scheduler-watch")
    watch.start()
    return watch


def _watch(scheduler: int) -> None:
    while os.getppid() == scheduler:
        time.sleep(CHECK_SECONDS)
    os.killpg(os.getpgrp(), signal.SIGTERM)
    time.sleep(GRACE_SECONDS)
    os.killpg(os.getpgrp(), signal.SIGKILL)


def exit_when_orphaned(parent: int, check_seconds: float = CHECK_SECONDS) -> threading.Thread:
    """In a worker process (``etl --workers``): exit once ``parent``, the process that
    started it, is gone (its pid as the parent gave it: one read here could already be the
    reaper's, had the parent died while the worker started). A pool's workers wait on a
    queue whose pipe each of them holds open too, so a parent killed outright would leave
    them waiting for ever, each holding its models."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(check_seconds)
        os._exit(1)

    thread = threading.Thread(target=watch, daemon=True, name="skilltrends-parent-watch")
    thread.start()
    return thread
