"""Skill counts set against a published, independent measurement: imsky/hiringtrends.

hiringtrends counts, for every monthly HN "Who is hiring?" thread, the top-level comments
that mention each of 261 terms (``../shared/data/hn-hiringtrends``: ``month, num_comments,
term, count``). skilltrends has the real text of some of those months: the whole April 2011
thread (``hn-algolia``) and nearly whole threads of January-June 2023 (``hn-2023h1``). For
the terms that name one taxonomy skill, the extractor counts the same thing (comments that
mention the skill) in the same comments, and ``skilltrends evaluate`` reports both. The
April 2011 comments are also labelled by people (``postings_2011.*.jsonl``), so there the
labels say which count is nearer the truth.

Measured only: nothing here trains or tunes anything.
"""

from __future__ import annotations

import csv
import os
import re
import statistics
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from etl.extraction import PostingExtractor
from etl.labelled import (
    DEFAULT_REFERENCE, ReferenceMissing, clean_texts, load_thread_texts, read_posting_labels, reference_folder,
    reference_records_by_file,
)
from etl.taxonomy import Taxonomy

HIRINGTRENDS_ENV = "SKILLTRENDS_HN_HIRINGTRENDS"
DEFAULT_HIRINGTRENDS = DEFAULT_REFERENCE.with_name("hn-hiringtrends")
DICTIONARY = "hiringtrends_dictionary_2024-05_with_aliases.csv"
MONTHLY = "hn_hiringtrends_monthly_terms.csv"
APRIL_2011 = "2011-04"
# A term whose spellings are a narrow part of the skill's: its count is not the skill's.
NOT_COMPARED = {
    "golang": "hiringtrends counts the spelling \"golang\" only (it has no term \"Go\", a common word)",
}
# ``alias[A|B]`` lists a term's other spellings; ``js[x]`` stands for a JavaScript library's.
TERM_SPELLINGS = re.compile(r"(alias|js)\[([^\]]*)\]")


@dataclass(frozen=True)
class Term:
    name: str
    spellings: tuple[str, ...]  # lower-case, the name among them


def term_spellings(full_term: str) -> tuple[str, ...]:
    """The spellings of a dictionary entry: ``"node.js/js[node]"`` -> node.js, node, nodejs."""
    name, _, rest = full_term.partition("/")
    spellings = [name]
    for kind, listed in TERM_SPELLINGS.findall(rest):
        if kind == "alias":
            spellings += listed.split("|")
        else:
            spellings += [listed, f"{listed}.js", f"{listed}js"]
    return tuple(dict.fromkeys(spelling.strip().lower() for spelling in spellings if spelling.strip()))


def hiringtrends_folder() -> Path:
    return Path(os.environ.get(HIRINGTRENDS_ENV) or DEFAULT_HIRINGTRENDS)


def read_terms(folder: Path) -> list[Term]:
    with open(folder / DICTIONARY, encoding="utf-8", newline="") as handle:
        return [Term(row["term"], term_spellings(row["full_term"])) for row in csv.DictReader(handle)]


@dataclass
class MonthCounts:
    comments: int = 0
    counts: Counter = field(default_factory=Counter)  # term -> comments mentioning it


