"""``skilltrends export --parquet DIR``: the published snapshot's tables as Parquet files.

One ``<table>.parquet`` per table of the snapshot (the research views of docs/schema.md,
``meta`` with the taxonomy and extractor versions, the crawl bookkeeping), for tools that
read Parquet rather than DuckDB. Every file is written beside its final name, and only
then is each renamed into place: a reader of ``DIR`` sees a table's previous export or its
new one, never half a file, and a table that cannot be written leaves the earlier export
whole (a rename that fails, rarer, leaves the tables renamed before it new). DuckDB streams each table to disk, so the export does not hold a table in
memory.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import duckdb

from analysis.snapshot import open_snapshot
from skilltrends.errors import UserError, first_line, sql_identifier, sql_string
from skilltrends.home import Home

# Bookkeeping of the schema itself, of no use outside DuckDB.
LEFT_OUT = ("schema_migrations",)


class ExportFailed(UserError):
    pass


@dataclass(frozen=True)
class ExportedTable:
    table: str
    rows: int
    path: Path


def export_parquet(home: Home, target: Path) -> list[ExportedTable]:
    """Write every table of the current snapshot to ``target/<table>.parquet``: all of them
    beside their final names first, then each renamed into place, so a table that cannot be
    written leaves the earlier export whole."""
    if target.exists() and not target.is_dir():
        raise ExportFailed(f"Cannot export to {target}: it is a file, not a directory.")
    # Our own statements only, so this one connection may write files (open_snapshot's
    # others may not).
    with open_snapshot(home, sealed=False) as conn:
        tables = [name for (name,) in conn.execute(
            "SELECT table_name FROM duckdb_tables() WHERE schema_name = 'main' ORDER BY table_name"
        ).fetchall() if name not in LEFT_OUT]
        paths = {table: target / f"{table}.parquet" for table in tables}
        for table, path in paths.items():
            if path.is_dir():
                raise ExportFailed(f"Cannot export table {table}: {path} is a directory.")
        try:
            target.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise ExportFailed(f"Cannot create the export directory {target}: {exc.strerror}.") from None
        try:
            exported = [_write_beside(conn, table, path) for table, path in paths.items()]
            for table in exported:
                _put_in_place(table)
        finally:
            for path in paths.values():
                _partial(path).unlink(missing_ok=True)
    return exported


def _partial(path: Path) -> Path:
    return path.with_name(f".{path.name}.partial")


def _write_beside(conn: duckdb.DuckDBPyConnection, table: str, path: Path) -> ExportedTable:
    """Write ``table`` next to ``path`` (``_partial``)."""
    # JSON columns (crawl_runs.stats) go out as text: Parquet readers would see bytes.
    columns = ", ".join(f"{sql_identifier(name)}::VARCHAR AS {sql_identifier(name)}" if kind == "JSON"
                        else sql_identifier(name)
                        for name, kind in conn.execute(
                            "SELECT column_name, data_type FROM duckdb_columns() "
                            "WHERE schema_name = 'main' AND table_name = ? ORDER BY column_index", [table]
                        ).fetchall())
    # COPY takes no parameter for its file name: the path goes in as a quoted literal, the
    # names (from DuckDB's catalog) as quoted identifiers.
    identifier = sql_identifier(table)
    try:
        conn.execute(f"COPY (SELECT {columns} FROM {identifier}) TO {sql_string(_partial(path))} "
                     "(FORMAT parquet)").fetchall()
        (rows,) = conn.execute(f"SELECT count(*) FROM {identifier}").fetchone()
    except duckdb.Error as exc:
        raise ExportFailed(f"Exporting table {table} to {path} failed: {first_line(exc)}") from None
    return ExportedTable(table, rows, path)


def _put_in_place(table: ExportedTable) -> None:
    try:
        os.replace(_partial(table.path), table.path)
    except OSError as exc:
        raise ExportFailed(f"Exporting table {table.table} to {table.path} failed: {exc.strerror}.") from None
