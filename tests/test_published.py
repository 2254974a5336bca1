"""Skill counts against hiringtrends' published counts (etl/published.py)."""

from __future__ import annotations

from collections import Counter

import pytest

from etl import published
from etl.extraction import PostingExtractor
from etl.taxonomy import load_taxonomy, parse_taxonomy
from tests.helpers import reference_data


@pytest.fixture(scope="module")
def extractor() -> PostingExtractor:
    return PostingExtractor()


def test_term_spellings_read_aliases_and_javascript_names():
    assert published.term_spellings("Python") == ("python",)
    assert published.term_spellings("Machine Learning/alias[Machine Learning|ML]") == ("machine learning", "ml")
    assert published.term_spellings("node.js/js[node]") == ("node.js", "node", "nodejs")


def test_only_terms_naming_one_skill_alone_are_compared():
    taxonomy = parse_taxonomy({"skill": [
        {"name": "Python", "family": "other"},
        {"name": ".NET", "family": "other", "aliases": ["asp.net"]},
        {"name": "Go", "family": "other", "aliases": ["golang"]},
        {"name": "Julia", "family": "other"},
        {"name": "JuliaHub", "family": "other", "aliases": ["julia hub"]},
    ]})
    terms = [published.Term("Python", ("python",)), published.Term(".NET", (".net",)),
             published.Term("ASP.NET", ("asp.net",)), published.Term("golang", ("golang",)),
             published.Term("Julia", ("julia", "julia hub")), published.Term("Remote", ("remote",))]
    # .NET is named by two terms, golang is a narrow spelling, "Julia" spans two skills, Remote is none.
    assert published.skills_of_terms(terms, taxonomy) == {"Python": "Python"}


def test_counts_comments_once_by_skill_by_spelling_and_by_word(extractor):
    texts = ["We run k8s and Kubernetes; Kubernetes again.",
             "Our stack: k8s, Python.",
             "Kubernetes-native. See github.com/acme.",
             "No cluster here."]
    counts = published.count_skills(extractor, texts, {"Kubernetes": ("kubernetes",), "GitHub": ("github",)})
    assert counts.comments == 4
    assert counts.found["Kubernetes"] == 3  # k8s counts as the skill
    assert counts.spelled["Kubernetes"] == 2  # only comments where it is written "Kubernetes"
    assert counts.word_match["Kubernetes"] == 2
    assert counts.word_match["GitHub"] == 1  # the plain word match takes the link
    assert counts.found["GitHub"] == 0


def write_hiringtrends(folder, months: dict[str, tuple[int, dict[str, int]]]) -> None:
    folder.mkdir()
    (folder / published.DICTIONARY).write_text(
        "term,full_term\nKubernetes,Kubernetes\nPython,Python\nRemote,Remote\n")
    lines = ["month,num_comments,points,term,full_term,count,percentage,rank"]
    for month, (comments, counts) in months.items():
        lines += [f"{month},{comments},1,{term},{term},{n},{100 * n / comments:.2f},1" for term, n in counts.items()]
    (folder / published.MONTHLY).write_text("\n".join(lines) + "\n")


def test_months_are_pooled_and_shares_rendered(tmp_path, extractor):
    folder = tmp_path / "ht"
    write_hiringtrends(folder, {"2023-01": (4, {"Kubernetes": 1, "Python": 2}),
                                "2023-02": (6, {"Kubernetes": 2, "Python": 1}),
                                "2019-05": (9, {"Kubernetes": 9})})
    terms = published.read_terms(folder)
    mapping = published.skills_of_terms(terms, load_taxonomy())
    assert mapping == {"Kubernetes": "Kubernetes", "Python": "Python"}
    counts = published.read_monthly_counts(folder, {"2023-01", "2023-02"})
    assert set(counts) == {"2023-01", "2023-02"}
    html = {"2023-01": {"1": "<p>Python and Kubernetes</p>", "2": "<p>Go</p>"},
            "2023-02": {"3": "<p>k8s</p>", "4": "<p>Rust</p>", "5": "<p>Backend in python and Postgres.</p>"},
            "2024-01": {"6": "<p>Kubernetes</p>"}}  # no published counts: not compared
    period = published.compare_2023(extractor, terms, mapping, counts, html)
    assert period.months == ["2023-01", "2023-02"]
    assert (period.our_comments, period.published_comments) == (5, 10)
    rows = {row.term: row for row in period.rows}
    assert (rows["Kubernetes"].ours, rows["Kubernetes"].ours_spelled, rows["Kubernetes"].published) == (2, 1, 3)
    assert (rows["Python"].ours, rows["Python"].word_match, rows["Python"].published) == (2, 2, 3)
    table = "\n".join(published._render_2023(period))
    # Kubernetes: 2 of 5 comments (40%) against 3 of 10 published (30%).
    assert "| Kubernetes | Kubernetes | 40.00 | 20.00 | 20.00 | 30.00 |" in table


def test_errors_from_labels_are_summed_over_terms():
    rows = [published.TermCount("A", "A", published=5, ours=4, ours_spelled=4, word_match=6, labelled=4),
            published.TermCount("B", "B", published=1, ours=3, ours_spelled=3, word_match=3, labelled=2)]
    assert published.error_from_labels(rows, lambda row: row.ours) == 1
    assert published.error_from_labels(rows, lambda row: row.published) == 2
    assert published.error_from_labels(rows, lambda row: row.word_match) == 3


def test_missing_measurement_is_said_in_one_sentence(tmp_path, monkeypatch, extractor):
    monkeypatch.setenv(published.HIRINGTRENDS_ENV, str(tmp_path / "nowhere"))
    comparison = published.compare_published(extractor)
    assert comparison.april_2011 is None and comparison.h1_2023 is None
    assert "no hiringtrends measurement" in comparison.missing
    assert any(line.startswith("Not measured: no hiringtrends measurement") for line in published.render(comparison))


@pytest.mark.reference_data
def test_april_2011_is_the_thread_hiringtrends_counted(extractor):
    reference_data("hn-hiringtrends")
    reference_data("hn-algolia")
    reference_data("hn-2023h1")
    comparison = published.compare_published(extractor)
    april = comparison.april_2011
    assert april is not None
    # The same comments: hiringtrends' comment count is the recorded thread's top-level comments.
    assert april.published_comments == april.our_comments == 219
    skills = {skill.name for skill in load_taxonomy().skills}
    assert set(comparison.compared.values()) <= skills
    assert len(set(comparison.compared.values())) == len(comparison.compared)
    labelled = Counter({row.skill: row.labelled for row in april.rows})
    assert sum(labelled.values()) > 0
