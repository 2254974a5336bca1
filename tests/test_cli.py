"""The command line: user mistakes give one clear sentence on stderr, a non-zero exit, no traceback."""

from __future__ import annotations

import csv
import json
import re
import socket
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from tests.helpers import assert_one_clear_error, home_after_etl, run_cli
from tests.landing_factory import hn_item, write_landing

ROOT = Path(__file__).resolve().parents[1]


def test_unknown_source(tmp_path):
    assert_one_clear_error(run_cli("crawl", "monster", "--home", str(tmp_path)), "monster", "hn")


@pytest.mark.parametrize("month", ["2023-13", "23-01", "2023/01", "soon", "0000-01"])
def test_bad_month(tmp_path, month):
    assert_one_clear_error(run_cli("crawl", "hn", "--since", month, "--home", str(tmp_path)), "YYYY-MM", month)


def test_since_after_until(tmp_path):
    assert_one_clear_error(run_cli("crawl", "hn", "--since", "2024-05", "--until", "2024-01",
                                   "--home", str(tmp_path)), "after")


@pytest.mark.parametrize("args, words", [
    (["--since", "2023-13"], ["YYYY-MM"]),
    (["--since", "2023-06", "--until", "2023-01"], ["after"]),
    (["--since", "1999-01"], ["2011-04", "1999-01"]),
    (["--scale", "nan"], ["scale", "nan"]),
])
def test_bad_demo_values_are_one_sentence_before_anything_is_made(tmp_path, args, words):
    home = tmp_path / "home"
    assert_one_clear_error(run_cli("demo", "--offline", "--no-dashboard", *args, "--home", str(home)), *words)
    assert not home.exists()


@pytest.mark.parametrize("command", [["demo", "--offline", "--no-dashboard", "--scale", "0"],
                                     ["demo", "--offline", "--no-dashboard", "--port", "70000"],
                                     ["dashboard", "--port", "0"], ["dashboard", "--port", "-1"]])
def test_values_out_of_range_are_refused_by_the_parser(tmp_path, command):
    result = run_cli(*command, "--home", str(tmp_path))
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "Error: Invalid value for" in result.stderr


def test_a_host_that_does_not_resolve_is_named(loaded_home):
    assert_one_clear_error(run_cli("dashboard", "--host", "nosuchhost.invalid", "--home", str(loaded_home)),
                           "nosuchhost.invalid")


def test_a_port_in_use_is_one_sentence_before_the_dashboard_or_the_demo_starts(loaded_home, tmp_path):
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = str(taken.getsockname()[1])
        result = run_cli("dashboard", "--port", port, "--home", str(loaded_home))
        assert_one_clear_error(result, f"127.0.0.1:{port}", "--port")
        home = tmp_path / "demo-home"
        assert_one_clear_error(run_cli("demo", "--offline", "--port", port, "--home", str(home)), "--port")
        assert not home.exists()  # refused before anything was crawled


def test_a_home_that_cannot_be_made_is_one_clear_error():
    assert_one_clear_error(run_cli("crawl", "hn", "--since", "2024-01", "--until", "2024-01",
                                   "--home", "/dev/null/home"), "/dev/null/home")


def test_a_full_disk_is_one_clear_error(tmp_path):
    source = tmp_path / "in.jsonl"
    source.write_text('{"id": 1, "text": "PyTorch"}\n', encoding="utf-8")
    assert_one_clear_error(run_cli("extract", "--in", str(source), "--out", "/dev/full"), "No space left")


def cut_at(kept):
    return lambda data: data[:kept]


def overwritten_at(offset):
    return lambda data: data[:offset] + bytes(512) + data[offset + 512:]


@pytest.mark.parametrize("damage", [cut_at(300_000), cut_at(5_000),  # read fails later / cannot even be opened
                                    overwritten_at(4106)],  # a checksum that fails (DuckDB's base Error)
                         ids=["cut-300k", "cut-5k", "checksum"])
