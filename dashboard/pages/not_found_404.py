"""Shown for any path no page claims."""

import dash
from dash import html

dash.register_page(__name__, path="/404", name="Not found", title="skilltrends — not found")


def layout(**_query):
    return html.Main(
        [
            html.H1("Page not found"),
            html.P(["There is no page at this address. ", html.A("Back to the overview", href="/"), "."]),
        ],
        className="page",
    )
