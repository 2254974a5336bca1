"""Skill counts set against a published, independent measurement: imsky/hiringtrends.

hiringtrends counts, for every monthly HN "Who is hiring?" thread, the top-level comments
that mention each of 261 terms (``../shared/data/hn-hiringtrends``: ``month, num_comments,
term, count``). skilltrends has the real text of some of those months: the whole April 2011
thread (``hn-algolia``) and most comments of January-June 2023 (``hn-2023h1``). For the
terms that name one taxonomy skill, the extractor counts the same thing (comments that
mention the skill) in the same comments, and ``skilltrends evaluate`` reports both, with
hiringtrends' own matching rule applied to skilltrends' clean text in between, so a gap
can be told apart into how the comments were read and how the skill was recognised. The
April 2011 comments are labelled by people (``postings_2011.*.jsonl``): there the labels say
which count is nearer.

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
    DEFAULT_REFERENCE, ReferenceMissing, april_2011_postings, clean_texts, reference_folder, reference_records_by_file,
)
from etl.taxonomy import Taxonomy
from skilltrends.home import Home

HIRINGTRENDS_ENV = "SKILLTRENDS_HN_HIRINGTRENDS"
DEFAULT_HIRINGTRENDS = DEFAULT_REFERENCE.with_name("hn-hiringtrends")
DICTIONARY = "hiringtrends_dictionary_2024-05_with_aliases.csv"
MONTHLY = "hn_hiringtrends_monthly_terms.csv"
APRIL_2011 = "2011-04"
# ``alias[A|B]`` lists a term's spellings; ``js[x]`` stands for a JavaScript library's (x, x.js, xjs).
TERM_SPELLINGS = re.compile(r"(alias|js)\[([^\]]*)\]")
# hiringtrends' rule, as its source (lib/hiringtrends/job_posting.rb) states it: the comment
# lower-cased and cut into words at white space and these marks; a spelling with a space or
# a dot is looked for as a substring instead; "golang" also counts the word "Go" as written.
RULE_WORD_BREAKS = re.compile(r"[\s!|\\;:,.?/'()\[\]]+")
RULE_WRITTEN_AS = {"golang": "Go"}
SHOWN_FROM = 3  # April 2011 terms listed: counted in this many comments or more by any count
SHARE_FROM = 1.0  # 2023 terms compared: found in this percentage of comments or more


@dataclass(frozen=True)
class Term:
    name: str
    spellings: tuple[str, ...]  # lower-case


def term_spellings(full_term: str) -> tuple[str, ...]:
    """The spellings hiringtrends looks for: the term's name, or only the listed ones when
    the entry lists some ("Next.js/alias[NextJS]" is looked for as "nextjs")."""
    name, _, rest = full_term.partition("/")
    spellings = []
    for kind, listed in TERM_SPELLINGS.findall(rest):
        spellings += listed.split("|") if kind == "alias" else [listed, f"{listed}.js", f"{listed}js"]
    return tuple(dict.fromkeys(spelling.strip().lower() for spelling in spellings or [name] if spelling.strip()))


def hiringtrends_folder() -> Path:
    return Path(os.environ.get(HIRINGTRENDS_ENV) or DEFAULT_HIRINGTRENDS)


class HiringtrendsUnreadable(ReferenceMissing):
    pass


def _rows(path: Path, columns: tuple[str, ...]):
    """The CSV file's rows, checked to have ``columns``; a file that cannot be read as such
    raises HiringtrendsUnreadable naming it and the line."""
    try:
        with open(path, encoding="utf-8", newline="") as handle:
            reader = csv.DictReader(handle)
            missing = [column for column in columns if column not in (reader.fieldnames or ())]
            if missing:
                raise HiringtrendsUnreadable(f"{path} has no column {', '.join(missing)}: it is not hiringtrends' format.")
            for row in reader:
                if any(row.get(column) is None for column in columns):
                    raise HiringtrendsUnreadable(f"{path} line {reader.line_num} has too few fields.")
                yield reader.line_num, row
    except (UnicodeDecodeError, csv.Error) as error:
        raise HiringtrendsUnreadable(f"{path} cannot be read as UTF-8 CSV ({error}).") from None


def read_terms(folder: Path) -> list[Term]:
    return [Term(row["term"], term_spellings(row["full_term"]))
            for _, row in _rows(folder / DICTIONARY, ("term", "full_term"))]


@dataclass
class MonthCounts:
    comments: int = 0
    counts: Counter = field(default_factory=Counter)  # term -> comments mentioning it


def read_monthly_counts(folder: Path, months: set[str]) -> dict[str, MonthCounts]:
    found: dict[str, MonthCounts] = {}
    path = folder / MONTHLY
    for line, row in _rows(path, ("month", "num_comments", "term", "count")):
        if row["month"] in months:
            try:
                month = found.setdefault(row["month"], MonthCounts(int(row["num_comments"])))
                month.counts[row["term"]] += int(row["count"])
            except ValueError:
                raise HiringtrendsUnreadable(f"{path} line {line}: num_comments {row['num_comments']!r} and count "
                                             f"{row['count']!r} should be whole numbers.") from None
    return found


def skills_of_terms(terms: list[Term], taxonomy: Taxonomy) -> dict[str, str]:
    """``{term: skill}`` for the terms whose spellings the taxonomy knows (the others it
    does not know are ignored: "GAE" for App Engine) all as one and the same skill, which
    no other term also names (".NET", ".NET Core" and "ASP.NET" all name the skill .NET, so
    no term's count is the skill's)."""
    skill_of_spelling: dict[str, set[str]] = {}
    for skill in taxonomy.skills:
        for spelling in (skill.name, *skill.aliases, *skill.exact_aliases):
            skill_of_spelling.setdefault(spelling.lower(), set()).add(skill.name)
    mapped = {}
    for term in terms:
        skills = set().union(*(skill_of_spelling.get(spelling, set()) for spelling in term.spellings))
        if len(skills) == 1:
            mapped[term.name] = skills.pop()
    claims = Counter(mapped.values())
    return {term: skill for term, skill in mapped.items() if claims[skill] == 1}


class RuleReading:
    """A comment as hiringtrends' rule reads it, cut into words once for all the terms."""

    def __init__(self, text: str):
        self.text = text
        self.lowered = text.lower()
        self.words = set(RULE_WORD_BREAKS.split(self.lowered))
        self._written: set[str] | None = None  # the words as written, only for RULE_WRITTEN_AS

    def finds(self, term: Term) -> bool:
        if any((spelling in self.lowered) if (" " in spelling or "." in spelling) else (spelling in self.words)
               for spelling in term.spellings):
            return True
        written = RULE_WRITTEN_AS.get(term.name)
        if written is None:
            return False
        if self._written is None:
            self._written = set(RULE_WORD_BREAKS.split(self.text))
        return written in self._written


