"""The ``skilltrends`` command: a thin layer over crawlers, etl, analysis and dashboard.

Each command parses its flags and calls one library function; library errors that a user
can fix (``UserError``) become one sentence on stderr and exit status 1.
"""

from __future__ import annotations

import errno
import functools
import json
import math
import os
import sys
from pathlib import Path

import click

from skilltrends.errors import UserError, duckdb_file_error_sentence, is_duckdb_file_error
from skilltrends.home import HOME_ENV, Home


def home_option(command):
    """``--home DIR`` (or $SKILLTRENDS_HOME, default ./data): the same on every command."""
    return click.option(
        "--home",
        type=click.Path(file_okay=False, path_type=Path),
        envvar=HOME_ENV,
        default="data",
        show_default=True,
        show_envvar=True,
        help="Data directory holding landing files, the warehouse and snapshots.",
    )(command)


def workers_option(command):
    """``--workers N``: tag in N processes (etl/workers.py); the same on every tagging command."""
    return click.option(
        "--workers", type=click.IntRange(min=1), default=1, show_default=True,
        help="Processes that tag postings (up to the number of cores): the same tags, sooner.",
    )(command)


def user_errors(command):
    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except UserError as exc:
            raise click.ClickException(str(exc)) from None
        except OSError as exc:  # a home or output that cannot be written, a full disk
            if exc.errno == errno.EPIPE:  # `skilltrends query ... | head`: click ends quietly
                raise
            raise click.ClickException(os_error_sentence(exc)) from None
        except Exception as exc:
            if not is_duckdb_file_error(exc):  # a bug in our SQL keeps its traceback
                raise
            raise click.ClickException(duckdb_file_error_sentence(exc)) from None

    return wrapper


def os_error_sentence(exc: OSError) -> str:
    reason = exc.strerror or exc.__class__.__name__
    return f"Cannot use {exc.filename}: {reason}." if exc.filename else f"The command failed: {reason}."


PORT = click.IntRange(1, 65535)


def same_file(source, target) -> bool:
    """Is ``target`` (a click file argument not opened yet) the file ``source`` reads, given
    by name or as standard input (``--out f < f``)?"""
    try:
        read = os.fstat(source.fileno())
        written = os.stat(target.name)
    except (OSError, TypeError, ValueError, AttributeError):  # a file not there yet, a stream without one
        return False
    return (read.st_dev, read.st_ino) == (written.st_dev, written.st_ino)


def existing_home(home: Path) -> Home:
    resolved = Home.resolve(home)
    if not resolved.root.is_dir():
        raise UserError(
            f"The data directory {resolved.root} does not exist: run `skilltrends demo` or "
            "`skilltrends crawl hn` first, or point --home at an existing one."
        )
    return resolved


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="skilltrends")
def cli():
    """skilltrends: how demand shifts between classic ML, MLOps and LLM skills in job postings.

    \b
    Quick start:
      skilltrends demo --offline     generated data → ETL → dashboard on http://127.0.0.1:8050
      skilltrends crawl hn --since 2024-01
      skilltrends etl
      skilltrends query "SELECT * FROM monthly_family_share ORDER BY month DESC LIMIT 9"
    """


