"""The skill taxonomy data file, ``etl/taxonomy/skills.toml``, obeys the rules stated at its top.

Read with ``tomllib`` only, so these tests judge the file itself, not the loader. Each rule
is a function returning the problems it finds; the file must have none, and a small broken
document shows that every rule does catch what it is meant to catch.
"""

from __future__ import annotations

import tomllib
from collections import Counter, defaultdict
from pathlib import Path

import pytest

from etl.phrases import PatternError, compile_pattern

TAXONOMY_FILE = Path(__file__).resolve().parents[1] / "etl" / "taxonomy" / "skills.toml"

FAMILIES = {"classic_ml", "mlops", "llm", "other"}
CATEGORIES = {
    "framework", "library", "platform", "cloud service", "technique", "language",
    "database", "model", "practice", "tool", "general",
}
KEYS = {"name", "family", "category", "aliases", "exact_aliases", "negative_contexts", "patterns",
        "pattern_exceptions"}
MIN_SKILLS = 300
MIN_NEGATIVE_CONTEXTS = 60

# Written into generated demo text, so each must exist under exactly this name and be found
# by its own name (a case-insensitive alias equal to the lower-cased name, or an exact alias
# equal to the name).
REQUIRED_NAMES = (
    "PyTorch", "TensorFlow", "Keras", "scikit-learn", "XGBoost", "LightGBM", "pandas", "NumPy",
    "Spark", "Hadoop", "Airflow", "Kafka", "dbt", "Snowflake", "Databricks", "Python", "Java",
    "Go", "Rust", "Scala", "R", "C++", "JavaScript", "TypeScript", "React", "Node.js",
    "Ruby on Rails", "PHP", "SQL", "PostgreSQL", "MySQL", "MongoDB", "Redis", "Elasticsearch",
    "AWS", "GCP", "Azure", "Docker", "Kubernetes", "Terraform", "MLflow", "Kubeflow",
    "SageMaker", "Vertex AI", "Weights & Biases", "Feast", "Triton", "BentoML", "ONNX",
    "TensorRT", "MLOps", "Ray", "DVC", "LLM", "GPT", "OpenAI API", "Claude", "Llama",
    "generative AI", "RAG", "LangChain", "LlamaIndex", "vector databases", "Pinecone",
    "pgvector", "prompt engineering", "fine-tuning", "Hugging Face", "vLLM", "AI agents",
    "embeddings", "machine learning", "AI", "deep learning", "NLP", "computer vision",
    "recommender systems", "statistics", "time series forecasting", "Bayesian statistics",
    "A/B testing", "feature engineering", "Swift", "Julia",
)

# Short words that are ordinary English (or substrings of it) when matched case-insensitively;
# they may only appear as exact (case-sensitive) aliases.
AMBIGUOUS_WORDS = (
    "go", "r", "c", "ray", "spark", "rust", "swift", "excel", "scala", "julia", "ai", "ml",
    "rag", "chroma", "feast", "triton", "flyte", "arize", "gemini", "claude", "node", "rails",
    "express", "helm", "hive", "bedrock", "haystack", "instructor", "guidance", "cursor", "js",
)


def load() -> dict:
    with open(TAXONOMY_FILE, "rb") as handle:
        return tomllib.load(handle)


def skills_of(document: dict) -> list[dict]:
    return document.get("skill", [])


def all_aliases(skill: dict) -> list[str]:
    return list(skill.get("aliases", [])) + list(skill.get("exact_aliases", []))


# --- the rules ---------------------------------------------------------------------------


def version_problems(document: dict) -> list[str]:
    version = document.get("version")
    if not isinstance(version, str) or not version.strip():
        return [f"version must be a non-empty string, not {version!r}"]
    return []


def count_problems(document: dict) -> list[str]:
    count = len(skills_of(document))
    return [f"only {count} skills; at least {MIN_SKILLS} expected"] if count < MIN_SKILLS else []


def shape_problems(document: dict) -> list[str]:
    problems = []
    for index, skill in enumerate(skills_of(document)):
        label = skill.get("name", f"skill #{index}")
        unknown = set(skill) - KEYS
        if unknown:
            problems.append(f"{label}: unknown keys {sorted(unknown)}")
        for key in ("name", "family", "category"):
            if not isinstance(skill.get(key), str) or not skill.get(key, "").strip():
                problems.append(f"{label}: {key} must be a non-empty string")
        for key in ("aliases", "exact_aliases", "negative_contexts", "patterns", "pattern_exceptions"):
            value = skill.get(key, [])
            if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
                problems.append(f"{label}: {key} must be a list of non-empty strings")
    return problems


def unique_name_problems(document: dict) -> list[str]:
    counts = Counter(skill["name"].lower() for skill in skills_of(document))
    return [f"name {name!r} used by {n} skills" for name, n in counts.items() if n > 1]