def test_a_damaged_warehouse_says_the_same_however_it_is_damaged(tmp_path, damage):
    home = home_after_etl(tmp_path, [hn_item(1, "Acme | ML Engineer | Paris<p>PyTorch.", "2024-01")])
    warehouse = home / "warehouse.duckdb"
    warehouse.write_bytes(damage(warehouse.read_bytes()))
    result = run_cli("etl", "--home", str(home))
    assert_one_clear_error(result, "could not be used", "warehouse.duckdb", "etl --full")


def test_a_duckdb_error_from_a_bug_in_our_own_sql_keeps_its_traceback():
    import click

    from skilltrends.cli import user_errors

    @user_errors
    def buggy():
        duckdb.connect().execute("SELECT no_such_column FROM (SELECT 1 AS a)")

    @user_errors
    def damaged():
        raise duckdb.IOException('IO Error: Could not read enough bytes from file "w.duckdb"')

    with pytest.raises(duckdb.BinderException):
        buggy()
    with pytest.raises(click.ClickException, match="could not be used.*etl --full"):
        damaged()


def test_only_duckdbs_lock_refusal_reads_as_a_lock():
    from skilltrends.errors import is_duckdb_file_error, is_lock_error

    held = duckdb.IOException('IO Error: Could not set lock on file "w.duckdb": Conflicting lock is held in python')
    damaged = duckdb.Error("Corrupt database file: computed checksum 1 does not match stored checksum 2 in block "
                           "at location 4096")
    assert is_lock_error(held) and not is_lock_error(damaged)
    assert is_duckdb_file_error(damaged) and not is_duckdb_file_error(duckdb.BinderException("Binder Error: x"))


def test_a_crawl_state_that_cannot_be_opened_is_one_clear_error(tmp_path):
    state = tmp_path / "crawl_state" / "hn.duckdb"
    state.parent.mkdir(parents=True)
    state.mkdir()  # where the state file belongs, a directory: DuckDB cannot open it, even as root
    result = run_cli("crawl", "hn", "--since", "2024-01", "--until", "2024-01", "--home", str(tmp_path),
                     env={"SKILLTRENDS_HN_URL": "http://127.0.0.1:9"})
    assert_one_clear_error(result, "hn.duckdb")


@pytest.mark.parametrize("setting, kind", [("DOWNLOAD_DELAY=abc", "a number"), ("DOWNLOAD_TIMEOUT=soon", "a number"),
                                           ("ROBOTSTXT_OBEY=maybe", "true or false"),
                                           ("ROBOTSTXT_OBEY=TRUE", "true or false"),  # Scrapy reads only true/True
                                           ("CRAWL_REQUEST_BUDGET=1.5", "a whole number"),
                                           ("SMARTRECRUITERS_PAGE_SIZE=abc", "a whole number")])
def test_a_setting_value_of_the_wrong_kind_is_refused_before_the_crawl(tmp_path, setting, kind):
    assert_one_clear_error(run_cli("crawl", "hn", "--set", setting, "--home", str(tmp_path)),
                           setting.partition("=")[0], kind)
    assert not (tmp_path / "landing").exists()


def test_bad_setting_syntax(tmp_path):
    assert_one_clear_error(run_cli("crawl", "hn", "--set", "NOVALUE", "--home", str(tmp_path)), "NAME=VALUE")


@pytest.mark.parametrize("command", [["query", "SELECT 1"], ["etl"], ["dashboard", "--port", "8999"]])
def test_missing_home_directory(tmp_path, command):
    missing = tmp_path / "nowhere"
    assert_one_clear_error(run_cli(*command, "--home", str(missing)), str(missing))
    assert not missing.exists()


def test_etl_without_landing_data(tmp_path):
    assert_one_clear_error(run_cli("etl", "--home", str(tmp_path)), "skilltrends crawl hn")


def test_query_before_any_etl(tmp_path):
    assert_one_clear_error(run_cli("query", "SELECT 1", "--home", str(tmp_path)), "skilltrends etl")


@pytest.fixture(scope="module")
def loaded_home(tmp_path_factory):
    return home_after_etl(tmp_path_factory.mktemp("home"), [
        hn_item(1, "Acme | ML Engineer | Paris<p>PyTorch and MLflow.", "2024-01"),
        hn_item(2, "Bakery | Frontend Developer | Oslo<p>React.", "2024-02"),
    ])