@cli.command()
@click.argument("sources", nargs=-1, required=True)
@click.option("--since", metavar="YYYY-MM", help="First month to crawl (inclusive).")
@click.option("--until", metavar="YYYY-MM", help="Last month to crawl (inclusive).")
@click.option(
    "--board", "boards", multiple=True, metavar="TOKEN",
    help="Board to crawl (ATS sources: greenhouse, lever, ashby, workable, smartrecruiters, recruitee; jsonld: a page or sitemap URL); repeat for more. Default: the boards in crawlers/boards.toml.",
)
@click.option(
    "--set", "overrides", multiple=True, metavar="NAME=VALUE",
    help="Override a Scrapy setting, e.g. --set DOWNLOAD_DELAY=0 for a local mirror.",
)
@click.option("--progress/--no-progress", default=True, show_default=True, help="Show a progress line on stderr.")
@click.option("--verbose", is_flag=True, help="Log every Scrapy event, not only warnings and errors.")
@click.option(
    "--resume", is_flag=True,
    help="Finish the source's last crawl if it did not end (killed, interrupted, budget spent): "
         "only the boards it had not done are crawled.",
)
@home_option
@user_errors
def crawl(sources, since, until, boards, overrides, progress, verbose, resume, home):
    """Crawl SOURCE... into landing files under HOME/landing.

    Sources: hn (monthly "Who is hiring?" threads); greenhouse, lever, ashby, workable,
    smartrecruiters, recruitee (company job boards); remotive, arbeitnow, himalayas, remoteok
    (job-board feeds); jsonld (schema.org JobPosting pages). Boards and feeds list what is
    open now: --since/--until do not apply to them. Only postings new or
    changed since the last crawl are stored; the others are noted as seen. Two crawls of
    the same source at once are refused. Exit status 1 when a crawl did not run, was
    interrupted, had not one of its requests answered, had errors (other than boards gone)
    and found not one posting or complete board (its source down), or could not close its
    landing file; failures of some boards or pages are counted and logged, exit status 0.
    See docs/crawling.md.

    \b
    Examples:
      skilltrends crawl hn --since 2023-01 --until 2023-06
      skilltrends crawl greenhouse --board anthropic --board databricks
      skilltrends crawl greenhouse --set CRAWL_REQUEST_BUDGET=500
      skilltrends crawl greenhouse --resume
    """
    from crawlers.runner import run_crawl
    from crawlers.runstatus import crawl_failure

    if resume and boards:
        raise UserError("--resume finishes the boards of the interrupted crawl: drop --board.")
    settings = dict(parse_setting(text) for text in overrides)
    settings.setdefault("CRAWL_PROGRESS_ENABLED", progress)
    settings.setdefault("LOG_LEVEL", "INFO" if verbose else "WARNING")
    if resume:
        settings["CRAWL_RESUME"] = True
    spider_args = {"since": since, "until": until}
    if boards:
        spider_args["boards"] = ",".join(boards)
    results = run_crawl(list(sources), str(Home.resolve(home).root), spider_args, settings)
    for source, stats in results.items():
        click.echo(crawl_summary(source, stats), err=True)
    failures = [failure for source, stats in results.items() if (failure := crawl_failure(source, stats))]
    if failures:
        raise UserError(" ".join(failures))


def crawl_summary(source: str, stats: dict) -> str:
    counts = {change: stats.get(f"skilltrends/postings/{change}", 0) for change in ("new", "changed", "unchanged")}
    line = (
        f"{source}: {stats.get('skilltrends/postings_stored', 0):,} postings stored in "
        f"{stats.get('skilltrends/landing_file', '?')} ({counts['new']:,} new, {counts['changed']:,} changed, "
        f"{counts['unchanged']:,} unchanged"
    )
    if stats.get("skilltrends/boards/incomplete") or stats.get("skilltrends/boards/complete"):
        line += (f"; boards: {stats.get('skilltrends/boards/complete', 0):,} complete, "
                 f"{stats.get('skilltrends/boards/incomplete', 0):,} incomplete")
    if stats.get("skilltrends/boards/unfinished"):
        line += f", {stats['skilltrends/boards/unfinished']:,} unfinished"
    errors = stats.get("skilltrends/error_total", 0)
    return line + (f"; {errors:,} error(s)" if errors else "") + ")"


@cli.group()
def boards():
    """The job-board registry (crawlers/boards.toml, or $SKILLTRENDS_BOARDS_FILE).

    \b
    Example:
      skilltrends boards check greenhouse
    """


@boards.command("check")
@click.argument("sources", nargs=-1)
@click.option(
    "--set", "overrides", multiple=True, metavar="NAME=VALUE",
    help="Override a Scrapy setting, e.g. --set DOWNLOAD_TIMEOUT=20.",
)
@user_errors
def boards_check(sources, overrides):
    """Report which registry boards answer and which are gone; suggest removals.

    Asks each registry board of SOURCE... (default: every job-board source) once, and
    reports which answer, which are gone (HTTP 404) and which failed otherwise.

    Nothing is stored. Exit status 0 even when boards are gone (a gone board never fails a crawl).

    \b
    Examples:
      skilltrends boards check
      skilltrends boards check greenhouse lever
    """
    from crawlers.runner import job_board_sources, run_board_check

    settings = dict(parse_setting(text) for text in overrides)
    settings.setdefault("LOG_LEVEL", "ERROR")
    chosen = list(sources) or job_board_sources()
    results = run_board_check(chosen, settings)
    gone = []
    for source, checks in results.items():
        for check in checks:
            click.echo(f"{source}\t{check.token}\t{check.status}\t{check.detail}")
            if check.status == "gone":
                gone.append((source, check.token))
    totals = {status: sum(c.status == status for checks in results.values() for c in checks)
              for status in ("ok", "gone", "error")}
    click.echo(f"{totals['ok']} board(s) answer, {totals['gone']} gone, {totals['error']} failed.", err=True)
    if gone:
        click.echo("Suggested removals from the board registry (gone: HTTP 404):", err=True)
        for source, token in gone:
            click.echo(f"  [[{source}]] token = \"{token}\"", err=True)


