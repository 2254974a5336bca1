"""Colours and formats shared by the figures and components, defined once."""

from __future__ import annotations

import datetime as dt

#: Okabe–Ito colours: distinguishable with the common colour-vision deficiencies.
FAMILY_COLOURS: dict[str, str] = {
    "classic_ml": "#0072B2",
    "mlops": "#E69F00",
    "llm": "#CC79A7",
    "other": "#7F7F7F",
}

BAND_OPACITY = 0.18

#: The page's font (assets/style.css uses the same); widgets with their own CSS need it.
FONT_STACK = 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif'


def family_colour(family: str) -> str:
    return FAMILY_COLOURS.get(family, FAMILY_COLOURS["other"])


def band_colour(family: str, opacity: float = BAND_OPACITY) -> str:
    """The family's colour as a translucent ``rgba()`` for an interval band."""
    hex_colour = family_colour(family).lstrip("#")
    red, green, blue = (int(hex_colour[i : i + 2], 16) for i in (0, 2, 4))
    return f"rgba({red}, {green}, {blue}, {opacity})"


def month_label(month: dt.date | str) -> str:
    """``2024-03-01`` → ``Mar 2024``."""
    if isinstance(month, str):
        month = dt.date.fromisoformat(month[:10])
    return month.strftime("%b %Y")


def span_label(first: dt.date, last: dt.date) -> str:
    """The months from ``first`` to ``last``: ``Mar 2024``, ``Feb–Mar 2022``, ``Nov 2022–Feb 2023``."""
    if first == last:
        return month_label(first)
    if first.year == last.year:
        return f"{first:%b}–{month_label(last)}"
    return f"{month_label(first)}–{month_label(last)}"


#: Every spider's source as people write it; the boards' terms ask to be named (docs/sources.md).
SOURCE_LABELS: dict[str, str] = {
    "hn": "Hacker News",
    "greenhouse": "Greenhouse",
    "lever": "Lever",
    "ashby": "Ashby",
    "smartrecruiters": "SmartRecruiters",
    "workable": "Workable",
    "recruitee": "Recruitee",
    "remotive": "Remotive",
    "remoteok": "Remote OK",
    "himalayas": "Himalayas",
    "arbeitnow": "Arbeitnow",
    "jsonld": "careers pages",
}


def source_label(source: str) -> str:
    return SOURCE_LABELS.get(source, source)
