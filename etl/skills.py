"""Find taxonomy skills in text: Aho-Corasick candidate matching with token boundaries.

Aliases match case-insensitively; ``exact_aliases`` (short or ambiguous names such as
``R``, ``Go``, ``Spark``) match only as written. A match inside one of its skill's
negative-context phrases (``go-to-market``, ``r&d``) is dropped; of overlapping matches the
longest wins (``Vertex AI`` over ``AI``). Each skill is reported once, at its first mention,
with the sentence around it as evidence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import ahocorasick

from etl.taxonomy import Skill, Taxonomy

MAX_EVIDENCE = 300
SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\n+")
_REVERSED_BREAK = re.compile(r"\s+(?=[.!?])")  # SENTENCE_END's first branch, read backwards


@dataclass(frozen=True)
class Mention:
    skill: str
    family: str
    category: str
    start: int
    end: int
    evidence: str


def _same_length_lower(text: str) -> str:
    """``text.lower()`` with offsets preserved (a few characters lower-case to two)."""
    lowered = text.lower()
    if len(lowered) == len(text):
        return lowered
    return "".join(ch.lower() if len(ch.lower()) == 1 else ch for ch in text)


def _sentence_start(text: str, left: int, start: int) -> int:
    """Where the sentence holding ``start`` begins: after the last line break, or after the
    whitespace that follows the last ``.``, ``!`` or ``?``, between ``left`` and ``start``.
    Searching the reversed window finds the nearest break first instead of every break."""
    after_newline = text.rfind("\n", left, start) + 1
    window = text[left:start][::-1]
    found = _REVERSED_BREAK.search(window)
    after_punctuation = start - found.start() if found else 0
    return max(left, after_newline, after_punctuation)


def sentence_around(text: str, start: int, end: int) -> str:
    """The sentence (or line) holding ``text[start:end]``, at most MAX_EVIDENCE characters."""
    sentence_start = _sentence_start(text, max(0, start - MAX_EVIDENCE), start)
    after = SENTENCE_END.search(text, end, min(len(text), end + MAX_EVIDENCE))
    sentence_end = after.start() if after else min(len(text), end + MAX_EVIDENCE)
    sentence = text[sentence_start:sentence_end].strip()
    if len(sentence) > MAX_EVIDENCE:
        middle = (start + end) // 2 - sentence_start
        lo = max(0, middle - MAX_EVIDENCE // 2)
        sentence = sentence[lo: lo + MAX_EVIDENCE].strip()
    return sentence


@dataclass(frozen=True)
class Candidate:
    start: int
    end: int
    index: int  # into SkillExtractor.skills
    exact: bool  # matched a case-sensitive alias: short or ambiguous, worth a second look


class SkillExtractor:
    def __init__(self, taxonomy: Taxonomy):
        self.taxonomy = taxonomy
        self.skills: list[Skill] = list(taxonomy.skills)
        self.folded = self._automaton(
            (alias, index) for index, skill in enumerate(self.skills) for alias in skill.aliases
        )
        self.exact = self._automaton(
            (alias, index) for index, skill in enumerate(self.skills) for alias in skill.exact_aliases
        )

    @staticmethod
    def _automaton(entries) -> ahocorasick.Automaton | None:
        automaton = ahocorasick.Automaton()
        for alias, index in entries:
            if alias:
                automaton.add_word(alias, (len(alias), index))
        if len(automaton) == 0:
            return None
        automaton.make_automaton()
        return automaton

    def _candidates(self, text: str, lowered: str):
        size = len(text)
        for automaton, haystack in ((self.folded, lowered), (self.exact, text)):
            if automaton is None:
                continue
            for last, (length, index) in automaton.iter(haystack):
                start, end = last - length + 1, last + 1
                # Inlined word-character tests: this loop runs for every raw automaton hit.
                if start > 0:
                    before, first = text[start - 1], text[start]
                    if (before.isalnum() or before == "_") and (first.isalnum() or first == "_"):
                        continue
                if end < size:
                    after, last_char = text[end], text[end - 1]
                    if (after.isalnum() or after == "_") and (last_char.isalnum() or last_char == "_"):
                        continue
                yield start, end, index, automaton is self.exact

    def _in_negative_context(self, lowered: str, start: int, end: int, skill: Skill) -> bool:
        for phrase in skill.negative_contexts:
            window_start = max(0, start - len(phrase))
            position = lowered.find(phrase, window_start, end + len(phrase))
            while position != -1 and position < end:
                if position <= start and position + len(phrase) >= end:
                    return True
                position = lowered.find(phrase, position + 1, end + len(phrase))
        return False

    def candidates(self, text: str | None) -> list[Candidate]:
        """Every match left after token boundaries, negative contexts and overlaps."""
        if not text:
            return []
        lowered = _same_length_lower(text)
        raw = sorted(self._candidates(text, lowered), key=lambda c: (c[0], -(c[1] - c[0])))
        kept: list[Candidate] = []
        covered_until = -1
        for start, end, index, exact in raw:
            if start < covered_until:
                continue  # inside a longer match that starts earlier or at the same place
            if self._in_negative_context(lowered, start, end, self.skills[index]):
                continue
            covered_until = end
            kept.append(Candidate(start, end, index, exact))
        return kept

    def first_mentions(self, text: str, candidates: list[Candidate]) -> list[Mention]:
        """Each skill once, at its first accepted candidate, with the sentence as evidence."""
        found: dict[int, Mention] = {}
        for candidate in candidates:
            if candidate.index not in found:
                skill = self.skills[candidate.index]
                found[candidate.index] = Mention(
                    skill.name, skill.family, skill.category, candidate.start, candidate.end,
                    sentence_around(text, candidate.start, candidate.end),
                )
        return sorted(found.values(), key=lambda mention: mention.start)

    def mentions(self, text: str | None) -> list[Mention]:
        """Every skill mentioned in ``text``, once each, at its first mention (no classifier)."""
        return self.first_mentions(text or "", self.candidates(text))