def hiringtrends_rule(text: str, term: Term) -> bool:
    """Does hiringtrends' rule find ``term`` in ``text``?"""
    return RuleReading(text).finds(term)


@dataclass
class SkillCounts:
    """Comments mentioning each compared skill: as the extractor finds it; as it finds it
    written in one of the term's spellings; as hiringtrends' rule finds the term in the
    clean text, and in the comment's HTML."""
    comments: int = 0
    found: Counter = field(default_factory=Counter)
    spelled: Counter = field(default_factory=Counter)
    by_rule: Counter = field(default_factory=Counter)
    by_rule_in_html: Counter = field(default_factory=Counter)

    def add(self, other: SkillCounts) -> None:
        self.comments += other.comments
        for name in ("found", "spelled", "by_rule", "by_rule_in_html"):
            getattr(self, name).update(getattr(other, name))


def rule_counts(texts: list[str], term_of_skill: dict[str, Term]) -> Counter:
    counts: Counter = Counter()
    for text in texts:
        reading = RuleReading(text)
        counts.update(skill for skill, term in term_of_skill.items() if reading.finds(term))
    return counts


def count_skills(extractor: PostingExtractor, html: list[str], term_of_skill: dict[str, Term]) -> SkillCounts:
    """``html``: comments as HN serves them; ``term_of_skill``: the hiringtrends term of each
    compared skill."""
    texts = list(clean_texts({str(n): comment for n, comment in enumerate(html)}).values())
    counts = SkillCounts(comments=len(texts), by_rule=rule_counts(texts, term_of_skill),
                         by_rule_in_html=rule_counts(html, term_of_skill))
    skills = extractor.skills.skills
    for text, accepted in zip(texts, extractor.tagger.accepted_candidates(texts)):
        counts.found.update({skills[c.index].name for c in accepted})
        counts.spelled.update({skills[c.index].name for c in accepted if skills[c.index].name in term_of_skill
                               and text[c.start:c.end].lower() in term_of_skill[skills[c.index].name].spellings})
    return counts


