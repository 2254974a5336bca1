"""Shares of ML postings mentioning a family or skill, with Wilson 95% intervals.

Pure functions, frame in, frame out. Their input is one row per (ML posting, month) —
as :func:`analysis.queries.ml_posting_months` returns — with the posting's families and
skills as lists::

    posting_id: str, month: date, families: list[str],
    skills: list[struct{skill: str, family: str}]

A posting counts once per month (and once per period) however many of its skills match,
and every posting in the frame counts in the denominator, skills or not.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import polars as pl

from analysis.families import CHART_FAMILIES
from analysis.queries import months_between
from etl.schema import Z95  # the same z as the snapshot's Wilson macros

SHARE_COLUMNS = ["postings", "total", "share", "ci_low", "ci_high"]
FAMILY_SHARE_COLUMNS = ["month", "family", *SHARE_COLUMNS]
SKILL_SHARE_COLUMNS = ["month", "skill", "family", *SHARE_COLUMNS]
TOP_SKILL_COLUMNS = ["skill", "family", *SHARE_COLUMNS]

_FRAME_COLUMNS = ("posting_id", "month", "families", "skills")

posting = pl.col("posting_id")


def wilson_interval(k: pl.Expr, n: pl.Expr, z: float = Z95) -> tuple[pl.Expr, pl.Expr]:
    """The Wilson score interval for ``k`` successes out of ``n`` trials.

    The same formula as the ``wilson_low``/``wilson_high`` SQL macros of the snapshot
    (``etl/schema.py``), to rounding: null where ``n`` is 0 or the counts cannot be (``k``
    below 0 or above ``n``), exactly 0 (1) at ``k = 0`` (``k = n``), clipped to [0, 1].

    >>> low, high = wilson_interval(pl.col("postings"), pl.col("total"))
    >>> frame.with_columns(ci_low=low, ci_high=high)  # doctest: +SKIP
    """
    k = k.cast(pl.Float64)
    n = n.cast(pl.Float64)
    p = k / n
    centre = p + z**2 / (2 * n)
    margin = z * (p * (1 - p) / n + z**2 / (4 * n * n)).sqrt()
    denominator = 1 + z**2 / n
    # At k = 0 (k = n) the bound is exactly 0 (1); say so rather than leave rounding dust.
    impossible = (n <= 0) | (k < 0) | (k > n)
    low = (
        pl.when(impossible).then(None)
        .when(k == 0).then(0.0)
        .otherwise(((centre - margin) / denominator).clip(0.0, 1.0))
    )
    high = (
        pl.when(impossible).then(None)
        .when(k == n).then(1.0)
        .otherwise(((centre + margin) / denominator).clip(0.0, 1.0))
    )
    return low, high


def family_shares(
    frame: pl.DataFrame | pl.LazyFrame,
    families: Sequence[str] = CHART_FAMILIES,
    periods: Sequence[dt.date] = (),
) -> pl.DataFrame:
    """Per month and family: the share of ML postings mentioning the family.

    Every month with at least one ML posting gets a row for each of ``families``, with
    ``postings = 0`` where none mentioned it, so a chart line never skips a month.

    :param frame: one row per (ML posting, month), see the module docstring.
    :param families: the families to report, in this order (default: the three compared).
    :param periods: months (or period starts, see ``by_period``) that get rows even without
        an ML posting: ``total = 0`` and a null share and interval there, so a chart shows
        a gap instead of drawing a line across a month with no data (``period_starts``).
    :returns: ``month, family, postings, total, share, ci_low, ci_high``, sorted by month
        then family order.
    """
    rows = _rows(frame)
    order = list(families)
    totals = _monthly_totals(rows)
    if periods:
        wanted_periods = pl.LazyFrame({"month": list(periods)}, schema={"month": pl.Date})
        totals = (
            pl.concat([totals.select("month"), wanted_periods]).unique()
            .join(totals, on="month", how="left")
            .with_columns(pl.col("total").fill_null(0))
        )
    mentions = (
        rows.select("posting_id", "month", pl.col("families").alias("family"))
        .explode("family")
        .filter(pl.col("family").is_in(order))
        .group_by("month", "family")
        .agg(postings=posting.n_unique())
    )
    wanted = pl.LazyFrame({"family": order}, schema={"family": pl.String})
    return (
        _every_month_and_key(totals, wanted, mentions, on=["month", "family"])
        .sort("month", pl.col("family").replace_strict(order, list(range(len(order)))))
        .select(FAMILY_SHARE_COLUMNS)
        .collect()
    )


def skill_shares(
    frame: pl.DataFrame | pl.LazyFrame, families: Sequence[str] | None = None
) -> pl.DataFrame:
    """Per month and skill: the share of ML postings mentioning the skill.

    Like ``monthly_skill_share``: every skill mentioned in the frame has a row in every
    month of the frame, with ``postings`` 0 in a month without a mention.

    :param families: keep only skills of these families (default: all).
    :returns: ``month, skill, family, postings, total, share, ci_low, ci_high``, sorted
        by month, then most-mentioned first, then skill name.
    """
    rows = _rows(frame)
    mentions = _skill_mentions(rows, families).group_by("month", "skill", "family").agg(postings=posting.n_unique())
    return (
        _every_month_and_key(_monthly_totals(rows), mentions.select("skill", "family").unique(), mentions,
                             on=["month", "skill", "family"])
        .sort(["month", "postings", "skill"], descending=[False, True, False])
        .select(SKILL_SHARE_COLUMNS)
        .collect()
    )


def top_skills(
    frame: pl.DataFrame | pl.LazyFrame, n: int = 15, families: Sequence[str] | None = None
) -> pl.DataFrame:
    """The ``n`` skills mentioned by the largest share of ML postings over the whole frame.

    A posting listed in several months of the period counts once.

    :param n: how many skills to keep.
    :param families: keep only skills of these families (default: all).
    :returns: ``skill, family, postings, total, share, ci_low, ci_high``, most-mentioned
        first (ties by skill name).
    """
    rows = _rows(frame)
    total = rows.select(total=posting.n_unique())
    return (
        _skill_mentions(rows, families)
        .group_by("skill", "family")
        .agg(postings=posting.n_unique())
        .join(total, how="cross")
        .pipe(_with_share)
        .sort(["postings", "skill"], descending=[True, False])
        .head(n)
        .select(TOP_SKILL_COLUMNS)
        .collect()
    )


#: The chart's periods, and how many months each spans.
RESOLUTIONS = {"month": 1, "quarter": 3, "year": 12}


def by_period(frame: pl.DataFrame | pl.LazyFrame, resolution: str = "month") -> pl.LazyFrame:
    """Re-bucket per-month rows into quarters or years (``month`` then holds the period start).

    A posting listed in several months of one period counts once there, because the
    share functions count distinct postings per period.
    """
    return _rows(frame).with_columns(pl.col("month").dt.truncate(f"{RESOLUTIONS[_checked(resolution)]}mo"))


def period_starts(start: dt.date, end: dt.date, resolution: str = "month") -> list[dt.date]:
    """The start of every period (``by_period``'s ``month``) that holds a month of ``[start, end]``."""
    step = RESOLUTIONS[_checked(resolution)]
    return sorted({month.replace(month=(month.month - 1) // step * step + 1)
                   for month in months_between(start, end)})


def period_months(period: dt.date, resolution: str, start: dt.date, end: dt.date) -> tuple[dt.date, dt.date]:
    """The first and last month of the period starting at ``period`` that lie in
    ``[start, end]``: a quarter or year cut by the selection covers only part of itself."""
    step = RESOLUTIONS[_checked(resolution)]
    index = period.year * 12 + period.month - 1 + step - 1
    period_end = dt.date(index // 12, index % 12 + 1, 1)
    return max(period, start.replace(day=1)), min(period_end, end.replace(day=1))


def _checked(resolution: str) -> str:
    if resolution not in RESOLUTIONS:
        raise ValueError(f"resolution must be one of {', '.join(RESOLUTIONS)}, not {resolution!r}")
    return resolution


def _rows(frame: pl.DataFrame | pl.LazyFrame) -> pl.LazyFrame:
    rows = frame.lazy()
    missing = [c for c in _FRAME_COLUMNS if c not in rows.collect_schema().names()]
    if missing:
        raise ValueError(
            f"expected one row per (posting, month) with columns {', '.join(_FRAME_COLUMNS)}; "
            f"missing {', '.join(missing)}"
        )
    return rows


def _monthly_totals(rows: pl.LazyFrame) -> pl.LazyFrame:
    return rows.group_by("month").agg(total=posting.n_unique())


def _skill_mentions(rows: pl.LazyFrame, families: Sequence[str] | None) -> pl.LazyFrame:
    mentions = (
        rows.select("posting_id", "month", "skills")
        .explode("skills")
        .drop_nulls("skills")
        .unnest("skills")
        .select("posting_id", "month", "skill", "family")
    )
    if families is not None:
        mentions = mentions.filter(pl.col("family").is_in(list(families)))
    return mentions


def _every_month_and_key(totals: pl.LazyFrame, keys: pl.LazyFrame, mentions: pl.LazyFrame,
                         on: list[str]) -> pl.LazyFrame:
    """A row for every month of ``totals`` and every row of ``keys`` (families, skills), with
    the ``postings`` of ``mentions`` (0 where none) and the share and interval."""
    return (
        totals.join(keys, how="cross")
        .join(mentions, on=on, how="left")
        .with_columns(pl.col("postings").fill_null(0))
        .pipe(_with_share)
    )


def _with_share(frame: pl.LazyFrame) -> pl.LazyFrame:
    postings, total = pl.col("postings"), pl.col("total")
    low, high = wilson_interval(postings, total)
    return frame.with_columns(
        postings.cast(pl.Int64),
        total.cast(pl.Int64),
        share=pl.when(total > 0).then(postings / total),
        ci_low=low,
        ci_high=high,
    )


__all__ = [
    "Z95",
    "family_shares",
    "period_months",
    "period_starts",
    "skill_shares",
    "top_skills",
    "wilson_interval",
]
