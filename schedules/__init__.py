"""Run crawls and the ETL on a timetable, and record every run (``skilltrends schedule``).

- ``schedules.timetable``: the default timetable and every other scheduling default, in one
  module, plus the loader of a TOML file that changes or adds jobs (docs/scheduling.md).
- ``schedules.runner``: an APScheduler 3 ``BlockingScheduler`` over a SQLAlchemy job store
  (``<home>/schedule.sqlite``) that runs each job as ``python -m skilltrends <command> ...``
  in a process of its own, and stops cleanly on SIGINT/SIGTERM.
- ``schedules.runs``: the run records, one JSON line per run in ``<home>/schedule_runs.jsonl``.

Nothing here imports ``crawlers`` or ``etl`` to run them: a crawl needs a process of its own
(Twisted's reactor cannot restart) and DuckDB writers must be separate processes.
"""
