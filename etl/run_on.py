"""List items that run on: a description whose line breaks and list marks were both lost.

Joining a page's text with spaces (``get_text(" ")``, ``" ".join(stripped_strings)``)
leaves "…cookies nightly Write Hive jobs… cluster Design and analyze…": items that ended
without a full stop now run into each other, and a whole list reads as one sentence. In such
a text (long, almost no line breaks) an item is taken to start at a word that list items
and headings of job postings start with ("Build", "Experience", "Requirements"), written
with a capital after a lower-case word: mid-sentence those words are not capitalised, and
after a capitalised word they may be part of a name or a title ("Machine Learning",
"Google Research"), so that is no item start.
"""

from __future__ import annotations

import re

from etl.glue import CONTINUING_WORDS, lost_line_breaks, token_start

RUN_ON_MIN_CHARS = 500
RUN_ON_CHARS_PER_LINE_BREAK = 500
# Words after which a capitalised opener or a number of years carries the sentence on ("at
# least 5 years", "our Research team") besides those that carry a glued word on.
CARRYING_WORDS = CONTINUING_WORDS | {"least", "past", "last", "over", "than", "have", "has", "minimum", "about",
                                     "our", "your", "their", "its", "his", "her", "my", "is", "are", "be"}

# Words that open the items of job postings: duties, requirements, nice-to-haves, benefits,
# and the headings above them. Not "You" or "Your" (title-case headings: "What You'll Do").
OPENERS = (
    "Build Design Develop Write Own Lead Partner Work Collaborate Deploy Monitor Implement Create Drive "
    "Maintain Improve Analyze Analyse Define Manage Support Conduct Research Prototype Ship Mentor Evaluate "
    "Optimize Optimise Architect Establish Identify Translate Communicate Contribute Help Ensure Scale "
    "Automate Train Investigate Explore Apply Present Deliver Coordinate Review Document Test Debug Integrate "
    "Migrate Operate Run Set Stay Keep Make Take Use Building Designing Developing Working Leading Owning "
    "Experience Strong Proficiency Proficient Familiarity Knowledge Ability Excellent Bachelor Bachelor's "
    "Master's Masters PhD Degree Understanding Comfort Comfortable Hands-on Solid Demonstrated Proven "
    "Expertise Background Fluency Fluent Bonus Plus Preferred Nice Exposure Prior Publications Competitive "
    "Medical Dental Flexible Generous Unlimited Paid Equity Parental Requirements Responsibilities "
    "Qualifications Benefits Perks About What Who Why How Required Compensation Salary The Our We This"
).split()
# An opening word, or a requirement's years ("3+ years of Python").
ITEM_START = re.compile(r"(?<=[A-Za-z0-9)])[ \t\u00a0]+(?=[A-Z\d])(?=(?:%s)(?![\w'-])|\d{1,2}\+? years\b)"
                        % "|".join(map(re.escape, OPENERS)))


def item_starts(text: str) -> list[tuple[int, int]]:
    """The spaces (start, end) before each item that runs on in ``text``, or none when the
    text still has its line breaks."""
    if not lost_line_breaks(text, RUN_ON_MIN_CHARS, RUN_ON_CHARS_PER_LINE_BREAK):
        return []
    return [match.span() for match in ITEM_START.finditer(text)
            if _after_item_end(text, match.start(), text[match.end()].isdigit())]


def _after_item_end(text: str, end: int, years: bool) -> bool:
    """Can an item end with the word that ends at ``end``: a lower-case word (before years,
    any word: "Python and SQL 3+ years of…") that does not carry its sentence on ("a Lead
    Engineer", "with 5+ years")?"""
    word = text[token_start(text, end):end]
    return (years or word[:1].islower() or word[:1].isdigit() or word[:1] == "(") and word not in CARRYING_WORDS
