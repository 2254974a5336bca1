import datetime as dt

from dash import html

from analysis.queries import Freshness
from dashboard.theme import month_label


def freshness_line(fresh: Freshness, start, end):
    """One sentence: when the data was built and how many postings the view rests on."""
    if fresh.built_at is None:
        built = "Build time unknown. "
    else:
        # Snapshot times are UTC; an explicit offset is converted to UTC.
        at = fresh.built_at
        if at.tzinfo is not None:
            at = at.astimezone(dt.timezone.utc)
        built = f"Data built {at:%d %b %Y, %H:%M} UTC. "
    return [
        built,
        "This view rests on ",
        html.Span(f"{fresh.postings:,}", id="freshness-postings", className="count"),
        " posting, " if fresh.postings == 1 else " postings, ",
        html.Span(f"{fresh.ml_postings:,}", id="freshness-ml-postings", className="count"),
        f" of them {'an ML posting' if fresh.ml_postings == 1 else 'ML postings'}, "
        f"listed {month_label(start)} – {month_label(end)}.",
    ]
