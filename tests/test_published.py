"""Skill counts against hiringtrends' published counts (etl/published.py)."""

from __future__ import annotations

import pytest

from etl import published
from etl.extraction import PostingExtractor
from etl.taxonomy import load_taxonomy, parse_taxonomy
from tests.helpers import reference_data


@pytest.fixture(scope="module")
def extractor() -> PostingExtractor:
    return PostingExtractor()


def test_term_spellings_are_the_listed_ones_or_else_the_name():
    assert published.term_spellings("Python") == ("python",)
    assert published.term_spellings("Machine Learning/alias[Machine Learning|ML]") == ("machine learning", "ml")
    assert published.term_spellings("node.js/js[node]") == ("node", "node.js", "nodejs")
    assert published.term_spellings("Next.js/alias[NextJS]") == ("nextjs",)  # hiringtrends looks for no "next.js"


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
    # .NET is named by two terms, "Julia" spans two skills, Remote is none.
    assert published.skills_of_terms(terms, taxonomy) == {"Python": "Python", "golang": "Go"}


def test_hiringtrends_rule_finds_words_as_its_source_cuts_them():
    python, basic = published.Term("Python", ("python",)), published.Term("Visual Basic", ("visual basic",))
    golang = published.Term("golang", ("golang",))
    assert published.hiringtrends_rule("We use Python, Go and SQL.", python)
    assert published.hiringtrends_rule("(python/django)", python)
    assert not published.hiringtrends_rule("<p>Python engineers", python)  # a tag joins the word
    assert not published.hiringtrends_rule("Python-based services", python)  # hyphens do not cut
    assert published.hiringtrends_rule("Legacy visual basic apps", basic)  # a phrase: a substring
    assert published.hiringtrends_rule("Backend in Go.", golang)  # golang also counts "Go" as written
    assert not published.hiringtrends_rule("Ready to go!", golang)


def test_counts_comments_once_by_skill_by_spelling_and_by_rule(extractor):
    html = ["<p>We run k8s and Kubernetes; Kubernetes again.",
            "Our stack: k8s, Python.",
            "Kubernetes-native. See github.com/acme.",
            "No cluster here.<p>Kubernetes later"]
    terms = {"Kubernetes": published.Term("Kubernetes", ("kubernetes",)),
             "GitHub": published.Term("GitHub", ("github",))}
    counts = published.count_skills(extractor, html, terms)
    assert counts.comments == 4
    assert counts.found["Kubernetes"] == 4  # k8s counts as the skill
    assert counts.spelled["Kubernetes"] == 3  # only comments where it is written "Kubernetes"
    assert counts.by_rule["Kubernetes"] == 2  # "kubernetes;" and a new paragraph; not "kubernetes-native"
    assert counts.by_rule_in_html["Kubernetes"] == 1  # "<p>kubernetes" is no word in the HTML
    assert counts.by_rule["GitHub"] == 1  # the rule takes the link's "github"
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
    html = {"2023-01": {"1": "Python and Kubernetes", "2": "Go"},
            "2023-02": {"3": "k8s", "4": "Rust", "5": "Backend in python and Postgres."},
            "2024-01": {"6": "Kubernetes"}}  # no published counts: not compared
    term_of_skill = {mapping[term.name]: term for term in terms if term.name in mapping}
    period = published.compare_recorded_months(extractor, term_of_skill, mapping, counts, html)
    assert period.months == ["2023-01", "2023-02"]
    assert (period.our_comments, period.published_comments) == (5, 10)
    assert period.lowest_coverage == 0.5  # 2 of the 4 comments of 2023-01
    rows = {row.term: row for row in period.rows}
    assert (rows["Kubernetes"].ours, rows["Kubernetes"].ours_spelled, rows["Kubernetes"].published) == (2, 1, 3)
    assert (rows["Python"].ours, rows["Python"].by_rule, rows["Python"].published) == (2, 2, 3)
    table = "\n".join(published._render_recorded_months(period))
    # Kubernetes: 2 of 5 comments (40%) found, 1 written so (20%), against 3 of 10 published (30%).
    assert "| Kubernetes | Kubernetes | 40.00 | 20.00 | 20.00 | 20.00 | 30.00 |" in table
    assert "in each month at least 50% of the comments" in table


def test_errors_from_labels_are_summed_over_terms():
    rows = [published.TermCount("A", "A", published=5, ours=4, ours_spelled=4, by_rule=6, by_rule_in_html=5,
                                labelled=4),
            published.TermCount("B", "B", published=1, ours=3, ours_spelled=3, by_rule=3, by_rule_in_html=1,
                                labelled=2)]
    assert published.error_from_labels(rows, lambda row: row.ours) == 1
    assert published.error_from_labels(rows, lambda row: row.published) == 2
    assert published.error_from_labels(rows, lambda row: row.by_rule) == 3


