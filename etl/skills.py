"""Find taxonomy skills in text: Aho-Corasick candidate matching with token boundaries.

Aliases match case-insensitively; ``exact_aliases`` (short or ambiguous names such as
``R``, ``Go``, ``Spark``) match only as written. A match inside one of its skill's
negative-context phrases (``go-to-market``, ``r&d``) is dropped; of overlapping matches the
longest wins (``Vertex AI`` over ``AI``). Each skill is reported once, at its first mention,
with the sentence around it as evidence.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from typing import Callable, NamedTuple

import ahocorasick

from etl.glue import glue_points, spaced, word_joins
from etl.phrases import PhrasePattern, TriggeredPatterns
from etl.sentences import BULLET_MARKS
from etl.taxonomy import Skill, Taxonomy

MAX_EVIDENCE = 300
# A sentence ends after ".", "!" or "?" followed by whitespace, at a line break, or before a
# list mark followed by whitespace (a description flattened onto one line keeps its items
# apart so; etl.sentences cuts there too). Written to start with a character class, so the
# regex engine skips quickly to the candidates.
_BREAK = rf"\n|[.!?{BULLET_MARKS}](?=\s)"
_BREAK_AHEAD = re.compile(_BREAK)
# Everything up to the last break before a point: match from a window's start, ending there.
_LAST_BREAK = re.compile(rf"(?s).*(?:{_BREAK})")


class Mention(NamedTuple):  # a named tuple: built for every skill found, cheaper than a dataclass
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
    whitespace that follows the last ``.``, ``!``, ``?`` or list mark, between ``left`` and
    ``start``. One greedy match finds the last break: it backtracks from ``start`` in C, so
    it costs the distance to that break, not the window."""
    last = _LAST_BREAK.match(text, left, start)
    if last is None:
        return left
    begins = last.end()
    if text[begins - 1] != "\n":  # past the white space after an end mark or list mark
        while begins < start and text[begins].isspace():
            begins += 1
    return begins


def _sentence_end(text: str, end: int) -> int:
    """Where the sentence holding ``text[:end]`` ends, at most MAX_EVIDENCE characters on."""
    limit = min(len(text), end + MAX_EVIDENCE)
    if 0 < end < limit and text[end - 1] in ".!?" and text[end].isspace():
        return end  # the mention itself ends the sentence ("... with A.I. Then")
    found = _BREAK_AHEAD.search(text, end, limit)
    if not found:
        return limit
    return found.start() + 1 if found.group() in ".!?" else found.start()


def sentence_around(text: str, start: int, end: int) -> str:
    """The sentence (or line) holding ``text[start:end]``, at most MAX_EVIDENCE characters."""
    return evidence_sentence(text, start, end)[0]


