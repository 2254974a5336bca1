"""The default timetable, every scheduling default, and the TOML file that changes them.

All times are UTC. The defaults (``DEFAULT_JOBS``)::

    hn      0 6 * * *    skilltrends crawl hn --no-progress --since {previous_month} --until {current_month}
    boards  0 7 * * *    skilltrends crawl greenhouse lever ashby workable recruitee --no-progress
    feeds   0 8 * * *    skilltrends crawl remotive arbeitnow himalayas remoteok --no-progress
    etl     30 * * * *   skilltrends etl

Boards and feeds list the jobs open now, not a history: a day not crawled is a day's
postings some of which are never seen. Not scheduled: SmartRecruiters (its API's robots.txt
forbids crawlers, so the crawl fetches nothing) and jsonld (no list of sites to crawl).

A config file (``skilltrends schedule --config FILE``) holds ``[[job]]`` tables. A job named
like a default changes only the keys it sets (``enabled = false`` switches it off); any other
name adds a job, which then needs ``command`` and ``cron``::

    [[job]]
    name = "etl"
    cron = "15 * * * *"

    [[job]]
    name = "hn-backfill"
    command = "crawl"            # "crawl" or "etl"
    sources = ["hn"]             # crawl only
    args = ["--since", "2011-04"]
    cron = "0 3 * * sun"         # minute hour day month weekday; weekdays by name
    timeout_minutes = 720        # 0: no limit

``args`` may use ``{current_month}`` and ``{previous_month}`` (``YYYY-MM``, UTC), filled in
when the job runs. Every mistake in the file is reported as one sentence naming the file,
the job and the fix (``TimetableError``).
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, fields, replace
from datetime import date, datetime, timedelta, timezone
from itertools import islice, pairwise
from pathlib import Path

from apscheduler.triggers.cron import CronTrigger

from skilltrends.errors import UserError

# --- defaults: everything a scheduled run depends on, in one place ---------------------

#: The scheduler's clock: cron expressions and every time shown or recorded are UTC.
TIMEZONE = timezone.utc

#: Applied to every job in the job store (see docs/scheduling.md, "What happens when").
JOB_DEFAULTS = {
    "coalesce": True,  # runs missed while the scheduler was down collapse into one
    "max_instances": 1,  # a job never overlaps itself; a run due meanwhile is skipped and recorded
}

#: How late a run may still start, as a share of the time between two runs of its job (a
#: daily crawl up to 12 hours late, the hourly ETL 30 minutes): a later one is recorded as
#: missed. Half, so that a late run never runs into the next one's time.
MISFIRE_GRACE_SHARE = 0.5
MIN_MISFIRE_GRACE_SECONDS = 60
MAX_MISFIRE_GRACE_SECONDS = 7 * 86400  # a monthly or yearly job: a week late at most
GRACE_SAMPLE_RUNS = 2000

#: How long a job may run before it is stopped (SIGTERM, then SIGKILL), per command; 0: no limit.
DEFAULT_TIMEOUT_MINUTES = {"crawl": 360, "etl": 120}

#: Seconds a stopped job's process gets to finish after SIGTERM before it is killed.
STOP_TIMEOUT_SECONDS = 60

#: How many of a run's last output lines its run record keeps.
TAIL_LINES = 20

COMMANDS = ("crawl", "etl")

#: Crawls started by the scheduler print no progress line (their output goes to a log).
COMMAND_FLAGS = {"crawl": ("--no-progress",), "etl": ()}


@dataclass(frozen=True)
class ScheduledJob:
    """One line of the timetable: run ``skilltrends <command> [sources] [args]`` on ``cron``."""

    name: str
    command: str
    cron: str
    sources: tuple[str, ...] = ()
    args: tuple[str, ...] = ()
    enabled: bool = True
    timeout_minutes: int | None = None  # None: DEFAULT_TIMEOUT_MINUTES[command]

    def cli_args(self) -> list[str]:
        """The arguments after ``skilltrends``, placeholders unfilled, without ``--home``."""
        return [self.command, *self.sources, *COMMAND_FLAGS.get(self.command, ()), *self.args]

    def trigger(self):
        """The APScheduler trigger: the cron expression, in UTC."""
        return CronTrigger.from_crontab(self.cron, timezone=TIMEZONE)

    @property
    def misfire_grace_seconds(self) -> int:
        """How late a run of this job may still start: ``MISFIRE_GRACE_SHARE`` of the shortest
        time between two of its runs in a leap year (or its first ``GRACE_SAMPLE_RUNS``),
        within ``MIN_MISFIRE_GRACE_SECONDS`` and ``MAX_MISFIRE_GRACE_SECONDS``."""
        times = list(islice(_fire_times(CronTrigger.from_crontab(self.cron, timezone=TIMEZONE),
                                        datetime(2024, 1, 1, tzinfo=TIMEZONE), datetime(2025, 1, 1, tzinfo=TIMEZONE)),
                            GRACE_SAMPLE_RUNS))
        shortest = min(((later - earlier).total_seconds() for earlier, later in pairwise(times)),
                       default=2 * MAX_MISFIRE_GRACE_SECONDS)
        return min(MAX_MISFIRE_GRACE_SECONDS, max(MIN_MISFIRE_GRACE_SECONDS, int(shortest * MISFIRE_GRACE_SHARE)))

    @property
    def timeout_seconds(self) -> float | None:
        minutes = DEFAULT_TIMEOUT_MINUTES.get(self.command, 0) if self.timeout_minutes is None else self.timeout_minutes
        return minutes * 60 if minutes else None


def _fire_times(trigger: CronTrigger, start: datetime, end: datetime):
    """Every time ``trigger`` fires from ``start`` up to ``end``."""
    moment = trigger.get_next_fire_time(None, start)
    while moment is not None and moment <= end:
        yield moment
        moment = trigger.get_next_fire_time(None, moment + timedelta(seconds=1))


DEFAULT_JOBS: tuple[ScheduledJob, ...] = (
    ScheduledJob("hn", "crawl", "0 6 * * *", sources=("hn",),
                 args=("--since", "{previous_month}", "--until", "{current_month}")),
    ScheduledJob("boards", "crawl", "0 7 * * *", sources=("greenhouse", "lever", "ashby", "workable", "recruitee")),
    ScheduledJob("feeds", "crawl", "0 8 * * *", sources=("remotive", "arbeitnow", "himalayas", "remoteok")),
    ScheduledJob("etl", "etl", "30 * * * *"),
)


@dataclass(frozen=True)
class Timetable:
    """Every job, enabled or not, in order: the defaults first, then the file's new jobs."""

    jobs: tuple[ScheduledJob, ...]
    config: Path | None = None

    @property
    def enabled(self) -> list[ScheduledJob]:
        return [job for job in self.jobs if job.enabled]

    @property
    def disabled(self) -> list[ScheduledJob]:
        return [job for job in self.jobs if not job.enabled]


