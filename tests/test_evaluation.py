"""docs/evaluation.md is what `skilltrends evaluate` measures now (written by the command)."""

from __future__ import annotations

import re

import pytest

from etl.evaluation import DOCS, evaluate, render
from tests.helpers import reference_data

pytestmark = pytest.mark.reference_data


def without_timestamp(text: str) -> str:
    return re.sub(r"on \d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC", "on <time>", text)


def test_evaluation_report_is_current():
    reference_data("hn-2023h1")
    reference_data("hn-algolia")
    reference_data("hn-hiringtrends")
    assert without_timestamp(DOCS.read_text()) == without_timestamp(render(evaluate())), \
        "run `skilltrends evaluate` to rewrite docs/evaluation.md"
