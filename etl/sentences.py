"""Split clean posting text into sentences with character offsets.

Lines are units first (HN posts and job-board descriptions put bullets, headings and
requirements on lines of their own); a long line is split further after ``.``, ``!`` or
``?`` followed by a space and an upper-case letter, digit or opening quote. Bullet
markers are not part of a sentence. The offsets index the text as the ETL stores it.

A bullet inside a line (" • ", " ► ", or glued on: "teams.• Design") starts a line of its
own: job-board text whose line breaks were lost on the way (copied from LinkedIn, flattened
by a scraper) still lists its duties and requirements one per bullet. ``line_view`` gives
the lines sentences are read by. Text whose blocks were glued together without any break ("nightlyWrite Hive jobs") breaks
at its glue points (``etl.glue``), and text that lost its line breaks and list marks
("nightly Write Hive jobs") where an item runs on (``etl.run_on``).
"""

from __future__ import annotations

import re

from etl.glue import glue_points, sentence_breaks
from etl.run_on import item_starts

LINE = re.compile(r"[^\n]+")
SENTENCE_BREAK = re.compile(r"(?<=[.!?])[\"')\]]*\s+(?=[\"'(\[]?[A-Z0-9])")
# With no space at all, a full stop between a lower-case word and a capitalised one ends a
# sentence too: list items glued together where a scraper dropped the line break ("served
# from Redis.Build batch features") in a text that otherwise kept its lines ("Node.js" and
# "e.g.Python" stay whole). Its own regex, opening with a character class: as an alternative
# of SENTENCE_BREAK it was tried at every position and split sentences 35% slower.
GLUED_SENTENCE_END = re.compile(r"[.!?](?=[A-Z][a-z]{2})")
# Not in code or addresses: "torch.Tensor", "nn.Module", "pd.DataFrame", "jane.Doe@acme.com",
# "www.Fieldwire.com", "AJ[at]Coop.Farm". A capitalised word alone at the end of its line is
# a name ("Udemy, Juno, Spectrum.Life"), not a sentence: the glued item must run on.
NAME_PREFIXES = frozenset({"nn", "np", "pd", "tf", "torch", "jax", "jnp", "plt", "sns", "os", "sys", "www"})
AFTER_GLUED_END = re.compile(r"[A-Z][a-z]+(?![A-Za-z])[^\s@/]*(?=[ \t\u00a0]+\S)")
# Marks that start list items, as Word, LinkedIn and career pages write them (not arrows:
# "apply here → https://…").
BULLET_MARKS = "•●►▪◦■➢✓✔⁃∙➤‣⦁○◆◇★▶✅🔹🔸👉"
# A bullet at the start of a line, matched as ``BULLET.match(text, line_start, line_end)``.
BULLET = re.compile(rf"^\s*(?:[-*·–—{BULLET_MARKS}]+|\d{{1,2}}[.)]|[a-z][.)])\s+", re.MULTILINE)
# The space before a bullet mark inside a line. "·" is not one: headers use it as a
# separator ("Acme · Remote · Full-time"), and neither are "-" and "*", which stand for
# dashes and footnotes inside a sentence.
INLINE_BULLET = re.compile(rf"(?<=\S)[ \t\u00a0]+(?=[{BULLET_MARKS}][ \t\u00a0])")
# A list mark glued to the text before it ("teams.• Design", "Responsibilities• Partner"):
# the mark itself gives way to the line break. Not stars and ticks ("4.8★ rating").
GLUED_BULLET = re.compile(r"(?<=\S)[•●►▪◦■➢➤‣⦁▶](?=[ \t\u00a0])")
# "-" and "*" are bullets inside a line only in a run, at least three before a capital, on a
# long line ("Core Responsibilities: - Research … - Own …"): headers separate their fields
# with them too ("Acme - Data Analyst - Remote - Part Time"), but on shorter lines or with pipes.
INLINE_DASH = re.compile(r"(?<=\S) +(?=[-*] +[A-Z])")
INLINE_DASH_RUN = 3
INLINE_DASH_LINE = 200
MIN_CHARS = 2
MARKED_ITEMS = 3
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


