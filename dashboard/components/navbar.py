import dash
from dash import html


def navbar():
    """The top bar: the product name and a link to every registered page."""
    links = [
        html.A(page["name"], href=page["relative_path"], className="nav-link")
        for page in dash.page_registry.values()
        if not page["module"].endswith("not_found_404")
    ]
    return html.Header(
        [
            html.A("skilltrends", href="/", className="brand"),
            html.Span(
                "Classic ML, MLOps and LLM skills in ML job postings", className="tagline"
            ),
            html.Nav(links, className="nav-links"),
        ],
        className="navbar",
    )


def footer():
    return html.Footer(
        [
            "Shares are of ML postings (postings hiring for roles that build, train, deploy "
            "or apply ML models); a posting counts once a period (a month, a quarter or a year) "
            "however many of a family's skills it names. Shaded bands are 95% Wilson score intervals.",
        ],
        className="footer",
    )
