"""``skilltrends query``: read-only SQL on the published snapshot, printed as table, CSV or JSON."""

from __future__ import annotations

import json
import math
import re
from typing import TextIO

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
    return relation.project(", ".join(f"{column} AS {sql_identifier(name)}"
                                      for column, name in zip(columns, relation.columns)))


NESTED = (pl.List, pl.Array, pl.Struct, pl.Binary)


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
    """``value`` with every NaN or infinity in it, in lists and structs too, as None: JSON
    has neither."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, list):
        return [finite(item) for item in value]
    if isinstance(value, dict):
        return {key: finite(item) for key, item in value.items()}
    return value