def read_monthly_counts(folder: Path, months: set[str]) -> dict[str, MonthCounts]:
    found: dict[str, MonthCounts] = {}
    with open(folder / MONTHLY, encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            if row["month"] in months:
                month = found.setdefault(row["month"], MonthCounts(int(row["num_comments"])))
                month.counts[row["term"]] += int(row["count"])
    return found


def skills_of_terms(terms: list[Term], taxonomy: Taxonomy) -> dict[str, str]:
    """``{term: skill}`` for the terms whose every spelling the taxonomy knows as one and the
    same skill, which no other term also names (".NET", ".NET Core" and "ASP.NET" are all
    the skill .NET: no term's count is the skill's), less ``NOT_COMPARED``."""
    skill_of_spelling: dict[str, set[str]] = {}
    for skill in taxonomy.skills:
        for spelling in (skill.name, *skill.aliases, *skill.exact_aliases):
            skill_of_spelling.setdefault(spelling.lower(), set()).add(skill.name)
    mapped = {}
    for term in terms:
        skills = set().union(*(skill_of_spelling.get(spelling, set()) for spelling in term.spellings))
        if len(skills) == 1 and term.name not in NOT_COMPARED:
            mapped[term.name] = skills.pop()
    claims = Counter(mapped.values())
    return {term: skill for term, skill in mapped.items() if claims[skill] == 1}


@dataclass
class SkillCounts:
    """Comments mentioning each compared skill: as the extractor finds it, as it finds it
    written in one of the term's spellings, and as any of those spellings matches a whole
    word in any case (a plain word match, what a simple counter does)."""
    comments: int = 0
    found: Counter = field(default_factory=Counter)
    spelled: Counter = field(default_factory=Counter)
    word_match: Counter = field(default_factory=Counter)

    def add(self, other: SkillCounts) -> None:
        self.comments += other.comments
        self.found.update(other.found)
        self.spelled.update(other.spelled)
        self.word_match.update(other.word_match)


def whole_word(spellings: tuple[str, ...]) -> re.Pattern:
    alternatives = "|".join(re.escape(spelling) for spelling in sorted(spellings, key=len, reverse=True))
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE)


def count_skills(extractor: PostingExtractor, texts: list[str], spellings: dict[str, tuple[str, ...]]) -> SkillCounts:
    """``spellings``: each compared skill's term spellings (lower-case)."""
    counts = SkillCounts(comments=len(texts))
    skills = extractor.skills.skills
    for text, accepted in zip(texts, extractor.tagger.accepted_candidates(texts)):
        counts.found.update({skills[c.index].name for c in accepted})
        counts.spelled.update({skills[c.index].name for c in accepted
                               if text[c.start:c.end].lower() in spellings.get(skills[c.index].name, ())})
    for skill, written in spellings.items():
        pattern = whole_word(written)
        counts.word_match[skill] = sum(1 for text in texts if pattern.search(text))
    return counts


@dataclass
class TermCount:
    term: str
    skill: str
    published: int
    ours: int
    ours_spelled: int  # counting only occurrences written as one of the term's spellings
    word_match: int  # comments where a spelling matches a whole word, in any case
    labelled: int | None = None

    def counts(self) -> tuple[int, ...]:
        return tuple(n for n in (self.labelled, self.ours, self.word_match, self.published) if n is not None)


@dataclass
class Period:
    name: str
    months: list[str]
    published_comments: int = 0
    our_comments: int = 0
    rows: list[TermCount] = field(default_factory=list)

    def published_share(self, row: TermCount) -> float:
        return 100 * row.published / self.published_comments if self.published_comments else 0.0

    def our_share(self, count: int) -> float:
        return 100 * count / self.our_comments if self.our_comments else 0.0


@dataclass
class PublishedComparison:
    terms: int = 0  # terms in the dictionary
    compared: dict[str, str] = field(default_factory=dict)  # term -> skill
    april_2011: Period | None = None
    h1_2023: Period | None = None
    missing: str = ""


def skill_spellings(terms: list[Term], mapping: dict[str, str]) -> dict[str, tuple[str, ...]]:
    return {mapping[term.name]: term.spellings for term in terms if term.name in mapping}


def term_counts(mapping: dict[str, str], published: Counter, ours: SkillCounts,
                labelled: Counter | None = None) -> list[TermCount]:
    return [TermCount(term, skill, published[term], ours.found[skill], ours.spelled[skill], ours.word_match[skill],
                      None if labelled is None else labelled[skill])
            for term, skill in sorted(mapping.items(), key=lambda item: item[0].lower())]


def comments_by_month(folder: Path) -> dict[str, dict[str, str]]:
    """``{YYYY-MM: {comment id: html}}`` from the hn-2023h1 files (``2023_01.jsonl``...)."""
    return {stem.replace("_", "-"): {key: record["hn_text"] for key, record in records.items()}
            for stem, records in reference_records_by_file(folder).items()}