class TimetableError(UserError):
    pass


# --- placeholders ------------------------------------------------------------------------

PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")


def placeholder_values(now: datetime) -> dict[str, str]:
    """``{current_month}`` and ``{previous_month}`` as ``YYYY-MM`` for ``now`` (UTC)."""
    now = now.astimezone(TIMEZONE) if now.tzinfo else now
    this_month = date(now.year, now.month, 1)
    previous = date(this_month.year - 1, 12, 1) if this_month.month == 1 else date(this_month.year, this_month.month - 1, 1)
    return {"current_month": f"{this_month:%Y-%m}", "previous_month": f"{previous:%Y-%m}"}


def expand_args(args: list[str] | tuple[str, ...], now: datetime) -> list[str]:
    """Fill in the placeholders of ``args``; other text, braces included, is left alone."""
    values = placeholder_values(now)
    return [PLACEHOLDER.sub(lambda match: values.get(match[1], match[0]), arg) for arg in args]


# --- loading a config file -----------------------------------------------------------------

JOB_KEYS = {f.name for f in fields(ScheduledJob)}
REQUIRED_FOR_NEW = ("command", "cron")
NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
NUMERIC_WEEKDAY = re.compile(r"(?<![/\d])\d")
DOCS = "see docs/scheduling.md"


def load_timetable(config: str | Path | None = None) -> Timetable:
    """The default timetable, changed by ``config`` (a TOML file) when given.

    :param config: path of a TOML file of ``[[job]]`` tables (format in docs/scheduling.md).
    :raises TimetableError: one sentence naming the file, the job and what is wrong.
    """
    if config is None:
        return Timetable(tuple(check_job(job, "the default timetable") for job in DEFAULT_JOBS))
    path = Path(config)
    where = str(path)
    try:
        document = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise TimetableError(f"The timetable file {where} does not exist; check the --config path.") from None
    except (IsADirectoryError, PermissionError, UnicodeDecodeError) as exc:
        raise TimetableError(f"Cannot read the timetable file {where}: {_clause(exc)}.") from None
    except tomllib.TOMLDecodeError as exc:
        raise TimetableError(f"{where} is not valid TOML: {_clause(exc)}.") from None
    return merge_timetable(document, where, path)