def _glued_end(text: str, mark: int) -> bool:
    """Does the ".", "!" or "?" at ``mark``, with a capitalised word right after it, end a
    sentence glued to the next? Only after a whole word of two lower-case letters or more
    that is neither an abbreviation nor a module name nor part of an address, and before a
    plain word (not "DataFrame") whose token holds no address ("Doe@acme.com") and that the
    line goes on after."""
    start = mark
    while start > 0 and text[start - 1].isalpha():
        start -= 1
    word = text[start:mark]
    if len(word) < 2 or not word[-2:].islower() or word in NAME_PREFIXES:
        return False
    if start > 0 and (text[start - 1].isalnum() or text[start - 1] in "._@/-]"):
        return False
    return AFTER_GLUED_END.match(text, mark + 1) is not None and not _after_abbreviation(text, mark)


def line_view(text: str) -> str:
    """``text`` with a line break before every bullet inside a line and every list item that
    runs on (``etl.run_on``), in place of the space before it (or of the mark itself, when
    glued to the text before it): the same length, so every offset into it indexes ``text``
    too."""
    # Each kind of break is looked for only where a plain substring test finds it possible:
    # the regexes cost microseconds on every posting, the tests a fraction of one.
    breaks: list[tuple[int, int]] = []
    if any(mark in text for mark in BULLET_MARKS):
        breaks += [match.span() for match in INLINE_BULLET.finditer(text)]
        breaks += [match.span() for match in GLUED_BULLET.finditer(text)]
    if " - " in text or " * " in text:
        breaks += _dash_items(text)
    # Items are guessed only where no marks show them (a mark or two may separate a salary).
    if len(breaks) < MARKED_ITEMS:
        breaks += item_starts(text)
    if not breaks:
        return text
    pieces, last = [], 0
    for start, end in sorted(breaks):
        if start >= last:
            pieces += [text[last:start], "\n" * (end - start)]
            last = end
    return "".join(pieces) + text[last:]


def _dash_items(text: str) -> list[tuple[int, int]]:
    """The spaces before the "-" or "*" items of every long line that lists them in a run."""
    found = []
    for line in LINE.finditer(text):
        start, end = line.span()
        if end - start < INLINE_DASH_LINE or text.count("|", start, end) >= 2:
            continue
        spaces = [match.span() for match in INLINE_DASH.finditer(text, start, end)]
        if len(spaces) >= INLINE_DASH_RUN:
            found += spaces
    return found


def split_sentences(text: str | None) -> list[tuple[int, int]]:
    """``[(start, end), ...]`` of every sentence in ``text``, in order."""
    return sentences_and_view(text)[0]


def sentences_and_view(text: str | None) -> tuple[list[tuple[int, int]], str]:
    """``split_sentences(text)`` and the ``line_view`` of ``text`` it read, for a caller that
    reads the lines too (``etl.classify.sentences.sentence_features``)."""
    spans: list[tuple[int, int]] = []
    glued = sentence_breaks(text, glue_points(text)) if text else []
    text = line_view(text or "")
    # The sentence breaks of the whole text, found in one search rather than one per line:
    # a match whose spaces run over a line break is none (its capital is on the next line).
    breaks = [match.end() for match in SENTENCE_BREAK.finditer(text)
              if "\n" not in match.group() and not _after_abbreviation(text, match.start() - 1)]
    glued_ends = [match.end() for match in GLUED_SENTENCE_END.finditer(text) if _glued_end(text, match.start())]
    if glued_ends:
        breaks = sorted(breaks + glued_ends)
    next_break = 0
    for line in LINE.finditer(text):
        line_start, line_end = line.span()
        bullet = BULLET.match(text, line_start, line_end)
        start = bullet.end() if bullet else line_start
        pieces = [start]
        while next_break < len(breaks) and breaks[next_break] < line_end:
            if breaks[next_break] > start:
                pieces.append(breaks[next_break])
            next_break += 1
        pieces.append(line_end)
        if glued:
            pieces = sorted({*pieces, *(point for point in glued if start < point < line_end)})
        for lo, hi in zip(pieces, pieces[1:]):
            while lo < hi and text[lo].isspace():
                lo += 1
            while hi > lo and text[hi - 1].isspace():
                hi -= 1
            if hi - lo >= MIN_CHARS:
                spans.append((lo, hi))
    return spans, text