def test_bad_sql(loaded_home):
    assert_one_clear_error(run_cli("query", "SELEC * FROM postings", "--home", str(loaded_home)), "query failed")


@pytest.mark.parametrize("sql, hint", [("SELECT * FROM postngs", 'Did you mean "postings"?'),
                                       ("SELECT familyy FROM monthly_family_share", 'Candidate bindings: "family'),
                                       ("SET memory_limit = '1GB'", "settings are fixed")])
def test_a_failed_query_keeps_duckdbs_hint_on_its_one_line(loaded_home, sql, hint):
    assert_one_clear_error(run_cli("query", sql, "--home", str(loaded_home)), "query failed", hint)


def test_sql_that_opens_with_a_comment_is_read_after_a_double_dash(loaded_home):
    result = run_cli("query", "--format", "csv", "--home", str(loaded_home), "--", "-- count\nSELECT 41 + 1 AS n")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["n", "42"]


def test_writes_are_refused(loaded_home):
    assert_one_clear_error(run_cli("query", "DELETE FROM postings", "--home", str(loaded_home)), "read-only")


@pytest.mark.parametrize("make_sql", [
    lambda home: f"COPY (SELECT 'junk' AS x) TO '{home / 'warehouse.duckdb'}' (FORMAT csv)",
    lambda home: f"ATTACH '{home / 'warehouse.duckdb'}' AS w",
    lambda home: "SET enable_external_access = true",
    lambda home: f"SELECT * FROM read_csv('{home / 'warehouse.duckdb'}')",
], ids=["copy-over-the-warehouse", "attach", "unlock", "read-a-file"])
def test_a_query_sees_the_snapshot_and_no_file(loaded_home, make_sql):
    warehouse = loaded_home / "warehouse.duckdb"
    before = warehouse.read_bytes()
    result = run_cli("query", make_sql(loaded_home), "--home", str(loaded_home))
    assert_one_clear_error(result, "query failed")
    assert warehouse.read_bytes() == before


def test_a_snapshot_held_open_for_writing_is_one_clear_error(loaded_home):
    snapshot = (loaded_home / "snapshot.duckdb").resolve()
    snapshot.chmod(0o644)  # published read-only; root, or anyone who changes that, can still lock it
    writer = duckdb.connect(str(snapshot))  # a researcher who forgot read_only, in another process
    try:
        result = run_cli("query", "SELECT 1", "--home", str(loaded_home))
    finally:
        writer.close()
    assert_one_clear_error(result, "cannot be opened", str(snapshot))


def test_a_warehouse_held_by_another_process_is_one_clear_error(loaded_home):
    warehouse = loaded_home / "warehouse.duckdb"
    holder = duckdb.connect(str(warehouse))  # someone querying the warehouse instead of the snapshot
    try:
        result = run_cli("etl", "--home", str(loaded_home))
    finally:
        holder.close()
    assert_one_clear_error(result, "cannot be opened", str(warehouse))


def test_a_damaged_warehouse_is_one_clear_error(tmp_path):
    write_landing(tmp_path, [hn_item(1, "Acme | ML Engineer | Paris<p>PyTorch.", "2024-01")])
    (tmp_path / "warehouse.duckdb").write_text("x\njunk\n")
    assert_one_clear_error(run_cli("etl", "--home", str(tmp_path)), "could not be used", "etl --full")


def test_query_formats(loaded_home):
    sql = "SELECT company, is_ml FROM postings ORDER BY company"
    as_json = run_cli("query", sql, "--format", "json", "--home", str(loaded_home))
    assert json.loads(as_json.stdout) == [{"company": "Acme", "is_ml": True}, {"company": "Bakery", "is_ml": False}]
    as_csv = run_cli("query", sql, "--format", "csv", "--home", str(loaded_home))
    assert as_csv.stdout.splitlines() == ["company,is_ml", "Acme,true", "Bakery,false"]
    as_table = run_cli("query", sql, "--home", str(loaded_home))
    assert "Acme" in as_table.stdout and "(2 rows)" in as_table.stdout


