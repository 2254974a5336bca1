"""The skill families, in the order every view shows them.

Defined once here (order and labels); colours live in ``dashboard.theme``.
"""

from __future__ import annotations

from etl.schema import FAMILIES

#: Every family the taxonomy uses, in display order (``other`` last).
ALL_FAMILIES: tuple[str, ...] = FAMILIES

#: The families compared by the trend chart; ``other`` (languages, cloud, data
#: engineering, the generic "machine learning") is not one of the three being compared.
CHART_FAMILIES: tuple[str, ...] = ("classic_ml", "mlops", "llm")

LABELS: dict[str, str] = {
    "classic_ml": "Classic ML",
    "mlops": "MLOps",
    "llm": "LLM",
    "other": "Other",
}


def label(family: str) -> str:
    """Human label of a family (``"mlops"`` → ``"MLOps"``); unknown names pass through."""
    return LABELS.get(family, family)

