"""Overview: the three families' monthly shares, top skills and example postings."""

from __future__ import annotations

import dash
from dash import Input, Output, State, dcc, html
from dash.exceptions import PreventUpdate

from analysis import queries, shares
from analysis.families import CHART_FAMILIES, label
from analysis.snapshot import SnapshotUnavailable, open_snapshot
from dashboard.components import (
    demo_banner,
    empty_state,
    freshness_line,
    posting_card,
    top_skills_table,
)
from dashboard.components.top_skills_table import TABLE_ID
from dashboard.context import callback_registry, current_home
from dashboard.figures import family_share_figure
from dashboard.theme import month_label, source_label, span_label

dash.register_page(__name__, path="/", name="Overview", title="skilltrends — overview", order=0)
page_callback, register_callbacks = callback_registry()

TOP_N = 15
EXAMPLE_LIMIT = 5
DEFAULT_PICK = f"family:{CHART_FAMILIES[-1]}"

NO_SOURCES = "Choose at least one source."
NO_RANGE = "Choose a start and an end month."
BAD_RANGE = "The start month is after the end month."
NO_ML_POSTINGS = "No ML postings in this range."
NOT_A_MONTH = "The start or the end is not a month."
# Problems after which there is no range to query at all.
NO_USABLE_RANGE = (NO_RANGE, NOT_A_MONTH)


def layout(**_query):
    try:
        with open_snapshot(current_home()) as conn:
            span = queries.month_range(conn)
            sources = queries.available_sources(conn)
    except SnapshotUnavailable as exc:
        return html.Main(empty_state(str(exc), id="overview-missing"), className="page")
    if span is None:
        return html.Main(
            empty_state(
                "The snapshot holds no postings yet.",
                "Run `skilltrends crawl SOURCE` and then `skilltrends etl`.",
                id="overview-missing",
            ),
            className="page",
        )
    months = [
        {"label": month_label(m), "value": m.isoformat()} for m in queries.months_between(*span)
    ]
    return html.Main(
        [
            html.Div(id="overview-banner"),
            html.H1("How is demand shifting between classic ML, MLOps and LLM skills?"),
            html.P(
                "Each line is the share of ML job postings in a month (or a quarter, or a year) "
                "that mention at least one skill of the family; the shaded band around it is its "
                "95% interval. A gap is a period without ML postings; a quarter or a year cut by "
                "From or To counts only the months chosen, as its hover says.",
                className="lede",
            ),
            html.Section(
                [
                    _control("From", dcc.Dropdown(id="overview-start", options=months,
                                                  value=months[0]["value"], clearable=False)),
                    _control("To", dcc.Dropdown(id="overview-end", options=months,
                                                value=months[-1]["value"], clearable=False)),
                    _control(
                        "Sources",
                        dcc.Checklist(
                            id="overview-sources",
                            options=[{"label": source_label(s), "value": s} for s in sources],
                            value=sources,
                            inline=True,
                            className="checklist",
                        ),
                        wide=True,
                    ),
                    _control(
                        "Points per",
                        dcc.RadioItems(
                            id="overview-resolution",
                            options=[{"label": r.capitalize(), "value": r} for r in shares.RESOLUTIONS],
                            value="month",
                            inline=True,
                            className="checklist",
                        ),
                    ),
                ],
                className="controls",
            ),
            html.P(id="overview-freshness", className="freshness"),
            html.Div(id="overview-chart", className="chart"),
            html.Section(
                [
                    html.H2("Top skills in the period"),
                    html.P("Click a skill to see postings that mention it.", className="hint"),
                    html.Div(id="overview-top-skills"),
                ],
                className="panel",
            ),
            html.Section(
                [
                    html.H2("Example postings"),
                    _control("Postings mentioning", dcc.Dropdown(id="example-pick", clearable=False)),
                    html.Div(id="overview-examples", className="examples"),
                ],
                className="panel",
            ),
        ],
        className="page",
    )


def _control(text, widget, wide=False):
    return html.Div(
        [html.Label(text, htmlFor=widget.id, className="control-label"), widget],
        className="control control-wide" if wide else "control",
    )


@page_callback(
    Output("overview-banner", "children"),
    Output("overview-freshness", "children"),
    Output("overview-chart", "children"),
    Output("overview-top-skills", "children"),
    Output("example-pick", "options"),
    Output("example-pick", "value"),
    Input("overview-start", "value"),
    Input("overview-end", "value"),
    Input("overview-sources", "value"),
    Input("overview-resolution", "value"),
    State("example-pick", "value"),
)
def update_overview(start, end, sources, resolution, picked):
    """Recompute the chart, counts, table and example choices for the selection."""
    start, end, sources, problem = _read_selection(start, end, sources)
    if problem in NO_USABLE_RANGE:
        return None, None, empty_state(problem, id="chart-empty"), None, [], None
    if not isinstance(resolution, str) or resolution not in shares.RESOLUTIONS:
        resolution = "month"
    try:
        with open_snapshot(current_home()) as conn:
            # Periods are drawn one by one: never more than the snapshot's own (a request made
            # by hand for 0001-9999 took 22 s).
            start, end = _within(queries.month_range(conn), start, end)
            fresh = queries.freshness(conn, start, end, sources)
            rows = queries.ml_posting_months(conn, start, end, sources)
    except SnapshotUnavailable as exc:
        return None, None, empty_state(str(exc), id="chart-empty"), None, [], None
    banner = demo_banner(fresh.demo)
    fresh_line = freshness_line(fresh, start, end)
    problem = problem or (NO_ML_POSTINGS if rows.is_empty() else None)
    if problem:
        options = _pick_options()
        return banner, fresh_line, empty_state(problem, id="chart-empty"), None, options, _keep(picked, options)

    figure = _share_figure(rows, queries.to_month(start), queries.to_month(end), resolution)
    top = shares.top_skills(rows, TOP_N)
    options = _pick_options(top)
    chart = dcc.Graph(id="family-chart", figure=figure, config={"displaylogo": False})
    table = top_skills_table(top) if not top.is_empty() else empty_state(
        "No skills recognised in these postings.", id="top-skills-empty"
    )
    return banner, fresh_line, chart, table, options, _keep(picked, options)