def family_problems(document: dict) -> list[str]:
    return [
        f"{skill['name']}: family {skill.get('family')!r} is not one of {sorted(FAMILIES)}"
        for skill in skills_of(document)
        if skill.get("family") not in FAMILIES
    ]


def category_problems(document: dict) -> list[str]:
    return [
        f"{skill['name']}: category {skill.get('category')!r} is not one of {sorted(CATEGORIES)}"
        for skill in skills_of(document)
        if skill.get("category") not in CATEGORIES
    ]


def has_alias_problems(document: dict) -> list[str]:
    return [f"{skill['name']}: no alias at all" for skill in skills_of(document) if not all_aliases(skill)]


def lower_case_alias_problems(document: dict) -> list[str]:
    return [
        f"{skill['name']}: alias {alias!r} is not lower case (case-sensitive forms go in exact_aliases)"
        for skill in skills_of(document)
        for alias in skill.get("aliases", [])
        if alias != alias.lower()
    ]


def shared_alias_problems(document: dict) -> list[str]:
    owners: dict[str, set[str]] = defaultdict(set)
    for skill in skills_of(document):
        for alias in all_aliases(skill):
            owners[alias.lower()].add(skill["name"])
    return [
        f"alias {alias!r} is claimed by {sorted(names)}"
        for alias, names in sorted(owners.items())
        if len(names) > 1
    ]


def _word(ch: str) -> bool:
    return ch.isalnum() or ch == "_"


def contains_as_token(phrase: str, alias: str) -> bool:
    """Whether ``alias`` occurs in ``phrase`` (case-insensitively) where the matcher would match
    it: not glued to a letter or digit on a side where the alias itself ends in one. So "r" is
    in "r&d" but not in "research"."""
    phrase, alias = phrase.lower(), alias.lower()
    start = phrase.find(alias)
    while start != -1:
        end = start + len(alias)
        glued_left = start > 0 and _word(phrase[start - 1]) and _word(alias[0])
        glued_right = end < len(phrase) and _word(phrase[end]) and _word(alias[-1])
        if not glued_left and not glued_right:
            return True
        start = phrase.find(alias, start + 1)
    return False


def negative_context_problems(document: dict) -> list[str]:
    problems = []
    for skill in skills_of(document):
        aliases = all_aliases(skill)
        for phrase in skill.get("negative_contexts", []):
            if phrase != phrase.lower():
                problems.append(f"{skill['name']}: negative context {phrase!r} is not lower case")
            if not any(contains_as_token(phrase, alias) for alias in aliases):
                problems.append(
                    f"{skill['name']}: negative context {phrase!r} contains none of its aliases "
                    "(as a token), so it can never apply"
                )
    return problems


def negative_count_problems(document: dict) -> list[str]:
    total = sum(len(skill.get("negative_contexts", [])) for skill in skills_of(document))
    if total < MIN_NEGATIVE_CONTEXTS:
        return [f"only {total} negative contexts; at least {MIN_NEGATIVE_CONTEXTS} expected"]
    return []


def pattern_problems(document: dict) -> list[str]:
    """Phrase patterns are written in the word language of ``etl.phrases``; exceptions are
    lower-case phrases and belong to a skill that has patterns."""
    problems = []
    for skill in skills_of(document):
        for pattern in skill.get("patterns", []):
            try:
                compile_pattern(pattern)
            except PatternError as exc:
                problems.append(f"{skill['name']}: pattern {pattern!r}: {exc}")
        exceptions = skill.get("pattern_exceptions", [])
        if exceptions and not skill.get("patterns"):
            problems.append(f"{skill['name']}: pattern_exceptions without patterns can never apply")
        problems += [f"{skill['name']}: pattern exception {phrase!r} is not lower case"
                     for phrase in exceptions if phrase != phrase.lower()]
    return problems


def required_name_problems(document: dict) -> list[str]:
    by_name = {skill["name"]: skill for skill in skills_of(document)}
    problems = []
    for name in REQUIRED_NAMES:
        skill = by_name.get(name)
        if skill is None:
            problems.append(f"required skill {name!r} is missing")
        elif name.lower() not in skill.get("aliases", []) and name not in skill.get("exact_aliases", []):
            problems.append(f"required skill {name!r} cannot be found by its own name")
    return problems


def ambiguous_alias_problems(document: dict) -> list[str]:
    return [
        f"{skill['name']}: {alias!r} is an ordinary word case-insensitively; make it an exact alias"
        for skill in skills_of(document)
        for alias in skill.get("aliases", [])
        if alias.lower() in AMBIGUOUS_WORDS
    ]


def hidden_cloud_problems(document: dict) -> list[str]:
    """"AWS SageMaker" names AWS too: an "aws X" alias would hide it behind the longer match,
    where X alone is an alias of the same skill found without judging (a judged X keeps
    its compound: "AWS Redshift" must not hang on how "Redshift" is judged)."""
    return [
        f"{skill['name']}: {alias!r} hides AWS; {alias[4:]!r} alone is an alias"
        for skill in skills_of(document)
        for alias in skill.get("aliases", [])
        if alias.startswith("aws ") and alias[4:] in skill.get("aliases", []) and alias[4:] not in judged_words()
    ]


