"""Words glued together where an HTML-to-text step dropped the break between two blocks.

Text taken from HTML by joining its text nodes without a separator loses the line break
between list items and paragraphs: "…cookies nightlyWrite Hive jobs…", "…this year.The
role…", "Experience withPython". Such a text is found by its shape (long, almost no line
breaks, several glue points), and only then: camel-case names in ordinary postings
(JavaScript, PyTorch, GitHub, iPhone) are no glue points, since the word before the capital
must be a whole lower-case word of two letters or more, or end a sentence.

``glue_points`` gives where a break belongs, as offsets into the text, and ``word_joins``
adds, for a text found glued, the joins after a capitalised word ("PythonNice to have")
outside the names the caller knows ("JavaScript"). ``spaced`` gives the text with a space at
each of them, as a ``MappedCopy``, so that what is found in it is reported at offsets into
the text as stored.
"""

from __future__ import annotations

import re
from etl.mapped_copy import MappedCopy

# A point between a whole lower-case word (or a sentence's end) and a capitalised word.
GLUE_POINT = re.compile(r"(?:(?<![^\W\d_])[a-z]{2,}|[a-z0-9)][.!?:])(?=[A-Z][a-z])")
# In a text found glued, the join of any two words: a letter, digit or closing bracket, then
# a capitalised word.
CASE_CHANGE = re.compile(r"(?<=[A-Za-z0-9)\]])(?=[A-Z][a-z])")
GLUED_MIN_CHARS = 300
GLUED_CHARS_PER_LINE_BREAK = 300
MIN_POINTS = 3
ADDRESS_MARKS = ("/", "=", "@", "%", "&", "_", "#")
# A glued word that carries its sentence on ("Experience withPython", "Deploy models
# onAWS"): a place to look for a skill, not a sentence break.
CONTINUING_WORDS = frozenset({"a", "an", "and", "as", "at", "by", "for", "from", "in", "including", "into", "like",
                              "of", "on", "or", "the", "to", "using", "via", "with"})


def lost_line_breaks(text: str, min_chars: int, chars_per_line_break: int) -> bool:
    """Is ``text`` long (``min_chars`` or more) with fewer than one line break per
    ``chars_per_line_break`` characters: the shape of text that lost its line breaks?"""
    size = len(text)
    return size >= min_chars and text.count("\n") * chars_per_line_break < size


def glue_points(text: str) -> list[int]:
    """Offsets where ``text`` lost a break, or none when it does not look glued."""
    if not lost_line_breaks(text, GLUED_MIN_CHARS, GLUED_CHARS_PER_LINE_BREAK):
        return []
    points = [match.end() for match in GLUE_POINT.finditer(text) if not _in_address(text, match.end())]
    return points if len(points) >= MIN_POINTS else []


def token_start(text: str, offset: int) -> int:
    """Where the run of non-space characters that reaches ``offset`` starts."""
    while offset > 0 and not text[offset - 1].isspace():
        offset -= 1
    return offset


def _in_address(text: str, point: int) -> bool:
    """Is ``point`` inside a link, an e-mail address or a code-like token ("?refId=…")?"""
    end = point
    while end < len(text) and not text[end].isspace():
        end += 1
    return any(mark in text[token_start(text, point):end] for mark in ADDRESS_MARKS)


def sentence_breaks(text: str, points: list[int]) -> list[int]:
    """The glue points of ``text`` where a sentence ends: not after a continuing word."""
    breaks = []
    for point in points:
        start = point
        while start > 0 and text[start - 1].isalpha():
            start -= 1
        if text[start:point] not in CONTINUING_WORDS:
            breaks.append(point)
    return breaks


def word_joins(text: str, points: list[int], names: list[tuple[int, int]]) -> list[int]:
    """For a text found glued: ``points`` and every start of a capitalised word right after
    another word ("PythonNice to have", "GCPStrong", "(CDH4)Write"), except inside the spans
    of ``names`` that begin a word or at a join (where the caller finds names written that
    way: "JavaScript", "withJavaScript"; not the "go" of "usingOptuna")."""
    joins = {match.start() for match in CASE_CHANGE.finditer(text) if not _in_address(text, match.start())}
    joins.update(points)
    inside = {offset for start, end in names if start == 0 or not text[start - 1].isalnum() or start in joins
              for offset in range(start + 1, end)}
    return sorted(joins - inside)


def spaced(text: str, points: list[int]) -> MappedCopy:
    """``text`` with a space inserted at each of ``points`` (sorted offsets into it)."""
    return MappedCopy(text, [(point, point, " ") for point in points])