@dataclass
class TermCount:
    term: str
    skill: str
    published: int
    ours: int
    ours_spelled: int  # counting only occurrences written as one of the term's spellings
    by_rule: int  # hiringtrends' rule on skilltrends' clean text
    by_rule_in_html: int  # hiringtrends' rule on the comment's HTML, as hiringtrends reads it
    labelled: int | None = None

    def counts(self) -> tuple[int, ...]:
        return tuple(n for n in (self.labelled, self.ours, self.by_rule, self.by_rule_in_html, self.published)
                     if n is not None)


@dataclass
class Period:
    name: str
    months: list[str]
    published_comments: int = 0
    our_comments: int = 0
    # The lowest share of a month's comments, as hiringtrends counted them, that skilltrends has.
    lowest_coverage: float = 1.0
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
    thread_comments: int = 0  # top-level comments of the recorded April 2011 thread
    recorded_months: Period | None = None
    missing: list[str] = field(default_factory=list)


def term_counts(mapping: dict[str, str], published: Counter, ours: SkillCounts,
                labelled: Counter | None = None) -> list[TermCount]:
    return [TermCount(term, skill, published[term], ours.found[skill], ours.spelled[skill], ours.by_rule[skill],
                      ours.by_rule_in_html[skill], None if labelled is None else labelled[skill])
            for term, skill in sorted(mapping.items(), key=lambda item: item[0].lower())]


def comments_by_month(folder: Path, home: Home | None = None) -> dict[str, dict[str, str]]:
    """``{YYYY-MM: {comment id: html}}`` from the hn-2023h1 files (``2023_01.jsonl``...), or a
    crawl of the same threads without them (``labelled.reference_records_by_file``)."""
    return {stem.replace("_", "-"): {key: record["hn_text"] for key, record in records.items()}
            for stem, records in reference_records_by_file(folder, home).items()}


def compare_april_2011(comparison: PublishedComparison, extractor: PostingExtractor,
                       term_of_skill: dict[str, Term], published: dict[str, MonthCounts]) -> None:
    html, labels = april_2011_postings()
    if APRIL_2011 not in published or not labels:
        return
    comparison.thread_comments = len(html)
    labelled = Counter(skill for row in labels for skill in set(row["skills"]))
    period = Period("April 2011", [APRIL_2011], published[APRIL_2011].comments, len(labels))
    counts = count_skills(extractor, [html[row["source_id"]] for row in labels], term_of_skill)
    period.rows = term_counts(comparison.compared, published[APRIL_2011].counts, counts, labelled)
    comparison.april_2011 = period


def compare_recorded_months(extractor: PostingExtractor, term_of_skill: dict[str, Term], mapping: dict[str, str],
                            published: dict[str, MonthCounts],
                            html_by_month: dict[str, dict[str, str]]) -> Period | None:
    """The months of ``html_by_month`` that hiringtrends measured, pooled: no labels."""
    months = sorted(month for month in html_by_month if month in published)
    if not months:
        return None
    period = Period(f"{months[0]}–{months[-1]}", months)
    ours = SkillCounts()
    pooled_published: Counter = Counter()
    for month in months:
        ours.add(count_skills(extractor, list(html_by_month[month].values()), term_of_skill))
        period.published_comments += published[month].comments
        pooled_published.update(published[month].counts)
        if published[month].comments:
            period.lowest_coverage = min(period.lowest_coverage, len(html_by_month[month]) / published[month].comments)
    period.our_comments = ours.comments
    period.rows = term_counts(mapping, pooled_published, ours)
    return period