def merge_timetable(document: dict, where: str = "the timetable", path: Path | None = None) -> Timetable:
    """Apply a parsed config ``document`` to the defaults (see ``load_timetable``)."""
    unknown = set(document) - {"job"}
    if unknown:
        raise TimetableError(
            f"{where}: unknown key {_names(unknown)}; the file holds only [[job]] tables ({DOCS})."
        )
    entries = document.get("job", [])
    if not isinstance(entries, list) or not all(isinstance(entry, dict) for entry in entries):
        raise TimetableError(f"{where}: write each job as a [[job]] table ({DOCS}).")
    jobs = {job.name: job for job in DEFAULT_JOBS}
    seen: set[str] = set()
    for number, entry in enumerate(entries, start=1):
        name = entry.get("name")
        if not isinstance(name, str) or not NAME.match(name):
            raise TimetableError(
                f"{where}: job #{number} needs a name of letters, digits, '-', '_' or '.' "
                f"(up to 64), e.g. name = \"hn-nightly\"."
            )
        label = f"{where}: job {name!r}"
        if name in seen:
            raise TimetableError(f"{label} appears twice; merge the two [[job]] tables into one.")
        seen.add(name)
        unknown = set(entry) - JOB_KEYS
        if unknown:
            raise TimetableError(f"{label}: unknown key {_names(unknown)}; the keys are {_names(JOB_KEYS)}.")
        values = {key: _coerce(label, key, value) for key, value in entry.items() if key != "name"}
        if name in jobs:
            jobs[name] = replace(jobs[name], **values)
        else:
            missing = [key for key in REQUIRED_FOR_NEW if key not in values]
            if missing:
                raise TimetableError(
                    f"{label} is not a default job ({', '.join(job.name for job in DEFAULT_JOBS)}), "
                    f"so it needs {' and '.join(missing)}."
                )
            jobs[name] = ScheduledJob(name=name, **values)
    return Timetable(tuple(check_job(job, where) for job in jobs.values()), path)


def _coerce(label: str, key: str, value):
    if key in ("command", "cron"):
        if not isinstance(value, str):
            raise TimetableError(f"{label}: {key} must be a string, e.g. {key} = {_EXAMPLES[key]}.")
        return value.strip()
    if key in ("sources", "args"):
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            raise TimetableError(f"{label}: {key} must be a list of strings, e.g. {key} = {_EXAMPLES[key]}.")
        return tuple(value)
    if key == "enabled":
        if not isinstance(value, bool):
            raise TimetableError(f"{label}: enabled must be true or false (without quotes).")
        return value
    if key == "timeout_minutes":
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_TIMEOUT_MINUTES:
            raise TimetableError(f"{label}: timeout_minutes must be a whole number of minutes up to "
                                 f"{MAX_TIMEOUT_MINUTES:,} (a week), 0 for no limit.")
        return value
    return value


MAX_TIMEOUT_MINUTES = 7 * 24 * 60  # beyond this the timer cannot be set (a huge one overflowed)

_EXAMPLES = {"command": '"crawl"', "cron": '"0 6 * * *"', "sources": '["hn"]', "args": '["--since", "{previous_month}"]'}


def check_job(job: ScheduledJob, where: str) -> ScheduledJob:
    """Return ``job`` if ``skilltrends schedule`` can run it, else raise one ``TimetableError``."""
    label = f"{where}: job {job.name!r}"
    if job.command not in COMMANDS:
        raise TimetableError(f"{label}: command {job.command!r} is not one of {', '.join(COMMANDS)}.")
    if job.command == "crawl" and not job.sources:
        raise TimetableError(f"{label}: a crawl needs sources, e.g. sources = [\"hn\"].")
    if job.command != "crawl" and job.sources:
        raise TimetableError(f"{label}: only crawl jobs take sources; remove them or use command = \"crawl\".")
    _check_cron(job, label)
    if not job.enabled:
        return job
    if job.command == "crawl":
        _check_sources(job, label)
    _check_args(job, label)
    return job