def compare_april_2011(extractor: PostingExtractor, terms: list[Term], mapping: dict[str, str],
                       published: dict[str, MonthCounts]) -> Period | None:
    labels = read_posting_labels("postings_2011.*.jsonl")
    texts = load_thread_texts()
    if APRIL_2011 not in published or not labels:
        return None
    ids = [row["source_id"] for row in labels if row["source_id"] in texts]
    labelled = Counter(skill for row in labels if row["source_id"] in texts for skill in set(row["skills"]))
    period = Period("April 2011", [APRIL_2011], published[APRIL_2011].comments, len(ids))
    period.rows = term_counts(mapping, published[APRIL_2011].counts,
                              count_skills(extractor, [texts[key] for key in ids], skill_spellings(terms, mapping)),
                              labelled)
    return period


def compare_2023(extractor: PostingExtractor, terms: list[Term], mapping: dict[str, str],
                 published: dict[str, MonthCounts], html_by_month: dict[str, dict[str, str]]) -> Period | None:
    months = sorted(month for month in html_by_month if month in published)
    if not months:
        return None
    period = Period(f"{months[0]}–{months[-1]}", months)
    ours = SkillCounts()
    pooled_published: Counter = Counter()
    spellings = skill_spellings(terms, mapping)
    for month in months:
        ours.add(count_skills(extractor, list(clean_texts(html_by_month[month]).values()), spellings))
        period.published_comments += published[month].comments
        pooled_published.update(published[month].counts)
    period.our_comments = ours.comments
    period.rows = term_counts(mapping, pooled_published, ours)
    return period


def compare_published(extractor: PostingExtractor) -> PublishedComparison:
    comparison = PublishedComparison()
    folder = hiringtrends_folder()
    if not (folder / DICTIONARY).exists() or not (folder / MONTHLY).exists():
        comparison.missing = (f"no hiringtrends measurement ({DICTIONARY}, {MONTHLY}) in {folder}: put "
                              f"hn-hiringtrends there (or set ${HIRINGTRENDS_ENV}).")
        return comparison
    terms = read_terms(folder)
    comparison.terms = len(terms)
    comparison.compared = skills_of_terms(terms, extractor.skills.taxonomy)
    html_by_month = comments_by_month(reference_folder())
    published = read_monthly_counts(folder, {APRIL_2011, *html_by_month})
    try:
        comparison.april_2011 = compare_april_2011(extractor, terms, comparison.compared, published)
    except ReferenceMissing as missing:
        comparison.missing = str(missing)
    comparison.h1_2023 = compare_2023(extractor, terms, comparison.compared, published, html_by_month)
    return comparison


def error_from_labels(rows: list[TermCount], count) -> int:
    """|count - labels| summed over the terms."""
    return sum(abs(count(row) - row.labelled) for row in rows if row.labelled is not None)


def render(comparison: PublishedComparison) -> list[str]:
    lines = ["## An independent measurement: hiringtrends", ""]
    if comparison.missing and comparison.april_2011 is None and comparison.h1_2023 is None:
        return [*lines, f"Not measured: {comparison.missing}", ""]
    lines += [
        "imsky/hiringtrends (`../shared/data/hn-hiringtrends`) counts, in every monthly HN \"Who is hiring?\" "
        f"thread, the top-level comments that mention each of its {comparison.terms} terms, by its own "
        f"spellings of each. {len(comparison.compared)} of its terms name one taxonomy skill that no other term "
        "names (the others are not skills here, such as Remote or Senior, or several terms share a skill, such "
        "as .NET, .NET Core and ASP.NET; golang is left out, since hiringtrends counts only that spelling of "
        "Go). For those terms skilltrends counts the same thing, the comments in which the extractor finds the "
        "skill, in the months whose comments it has as real text (`etl/published.py`); beside it, a plain word "
        "match: the comments in which one of hiringtrends' spellings of the term stands as a whole word, in "
        "any case. Measured only; nothing is trained or tuned on it.",
        "",
    ]
    if comparison.missing:
        lines += [f"April 2011 not measured: {comparison.missing}", ""]
    if comparison.april_2011:
        lines += _render_april_2011(comparison.april_2011)
    if comparison.h1_2023:
        lines += _render_2023(comparison.h1_2023)
    return lines