def _share_figure(rows, start, end, resolution):
    """The chart: a point per period of the selection, a gap where a period has no ML
    posting, and each point's hover naming the months it covers (a quarter or a year cut by
    From or To covers only some of its own)."""
    periods = shares.period_starts(start, end, resolution)
    covered = {period: span_label(*shares.period_months(period, resolution, start, end)) for period in periods}
    frame = shares.family_shares(shares.by_period(rows, resolution), periods=periods)
    return family_share_figure(frame, period_labels=covered)


def _pick_options(top=None):
    """The example picker's choices: each charted family, then the period's top skills."""
    options = [
        {"label": f"{label(f)} (any {label(f)} skill)", "value": f"family:{f}"} for f in CHART_FAMILIES
    ]
    if top is not None:
        options += [
            {"label": f"{skill} ({label(family)})", "value": f"skill:{skill}"}
            for skill, family in top.select("skill", "family").iter_rows()
        ]
    return options


def _keep(picked, options):
    return picked if isinstance(picked, str) and picked in {o["value"] for o in options} else DEFAULT_PICK


def _within(span, start, end):
    """``start`` and ``end`` (ISO dates) narrowed to the snapshot's months ``span``, if any."""
    if span is None:
        return start, end
    first, last = (month.isoformat() for month in span)
    return max(start, first), min(end, last)


@page_callback(
    Output("example-pick", "value", allow_duplicate=True),
    Input(TABLE_ID, "active_cell"),
    State(TABLE_ID, "derived_viewport_data"),
    prevent_initial_call=True,
)
def pick_from_table(cell, rows):
    """Clicking a row of the top-skills table shows that skill's postings."""
    row = cell.get("row") if isinstance(cell, dict) else None
    if not isinstance(rows, list) or not isinstance(row, int) or not 0 <= row < len(rows):
        raise PreventUpdate
    skill = rows[row].get("skill") if isinstance(rows[row], dict) else None
    if not isinstance(skill, str):
        raise PreventUpdate
    return f"skill:{skill}"


@page_callback(
    Output("overview-examples", "children"),
    Input("example-pick", "value"),
    Input("overview-start", "value"),
    Input("overview-end", "value"),
    Input("overview-sources", "value"),
)
def update_examples(pick, start, end, sources):
    """Up to five recent postings for the chosen family or skill, shown as text."""
    start, end, sources, problem = _read_selection(start, end, sources)
    if problem or not pick or not isinstance(pick, str):
        return empty_state(problem or "Pick a family or a skill.", id="examples-empty")
    kind, _, name = pick.partition(":")
    if kind not in ("family", "skill") or not name:
        raise PreventUpdate
    try:
        with open_snapshot(current_home()) as conn:
            found = queries.example_postings(
                conn, start, end, sources, limit=EXAMPLE_LIMIT, **{kind: name}
            )
            demo = queries.is_demo(conn)
    except SnapshotUnavailable as exc:
        return empty_state(str(exc), id="examples-empty")
    if found.is_empty():
        return empty_state("No ML postings in this range mention it.", id="examples-empty")
    what = label(name) if kind == "family" else name
    intro = (
        f"The most recent ML posting mentioning {what}:"
        if found.height == 1
        else f"The {found.height} most recent ML postings mentioning {what}:"
    )
    return [
        html.P(intro, className="hint"),
        *(posting_card(row, link=not demo) for row in found.iter_rows(named=True)),
    ]


def _read_selection(start, end, sources):
    """``(start, end, sources, problem)``: the months as ISO dates and the chosen sources,
    and the problem to show instead of (or beside) the data, if any. A request made by hand
    with values the controls cannot send (not a month, sources that are not a list of
    names) gets a problem too, never a server error."""
    sources = [s for s in sources if isinstance(s, str)] if isinstance(sources, (list, tuple)) else []
    if not start or not end:
        return start, end, sources, NO_RANGE
    try:
        first, last = queries.to_month(start), queries.to_month(end)
    except (ValueError, TypeError):
        return start, end, sources, NOT_A_MONTH
    start, end = first.isoformat(), last.isoformat()
    if not sources:
        return start, end, sources, NO_SOURCES
    return start, end, sources, BAD_RANGE if first > last else None
