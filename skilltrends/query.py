"""``skilltrends query``: read-only SQL on the published snapshot, printed as table, CSV or JSON."""

from __future__ import annotations

import decimal
import json
import math
import re
from typing import BinaryIO, TextIO

import duckdb
import polars as pl

from analysis.snapshot import open_snapshot
from skilltrends.errors import UserError, first_line, sql_identifier
from skilltrends.home import Home


# Column types Polars cannot take from DuckDB (an INTERVAL, as ``closed_at - first_seen``
# gives, makes it raise or panic, even nested in a list or struct); shown as DuckDB's text.
AS_TEXT = re.compile(r"\b(?:INTERVAL|UNION)\b")


class QueryFailed(UserError):
    pass


def read_sql(stream: BinaryIO) -> str:
    """The SQL in ``stream`` (standard input, for ``skilltrends query -``), read as UTF-8."""
    data = stream.read()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise QueryFailed(f"The SQL on standard input is not UTF-8 text: byte {exc.start} "
                          f"({data[exc.start]:#04x}) cannot be read.") from None


def run_query(home: Home, sql: str) -> list[pl.DataFrame]:
    """The result of every statement of ``sql`` that returns rows, in order."""
    conn = open_snapshot(home)
    try:
        statements = conn.extract_statements(sql)
        if not statements:
            raise QueryFailed("The query holds no SQL statement, only blanks or comments.")
        results = []
        for statement in statements:
            relation = conn.sql(statement.query)
            if relation is not None and shows_rows(statement):
                results.append(showable(relation).pl())
        return results
    except duckdb.Error as exc:
        raise QueryFailed(f"The query failed: {failure(exc)}") from None
    finally:
        conn.close()


HINTS = ("Did you mean", "Candidate bindings")  # DuckDB's second lines worth keeping


def failure(exc: duckdb.Error) -> str:
    """DuckDB's first line, with its hint ("Did you mean "postings"?") on the same line."""
    lines = str(exc).strip().splitlines()
    message = first_line(exc)
    if len(lines) > 1 and lines[1].startswith(HINTS):
        message += " " + lines[1]
    if "the configuration has been locked" in message:
        message += (" (a query's settings are fixed: the snapshot is opened with them locked, so that no "
                    "statement can reach a file)")
    return message


# Statements that run without a result to show, though DuckDB may give them one ("Count",
# "Success"). A PIVOT may return rows or not by DuckDB's reckoning, and does.
NO_ROWS = frozenset({"SET", "VARIABLE_SET", "CREATE", "DROP", "ALTER", "TRANSACTION", "PREPARE", "DEALLOCATE"})


def shows_rows(statement) -> bool:
    return (duckdb.ExpectedResultType.QUERY_RESULT in statement.expected_result_type
            and statement.type.name not in NO_ROWS)


def showable(relation: duckdb.DuckDBPyRelation) -> duckdb.DuckDBPyRelation:
    """``relation`` with every column of a type in ``AS_TEXT`` cast to text, by position (a
    result may repeat a column name), under its own name."""
    if not any(AS_TEXT.search(str(kind)) for kind in relation.types):
        return relation
    columns = [f"CAST(#{number} AS VARCHAR)" if AS_TEXT.search(str(kind)) else f"#{number}"
               for number, kind in enumerate(relation.types, start=1)]
    return relation.project(", ".join(f"{column} AS {sql_identifier(name)}"
                                      for column, name in zip(columns, relation.columns)))


NESTED = (pl.List, pl.Array, pl.Struct, pl.Binary)


def write_results(frames: list[pl.DataFrame], output_format: str, stream: TextIO) -> None:
    """Print every result as a table, one after another; CSV and JSON hold one result."""
    if output_format != "table" and len(frames) > 1:
        raise QueryFailed(f"--format {output_format} prints one result, and {len(frames)} statements of the "
                          "query return rows: run them one at a time, or print them as tables.")
    if output_format == "json" and not frames:
        stream.write("[]\n")  # still JSON: no statement returned rows
    for number, frame in enumerate(frames):
        if number:
            stream.write("\n")
        write_result(frame, output_format, stream)


def write_result(frame: pl.DataFrame, output_format: str, stream: TextIO) -> None:
    if output_format == "csv":
        stream.write(flat(frame).write_csv())
    elif output_format == "json":
        json.dump(finite(frame.to_dicts()), stream, default=str, ensure_ascii=False, indent=1, allow_nan=False)
        stream.write("\n")
    else:
        with pl.Config(tbl_rows=-1, tbl_cols=-1, fmt_str_lengths=80, tbl_width_chars=200,
                       tbl_hide_dataframe_shape=True):
            stream.write(f"{frame}\n({frame.height} rows)\n")


def flat(frame: pl.DataFrame) -> pl.DataFrame:
    """``frame`` with lists, structs and bytes as JSON text, which a CSV cell can hold
    (``postings.families`` is a list)."""
    nested = [name for name, dtype in frame.schema.items() if isinstance(dtype, NESTED) or dtype in NESTED]
    return frame.with_columns(
        pl.Series(name, [None if value is None else json.dumps(finite(value), default=str, ensure_ascii=False)
                         for value in frame[name].to_list()], dtype=pl.String)
        for name in nested
    )


def finite(value):
    """``value`` as JSON can hold it, in lists and structs too: every NaN or infinity as
    None (JSON has neither), and every decimal as a number (DuckDB's ``sum`` of integers is
    a HUGEINT, which arrives as a decimal): an integer exactly, a fraction as a float."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, decimal.Decimal):
        if not value.is_finite():
            return None
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, list):
        return [finite(item) for item in value]
    if isinstance(value, dict):
        return {key: finite(item) for key, item in value.items()}
    return value
