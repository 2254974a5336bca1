"""The documentation matches the code: CLI reference, data dictionary."""

from __future__ import annotations

import re

import duckdb

from etl.schema import migrate
from skilltrends.cli_docs import render_cli_reference
from tests.helpers import PROJECT

RESEARCH_TABLES = ["listings", "postings", "posting_skills", "posting_responsibilities", "posting_months",
                   "monthly_family_share", "monthly_skill_share"]


def test_cli_reference_is_up_to_date():
    assert (PROJECT / "docs" / "cli.md").read_text() == render_cli_reference(), \
        "regenerate it: python -m skilltrends.cli_docs > docs/cli.md"


def test_cli_reference_shows_what_help_prints():
    """Each command's section is what ``skilltrends CMD --help`` really prints (the reference
    once said ``--help`` where the commands take ``-h, --help`` too)."""
    from click.testing import CliRunner

    from skilltrends.cli import cli

    reference = " ".join((PROJECT / "docs" / "cli.md").read_text().split())  # lines wrap by terminal width
    for command in [["dashboard"], ["crawl"], ["demo"], ["boards", "check"]]:  # not the list of commands: cut by width
        printed = CliRunner().invoke(cli, [*command, "--help"], prog_name="skilltrends").output
        assert "-h, --help" in printed
        assert " ".join(printed.split()) in reference, f"docs/cli.md differs from `{' '.join(command)} --help`"


def test_every_research_column_is_documented():
    conn = duckdb.connect()
    migrate(conn)
    schema_doc = (PROJECT / "docs" / "schema.md").read_text()
    for table in RESEARCH_TABLES:
        section = schema_doc.split(f"## `{table}`", 1)
        assert len(section) == 2, f"docs/schema.md has no section for {table}"
        body = section[1].split("\n## ", 1)[0]
        documented = set(re.findall(r"`([a-z_]+)`", body))
        columns = {name for (name,) in conn.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_name = ?", [table]).fetchall()}
        assert columns - documented == set(), f"{table}: undocumented columns {columns - documented}"


def test_every_sql_example_of_the_docs_runs_on_a_snapshot(tmp_path):
    """The queries the docs offer researchers run on a real snapshot's schema (the yearly LLM
    share, the per-source series, the listings' lifecycle...): a renamed column or macro
    would leave a doc that fails for every reader."""
    from tests.snapshot_factory import make_snapshot

    path = make_snapshot(tmp_path, [{"posting_id": "a", "months": ["2024-01", ("greenhouse", "2024-02")],
                                     "skills": [("PyTorch", "classic_ml"), ("LLM", "llm")]}])
    docs = {doc: (PROJECT / doc).read_text() for doc in ("README.md", "docs/schema.md", "docs/crawling.md",
                                                          "docs/cli.md")}
    blocks = [block for text in docs.values() for block in re.findall(r"```sql\n(.*?)```", text, re.S)]
    blocks += re.findall(r'skilltrends query "([^"]+)"', docs["README.md"] + docs["docs/cli.md"])
    assert len(blocks) >= 6
    conn = duckdb.connect(str(path), read_only=True)
    for block in blocks:
        for statement in filter(str.strip, re.sub(r"--[^\n]*", "", block).split(";")):
            conn.execute(statement).fetchall()