def evidence_sentence(text: str, start: int, end: int) -> tuple[str, int, int]:
    """``sentence_around`` plus the span ``lo, hi`` within which every mention has that same
    sentence as evidence (``hi`` is -1 when none other has). The span is the whole sentence
    when the sentence is whole (at most MAX_EVIDENCE characters, not cut at either side) and
    no break lies inside the mention itself: then a later mention in it finds the same
    break on each side, so its own search can be skipped."""
    sentence_start = _sentence_start(text, max(0, start - MAX_EVIDENCE), start)
    sentence_end = _sentence_end(text, end)
    sentence = text[sentence_start:sentence_end].strip()
    if len(sentence) > MAX_EVIDENCE:
        middle = (start + end) // 2 - sentence_start
        lo = max(0, middle - MAX_EVIDENCE // 2)
        return sentence[lo: lo + MAX_EVIDENCE].strip(), 0, -1
    # From start - 1: an end mark just before a mention that begins with whitespace ends a
    # sentence for a later mention, though not for this one.
    if sentence_end - sentence_start > MAX_EVIDENCE or _BREAK_AHEAD.search(text, max(0, start - 1), end):
        return sentence, 0, -1
    return sentence, sentence_start, sentence_end


def _is_word(character: str) -> bool:
    return character.isalnum() or character == "_"


class Candidate(NamedTuple):
    start: int
    end: int
    index: int  # into SkillExtractor.skills
    judge: bool  # its alias needs a second look (SkillExtractor's ``needs_judging``)
    phrase: bool = False  # matched a phrase pattern, not an alias


def _case_sensitive(alias: str, exact: bool, skill: Skill) -> bool:
    return exact


class SkillExtractor:
    """``needs_judging(alias, exact, skill)`` says which matched aliases a classifier must
    judge; it is asked once per alias, when the automata are built, not once per match
    (by default: the case-sensitive aliases, short or ambiguous names)."""

    def __init__(self, taxonomy: Taxonomy, needs_judging: Callable[[str, bool, Skill], bool] = _case_sensitive):
        self.taxonomy = taxonomy
        self.skills: list[Skill] = list(taxonomy.skills)
        opened: dict[str, list[PhrasePattern]] = {}
        for pattern in taxonomy.phrase_patterns:
            for trigger in pattern.triggers:
                opened.setdefault(trigger, []).append(pattern)
        trigger_number = {trigger: number for number, trigger in enumerate(opened)}
        self.triggered = [TriggeredPatterns(patterns) for patterns in opened.values()]  # by trigger number
        folded = {alias: index for index, skill in enumerate(self.skills) for alias in skill.aliases}
        vetoes: dict[str, set[int]] = {}  # negative-context phrase -> the skills it vetoes
        for index, skill in enumerate(self.skills):
            for phrase in skill.negative_contexts:
                vetoes.setdefault(phrase, set()).add(index)
        exact_aliases = {alias: (index, needs_judging(alias, True, skill))
                         for index, skill in enumerate(self.skills) for alias in skill.exact_aliases if alias}
        # Case-sensitive aliases are found by the same automaton pass, lower-cased, and kept
        # where the text has one of their exact forms. Single letters would hit inside every
        # word there, so they are looked for with str.find, which skips ahead in C; a regex of
        # all the case-sensitive aliases cost more than both (it reads every character).
        exact: dict[str, dict[str, tuple[int, bool]]] = {}
        letters = {alias for alias in exact_aliases if len(alias) == 1 and _is_word(alias)}
        for alias, found in exact_aliases.items():
            if alias not in letters:
                exact.setdefault(_same_length_lower(alias), {})[alias] = found
        self.exact_letters = [(alias, *exact_aliases[alias]) for alias in sorted(letters)]
        self.folded = self._automaton(
            (key, index, trigger_number.get(key, -1), index >= 0 and needs_judging(key, False, self.skills[index]),
             frozenset(vetoes.get(key, ())), exact.get(key))
            for key, index in ((key, folded.get(key, -1)) for key in {**folded, **trigger_number, **vetoes, **exact})
        )

    @staticmethod
    def _automaton(entries) -> ahocorasick.Automaton | None:
        """Keys mapped to (length, skill number or -1, trigger number or -1, needs judging,
        the skills the key vetoes as a negative context, the case-sensitive aliases written
        as the key lower-cased: {alias: (skill number, needs judging)} or None)."""
        automaton = ahocorasick.Automaton()
        for key, index, trigger, judge, vetoes, exact in entries:
            if key:
                automaton.add_word(key, (len(key), index, trigger, judge, vetoes, exact))
        if len(automaton) == 0:
            return None
        automaton.make_automaton()
        return automaton

    def _scan(self, text: str, lowered: str) -> tuple[list[tuple[int, int, int, bool]], list[tuple[int, int]],
                                                      list[tuple[int, int, frozenset[int]]]]:
        """Alias matches at token boundaries as (start, -end, skill number, needs judging),
        pattern triggers at word starts as (start, trigger number), and negative contexts
        anywhere as (start, end, the skills they veto): one automaton pass over the lower-cased
        text, and a search for each single-letter case-sensitive alias (R, C). Every alias
        occurring at a start is reported, case-sensitive or not; ``candidates`` keeps the longest
        one that no negative context vetoes."""
        size = len(text)
        matches, triggers, negatives = [], [], []
        if self.folded is not None:
            for last, (length, index, trigger, judge, vetoes, exact) in self.folded.iter(lowered):
                start, end = last - length + 1, last + 1
                if vetoes:
                    negatives.append((start, end, vetoes))
                # Inlined word-character tests: this loop runs for every raw automaton hit.
                # A leading dot after a word continues it: "acme.net" is no mention of .NET.
                if start > 0:
                    before, first = text[start - 1], text[start]
                    if (before.isalnum() or before == "_") and (first.isalnum() or first == "_" or first == "."):
                        continue
                if trigger >= 0:
                    triggers.append((start, trigger))
                if index < 0 and exact is None:
                    continue
                if end < size:
                    after, last_char = text[end], text[end - 1]
                    if (after.isalnum() or after == "_") and (last_char.isalnum() or last_char == "_"):
                        continue
                if index >= 0:
                    matches.append((start, -end, index, judge))
                if exact is not None:
                    written = exact.get(text[start:end])
                    if written is not None:
                        matches.append((start, -end, *written))
        for letter, index, judge in self.exact_letters:  # each a word character
            start = text.find(letter)
            while start != -1:
                end = start + 1
                if not (start > 0 and _is_word(text[start - 1])) and not (end < size and _is_word(text[end])):
                    matches.append((start, -end, index, judge))
                start = text.find(letter, end)
        return matches, triggers, negatives

    @staticmethod
    def _veto_spans(negatives: list[tuple[int, int, frozenset[int]]]) -> dict[int, tuple[list[int], list[int]]]:
        """For each vetoed skill, its negative contexts' starts in order and, at each, the
        furthest end reached so far: a match is vetoed when some context starting at or before
        it ends at or after it, found by one bisection instead of a walk over every context."""
        by_skill: dict[int, list[tuple[int, int]]] = {}
        for lo, hi, vetoes in negatives:
            for index in vetoes:
                by_skill.setdefault(index, []).append((lo, hi))
        spans = {}
        for index, found in by_skill.items():
            found.sort()
            reach, furthest = [], -1
            for _, hi in found:
                furthest = max(furthest, hi)
                reach.append(furthest)
            spans[index] = ([lo for lo, _ in found], reach)
        return spans

    def candidates(self, text: str | None) -> list[Candidate]:
        """Every match left after token boundaries, negative contexts and overlaps, and every
        phrase-pattern match. In text whose blocks were glued together ("Experience
        withPython"), matches are sought with a space at each glue point (``etl.glue``)."""
        if not text:
            return []
        glued = glue_points(text)
        if glued:
            copy = spaced(text, word_joins(text, glued, self._alias_spans(text)))
            return [candidate._replace(start=copy.original(candidate.start), end=copy.original(candidate.end))
                    for candidate in self._candidates(copy.text)]
        return self._candidates(text)

    def _alias_spans(self, text: str) -> list[tuple[int, int]]:
        """Every occurrence of an alias of two characters or more, in any case, word
        boundaries or not."""
        if self.folded is None:
            return []
        return [(last - length + 1, last + 1)
                for last, (length, index, _, _, _, exact) in self.folded.iter(_same_length_lower(text))
                if (index >= 0 or exact) and length > 1]

    def _candidates(self, text: str) -> list[Candidate]:
        lowered = _same_length_lower(text)
        raw, triggers, negatives = self._scan(text, lowered)
        raw.sort()  # by start, and of matches starting together the longest first (end negated)
        vetoed = self._veto_spans(negatives) if negatives else {}
        kept: list[Candidate] = []
        covered_until = -1
        for start, negated_end, index, judge in raw:
            end = -negated_end
            if start < covered_until:
                continue  # inside a longer match that starts earlier or at the same place
            if index in vetoed:  # inside one of its skill's negative contexts ("go-to-market")?
                starts, reach = vetoed[index]
                before = bisect_right(starts, start) - 1
                if before >= 0 and reach[before] >= end:
                    continue
            covered_until = end
            kept.append(Candidate(start, end, index, judge))
        if not triggers:
            return kept
        phrased = self._pattern_candidates(lowered, triggers, kept)
        return sorted(kept + phrased, key=lambda c: c.start) if phrased else kept

    def _pattern_candidates(self, lowered: str, triggers: list[tuple[int, int]],
                            kept: list[Candidate]) -> list[Candidate]:
        """Phrase-pattern matches, none repeating an overlapping match of the same skill.
        They stand beside the alias matches: "deploying PyTorch models" is both PyTorch and
        model deployment, so the longest-match rule does not apply between them."""
        aliases: dict[int, tuple[list[int], list[int]]] = {}  # skill -> its alias matches' starts, ends
        for c in kept:
            starts, ends = aliases.setdefault(c.index, ([], []))
            starts.append(c.start)
            ends.append(c.end)
        reach: dict[int, int] = {}  # skill -> the furthest end of its phrase matches so far
        found: list[Candidate] = []
        for start, trigger in sorted(triggers):
            for pattern, lo, hi in self.triggered[trigger].spans_at(lowered, start):
                skill = pattern.skill_index
                if reach.get(skill, -1) > lo:  # phrase matches come in start order
                    continue
                if skill in aliases:  # alias matches are in order and do not overlap
                    starts, ends = aliases[skill]
                    before = bisect_left(starts, hi) - 1
                    if before >= 0 and ends[before] > lo:
                        continue
                reach[skill] = hi
                found.append(Candidate(lo, hi, skill, False, True))
        return found

    def first_mentions(self, text: str, candidates: list[Candidate]) -> list[Mention]:
        """Each skill once, at its first accepted candidate, with the sentence as evidence."""
        found: dict[int, Mention] = {}
        evidence, lo, hi = "", 0, -1  # the last evidence, shared by mentions within lo:hi
        for candidate in candidates:
            if candidate.index not in found:
                if not (lo <= candidate.start and candidate.end <= hi):
                    evidence, lo, hi = evidence_sentence(text, candidate.start, candidate.end)
                skill = self.skills[candidate.index]
                found[candidate.index] = Mention(
                    skill.name, skill.family, skill.category, candidate.start, candidate.end, evidence,
                )
        return list(found.values())  # candidates come in text order, so their first mentions do

    def mentions(self, text: str | None) -> list[Mention]:
        """Every skill mentioned in ``text``, once each, at its first mention (no classifier)."""
        return self.first_mentions(text or "", self.candidates(text))