def judged_words() -> set[str]:
    """Case-insensitive aliases the disambiguator judges for their other meanings."""
    with open(TAXONOMY_FILE.parents[1] / "classify" / "other_meanings.toml", "rb") as handle:
        return set(tomllib.load(handle))


RULES = (
    version_problems,
    count_problems,
    shape_problems,
    unique_name_problems,
    family_problems,
    category_problems,
    has_alias_problems,
    lower_case_alias_problems,
    shared_alias_problems,
    negative_context_problems,
    negative_count_problems,
    pattern_problems,
    required_name_problems,
    ambiguous_alias_problems,
    hidden_cloud_problems,
)


# --- the file obeys every rule -----------------------------------------------------------


@pytest.fixture(scope="module")
def document() -> dict:
    return load()


@pytest.mark.parametrize("rule", RULES, ids=lambda rule: rule.__name__)
def test_taxonomy_file_obeys(rule, document):
    problems = rule(document)
    assert not problems, "\n".join(problems)


def test_every_family_is_populated(document):
    families = Counter(skill["family"] for skill in skills_of(document))
    assert set(families) == FAMILIES, families
    for family in ("classic_ml", "mlops", "llm"):
        assert families[family] >= 40, f"{family} has only {families[family]} skills"


def test_generic_words_are_family_other_category_general(document):
    by_name = {skill["name"]: skill for skill in skills_of(document)}
    for name in ("machine learning", "AI"):
        assert (by_name[name]["family"], by_name[name]["category"]) == ("other", "general")
    assert "ML" in by_name["machine learning"]["exact_aliases"]
    assert "AI" in by_name["AI"]["exact_aliases"]
    assert by_name["deep learning"]["family"] == "classic_ml"


# --- every rule can fail -----------------------------------------------------------------


def _skill(name, family="other", category="tool", aliases=None, **extra):
    return {"name": name, "family": family, "category": category,
            "aliases": [name.lower()] if aliases is None else aliases, **extra}


BROKEN = {
    version_problems: {"version": "", "skill": []},
    count_problems: {"version": "1", "skill": [_skill("Python")]},
    shape_problems: {"version": "1", "skill": [_skill("Python", exact_alias=["Py"])]},
    unique_name_problems: {"version": "1", "skill": [_skill("Python"), _skill("python", aliases=["py3"])]},
    family_problems: {"version": "1", "skill": [_skill("Python", family="languages")]},
    category_problems: {"version": "1", "skill": [_skill("Python", category="programming language")]},
    has_alias_problems: {"version": "1", "skill": [_skill("Python", aliases=[])]},
    lower_case_alias_problems: {"version": "1", "skill": [_skill("Python", aliases=["Python"])]},
    shared_alias_problems: {
        "version": "1",
        "skill": [_skill("Go", aliases=[], exact_aliases=["Go"]), _skill("Golang", aliases=["go"])],
    },
    negative_context_problems: {
        "version": "1",
        "skill": [_skill("R", aliases=[], exact_aliases=["R"], negative_contexts=["R&D", "research"])],
    },
    negative_count_problems: {
        "version": "1",
        "skill": [_skill("C", aliases=[], exact_aliases=["C"], negative_contexts=["series c"])],
    },
    pattern_problems: {
        "version": "1",
        "skill": [_skill("model deployment", patterns=["~2 models"]),
                  _skill("Go", aliases=["golang"], pattern_exceptions=["go-getter"])],
    },
    required_name_problems: {
        "version": "1",
        "skill": [_skill("Go", aliases=["golang"]), _skill("Python", aliases=["python3"])],
    },
    ambiguous_alias_problems: {"version": "1", "skill": [_skill("Spark", aliases=["spark"])]},
    hidden_cloud_problems: {"version": "1", "skill": [_skill("SageMaker", aliases=["sagemaker", "aws sagemaker"])]},
}


@pytest.mark.parametrize("rule", RULES, ids=lambda rule: rule.__name__)
def test_rule_catches_a_broken_document(rule):
    assert rule(BROKEN[rule]), f"{rule.__name__} found nothing wrong in a document made to break it"


def test_negative_context_rule_reports_both_faults():
    problems = negative_context_problems(BROKEN[negative_context_problems])
    assert any("not lower case" in p for p in problems)
    assert any("'research'" in p and "none of its aliases" in p for p in problems)


@pytest.mark.parametrize(
    ("phrase", "alias", "expected"),
    [("r&d", "R", True), ("research", "R", False), ("series c", "C", True), ("c#", "C", True),
     ("x-ray", "Ray", True), ("stray", "Ray", False), ("go-to-market", "Go", True), ("ago", "Go", False)],
)
def test_contains_as_token(phrase, alias, expected):
    assert contains_as_token(phrase, alias) is expected
