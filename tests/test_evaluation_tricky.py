"""How a tricky list is scored: skills found against skills meant, false skills described."""

from __future__ import annotations

from types import SimpleNamespace

from etl.evaluation import score_tricky


class FoundSkills:
    """Stands in for the extractor: returns the given skills for each text, in order."""

    def __init__(self, found: list[list[str]]):
        self.found = found

    def skill_mentions(self, texts: list[str]):
        assert len(texts) == len(self.found)
        return [[SimpleNamespace(skill=skill) for skill in skills] for skills in self.found]


CASES = [
    {"text": "Stack: Python and Go.", "skills": ["Python", "Go"]},
    {"text": "Go home at six.", "skills": []},
    {"text": "We excel at R&D.", "skills": []},
]


def test_precision_counts_false_skills_and_recall_counts_missed_ones():
    score = score_tricky(CASES, FoundSkills([["Python"], ["Go"], []]))
    assert (score.precision, score.recall) == (0.5, 0.5)


def test_each_case_with_a_false_skill_is_described_and_missed_skills_are_not():
    errors: list[str] = []
    score_tricky(CASES, FoundSkills([["Python"], ["Go"], ["Excel", "R"]]), errors)
    assert errors == ["'Go home at six.': also found ['Go']", "'We excel at R&D.': also found ['Excel', 'R']"]


def test_a_case_is_matched_with_its_own_findings():
    score = score_tricky(CASES, FoundSkills([[], ["Python", "Go"], []]))
    assert score.precision == 0.0