def parse_setting(text: str) -> tuple[str, str]:
    """``NAME=VALUE``; a value that Scrapy's own reader of a number or true/false setting
    would refuse is refused here, not as a traceback once the crawl has started."""
    name, sep, value = text.partition("=")
    name = name.strip()
    if not sep or not name:
        raise UserError(f"--set takes NAME=VALUE, not {text!r}.")
    kind = setting_kind(name)
    if kind is not None:
        from scrapy.settings import Settings

        reader = {"true or false": Settings.getbool, "a whole number": Settings.getint,
                  "a number": Settings.getfloat}[kind]
        try:
            read = reader(Settings({name: value}), name)
        except ValueError:
            read = None
        if read is None or (isinstance(read, float) and not math.isfinite(read)):
            raise UserError(f"--set {name} takes {kind}, not {value!r}.") from None
    return name, value


# Settings whose defaults are whole numbers but which Scrapy reads as floats.
READ_AS_FLOAT = {"DOWNLOAD_TIMEOUT", "CLOSESPIDER_TIMEOUT", "DNS_TIMEOUT", "LOGSTATS_INTERVAL", "DOWNLOAD_DELAY",
                 "DOWNLOAD_DELAY_JITTER", "AUTOTHROTTLE_START_DELAY", "AUTOTHROTTLE_MAX_DELAY"}


def setting_kind(name: str) -> str | None:
    """What a setting's value must be, from its default (the project's, else Scrapy's; the
    spiders' ``<NAME>_PAGE_SIZE``/``<NAME>_MAX_PAGES`` are whole numbers); None: anything."""
    import crawlers.settings
    from scrapy.settings import default_settings

    if name.endswith(("_PAGE_SIZE", "_MAX_PAGES")):
        return "a whole number"
    default = getattr(crawlers.settings, name, getattr(default_settings, name, None))
    if isinstance(default, bool):
        return "true or false"
    if isinstance(default, float) or (isinstance(default, int) and name in READ_AS_FLOAT):
        return "a number"
    return "a whole number" if isinstance(default, int) else None


@cli.command()
@click.option("--full", is_flag=True, help="Rebuild the warehouse from every landing file, not only new ones.")
@home_option
@workers_option
@user_errors
def etl(full, home, workers):
    """Load new landing data into the warehouse and publish a fresh snapshot.

    \b
    Example:
      skilltrends etl
    """
    from etl.pipeline import run_etl

    report = run_etl(existing_home(home), full=full, workers=workers)
    click.echo(report.summary(), err=True)


@cli.command()
@click.argument("sql")
@click.option(
    "--format", "output_format", type=click.Choice(["table", "csv", "json"]), default="table",
    show_default=True, help="How to print the result.",
)
@home_option
@user_errors
def query(sql, output_format, home):
    """Run read-only SQL on the published snapshot.

    SQL may hold several statements, separated by ";": each result is printed in
    turn (as tables; --format csv or json takes one). "-" reads the SQL from
    standard input; SQL that opens with a "--" comment goes after "--" (below).
    The query sees the snapshot and no file: statements that read or write files
    (COPY, ATTACH, read_csv, ...) and changes of DuckDB settings (SET
    memory_limit, threads, TimeZone) are refused. `skilltrends export --parquet
    DIR` writes the tables to files; docs/schema.md describes them.

    \b
    Examples:
      skilltrends query "SELECT family, sum(postings) FROM monthly_family_share GROUP BY ALL"
      skilltrends query - --format csv < shares.sql
      skilltrends query -- "$(cat commented.sql)"
    """
    from skilltrends.query import read_sql, run_query, write_results

    if sql == "-":
        sql = read_sql(sys.stdin.buffer)
    write_results(run_query(existing_home(home), sql), output_format, sys.stdout)


@cli.command()
@click.option("--parquet", "directory", required=True, type=click.Path(),
              help="Directory to write one <table>.parquet per table into (created if missing).")