def test_every_statement_that_returns_rows_is_printed_as_a_table(loaded_home):
    sql = ("SET VARIABLE word = 'first'; CREATE TEMP VIEW companies AS SELECT company FROM postings; "
           "SELECT getvariable('word') AS a; SELECT 'second' AS b FROM companies")
    result = run_cli("query", sql, "--home", str(loaded_home))
    assert result.returncode == 0, result.stderr
    first, second = result.stdout.index("first"), result.stdout.index("second")
    assert first < second and result.stdout.count("rows)") == 2
    assert "(1 rows)" in result.stdout[:second] and "(2 rows)" in result.stdout[second:]
    as_json = run_cli("query", "SET VARIABLE c = 3; SELECT getvariable('c') AS c", "--format", "json",
                      "--home", str(loaded_home))
    assert json.loads(as_json.stdout) == [{"c": 3}]


def test_a_pivot_is_printed_and_json_of_no_result_is_still_json(loaded_home):
    # DuckDB reckons a PIVOT may or may not return rows; it does.
    pivot = run_cli("query", "PIVOT postings ON company USING count(*) GROUP BY is_ml", "--format", "json",
                    "--home", str(loaded_home))
    assert pivot.returncode == 0, pivot.stderr
    assert sorted(json.loads(pivot.stdout), key=lambda row: row["is_ml"]) == [
        {"is_ml": False, "Acme": 0, "Bakery": 1}, {"is_ml": True, "Acme": 1, "Bakery": 0}]
    nothing = run_cli("query", "SET VARIABLE x = 1", "--format", "json", "--home", str(loaded_home))
    assert nothing.returncode == 0 and json.loads(nothing.stdout) == []


@pytest.mark.parametrize("output_format", ["csv", "json"])
def test_csv_and_json_take_one_result(loaded_home, output_format):
    result = run_cli("query", "SELECT 1 AS a; SELECT 2 AS b", "--format", output_format, "--home", str(loaded_home))
    assert_one_clear_error(result, "one result", "2 statements")
    assert result.stdout == ""


@pytest.mark.parametrize("sql", ["", "  \n", "-- only a note"])
def test_a_query_without_a_statement_is_one_clear_error(loaded_home, sql):
    assert_one_clear_error(run_cli("query", "-", "--home", str(loaded_home), stdin=sql), "no SQL statement")


def test_sql_from_standard_input_may_open_with_a_comment(loaded_home):
    sql = "-- ML postings, by company\nSELECT company FROM postings WHERE is_ml;\n"
    result = run_cli("query", "-", "--format", "csv", "--home", str(loaded_home), stdin=sql)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["company", "Acme"]


def test_sql_on_standard_input_that_is_not_utf8_is_one_clear_error(loaded_home):
    result = subprocess.run([sys.executable, "-m", "skilltrends", "query", "-", "--home", str(loaded_home)],
                            input="SELECT 'café' AS x".encode("latin-1"), capture_output=True, cwd=ROOT, timeout=120)
    assert_one_clear_error(subprocess.CompletedProcess(result.args, result.returncode, result.stdout.decode(),
                                                       result.stderr.decode()), "not UTF-8", "byte 11")


def test_sums_and_decimals_are_json_numbers(loaded_home):
    # DuckDB's sum of integers is a HUGEINT, which reaches Python as a decimal.
    sql = "SELECT sum(x) AS total, 2.50::DECIMAL(10, 2) AS price, [1.25::DECIMAL(5, 2)] AS xs FROM range(4) t(x)"
    result = run_cli("query", sql, "--format", "json", "--home", str(loaded_home))
    assert result.returncode == 0, result.stderr
    (row,) = json.loads(result.stdout)
    assert row == {"total": 6, "price": 2.5, "xs": [1.25]} and isinstance(row["total"], int)


