"""The ``skilltrends`` command: a thin layer over crawlers, etl, analysis and dashboard.

Each command parses its flags and calls one library function; library errors that a user
can fix (``UserError``) become one sentence on stderr and exit status 1.
"""

from __future__ import annotations

import functools
import json
import sys
from pathlib import Path

import click

from skilltrends.errors import UserError
from skilltrends.home import HOME_ENV, Home


def home_option(command):
    """``--home DIR`` (or $SKILLTRENDS_HOME, default ./data): the same on every command."""
    return click.option(
        "--home",
        type=click.Path(file_okay=False, path_type=Path),
        envvar=HOME_ENV,
        default="data",
        show_default=True,
        help="Data directory holding landing files, the warehouse and snapshots.",
    )(command)


def user_errors(command):
    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except UserError as exc:
            raise click.ClickException(str(exc)) from None

    return wrapper


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
    help="Job board to crawl (greenhouse, lever, ashby); repeat for more. Default: the boards in crawlers/boards.toml.",
)
@click.option(
    "--set", "overrides", multiple=True, metavar="NAME=VALUE",
    help="Override a Scrapy setting, e.g. --set DOWNLOAD_DELAY=0 for a local mirror.",
)
@click.option("--progress/--no-progress", default=True, show_default=True, help="Show a progress line on stderr.")
@click.option("--verbose", is_flag=True, help="Log every Scrapy event, not only warnings and errors.")
@home_option
@user_errors
def crawl(sources, since, until, boards, overrides, progress, verbose, home):
    """Crawl SOURCE... into landing files under HOME/landing.

    Sources: hn (monthly "Who is hiring?" threads), greenhouse, lever, ashby (job boards,
    listing what is open now: --since/--until do not apply to them).

    \b
    Examples:
      skilltrends crawl hn --since 2023-01 --until 2023-06
      skilltrends crawl greenhouse --board anthropic --board databricks
    """
    from crawlers.runner import run_crawl

    settings = dict(parse_setting(text) for text in overrides)
    settings.setdefault("CRAWL_PROGRESS_ENABLED", progress)
    settings.setdefault("LOG_LEVEL", "INFO" if verbose else "WARNING")
    spider_args = {"since": since, "until": until}
    if boards:
        spider_args["boards"] = ",".join(boards)
    results = run_crawl(list(sources), str(Home.resolve(home).root), spider_args, settings)
    for source, stats in results.items():
        click.echo(
            f"{source}: {stats.get('skilltrends/postings_stored', 0):,} postings stored in "
            f"{stats.get('skilltrends/landing_file', '?')}",
            err=True,
        )


def parse_setting(text: str) -> tuple[str, str]:
    name, sep, value = text.partition("=")
    if not sep or not name.strip():
        raise UserError(f"--set takes NAME=VALUE, not {text!r}.")
    return name.strip(), value


@cli.command()
@click.option("--full", is_flag=True, help="Rebuild the warehouse from every landing file, not only new ones.")
@home_option
@user_errors
def etl(full, home):
    """Load new landing data into the warehouse and publish a fresh snapshot.

    \b
    Example:
      skilltrends etl
    """
    from etl.pipeline import run_etl

    report = run_etl(existing_home(home), full=full)
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

    \b
    Example:
      skilltrends query "SELECT family, sum(postings) FROM monthly_family_share GROUP BY ALL"
    """
    from skilltrends.query import run_query, write_result

    write_result(run_query(existing_home(home), sql), output_format, sys.stdout)


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option("--port", default=8050, show_default=True, type=int, help="Port to listen on.")
@home_option
@user_errors
def dashboard(host, port, home):
    """Serve the trends dashboard (reads the published snapshot).

    \b
    Example:
      skilltrends dashboard --port 8050
    """
    from dashboard.app import run

    existing_home(home)
    click.echo(f"Dashboard on http://{host}:{port}/ (Ctrl-C to stop)", err=True)
    run(home=str(Home.resolve(home).root), host=host, port=port)


@cli.command()
@click.option("--offline", is_flag=True, help="Crawl a local mirror of generated threads instead of the real API.")
@click.option("--since", metavar="YYYY-MM", help="First month (default: 24 months ago; offline: 2011-04).")
@click.option("--until", metavar="YYYY-MM", help="Last month (default: last month; offline: 2026-10).")
@click.option("--scale", type=float, default=0.25, show_default=True,
              help="Offline only: generated volume relative to real HN threads.")
@click.option("--dashboard/--no-dashboard", "serve", default=True, show_default=True,
              help="Start the dashboard at the end.")
@click.option("--port", default=8050, show_default=True, type=int, help="Dashboard port.")
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
@click.option("--in", "input_file", type=click.File("r", encoding="utf-8", errors="replace"), default="-",
              show_default=True, help="JSON lines {\"id\", \"text\" or \"html\", \"title\"?}.")
@click.option("--out", "output_file", type=click.File("w", encoding="utf-8"), default="-", show_default=True,
              help="Where to write one JSON line per input line.")
@click.option("--no-responsibilities", is_flag=True, help="Skip the sentence classifiers (faster).")
@user_errors
def extract(input_file, output_file, no_responsibilities):
    """Tag postings: skills with evidence, families, is_ml and responsibilities.

    A bad input line gives an error object for that line and the run goes on.

    \b
    Example:
      echo '{"id": 1, "text": "ML Engineer: PyTorch, MLflow, RAG"}' | skilltrends extract
    """
    from etl.extract_cli import extract_lines

    extract_lines(input_file, output_file, responsibilities=not no_responsibilities)


@cli.command()
@user_errors
def train():
    """Retrain every classifier from the labels in etl/labels (writes etl/models).

    Needs the texts of the labelled postings: ../shared/data/hn-2023h1, or
    $SKILLTRENDS_HN2023H1 pointing at a copy.

    \b
    Example:
      skilltrends train && skilltrends evaluate
    """
    from etl.training import train_all

    report = train_all()
    click.echo(json.dumps(report, indent=1, sort_keys=True), err=True)


@cli.command()
@click.option("--out", "output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Where to write the report (default: docs/evaluation.md).")
@user_errors
def evaluate(output):
    """Measure the extractor and classifiers on the held-out labelled set; write the report.

    \b
    Example:
      skilltrends evaluate
    """
    from etl.evaluation import DOCS, write_report

    report = write_report(output or DOCS)
    click.echo(f"Skills micro-F1 {report.skills.f1:.3f}, is_ml F1 {report.is_ml.f1:.3f}, "
               f"responsibilities macro-F1 {report.responsibilities_macro_f1:.3f}; "
               f"report in {output or DOCS}.", err=True)


def main():
    cli(prog_name="skilltrends")