@home_option
@user_errors
def export(directory, home):
    """Write the published snapshot's tables as Parquet files.

    One file per table of docs/schema.md (postings, posting_skills,
    monthly_family_share, ..., and meta with the taxonomy and extractor versions);
    a file of an earlier export is replaced whole, by rename, never half written,
    and only once every table is written, so an export that fails while writing
    leaves the earlier one.

    \b
    Example:
      skilltrends export --parquet exports/2026-11
    """
    from analysis.export import export_parquet

    if not directory.strip():  # Path("") would be the current directory
        raise UserError("--parquet needs a directory to write into, not an empty name.")
    exported = export_parquet(existing_home(home), Path(directory))
    rows = ", ".join(f"{table.table} {table.rows:,}" for table in exported)
    click.echo(f"Exported {len(exported)} tables to {directory} (rows: {rows}).", err=True)


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option("--port", default=8050, show_default=True, type=PORT, help="Port to listen on.")
@home_option
@user_errors
def dashboard(host, port, home):
    """Serve the trends dashboard (reads the published snapshot).

    \b
    Example:
      skilltrends dashboard --port 8050
    """
    from dashboard.app import check_listenable, reachable_from_elsewhere, run

    existing_home(home)
    check_listenable(host, port)
    if reachable_from_elsewhere(host):
        click.echo(f"Warning: on {host} the dashboard answers anyone who can reach this machine: it has no "
                   "login, and serves through Flask's development server.", err=True)
    click.echo(f"Dashboard on http://{host}:{port}/ (Ctrl-C to stop)", err=True)
    run(home=str(Home.resolve(home).root), host=host, port=port)


@cli.command()
@click.option("--offline", is_flag=True, help="Crawl a local mirror of generated threads instead of the real API.")
@click.option("--since", metavar="YYYY-MM", help="First month (default: 24 months ago; offline: 2011-04).")
@click.option("--until", metavar="YYYY-MM", help="Last month (default: last month; offline: 2026-10).")
@click.option("--scale", type=click.FloatRange(0, 100, min_open=True), default=0.25, show_default=True,
              help="Offline only: generated volume relative to real HN threads.")
@click.option("--dashboard/--no-dashboard", "serve", default=True, show_default=True,
              help="Start the dashboard at the end.")
@click.option("--port", default=8050, show_default=True, type=PORT, help="Dashboard port.")
@home_option
@user_errors
def demo(offline, since, until, scale, serve, port, home):
    """Crawl (or generate) data, run the ETL and open the dashboard, in one command.

    \b
    Example:
      skilltrends demo --offline
    """
    from skilltrends.demo import run_demo

    run_demo(Home.resolve(home), offline=offline, since=since, until=until, scale=scale,
             serve=serve, port=port)


@cli.command()
@click.option("--in", "input_file", type=click.File("r", encoding="utf-8-sig", errors="replace"), default="-",
              show_default=True, help="JSON lines {\"id\", \"text\" or \"html\", \"title\"?}, UTF-8.")
@click.option("--out", "output_file", type=click.File("w", encoding="utf-8"), default="-", show_default=True,
              help="Where to write one JSON line per input line (not the --in file).")
@click.option("--no-responsibilities", is_flag=True, help="Skip the sentence classifiers (faster).")
@workers_option
@user_errors
def extract(input_file, output_file, no_responsibilities, workers):
    """Tag postings: skills with evidence, families, is_ml and responsibilities.

    Each output line is {"id", "is_ml", "families": [...], "skills": [{"name",
    "family", "category", "start", "end", "where", "evidence"}],
    "responsibilities": [{"label", "sentence"}]} (responsibilities empty with
    --no-responsibilities); a line that cannot be read is {"id"?, "line",
    "error"}, "error" one sentence. A "title", if given, is read beside the
    text, as in the ETL: by the is_ml classifier, and for skills only the title
    names, listed after the text's
    ("where": "title", start and end null, the title as evidence); offsets
    index the text ("where": "text"). A bad or empty input line
    gives an error object for that line and the run goes on, so output line N
    answers input line N; a line without an id is answered with "id": null and
    its "line" number. Input is UTF-8 (a byte-order mark is skipped; bytes that
    are not UTF-8 are read as U+FFFD); a lone UTF-16 surrogate (JSON "\\ud800")
    is read as U+FFFD, so offsets hold.
    Runs of white space, tabs and no-break spaces are read as one space (as the
    ETL reads them) and offsets still index the text as sent. Text that lost its
    line breaks (a description on one line, list items joined by " • " or glued
    together as in "nightlyWrite Hive jobs") is read too; see docs/extraction.md.

    \b
    Example:
      echo '{"id": 1, "text": "ML Engineer: PyTorch, MLflow, RAG"}' | skilltrends extract
    """
    from etl.extract_cli import extract_lines

    if same_file(input_file, output_file):
        raise UserError(f"--out is the file read ({output_file.name}): writing would empty it before it is "
                        "read; write elsewhere and rename.")
    extract_lines(input_file, output_file, responsibilities=not no_responsibilities, workers=workers)