@pytest.mark.parametrize("output_format", ["table", "csv", "json"])
def test_intervals_are_shown_as_text_in_every_format(loaded_home, output_format):
    # Polars cannot take an INTERVAL from DuckDB: a bare, nested or empty one raised or panicked.
    sql = ("SELECT max(last_seen) - min(first_seen) AS span, [INTERVAL 1 MONTH] AS gaps, "
           "union_value(k := 1) AS tagged FROM listings")
    for query in (sql, sql + " WHERE false"):
        result = run_cli("query", query, "--format", output_format, "--home", str(loaded_home))
        assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr
        if output_format == "json" and query == sql:
            (row,) = json.loads(result.stdout)
            assert row["gaps"] == "[1 month]" and row["tagged"] == "1" and isinstance(row["span"], str)


def test_nan_inside_lists_and_structs_is_null_too(loaded_home):
    sql = "SELECT ['nan'::DOUBLE, 1.5] AS xs, {'a': 'inf'::DOUBLE} AS s"
    as_json = run_cli("query", sql, "--format", "json", "--home", str(loaded_home))
    assert as_json.returncode == 0, as_json.stderr
    assert json.loads(as_json.stdout) == [{"xs": [None, 1.5], "s": {"a": None}}]
    as_csv = run_cli("query", sql, "--format", "csv", "--home", str(loaded_home))
    row = next(csv.DictReader(as_csv.stdout.splitlines()))
    assert (json.loads(row["xs"]), json.loads(row["s"])) == ([None, 1.5], {"a": None})


def test_output_cut_short_by_a_reader_is_no_error(loaded_home):
    # `skilltrends query ... | head -1`: the reader goes away; that is not a failure to report.
    command = (f"{sys.executable} -m skilltrends query 'SELECT * FROM range(200000)' --format csv "
               f"--home {loaded_home} | head -1")
    result = subprocess.run(["bash", "-c", command], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert result.stdout.strip() == "range" and "Error" not in result.stderr, result.stderr


def test_lists_are_json_in_csv_and_nan_is_null_in_json(loaded_home):
    sql = "SELECT company, families, 'nan'::DOUBLE AS ratio FROM postings ORDER BY company"
    as_csv = run_cli("query", sql, "--format", "csv", "--home", str(loaded_home))
    assert as_csv.returncode == 0, as_csv.stderr
    rows = list(csv.DictReader(as_csv.stdout.splitlines()))
    families = dict(snapshot_families(loaded_home))
    assert {row["company"]: json.loads(row["families"]) for row in rows} == families
    as_json = run_cli("query", sql, "--format", "json", "--home", str(loaded_home))
    assert as_json.returncode == 0, as_json.stderr
    assert [row["ratio"] for row in json.loads(as_json.stdout)] == [None, None]


def snapshot_families(home) -> list[tuple[str, list[str]]]:
    conn = duckdb.connect(str(home / "snapshot.duckdb"), read_only=True)
    try:
        return conn.execute("SELECT company, families FROM postings").fetchall()
    finally:
        conn.close()


def documented_sql() -> list[str]:
    """Every statement of the ```sql blocks of the docs that query the snapshot."""
    statements = []
    for doc in ("docs/schema.md", "docs/crawling.md"):
        for block in re.findall(r"```sql\n(.*?)```", (ROOT / doc).read_text(encoding="utf-8"), re.S):
            code = "\n".join(line for line in block.splitlines() if not line.lstrip().startswith("--"))
            statements += [statement.strip() for statement in code.split(";") if statement.strip()]
    return statements


def test_every_query_in_the_docs_runs_on_a_snapshot(loaded_home):
    from skilltrends.home import Home
    from skilltrends.query import run_query

    statements = documented_sql()
    assert len(statements) >= 6
    for statement in statements:
        run_query(Home(loaded_home), statement)  # raises on any error


def test_home_from_environment(loaded_home):
    result = run_cli("query", "SELECT count(*) AS n FROM postings", "--format", "json",
                     env={"SKILLTRENDS_HOME": str(loaded_home)})
    assert json.loads(result.stdout) == [{"n": 2}]


def test_every_command_has_help_with_an_example():
    from skilltrends.cli import cli

    for name, command in cli.commands.items():
        assert command.help and "Example" in command.help, name