def _render_april_2011(period: Period) -> list[str]:
    counted = [row for row in period.rows if any(row.counts())]
    ways = {"skilltrends": lambda row: row.ours, "the plain word match": lambda row: row.word_match,
            "hiringtrends": lambda row: row.published}
    errors = "; ".join(f"{name} {error_from_labels(counted, count)} (equal to the labels' for "
                       f"{sum(count(row) == row.labelled for row in counted)} terms)" for name, count in ways.items())
    lines = [
        f"### April 2011: {period.our_comments} comments, labelled",
        "",
        f"hiringtrends counted {period.published_comments} comments in that thread; the recorded thread has "
        f"{period.our_comments} top-level comments, every one labelled by people (`postings_2011.*`), so the "
        "labels say which count is nearer the truth. Over the "
        f"{len(counted)} compared terms that any count finds in these comments (the labels: "
        f"{sum(row.labelled for row in counted)} comment-skill pairs), the counts differ from the labels' by, "
        f"summed over the terms: {errors}. The labels count a skill as the taxonomy defines it, which "
        "favours skilltrends: \"Ruby on Rails\" is that skill and not also Ruby, and a github.com link is "
        "not GitHub the skill; hiringtrends and the plain word match count both.",
        "",
        "The terms counted in 3 comments or more by any:",
        "",
        "| term | skill | labels | skilltrends | plain word match | hiringtrends |",
        "|---|---|---|---|---|---|",
    ]
    for row in sorted(counted, key=lambda row: (-max(row.counts()), row.term.lower())):
        if max(row.counts()) >= 3:
            lines.append(f"| {row.term} | {row.skill} | {row.labelled} | {row.ours} | {row.word_match} | "
                         f"{row.published} |")
    return [*lines, ""]


def _render_2023(period: Period, shown: int = 15) -> list[str]:
    rows = [row for row in period.rows if max(period.our_share(row.ours), period.published_share(row)) >= 1.0]

    def median_gap(count) -> float:
        return statistics.median(abs(period.our_share(count(row)) - period.published_share(row)) for row in rows)

    lines = [
        f"### {period.name}: {period.our_comments} comments, not labelled",
        "",
        f"hiringtrends counted {period.published_comments} comments in these {len(period.months)} threads; "
        f"`hn-2023h1` holds {period.our_comments} of them (each month a near-whole sample), so the published "
        "shares are of a slightly larger set of comments, and no labels say which count is right. "
        f"For the {len(rows)} compared terms that skilltrends or hiringtrends finds in 1% of the comments or "
        "more, the median gap between the published share and skilltrends' is "
        f"{median_gap(lambda row: row.ours):.2f} percentage points; skilltrends counting only occurrences "
        "written in one of hiringtrends' spellings (\"k8s\" is not one of Kubernetes') "
        f"{median_gap(lambda row: row.ours_spelled):.2f}; the plain word match "
        f"{median_gap(lambda row: row.word_match):.2f}. hiringtrends' share is below the plain word match's "
        f"for {sum(period.published_share(row) < period.our_share(row.word_match) for row in rows)} of these "
        f"{len(rows)} terms, though the comments it counted are a few more, so part of the gap is how "
        "hiringtrends matches its terms, which its own README leaves open (word boundaries or substrings).",
        "",
        f"The {shown} largest gaps between skilltrends and hiringtrends, % of comments:",
        "",
        "| term | skill | skilltrends | skilltrends, the term's spellings only | plain word match | hiringtrends |",
        "|---|---|---|---|---|---|",
    ]
    ranked = sorted(rows, key=lambda row: (-abs(period.our_share(row.ours) - period.published_share(row)),
                                           row.term.lower()))
    for row in ranked[:shown]:
        lines.append(f"| {row.term} | {row.skill} | {period.our_share(row.ours):.2f} | "
                     f"{period.our_share(row.ours_spelled):.2f} | {period.our_share(row.word_match):.2f} | "
                     f"{period.published_share(row):.2f} |")
    return [*lines, ""]
