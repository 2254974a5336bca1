"""``skilltrends query``: read-only SQL on the published snapshot, printed as table, CSV or JSON."""

from __future__ import annotations

import json
from typing import TextIO

import duckdb
import polars as pl

from analysis.snapshot import open_snapshot
from skilltrends.errors import UserError, first_line
from skilltrends.home import Home


class QueryFailed(UserError):
    pass


def run_query(home: Home, sql: str) -> pl.DataFrame:
    conn = open_snapshot(home)
    try:
        relation = conn.sql(sql)
        return relation.pl() if relation is not None else pl.DataFrame()
    except duckdb.Error as exc:
        raise QueryFailed(f"The query failed: {first_line(exc)}") from None
    finally:
        conn.close()


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
