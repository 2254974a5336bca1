"""Split clean posting text into sentences with character offsets.

Lines are units first (HN posts and job-board descriptions put bullets, headings and
requirements on lines of their own); a long line is split further after ``.``, ``!`` or
``?`` followed by a space and an upper-case letter, digit or opening quote. Bullet
markers are not part of a sentence. The offsets index the text as the ETL stores it.
"""

from __future__ import annotations

import re

LINE = re.compile(r"[^\n]+")
SENTENCE_BREAK = re.compile(r"(?<=[.!?])[\"')\]]*\s+(?=[\"'(\[]?[A-Z0-9])")
BULLET = re.compile(r"^\s*(?:[-*•·–—]+|\d{1,2}[.)]|[a-z][.)])\s+")
MIN_CHARS = 2
ABBREVIATIONS = {"e.g", "i.e", "eg", "ie", "dr", "mr", "mrs", "ms", "vs", "etc", "inc", "sr", "jr", "st",
                 "approx", "no", "co", "ltd", "corp", "u.s", "ph.d", "phd", "incl", "esp", "a.k.a", "cf"}


def _after_abbreviation(text: str, punctuation: int) -> bool:
    """Is the word ending at ``text[punctuation]`` (the ``.``, ``!`` or ``?`` before a
    break) an abbreviation such as "e.g." or "Inc."? The word is the run of word characters
    and dots before it, found by walking back (a newline stops it), which stays linear on
    long lines."""
    start = punctuation
    while start > 0 and (text[start - 1].isalnum() or text[start - 1] in "._"):
        start -= 1
    return start < punctuation and text[start:punctuation].lower().rstrip(".") in ABBREVIATIONS


def split_sentences(text: str | None) -> list[tuple[int, int]]:
    """``[(start, end), ...]`` of every sentence in ``text``, in order."""
    spans: list[tuple[int, int]] = []
    for line in LINE.finditer(text or ""):
        line_start, line_end = line.span()
        bullet = BULLET.match(line.group())
        start = line_start + bullet.end() if bullet else line_start
        pieces = [start]
        # Breaks are searched in the text between the line's bounds, not in a copy of the
        # line: the same matches (the character before a line is a newline, and endpos
        # hides the next line); only BULLET, anchored by ``^``, needs the copy.
        for m in SENTENCE_BREAK.finditer(text, line_start, line_end):
            if m.end() > start and not _after_abbreviation(text, m.start() - 1):
                pieces.append(m.end())
        pieces.append(line_end)
        for lo, hi in zip(pieces, pieces[1:]):
            while lo < hi and text[lo].isspace():
                lo += 1
            while hi > lo and text[hi - 1].isspace():
                hi -= 1
            if hi - lo >= MIN_CHARS:
                spans.append((lo, hi))
    return spans
