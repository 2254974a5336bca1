from dash import html

DEMO_MESSAGE = "Showing generated demo data, not real job postings."


def demo_banner(demo: bool):
    """A plain-language banner when the snapshot holds demo data; None otherwise."""
    if not demo:
        return None
    return html.Div(DEMO_MESSAGE, id="demo-banner", className="banner banner-demo", role="status")