@cli.command()
@home_option
@user_errors
def train(home):
    """Retrain every classifier from the labels in etl/labels (writes etl/models).

    The models are written where they are read: etl/models in the checkout, or
    $SKILLTRENDS_MODELS_DIR when set (to keep the shipped models untouched); the
    taxonomy read is $SKILLTRENDS_TAXONOMY when set, else etl/taxonomy/skills.toml.

    Needs the texts of the labelled postings: ../shared/data/hn-2023h1 beside the
    checkout (or $SKILLTRENDS_HN2023H1 pointing at a copy) or, without it, a crawl of the same
    threads in the data home (`skilltrends crawl hn --since 2023-01 --until 2023-06`);
    from a crawl, is_ml trains without the recording's silver job titles.

    \b
    Example:
      skilltrends train && skilltrends evaluate
    """
    from etl.training import train_all

    report = train_all(Home.resolve(home))
    click.echo(json.dumps(report, indent=1, sort_keys=True), err=True)


@cli.command()
@click.option("--out", "output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Where to write the report (default: docs/evaluation.md).")
@home_option
@user_errors
def evaluate(output, home):
    """Measure the extractor and classifiers on the held-out labelled set; write the report.

    Also measured: a second labeller's sentence labels of held-out postings beside the
    model's (etl/labels/held_out_second_sentences.*), the tricky-context list, the
    development tricky lists and the check list of judged words (development figures:
    they helped choose the disambiguator's words and data), the April 2011 thread, the
    job-board descriptions and HN comments of 2013-2026 kept out of training
    (etl/labels/aside_*), and skill counts against hiringtrends' published counts of the
    same HN threads.
    Needs ../shared/data/hn-2023h1 (or $SKILLTRENDS_HN2023H1) or, without it, a crawl of the
    same threads in the data home (`skilltrends crawl hn --since 2023-01 --until 2023-06`);
    the April 2011 section also
    needs ../shared/data/hn-algolia (or $SKILLTRENDS_HN_ALGOLIA), the hiringtrends section
    ../shared/data/hn-hiringtrends (or $SKILLTRENDS_HN_HIRINGTRENDS); each says so when absent.

    \b
    Example:
      skilltrends evaluate
    """
    from etl.evaluation import DOCS, write_report

    report = write_report(output or DOCS, Home.resolve(home))
    click.echo(f"Skills micro-F1 {report.held_out.skills.f1:.3f}, is_ml F1 {report.held_out.is_ml.f1:.3f}, "
               f"responsibilities macro-F1 {report.held_out_sentences.macro_f1:.3f}; "
               f"report in {output or DOCS}.", err=True)


@cli.command()
@click.option("--config", "config_file", type=click.Path(dir_okay=False, path_type=Path), metavar="FILE",
              help="TOML file of [[job]] tables changing or adding to the default timetable (docs/scheduling.md).")
@click.option("--list", "list_only", is_flag=True,
              help="Print the timetable with next and last run times, then exit without running anything.")
@home_option
@user_errors
def schedule(config_file, list_only, home):
    """Run crawls and the ETL on a timetable until stopped (Ctrl-C or SIGTERM).

    Default timetable (UTC): crawl hn (previous and current month) daily at 06:00, crawl
    greenhouse, lever, ashby, workable and recruitee daily at 07:00, crawl remotive,
    arbeitnow, himalayas and remoteok daily at 08:00, etl hourly at :30. Each job runs its
    skilltrends command in a process of its own; every run is recorded in
    HOME/schedule_runs.jsonl. See docs/scheduling.md.

    \b
    Examples:
      skilltrends schedule --list
      skilltrends schedule --config timetable.toml --home /srv/skilltrends/data
    """
    from schedules.runner import describe_timetable, run_schedule
    from schedules.timetable import load_timetable

    timetable = load_timetable(config_file)
    if list_only:
        click.echo(describe_timetable(timetable, Home.resolve(home)))
        return
    run_schedule(timetable, Home.resolve(home))


def main():
    from skilltrends.parent_watch import end_with_scheduler

    end_with_scheduler()
    try:
        cli(prog_name="skilltrends")
    except OSError as exc:  # raised as click closes an output file (a full disk), after the command
        if exc.errno != errno.EPIPE:
            click.echo(f"Error: {os_error_sentence(exc)}", err=True)
        sys.exit(1)
