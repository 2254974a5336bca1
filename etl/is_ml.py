"""is_ml, first rule: does the posting seek a role that builds, trains, deploys or applies ML/AI models?

A role phrase must appear (``ML engineer``, ``data scientist``, ``applied scientist``,
``computer vision engineer``, ``MLOps engineer``, ``LLM engineer``...). Mentioning ML or AI
alone does not make a posting ML: a company that "uses AI" and hires a front-end developer
is not. ``data engineer`` and ``data analyst`` are not ML roles.
"""

from __future__ import annotations

import polars as pl

IS_ML_RULE_VERSION = "rule-1.1"

_ML_QUALIFIER = (
    r"(machine[- ]learning|ml|ai|a\.i\.|artificial intelligence|deep[- ]learning|computer vision|"
    r"cv|nlp|natural language processing|llms?|gen(erative)?[- ]?ai|mlops|ml[- ]?ops|ml platform|"
    r"ml infrastructure|ml systems|applied (ml|ai)|perception|speech recognition|recommendation|"
    r"recommender systems?|reinforcement learning|rl|robot learning|ranking|search relevance|"
    r"prompt|conversational ai|data science|"
    # How ML roles were named before "ML engineer" and "data scientist" were usual (2010s):
    # "Information Retrieval Engineer", "Search Ranking Engineer", "Predictive Modeling Lead".
    r"information retrieval|predictive (modeling|modelling|analytics)|statistical (modeling|modelling)|"
    r"search (quality|ranking))"
)
_ROLE = r"(engineers?|scientists?|researchers?|developers?|leads?|architects?|specialists?|interns?|manager|mle)"
IS_ML_PATTERN = (
    r"(?i)\b("
    + _ML_QUALIFIER + r"(/\w+)?[ -]+((research|software|platform|infrastructure|ops|systems|applications?|"
    r"product|staff|senior|sr\.?|lead|principal)[ -]+){0,2}" + _ROLE
    + r"|data scientists?|applied scientists?|research scientists?|ml researchers?|mles?|"
    # "Data Mining Specialist" is also a lead-research job, so only these roles:
    r"data[- ]mining (engineers?|scientists?|researchers?|developers?)|"
    r"head of (ai|ml|machine learning|data science)|(ml|ai|machine learning) (team )?lead)\b"
)


def ascii_word_boundaries(pattern: str) -> str:
    """``pattern`` for Polars with ASCII word boundaries. With Unicode ones the Rust regex
    engine leaves its DFA, and searching a whole posting for ``IS_ML_PATTERN`` takes about 8
    times as long (18.6 against 2.2 us per generated posting). The two differ only where
    a pattern's ASCII letter touches a non-ASCII letter or digit: "東京のML Engineer" names an
    ML role with ASCII boundaries, not with Unicode ones (の is a word character). On the
    22,820 real, authored and generated texts tried (2,390 with non-ASCII characters) they
    match alike. Python's ``re`` has no ASCII-only ``\\b``: match with Polars (``is_ml_expr``,
    ``names_ml_role``) so that the rule has one meaning."""
    return pattern.replace(r"\b", r"(?-u:\b)")


IS_ML_POLARS = ascii_word_boundaries(IS_ML_PATTERN)


def is_ml_expr(text: str | pl.Expr = "text") -> pl.Expr:
    expr = pl.col(text) if isinstance(text, str) else text
    return expr.str.contains(IS_ML_POLARS).fill_null(False)


def names_ml_role(texts: list[str]) -> list[bool]:
    """Whether each text names an ML role (``is_ml_expr``), for texts outside a frame."""
    return pl.Series("text", texts, dtype=pl.String).to_frame().select(is_ml_expr("text")).to_series().to_list()


# An ML field named as an item of a role list, as HN headers do: "Backend, Firmware, AI |",
# "Software Engineer (Mobile, Full-Stack and ML)", "| Machine Learning, AI (ML, NLP) + PM".
# A cue for the is_ml classifier, not a rule: "AI" in a header list is usually a role, not always.
ML_FIELD_ITEM_PATTERN = (
    r"(?i)(?:^|[|,/(+&;]|\band\b)\s*(?:senior\s+|sr\.?\s+|lead\s+)?"
    r"(?:ai|ml|a\.i\.|machine learning|nlp|computer vision|data science|deep learning|llms?|mlops|ai/ml|ml/ai|"
    r"applied ml|generative ai|genai)"
    r"(?:\s*(?:engineers?|engineering|roles?|positions?|infra\w*|team|research\w*|scientists?|devs?|developers?|"
    r"experts?|eng|residents?|interns?|internships?|leads?))?"
    r"\s*(?:$|[|,/)+&;]|\band\b)"
)

ML_FIELD_ITEM_POLARS = ascii_word_boundaries(ML_FIELD_ITEM_PATTERN)