def _check_cron(job: ScheduledJob, label: str) -> None:
    fields_ = job.cron.split()
    if len(fields_) == 5 and NUMERIC_WEEKDAY.search(fields_[4]):
        raise TimetableError(
            f"{label}: write the weekday of cron {job.cron!r} by name (mon-fri, sun): APScheduler 3 "
            "numbers weekdays from Monday = 0, unlike crontab."
        )
    if len(fields_) == 5 and "/" in fields_[4]:
        raise TimetableError(
            f"{label}: write the weekdays of cron {job.cron!r} as a list of names (sun,tue,thu,sat), not a "
            "step: APScheduler 3 steps weekdays from Monday and starts again each week, so \"*/2\" fires "
            "on other days than crontab's, Sunday and Monday in a row."
        )
    # Crontab takes a field that starts with "*" ("*/2") as unrestricted for this rule, and
    # then requires both, as APScheduler always does.
    if len(fields_) == 5 and not fields_[2].startswith("*") and not fields_[4].startswith("*"):
        raise TimetableError(
            f"{label}: cron {job.cron!r} names both a day of the month and a weekday; APScheduler 3 "
            "fires only on days that are both (crontab on days that are either), so write one of them as *."
        )
    try:
        trigger = job.trigger()
    except ValueError as exc:
        raise TimetableError(
            f"{label}: cron {job.cron!r} is not a crontab expression "
            f"(minute hour day month weekday, e.g. \"0 6 * * *\"): {_clause(exc)}."
        ) from None
    # A day no month has ("30 2", "31 4") is valid syntax and never fires.
    if trigger.get_next_fire_time(None, datetime.now(TIMEZONE)) is None:
        raise TimetableError(f"{label}: cron {job.cron!r} never fires: no month has that day.")


def _check_sources(job: ScheduledJob, label: str) -> None:
    from crawlers.runner import available_sources

    known = available_sources()
    unknown = [source for source in job.sources if source not in known]
    if unknown:
        raise TimetableError(f"{label}: unknown source {', '.join(unknown)}; choose from {', '.join(known)}.")


def _check_args(job: ScheduledJob, label: str) -> None:
    """Parse the job's arguments with the command's own parser, so a typo fails now, not at 06:00."""
    import click

    from skilltrends.cli import cli

    if any(arg == "--home" or arg.startswith("--home=") for arg in job.args):
        raise TimetableError(f"{label}: remove --home from args; give it to `skilltrends schedule --home` instead.")
    unknown = sorted({match[1] for arg in job.args for match in PLACEHOLDER.finditer(arg)}
                     - set(placeholder_values(datetime.now(TIMEZONE))))
    if unknown:
        raise TimetableError(
            f"{label}: unknown placeholder {_names('{' + name + '}' for name in unknown)} in args; "
            "use {current_month} or {previous_month}."
        )
    command = cli.commands[job.command]
    try:
        # With the group's settings: Click keeps the first help option it makes for a command,
        # and `skilltrends crawl -h` must stay an option of the command line.
        context = command.make_context(job.command, [*job.sources, *expand_args(job.args, datetime.now(TIMEZONE))],
                                       **cli.context_settings)
    except click.exceptions.Exit:
        raise TimetableError(f"{label}: args must not ask for --help.") from None
    except click.ClickException as exc:
        raise TimetableError(
            f"{label}: `skilltrends {job.command}` does not accept args {list(job.args)}: {_clause(exc.format_message())}."
        ) from None
    if job.command == "crawl":
        _check_crawl_values(job.sources, context.params, label)


def _check_crawl_values(sources: tuple[str, ...], params: dict, label: str) -> None:
    """The values a crawl checks only once it starts: its months, --set values, and --board
    (job-board sources only, and not with --resume)."""
    from crawlers.runner import job_board_sources
    from crawlers.spiders.base import month_range
    from skilltrends.cli import parse_setting
    from skilltrends.errors import UserError

    if params.get("boards"):
        boardless = [source for source in sources if source not in job_board_sources()]
        if boardless:
            raise TimetableError(f"{label}: --board applies to job-board sources, and {_names(boardless)} has "
                                 "no boards; crawl it in a job of its own.")
        if params.get("resume"):
            raise TimetableError(f"{label}: --resume finishes the boards of the interrupted crawl: drop --board.")
    try:
        month_range(params.get("since"), params.get("until"))
        for text in params.get("overrides") or ():
            parse_setting(text)
    except UserError as exc:
        raise TimetableError(f"{label}: {_clause(exc)}.") from None


def _clause(error) -> str:
    """An exception's message as one clause: one line, no final full stop."""
    return " ".join(str(error).split()).rstrip(".")


def _names(names) -> str:
    return ", ".join(sorted(names))
