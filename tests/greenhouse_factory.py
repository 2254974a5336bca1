"""Greenhouse boards made by the tests, in the real Job Board API format
(``GET /v1/boards/<token>/jobs?content=true``: ``{"jobs": [...], "meta": {"total": N}}``).

Each job is built from a board token and a number, so a test can say "board acme lists
jobs 1, 2 and 3" and later "now only 1 and 3", and compare what was stored with what was
served.
"""

from __future__ import annotations

import html
import json
import random
from pathlib import Path

from tests.fixture_server import FixtureServer, Reply
from tests.helpers import GREENHOUSE_JOBS

ROLES = ["Machine Learning Engineer", "Data Scientist", "MLOps Engineer", "Applied Scientist, LLMs",
         "Backend Engineer", "Research Engineer", "Analytics Engineer", "AI Product Engineer"]
SKILLS = ["PyTorch", "scikit-learn", "XGBoost", "MLflow", "Kubeflow", "RAG", "LangChain", "vLLM",
          "Kubernetes", "Airflow", "Spark", "SQL", "Python", "TensorFlow", "Weights & Biases"]
PLACES = ["San Francisco, CA", "London, UK", "Remote - US", "Berlin, Germany", "New York, NY", "Paris, France"]


def job_id(token: str, number: int) -> int:
    """A stable numeric id per (board, number), like Greenhouse's (globally unique)."""
    return 4_000_000_000 + (sum(ord(c) * 31 ** i for i, c in enumerate(token)) % 100_000) * 10_000 + number


def gh_job(token: str, number: int, revision: int = 0, rng: random.Random | None = None) -> dict:
    """One job as the API gives it; ``revision`` > 0 changes its text (an edited posting)."""
    rng = rng or random.Random(f"{token}-{number}")
    role = rng.choice(ROLES)
    skills = rng.sample(SKILLS, 4)
    place = rng.choice(PLACES)
    body = (f"<h2>About the role</h2><p>{token.title()} is hiring a {role} (job {number}). "
            f"You will work with {', '.join(skills[:3])} and {skills[3]}.</p>"
            f"<ul><li>Ship models to production</li><li>Own evaluation</li></ul>")
    if revision:
        body += f"<p>Update {revision}: the team now also uses {rng.choice(SKILLS)}.</p>"
    identifier = job_id(token, number)
    return {
        "absolute_url": f"https://job-boards.greenhouse.io/{token}/jobs/{identifier}",
        "data_compliance": [{"type": "gdpr", "requires_consent": False, "requires_processing_consent": False,
                             "requires_retention_consent": False, "retention_period": None,
                             "demographic_data_consent_applies": False}],
        "internal_job_id": identifier - 1_000_000,
        "location": {"name": place},
        "metadata": None,
        "id": identifier,
        "updated_at": f"2024-0{1 + number % 9}-1{number % 10}T10:00:00-04:00" if not revision
        else f"2024-10-0{1 + revision % 9}T10:00:00-04:00",
        "requisition_id": f"REQ-{number}",
        "title": role,
        "company_name": token.title(),
        "first_published": f"2024-0{1 + number % 9}-0{1 + number % 9}T09:00:00-04:00",
        "language": "en",
        "content": html.escape(body),
        "departments": [{"id": 4010118008, "name": "Engineering", "child_ids": [], "parent_id": None}],
        "offices": [{"id": 4002211008, "name": place, "location": place, "child_ids": [], "parent_id": None}],
    }


def board_body(jobs: list[dict]) -> bytes:
    return json.dumps({"jobs": jobs, "meta": {"total": len(jobs)}}, ensure_ascii=False).encode("utf-8")


def serve_board(server: FixtureServer, token: str, jobs: list[dict], **reply) -> None:
    server.routes[GREENHOUSE_JOBS.format(token=token)] = Reply(body=board_body(jobs), **reply)


def board_path(token: str) -> str:
    return GREENHOUSE_JOBS.format(token=token)


def write_registry(path: Path, tokens: list[str]) -> Path:
    """A board registry (TOML) listing ``tokens`` as Greenhouse boards."""
    path.write_text("".join(f'[[greenhouse]]\ntoken = "{t}"\ncompany = "{t.title()}"\nwhy = "test"\n\n'
                            for t in tokens))
    return path
