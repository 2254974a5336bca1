"""Shared widgets, one per module: factories that take data and return styled components."""

from dashboard.components.demo_banner import demo_banner
from dashboard.components.empty_state import empty_state
from dashboard.components.freshness_line import freshness_line
from dashboard.components.navbar import footer, navbar
from dashboard.components.posting_card import posting_card
from dashboard.components.top_skills_table import top_skills_table

__all__ = [
    "demo_banner",
    "empty_state",
    "footer",
    "freshness_line",
    "navbar",
    "posting_card",
    "top_skills_table",
]
