"""``skilltrends query``: read-only SQL on the published snapshot, printed as table, CSV or JSON."""

from __future__ import annotations

import json
import re
from typing import TextIO

import duckdb
import polars as pl

from analysis.snapshot import open_snapshot
from skilltrends.errors import UserError, first_line
from skilltrends.home import Home


# Column types Polars cannot take from DuckDB (an INTERVAL, as ``closed_at - first_seen``
# gives, makes it raise or panic, even nested in a list or struct); shown as DuckDB's text.
AS_TEXT = re.compile(r"\b(?:INTERVAL|UNION)\b")


class QueryFailed(UserError):
    pass


def run_query(home: Home, sql: str) -> pl.DataFrame:
    conn = open_snapshot(home)
    try:
        relation = conn.sql(sql)
        return showable(relation).pl() if relation is not None else pl.DataFrame()
    except duckdb.Error as exc:
        raise QueryFailed(f"The query failed: {first_line(exc)}") from None
    finally:
        conn.close()


def showable(relation: duckdb.DuckDBPyRelation) -> duckdb.DuckDBPyRelation:
    """``relation`` with every column of a type in ``AS_TEXT`` cast to text, by position (a
    result may repeat a column name), under its own name."""
    if not any(AS_TEXT.search(str(kind)) for kind in relation.types):
        return relation
    columns = [f"CAST(#{number} AS VARCHAR)" if AS_TEXT.search(str(kind)) else f"#{number}"
               for number, kind in enumerate(relation.types, start=1)]
    return relation.project(", ".join(f"{column} AS {quoted(name)}"
                                      for column, name in zip(columns, relation.columns)))


def quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def write_result(frame: pl.DataFrame, output_format: str, stream: TextIO) -> None:
    if output_format == "csv":
        stream.write(frame.write_csv())
    elif output_format == "json":
        json.dump(frame.to_dicts(), stream, default=str, ensure_ascii=False, indent=1)
        stream.write("\n")
    else:
        with pl.Config(tbl_rows=-1, tbl_cols=-1, fmt_str_lengths=80, tbl_width_chars=200,
                       tbl_hide_dataframe_shape=True):
            stream.write(f"{frame}\n({frame.height} rows)\n")
