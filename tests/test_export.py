"""`skilltrends export --parquet DIR`: every table of the snapshot as a Parquet file, whole."""

from __future__ import annotations

import polars as pl
import pytest

from tests.helpers import assert_one_clear_error, home_after_etl, run_cli, snapshot_rows
from tests.landing_factory import hn_item

RESEARCH_VIEWS = {"listings", "postings", "posting_skills", "posting_responsibilities",
                  "monthly_family_share", "monthly_skill_share"}  # ARCHITECTURE.md's contract


@pytest.fixture(scope="module")
def loaded_home(tmp_path_factory):
    return home_after_etl(tmp_path_factory.mktemp("home"), [
        hn_item(1, "Acme | ML Engineer | Paris<p>You will train PyTorch models and track them in MLflow.", "2024-01"),
        hn_item(2, "Bakery | Frontend Developer | Oslo<p>React and TypeScript.", "2024-02"),
        hn_item(3, "Corvid | LLM Engineer | Remote<p>Build RAG with LangChain; it's a 'quoted' job.", "2024-02"),
    ])


def export(home, target):
    return run_cli("export", "--parquet", str(target), "--home", str(home))


def test_every_table_is_written_with_the_snapshots_rows(loaded_home, tmp_path):
    target = tmp_path / "out's dir"  # a quote in the path must not break the COPY statement
    result = export(loaded_home, target)
    assert result.returncode == 0, result.stderr
    tables = {name for (name,) in snapshot_rows(
        loaded_home, "SELECT table_name FROM duckdb_tables() WHERE table_name <> 'schema_migrations'")}
    assert RESEARCH_VIEWS <= tables
    assert {path.name for path in target.iterdir()} == {f"{table}.parquet" for table in tables}
    for table in tables:
        written = pl.read_parquet(target / f"{table}.parquet")
        in_snapshot = snapshot_rows(loaded_home, f"SELECT * FROM {table}")
        assert sorted(written.rows(), key=repr) == sorted(in_snapshot, key=repr), table
    assert f"to {target}" in result.stderr


def test_a_second_export_replaces_the_files_and_leaves_nothing_partial(loaded_home, tmp_path):
    (tmp_path / "postings.parquet").write_text("an older, broken export")
    assert export(loaded_home, tmp_path).returncode == 0
    assert pl.read_parquet(tmp_path / "postings.parquet").height == snapshot_rows(
        loaded_home, "SELECT count(*) FROM postings")[0][0]
    assert not [path for path in tmp_path.iterdir() if "partial" in path.name]


def test_a_file_in_the_way_is_one_clear_error(loaded_home, tmp_path):
    in_the_way = tmp_path / "exports"
    in_the_way.write_text("not a directory")
    assert_one_clear_error(export(loaded_home, in_the_way), str(in_the_way))


def test_an_empty_directory_name_is_refused_not_taken_for_the_current_directory(loaded_home, tmp_path):
    result = run_cli("export", "--parquet", "", "--home", str(loaded_home), cwd=tmp_path)
    assert_one_clear_error(result, "--parquet")
    assert list(tmp_path.iterdir()) == []


def test_before_any_etl_it_says_what_to_run_and_makes_no_directory(tmp_path):
    assert_one_clear_error(export(tmp_path, tmp_path / "out"), "skilltrends etl")
    assert not (tmp_path / "out").exists()


def test_a_table_that_fails_to_be_written_leaves_the_earlier_export_whole(loaded_home, tmp_path, monkeypatch):
    from analysis import export as module
    from skilltrends.home import Home

    module.export_parquet(Home.resolve(loaded_home), tmp_path)
    # By inode: a table exported again has the same bytes, but a new file renamed into place.
    before = {path.name: path.stat().st_ino for path in tmp_path.iterdir()}
    write = module._write_beside

    def failing_late(conn, table, path):  # "postings" comes after several tables in order
        if table == "postings":
            raise module.ExportFailed(f"Exporting table {table} to {path} failed: disk full.")
        return write(conn, table, path)

    monkeypatch.setattr(module, "_write_beside", failing_late)
    with pytest.raises(module.ExportFailed, match="disk full"):
        module.export_parquet(Home.resolve(loaded_home), tmp_path)
    assert {path.name: path.stat().st_ino for path in tmp_path.iterdir()} == before  # no partial file either


def test_a_table_that_cannot_be_replaced_leaves_the_earlier_export_whole(loaded_home, tmp_path):
    assert export(loaded_home, tmp_path).returncode == 0
    before = {path.name: path.read_bytes() for path in tmp_path.iterdir()}
    (tmp_path / "postings.parquet").unlink()
    (tmp_path / "postings.parquet").mkdir()  # in the way of one table, not the first in order
    del before["postings.parquet"]
    result = export(loaded_home, tmp_path)
    assert_one_clear_error(result, str(tmp_path / "postings.parquet"), "is a directory")
    assert "Errno" not in result.stderr
    assert {path.name: path.read_bytes() for path in tmp_path.iterdir() if path.is_file()} == before