def compare_published(extractor: PostingExtractor, home: Home | None = None) -> PublishedComparison:
    comparison = PublishedComparison()
    folder = hiringtrends_folder()
    if not (folder / DICTIONARY).exists() or not (folder / MONTHLY).exists():
        comparison.missing.append(f"no hiringtrends measurement ({DICTIONARY}, {MONTHLY}) in {folder}: put "
                                  f"hn-hiringtrends there (or set ${HIRINGTRENDS_ENV}).")
        return comparison
    html_by_month = comments_by_month(reference_folder(), home)
    try:
        terms = read_terms(folder)
        published = read_monthly_counts(folder, {APRIL_2011, *html_by_month})
    except HiringtrendsUnreadable as unreadable:
        comparison.missing.append(str(unreadable))
        return comparison
    comparison.terms = len(terms)
    comparison.compared = skills_of_terms(terms, extractor.skills.taxonomy)
    term_of_skill = {comparison.compared[term.name]: term for term in terms if term.name in comparison.compared}
    try:
        compare_april_2011(comparison, extractor, term_of_skill, published)
    except ReferenceMissing as missing:
        comparison.missing.append(f"April 2011: {missing}")
    comparison.recorded_months = compare_recorded_months(extractor, term_of_skill, comparison.compared, published,
                                                         html_by_month)
    if comparison.recorded_months is None:
        comparison.missing.append(f"2023: no comments of a month hiringtrends measured in {reference_folder()} "
                                  "(hn-2023h1, or $SKILLTRENDS_HN2023H1) nor in a crawl of the threads.")
    return comparison


def error_from_labels(rows: list[TermCount], count) -> int:
    """|count - labels| summed over the terms."""
    return sum(abs(count(row) - row.labelled) for row in rows if row.labelled is not None)


def render(comparison: PublishedComparison) -> list[str]:
    lines = ["## An independent measurement: hiringtrends", ""]
    if not comparison.terms:
        return [*lines, *[f"Not measured: {reason}" for reason in comparison.missing], ""]
    lines += [
        "imsky/hiringtrends (`../shared/data/hn-hiringtrends`) counts, in every monthly HN \"Who is hiring?\" "
        f"thread, the top-level comments that mention each of its {comparison.terms} terms. "
        f"{len(comparison.compared)} of its terms name one taxonomy skill that no other term names (the others "
        "are not skills here, such as Remote or Senior, or several terms share a skill, such as .NET, .NET Core "
        "and ASP.NET). For those terms skilltrends counts the same thing, the comments in which the extractor "
        "finds the skill, in the months whose comments it has as real text (`etl/published.py`). Beside it, "
        "hiringtrends' rule as its source states it (a comment is lower-cased and cut into words at white "
        "space and some punctuation, not at hyphens; a term is found when one of its spellings is such a word, "
        "or, with a space or a dot in it, a substring; golang also counts the word \"Go\"), applied to the "
        "comment's HTML as hiringtrends reads it, and to skilltrends' clean text of it. Measured only; nothing "
        "is trained or tuned on it.",
        "",
    ]
    lines += [f"Not measured: {reason}" for reason in comparison.missing]
    if comparison.missing:
        lines.append("")
    if comparison.april_2011:
        lines += _render_april_2011(comparison.april_2011, comparison.thread_comments)
    if comparison.recorded_months:
        lines += _render_recorded_months(comparison.recorded_months)
    return lines


COLUMNS = ("| term | skill | {first}skilltrends | {spelled}hiringtrends' rule, clean text | "
           "hiringtrends' rule, HTML | hiringtrends, published |")


