"""Overview: the three families' monthly shares, top skills and example postings."""

from __future__ import annotations

import dash
from dash import Input, Output, State, ctx, dcc, html, no_update
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
from dashboard.figures import family_share_figure, family_share_summary
from dashboard.theme import month_label, source_label, span_label
from dashboard.url_state import Selection, parse_search, query_from_selection, selection_from_query

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
# Nothing leaves the machine: no "send to Plotly Cloud" or "edit in Chart Studio" buttons.
CHART_CONFIG = {"displaylogo": False, "responsive": True, "showSendToCloud": False, "showEditInChartStudio": False,
                "modeBarButtonsToRemove": ["sendDataToCloud"]}
# Problems after which there is no range to query at all.
NO_USABLE_RANGE = (NO_RANGE, NOT_A_MONTH)
NEWER_DATA = "Months or sources were published after this page was loaded: "


def layout(**query):
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
    chosen = selection_from_query(query, [m["value"] for m in months], sources, shares.RESOLUTIONS)
    return html.Main(
        [
            # refresh=False: the address follows the controls without reloading the page.
            dcc.Location(id="overview-url", refresh=False),
            # What the controls offer, to tell when a newer snapshot offers more.
            dcc.Store(id="overview-offered", data=_offered(span, sources)),
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
                                                  value=chosen.start, clearable=False)),
                    _control("To", dcc.Dropdown(id="overview-end", options=months,
                                                value=chosen.end, clearable=False)),
                    _control(
                        "Sources",
                        dcc.Checklist(
                            id="overview-sources",
                            options=[{"label": source_label(s), "value": s} for s in sources],
                            value=chosen.sources,
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
                            value=chosen.resolution,
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


def _offered(span, sources) -> dict:
    first, last = span
    return {"first": first.isoformat(), "last": last.isoformat(), "sources": list(sources)}


def _control(text, widget, wide=False):
    """A labelled control. A group of boxes or buttons (no one element a label can be "for")
    is a group named by its label, for screen readers."""
    label_id = f"{widget.id}-label"
    grouped = isinstance(widget, (dcc.Checklist, dcc.RadioItems))
    return html.Div(
        [html.Label(text, htmlFor=None if grouped else widget.id, id=label_id, className="control-label"), widget],
        className="control control-wide" if wide else "control",
        **({"role": "group", "aria-labelledby": label_id} if grouped else {}),
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
    State("overview-offered", "data"),
)
def update_overview(start, end, sources, resolution, picked, offered):
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
            span = queries.month_range(conn)
            newer = span is not None and offered != _offered(span, queries.available_sources(conn))
            start, end = _within(span, start, end)
            fresh = queries.freshness(conn, start, end, sources)
            rows = queries.ml_posting_months(conn, start, end, sources)
    except SnapshotUnavailable as exc:
        return None, None, empty_state(str(exc), id="chart-empty"), None, [], None
    banner = [demo_banner(fresh.demo), _newer_data_notice() if newer else None]
    fresh_line = None if problem == BAD_RANGE else freshness_line(fresh, start, end)
    problem = problem or (NO_ML_POSTINGS if rows.is_empty() else None)
    if problem:
        options = _pick_options(picked=picked)
        return banner, fresh_line, empty_state(problem, id="chart-empty"), None, options, _keep(picked, options)

    figure, summary = _share_figure(rows, queries.to_month(start), queries.to_month(end), resolution)
    top = shares.top_skills(rows, TOP_N)
    options = _pick_options(top, picked)
    # A figure named by what it shows, for screen readers, which cannot read the plot itself.
    chart = html.Div(dcc.Graph(id="family-chart", figure=figure, config=CHART_CONFIG), role="figure",
                     id="family-chart-figure", **{"aria-label": summary})
    table = top_skills_table(top) if not top.is_empty() else empty_state(
        "No skills recognised in these postings.", id="top-skills-empty"
    )
    return banner, fresh_line, chart, table, options, _keep(picked, options)


def _newer_data_notice():
    # A plain link to the address as it stands: the page is built again from it, with the
    # new months and sources offered and this selection kept.
    return html.P([NEWER_DATA, html.A("reload the page", href="", id="overview-reload"), " to choose them."],
                  id="overview-newer", className="banner banner-notice", role="status")


@page_callback(
    Output("overview-url", "search"),
    Output("overview-start", "value"),
    Output("overview-end", "value"),
    Output("overview-sources", "value"),
    Output("overview-resolution", "value"),
    Input("overview-url", "search"),
    Input("overview-start", "value"),
    Input("overview-end", "value"),
    Input("overview-sources", "value"),
    Input("overview-resolution", "value"),
    State("overview-start", "options"),
    State("overview-sources", "options"),
    prevent_initial_call=True,
)
def sync_address(search, start, end, sources, resolution, month_options, source_options):
    """The controls written to the address (a new history entry for each change), and the
    controls set from the address when it changes without them (Back, Forward)."""
    months = [o["value"] for o in month_options or [] if isinstance(o, dict)]
    offered = [o["value"] for o in source_options or [] if isinstance(o, dict)]
    if not months or not offered:
        raise PreventUpdate
    if ctx.triggered_id == "overview-url":
        wanted = selection_from_query(parse_search(search), months, offered, shares.RESOLUTIONS)
        current = (start, end, sources, resolution)
        new = (wanted.start, wanted.end, wanted.sources, wanted.resolution)
        if new == current:
            raise PreventUpdate
        return no_update, *(n if n != c else no_update for n, c in zip(new, current))
    if not isinstance(start, str) or not isinstance(end, str) or not isinstance(sources, list):
        raise PreventUpdate
    chosen = Selection(start, end, [s for s in sources if isinstance(s, str)], str(resolution))
    if not chosen.sources:
        raise PreventUpdate  # "no source" is no view to keep: an address without sources means all
    wanted = query_from_selection(chosen, months, offered)
    if wanted == (search or ""):
        raise PreventUpdate
    return wanted, no_update, no_update, no_update, no_update


def _share_figure(rows, start, end, resolution):
    """The chart: a point per period of the selection, a gap where a period has no ML
    posting, and each point's hover naming the months it covers (a quarter or a year cut by
    From or To covers only some of its own); and its summary in words."""
    periods = shares.period_starts(start, end, resolution)
    covered = {period: span_label(*shares.period_months(period, resolution, start, end)) for period in periods}
    frame = shares.family_shares(shares.by_period(rows, resolution), periods=periods)
    return (family_share_figure(frame, period_labels=covered, resolution=resolution),
            family_share_summary(frame, covered))


def _pick_options(top=None, picked=None):
    """The example picker's choices: each charted family, then the period's top skills, and a
    skill picked before that is not among them now (a new range keeps the pick: its examples
    say when none is left)."""
    options = [
        {"label": f"{label(f)} (any {label(f)} skill)", "value": f"family:{f}"} for f in CHART_FAMILIES
    ]
    if top is not None:
        options += [
            {"label": f"{skill} ({label(family)})", "value": f"skill:{skill}"}
            for skill, family in top.select("skill", "family").iter_rows()
        ]
    if isinstance(picked, str) and picked.startswith("skill:") and len(picked) > len("skill:") \
            and picked not in {o["value"] for o in options}:
        options.append({"label": f"{picked.removeprefix('skill:')} (not among this range's top skills)",
                        "value": picked})
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
    Output(TABLE_ID, "active_cell"),
    Input(TABLE_ID, "active_cell"),
    State(TABLE_ID, "derived_viewport_data"),
    prevent_initial_call=True,
)
def pick_from_table(cell, rows):
    """Clicking a row of the top-skills table shows that skill's postings. The click is
    forgotten once read, so clicking the same cell again (after picking something else in
    the dropdown) picks it again."""
    row = cell.get("row") if isinstance(cell, dict) else None
    if not isinstance(rows, list) or not isinstance(row, int) or not 0 <= row < len(rows):
        raise PreventUpdate
    skill = rows[row].get("skill") if isinstance(rows[row], dict) else None
    if not isinstance(skill, str):
        raise PreventUpdate
    return f"skill:{skill}", None


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
    what = label(name) if kind == "family" else name
    if found.is_empty():
        return empty_state(f"No ML posting in this range mentions {what}.", id="examples-empty")
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
