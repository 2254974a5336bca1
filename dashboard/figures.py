"""Figure builders: data frames in, ``plotly.graph_objects.Figure`` out.

They need no app or snapshot, so tests call them directly.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

import plotly.graph_objects as go
import polars as pl

from analysis.families import CHART_FAMILIES, label
from dashboard.theme import band_colour, family_colour, month_label

_SHARE_COLUMNS = ("month", "family", "postings", "total", "share", "ci_low", "ci_high")
# How a point's date is written on the axis and atop the hover, by what a point covers.
_PERIOD_FORMATS = {"month": "%b %Y", "quarter": "Q%q %Y", "year": "%Y"}


def family_share_figure(
    shares,
    families=CHART_FAMILIES,
    period_labels: Mapping[dt.date, str] | None = None,
    resolution: str = "month",
) -> go.Figure:
    """Monthly share of ML postings mentioning each family, with 95% Wilson bands.

    :param shares: the frame :func:`analysis.shares.family_shares` returns (Polars, or
        anything ``pl.DataFrame`` accepts, e.g. pandas): ``month, family, postings, total,
        share, ci_low, ci_high``. A row with a null share (a month without ML postings) is a
        gap in the line and the band.
    :param families: which families to draw, in legend order; those absent from the frame
        are skipped.
    :param period_labels: what each point's hover says it covers, by its ``month`` ("Feb–Mar
        2022" for a quarter cut by the selection); by default the month.
    :param resolution: what a point covers (``month``, ``quarter``, ``year``), for the axis
        labels: "Mar 2024", "Q1 2024", "2024".
    :returns: for each family drawn, two traces in this order: its interval band (a closed
        polygon per run of points without a gap, ``fill="toself"``, named ``"<family> 95%
        CI"``) and its share line (named by the family's label, ``meta`` = the family).
    """
    frame = _as_polars(shares)
    missing = [c for c in _SHARE_COLUMNS if c not in frame.columns]
    if missing:
        raise ValueError(f"family_share_figure needs columns {', '.join(missing)}")
    figure = go.Figure()
    top = 0.0
    for family in families:
        rows = frame.filter(pl.col("family") == family).sort("month")
        if rows.is_empty():
            continue
        months = rows["month"].to_list()
        low, high = rows["ci_low"].to_list(), rows["ci_high"].to_list()
        top = max([top, *(value for value in high if value is not None)])
        band_x, band_y, alone = _band_polygons(months, low, high)
        values = rows["share"].to_list()
        covers = [(period_labels or {}).get(month) or month_label(month) for month in months]
        figure.add_trace(
            go.Scatter(
                x=band_x,
                y=band_y,
                fill="toself",
                fillcolor=band_colour(family),
                line={"width": 0},
                mode="lines",
                hoverinfo="skip",
                showlegend=False,
                legendgroup=family,
                name=f"{family} 95% CI",
                meta=f"{family}:band",
            )
        )
        figure.add_trace(
            go.Scatter(
                x=months,
                y=values,
                # A point between two gaps has no band to draw (a polygon needs two points
                # across): its interval is an error bar in the band's colour.
                error_y=_lone_intervals(values, low, high, alone, band_colour(family, 0.5)),
                mode="lines+markers",
                line={"color": family_colour(family), "width": 2.5},
                marker={"size": 6},
                name=label(family),
                legendgroup=family,
                meta=family,
                customdata=list(
                    zip(rows["postings"].to_list(), rows["total"].to_list(), low, high, covers)
                ),
                hovertemplate=(
                    f"<b>{label(family)}</b> %{{y:.1%}}"
                    " (%{customdata[0]} of %{customdata[1]} ML postings, %{customdata[4]};"
                    " 95% CI %{customdata[2]:.1%}–%{customdata[3]:.1%})<extra></extra>"
                ),
            )
        )
    figure.update_layout(
        template="plotly_white",
        height=420,
        margin={"l": 56, "r": 16, "t": 32, "b": 80},
        # The legend below the plot: above it, on a narrow screen, it wraps under the toolbar.
        legend={"orientation": "h", "yanchor": "top", "y": -0.12, "x": 0},
        hovermode="x unified",
        yaxis={
            "title": "share of ML postings",
            "tickformat": ".0%",
            # A little room below 0% and above the highest bound, so markers there show whole.
            "range": _share_range(top),
        },
        xaxis=_period_ticks(frame["month"], _PERIOD_FORMATS.get(resolution, _PERIOD_FORMATS["month"])),
    )
    return figure


def family_share_summary(shares, period_labels: Mapping[dt.date, str] | None = None,
                         families=CHART_FAMILIES) -> str:
    """The chart in words, for those who cannot see it: each family's share at its first and
    its last period with ML postings, e.g. "Share of ML postings mentioning each family.
    LLM: 0% in 2016, 87% in 2026."."""
    frame = _as_polars(shares).drop_nulls("share").sort("month")
    parts = []
    for family in families:
        rows = frame.filter(pl.col("family") == family)
        if rows.is_empty():
            continue
        ends = [rows.row(index, named=True) for index in sorted({0, rows.height - 1})]
        said = [f"{_rounded_share(row['share'])} in "
                f"{(period_labels or {}).get(row['month']) or month_label(row['month'])}" for row in ends]
        parts.append(f"{label(family)}: {', '.join(said)}.")
    if not parts:
        return "Share of ML postings mentioning each family: no period with ML postings."
    return " ".join(["Share of ML postings mentioning each family.", *parts])


def _rounded_share(share: float) -> str:
    """A share in whole percents, except that a share above 0 is never "0%" nor one below 1 "100%"."""
    if 0 < share < 0.005:
        return "under 1%"
    if 0.995 <= share < 1:
        return "over 99%"
    return f"{share:.0%}"


def _share_range(top: float) -> list[float]:
    """The share axis: up to the highest interval bound, with 6% of that as room above it and
    2% below 0 (room in proportion, so a chart of small shares is not a third below 0)."""
    upper = min(1.0, top) * 1.06 if top > 0 else 1.0
    return [-0.02 * upper, upper]


def _band_polygons(months: list, low: list, high: list) -> tuple[list, list, set[int]]:
    """The band's outline: for each run of two points or more with an interval, along the
    upper bounds and back along the lower ones; runs apart by ``None``, so a gap stays
    empty. Also the points that stand alone between gaps (no polygon for them)."""
    xs, ys, run, alone = [], [], [], set()
    for index, month in enumerate([*months, None]):
        if month is not None and low[index] is not None and high[index] is not None:
            run.append(index)
            continue
        if len(run) == 1:
            alone.add(run[0])
        elif run:
            xs += [months[i] for i in run] + [months[i] for i in reversed(run)] + [None]
            ys += [high[i] for i in run] + [low[i] for i in reversed(run)] + [None]
        run = []
    return xs[:-1], ys[:-1], alone


def _lone_intervals(shares: list, low: list, high: list, alone: set[int], colour: str) -> dict:
    """``error_y`` drawing the interval of each point in ``alone``, and nothing elsewhere."""
    return {
        "type": "data", "symmetric": False, "visible": bool(alone), "color": colour, "thickness": 4, "width": 0,
        "array": [high[i] - shares[i] if i in alone else None for i in range(len(shares))],
        "arrayminus": [shares[i] - low[i] if i in alone else None for i in range(len(shares))],
    }


def _period_ticks(months: pl.Series, date_format: str) -> dict:
    """A tick per point for a dozen points or fewer, as far apart as the points are (a month,
    a quarter, a year: the periods ``analysis.shares.by_period`` makes); Plotly's own beyond.
    Ticks and the hover's title written in ``date_format``."""
    formats = {"tickformat": date_format, "hoverformat": date_format}
    points = months.unique().sort().to_list()
    if len(points) > 12:
        return formats
    indices = [point.year * 12 + point.month for point in points]
    step = min((b - a for a, b in zip(indices, indices[1:])), default=1)
    return {**formats, "dtick": f"M{step}", "tick0": points[0] if points else None}


def _as_polars(frame) -> pl.DataFrame:
    if isinstance(frame, pl.DataFrame):
        return frame
    if isinstance(frame, pl.LazyFrame):
        return frame.collect()
    if type(frame).__module__.startswith("pandas"):
        return pl.from_pandas(frame)
    return pl.DataFrame(frame)