def _render_april_2011(period: Period, thread_comments: int) -> list[str]:
    counted = [row for row in period.rows if any(row.counts())]
    ways = {"skilltrends": lambda row: row.ours, "hiringtrends' rule on the clean text": lambda row: row.by_rule,
            "hiringtrends as published": lambda row: row.published}
    errors = "; ".join(f"{name} {error_from_labels(counted, count)} (equal to the labels' count for "
                       f"{sum(count(row) == row.labelled for row in counted)} terms)" for name, count in ways.items())
    reproduced = sum(row.by_rule_in_html == row.published for row in counted)
    header = COLUMNS.format(first="labels | ", spelled="")
    lines = [
        f"### April 2011: {period.our_comments} labelled comments",
        "",
        f"hiringtrends counted {period.published_comments} comments in that thread; the recorded thread has "
        f"{thread_comments} top-level comments, of which {period.our_comments} are labelled by people "
        f"(`postings_2011.*`). Its rule on their HTML gives the published count for {reproduced} of the "
        f"{len(counted)} compared terms that any count finds in these comments. The labels say which count is "
        f"nearer the truth (they hold {sum(row.labelled for row in counted)} comment-skill pairs of these "
        f"terms): summed over the terms, the counts differ from the labels' by {errors}. The labels count a "
        "skill as the taxonomy defines it, which favours skilltrends: \"Ruby on Rails\" is that skill and not "
        "also Ruby, and a github.com link is not GitHub the skill. The first half of this thread's misses were "
        "read once when the extractor was built (docs/extraction.md), so skilltrends' figure here is not wholly "
        "unseen.",
        "",
        f"The terms counted in {SHOWN_FROM} comments or more by any count:",
        "",
        header,
        "|" + "---|" * (header.count("|") - 1),
    ]
    for row in sorted(counted, key=lambda row: (-max(row.counts()), row.term.lower())):
        if max(row.counts()) >= SHOWN_FROM:
            lines.append(f"| {row.term} | {row.skill} | {row.labelled} | {row.ours} | {row.by_rule} | "
                         f"{row.by_rule_in_html} | {row.published} |")
    return [*lines, ""]


def _render_recorded_months(period: Period, shown: int = 15) -> list[str]:
    rows = [row for row in period.rows
            if max(period.our_share(row.ours), period.published_share(row)) >= SHARE_FROM]
    heading = [f"### {period.name}: {period.our_comments} comments, not labelled", ""]
    if not rows:
        return [*heading, f"No compared term is found in {SHARE_FROM:g}% of these comments or more.", ""]

    def median_gap(count) -> float:
        return statistics.median(abs(period.our_share(count(row)) - period.published_share(row)) for row in rows)

    header = COLUMNS.format(first="", spelled="skilltrends, the term's spellings only | ")
    lines = [
        *heading,
        f"hiringtrends counted {period.published_comments} comments in these {len(period.months)} threads and "
        f"`hn-2023h1` holds {period.our_comments} of them (in each month at least "
        f"{100 * period.lowest_coverage:.0f}% of the comments hiringtrends counted), so the shares are of "
        "overlapping but not equal sets of comments, and no labels say which count is right. "
        f"For the {len(rows)} compared terms that skilltrends or hiringtrends finds in {SHARE_FROM:g}% of the "
        "comments or more, the median gap between the published share and another count's is, in percentage "
        f"points: hiringtrends' rule on the HTML {median_gap(lambda row: row.by_rule_in_html):.2f}, on the "
        f"clean text {median_gap(lambda row: row.by_rule):.2f}; skilltrends {median_gap(lambda row: row.ours):.2f}, "
        f"counting only occurrences written in one of the term's spellings (\"k8s\" is not one of Kubernetes') "
        f"{median_gap(lambda row: row.ours_spelled):.2f}. The published share is below that of hiringtrends' "
        "own rule on the clean text for "
        f"{sum(period.published_share(row) < period.our_share(row.by_rule) for row in rows)} of the "
        f"{len(rows)} terms: in the HTML a tag joins the first word of a paragraph to it (\"<p>python\" is not "
        "the word \"python\").",
        "",
        f"The {shown} largest gaps between skilltrends and hiringtrends as published, % of comments:",
        "",
        header,
        "|" + "---|" * (header.count("|") - 1),
    ]
    ranked = sorted(rows, key=lambda row: (-abs(period.our_share(row.ours) - period.published_share(row)),
                                           row.term.lower()))
    for row in ranked[:shown]:
        lines.append(f"| {row.term} | {row.skill} | {period.our_share(row.ours):.2f} | "
                     f"{period.our_share(row.ours_spelled):.2f} | {period.our_share(row.by_rule):.2f} | "
                     f"{period.our_share(row.by_rule_in_html):.2f} | {period.published_share(row):.2f} |")
    return [*lines, ""]
