"""Offline mirror of the Hacker News Algolia API, serving generated "Who is hiring?" threads.

Everything it serves is synthetic (see :data:`DEMO_MARKER`): used by
``skilltrends demo --offline`` and as the data source of the benchmarks.

    from skilltrends.mirror import HiringThreadGenerator, HNMirror, scale_for_total

    gen = HiringThreadGenerator(seed=2011, scale=0.25)
    with HNMirror(gen) as mirror:
        ...  # crawl mirror.url + "/api/v1/search_by_date?query=hiring&tags=story"
"""

from skilltrends.mirror.calibration import CANONICAL_SKILLS, LLM_ERA_SKILLS
from skilltrends.mirror.generator import (
    DEMO_AUTHOR_PREFIX,
    DEMO_MARKER,
    HiringThreadGenerator,
    find_item,
    is_demo_text,
    scale_for_total,
)

__all__ = [
    "CANONICAL_SKILLS",
    "DEMO_AUTHOR_PREFIX",
    "DEMO_MARKER",
    "HNMirror",
    "HiringThreadGenerator",
    "LLM_ERA_SKILLS",
    "find_item",
    "is_demo_text",
    "scale_for_total",
]


def __getattr__(name: str):
    # The server is imported lazily so that ``python -m skilltrends.mirror.server`` does
    # not import its own module twice.
    if name == "HNMirror":
        from skilltrends.mirror.server import HNMirror

        return HNMirror
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
