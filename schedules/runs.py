"""Run records: ``<home>/schedule_runs.jsonl``, one JSON object per line, appended as runs end.

Every field is present in every record, so ``jq`` and DuckDB read the file as one table::

    {"job": "hn", "command": "skilltrends crawl hn --no-progress --since 2024-05 --until 2024-06 --home /srv/data",
     "status": "ok", "exit_code": 0, "scheduled_for": null,
     "started_at": "2024-06-02T06:00:00Z", "finished_at": "2024-06-02T06:03:12Z", "seconds": 192.4,
     "stderr_tail": "hn: 412 postings stored in /srv/data/landing/hn/....duckdb"}

``status`` is ``ok`` (exit 0), ``failed`` (non-zero exit), ``timeout`` (stopped after its
``timeout_minutes``), ``interrupted`` (stopped because the scheduler was stopped), ``error``
(the process could not be started), ``missed`` (due while the scheduler was down, later than
the grace time) or ``skipped`` (due while the previous run of the same job was still going).
The last two never started: ``scheduled_for`` says when they were due and the times of a
run are null. ``stderr_tail`` holds the last lines of the run's output (stdout and stderr).
"""

from __future__ import annotations

import json
import logging
import os
import threading
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from pathlib import Path

RUNS_FILE = "schedule_runs.jsonl"

logger = logging.getLogger(__name__)


def utc_stamp(moment: datetime | None) -> str | None:
    """ISO 8601 in UTC with a ``Z``, to the second; None stays None."""
    if moment is None:
        return None
    return moment.astimezone(timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")


@dataclass
class RunRecord:
    job: str
    command: str
    status: str
    exit_code: int | None = None
    scheduled_for: str | None = None
    started_at: str | None = None
    finished_at: str | None = None
    seconds: float | None = None
    stderr_tail: str = ""


class RunLog:
    """Appends run records to a JSON lines file and reads them back.

    Only the scheduler writes it, from its job threads, so a lock per process is enough; a
    record is written with one ``write`` of one line, so a reader never sees half of it
    (except, after a crash, a torn last line, which ``read`` skips).
    """

    _lock = threading.Lock()

    def __init__(self, path: Path):
        self.path = Path(path)

    @classmethod
    def for_home(cls, root: Path) -> "RunLog":
        return cls(Path(root) / RUNS_FILE)

    def append(self, record: RunRecord) -> None:
        """Append ``record`` as one line, on a line of its own even after a torn last line (a
        scheduler killed mid-write), and on disk before returning. A record that cannot be
        written (a full disk) is said in one log line, with the run's outcome; the scheduler
        carries on."""
        line = (json.dumps(asdict(record), ensure_ascii=False) + "\n").encode("utf-8")
        with self._lock:
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                with open(self.path, "ab+") as stream:
                    if stream.seek(0, os.SEEK_END) > 0:
                        stream.seek(-1, os.SEEK_END)
                        if stream.read(1) != b"\n":
                            line = b"\n" + line
                    stream.write(line)
                    stream.flush()
                    os.fsync(stream.fileno())
            except OSError as exc:
                logger.error("Could not record the %s run of job %s in %s (%s); the scheduler carries on.",
                             record.status, record.job, self.path, exc.strerror or exc)

    def read(self) -> list[dict]:
        """Every record, oldest first; an empty list before the first run."""
        try:
            data = self.path.read_bytes()
        except FileNotFoundError:
            return []
        records = []
        for line in data.splitlines():
            try:  # a line torn by a kill, even inside a character, is skipped
                record = json.loads(line.decode("utf-8"))
            except (UnicodeDecodeError, json.JSONDecodeError):
                continue
            if isinstance(record, dict):  # a line edited by hand into a list or a number is no record
                records.append(record)
        return records

    def last_by_job(self) -> dict[str, dict]:
        """Each job's latest record."""
        return {record.get("job"): record for record in self.read()}
