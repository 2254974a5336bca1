"""The overview's selection in the address bar, so a view can be bookmarked, shared, reloaded
and left with Back.

``?start=2020-01&end=2020-12&sources=hn,greenhouse&resolution=year``. A value equal to the
default is left out, so ``/`` stays the whole range, every source, a point per month, and a
bookmark without ``end`` keeps reaching the newest month as data arrives. A parameter that
is not a month of the snapshot, not a source it holds or not a resolution is ignored (its
default is used): an address typed by hand never gives an error page.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from urllib.parse import parse_qs, urlencode

DEFAULT_RESOLUTION = "month"


@dataclass(frozen=True)
class Selection:
    start: str
    """The first month, as an ISO date (``2020-01-01``), as the month dropdowns hold it."""
    end: str
    sources: list[str]
    resolution: str


def selection_from_query(
    query: Mapping[str, str], months: Sequence[str], sources: Sequence[str], resolutions: Sequence[str]
) -> Selection:
    """The selection an address asks for, within the snapshot's ``months`` (ISO dates, oldest
    first) and ``sources``; defaults for what is missing or not valid."""
    by_month = {month[:7]: month for month in months}
    start = by_month.get(_text(query.get("start"))[:7] or None, months[0])
    end = by_month.get(_text(query.get("end"))[:7] or None, months[-1])
    asked = [s for s in _text(query.get("sources")).split(",") if s in sources]
    chosen = [s for s in sources if s in asked] or list(sources)
    resolution = _text(query.get("resolution"))
    return Selection(start, end, chosen, resolution if resolution in resolutions else DEFAULT_RESOLUTION)


def query_from_selection(selection: Selection, months: Sequence[str], sources: Sequence[str]) -> str:
    """``?...`` for the address bar (``""`` for the default view)."""
    params = {}
    if selection.start != months[0]:
        params["start"] = selection.start[:7]
    if selection.end != months[-1]:
        params["end"] = selection.end[:7]
    if sorted(selection.sources) != sorted(sources):
        params["sources"] = ",".join(s for s in sources if s in selection.sources)
    if selection.resolution != DEFAULT_RESOLUTION:
        params["resolution"] = selection.resolution
    return f"?{urlencode(params, safe=',')}" if params else ""


def parse_search(search: str | None) -> dict[str, str]:
    """``location.search`` as a dict of its first values."""
    return {key: values[0] for key, values in parse_qs(_text(search).lstrip("?")).items()}


def _text(value) -> str:
    return value if isinstance(value, str) else ""