def test_missing_measurement_is_said_in_one_sentence(tmp_path, monkeypatch, extractor):
    monkeypatch.setenv(published.HIRINGTRENDS_ENV, str(tmp_path / "nowhere"))
    comparison = published.compare_published(extractor)
    assert comparison.april_2011 is None and comparison.recorded_months is None
    assert [reason.startswith("no hiringtrends measurement") for reason in comparison.missing] == [True]
    assert any(line.startswith("Not measured: no hiringtrends measurement") for line in published.render(comparison))


@pytest.mark.parametrize("monthly, said", [
    ("month,num_comments,points,term,full_term,count,percentage,rank\n2011-04,many,1,Python,Python,3,1,1\n",
     "line 2: num_comments 'many' and count '3' should be whole numbers."),
    ("month,comments,term\n2023-01,4,Python\n", "has no column num_comments, count: it is not hiringtrends' format."),
    ("month,num_comments,points,term,full_term,count,percentage,rank\n2011-04,4,1\n", "line 2 has too few fields."),
])
def test_a_malformed_measurement_is_said_in_one_sentence(tmp_path, monkeypatch, extractor, monthly, said):
    folder = tmp_path / "ht"
    write_hiringtrends(folder, {})
    (folder / published.MONTHLY).write_text(monthly)
    monkeypatch.setenv(published.HIRINGTRENDS_ENV, str(folder))
    comparison = published.compare_published(extractor)
    assert len(comparison.missing) == 1 and comparison.missing[0].endswith(said)
    assert f"Not measured: {comparison.missing[0]}" in published.render(comparison)


def test_a_measurement_not_in_utf8_is_said_in_one_sentence(tmp_path, monkeypatch, extractor):
    folder = tmp_path / "ht"
    write_hiringtrends(folder, {})
    (folder / published.DICTIONARY).write_bytes("term,full_term\nCaf\u00e9,Caf\u00e9\n".encode("latin-1"))
    monkeypatch.setenv(published.HIRINGTRENDS_ENV, str(folder))
    comparison = published.compare_published(extractor)
    assert len(comparison.missing) == 1 and "cannot be read as UTF-8 CSV" in comparison.missing[0]


def test_missing_comments_are_said_per_section(tmp_path, monkeypatch, extractor):
    folder = tmp_path / "ht"
    write_hiringtrends(folder, {"2011-04": (2, {"Python": 1})})
    monkeypatch.setenv(published.HIRINGTRENDS_ENV, str(folder))
    monkeypatch.setenv("SKILLTRENDS_HN_ALGOLIA", str(tmp_path / "no-threads"))
    monkeypatch.setenv("SKILLTRENDS_HN2023H1", str(tmp_path / "no-comments"))
    comparison = published.compare_published(extractor)
    assert comparison.terms == 3 and comparison.april_2011 is None and comparison.recorded_months is None
    assert [reason.split(":")[0] for reason in comparison.missing] == ["April 2011", "2023"]
    assert "No recorded Hacker News thread" in comparison.missing[0]
    rendered = published.render(comparison)
    assert sum(line.startswith("Not measured: ") for line in rendered) == 2


def test_no_term_frequent_enough_is_said_not_divided_by(extractor):
    period = published.Period("2023-01–2023-01", ["2023-01"], published_comments=10, our_comments=10,
                              rows=[published.TermCount("Zig", "Zig", 0, 0, 0, 0, 0)])
    assert "No compared term is found in 1% of these comments or more." in published._render_recorded_months(period)


@pytest.mark.reference_data
def test_april_2011_is_the_thread_hiringtrends_counted(extractor):
    reference_data("hn-hiringtrends")
    reference_data("hn-algolia")
    reference_data("hn-2023h1")
    comparison = published.compare_published(extractor)
    april = comparison.april_2011
    assert april is not None
    # The same comments: hiringtrends counted as many as the recorded thread has, every one labelled ...
    assert april.published_comments == comparison.thread_comments == april.our_comments
    # ... and its rule, read from its source, gives its published count of every compared term from their HTML.
    assert [(row.term, row.by_rule_in_html) for row in april.rows] == [(row.term, row.published) for row in april.rows]
    skills = {skill.name for skill in load_taxonomy().skills}
    assert set(comparison.compared.values()) <= skills
    assert len(set(comparison.compared.values())) == len(comparison.compared)
