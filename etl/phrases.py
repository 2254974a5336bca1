"""Phrase patterns: practices that postings name in their own words ("deploy our models to
production", "platform for training and serving ML models"), which no fixed alias covers.

A pattern is written in a small word language (``patterns`` in ``skills.toml``):

- words match whole words, case-insensitively: ``model`` matches "model", not "models";
- ``deploy*`` matches any word that begins with "deploy" (deploy, deploying, deployment);
- ``(ml|machine learning)`` matches one of the alternatives, each a sequence of words;
- ``~3`` lets up to three other words stand in between (at most ``~12``);
- the words of a match stay inside one sentence: between two words there may be spaces and
  punctuation, but no line break and no ``.``, ``!``, ``?``, ``;`` or ``:``.

A match holding one of its skill's ``pattern_exceptions`` at the start of a word (lower-case
phrases: "data model" for model deployment vetoes "data models", not "metadata models") is
dropped. A gap takes as few words as it can, so a match ends at the nearest completion.

Speed: a pattern is tried only where one of its **triggers** starts a word. The triggers
are the texts a match can open with: the first element's alternatives, continued while
they hold no word of ``MIN_TRIGGER``+ characters ("deploy", "data science", "ml platform",
"on device"); the extractor finds them in the same Aho-Corasick pass that finds the
aliases, so a text without a trigger costs nothing more, and one with a trigger costs one
anchored regex match per trigger.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Possessive (never given back) and a gap word that starts with a word character: a run of
# dashes or quotes can then be read in one way only, which keeps matching linear.
SEPARATOR = r"[^\w\n.!?;:]++"
GAP_WORD = r"\w[\w'’-]*+"
MIN_TRIGGER = 3
MAX_GAP = 12
_TOKEN = re.compile(r"\([^()]*\)|~\d+|[^\s()~]+")


class PatternError(ValueError):
    pass


def _word(word: str) -> str:
    stem = word[:-1] if word.endswith("*") else word
    if not stem or "*" in stem or "|" in stem:
        raise PatternError(f"{word!r} is not a word: '*' may only end a word, '|' only separate "
                           "alternatives inside parentheses.")
    return re.escape(stem) + (r"\w*" if word.endswith("*") else r"(?!\w)")


def _words(phrase: str) -> str:
    return SEPARATOR.join(_word(word) for word in phrase.split())


def _alternatives(token: str) -> list[str]:
    if not token.startswith("("):
        return [token]
    alternatives = [alt.strip() for alt in token[1:-1].split("|")]
    if not all(alternatives):
        raise PatternError(f"Empty alternative in {token!r}.")
    return alternatives


def _triggers(tokens: list[str]) -> list[str]:
    """The texts a match can open with: each alternative of the first element, whole (or up
    to a word with ``*``, after which the text is unknown), continued by the next elements'
    alternatives while no word of at least ``MIN_TRIGGER`` characters has been reached."""
    complete, unfinished = [], [""]
    for token in tokens:
        if token.startswith("~"):
            break
        still = []
        for prefix in unfinished:
            for alternative in _alternatives(token):
                text, reached = prefix, False
                for word in alternative.split():
                    text = f"{text} {word.rstrip('*')}".strip()
                    reached = reached or len(word.rstrip("*")) >= MIN_TRIGGER
                    if word.endswith("*"):
                        reached = True
                        break
                (complete if reached else still).append(text)
        unfinished = still
        if not unfinished:
            break
    short = [text for text in complete if len(text) < MIN_TRIGGER]
    if unfinished or short:
        raise PatternError(f"A match may open with {(unfinished or short)[0]!r}: the pattern's opening words "
                           f"must reach a word of {MIN_TRIGGER}+ letters before any '~' gap.")
    return complete


def compile_pattern(pattern: str) -> tuple[str, tuple[str, ...]]:
    """The regular expression of ``pattern`` (matched on lower-cased text at a word start)
    and its triggers, with a hyphenated form of each trigger of several words."""
    tokens = _TOKEN.findall(pattern.strip().lower())
    if "".join("".join(tokens).split()) != "".join(pattern.lower().split()):
        raise PatternError(f"The pattern {pattern!r} has an unbalanced parenthesis or a '~' without a number.")
    if not tokens or tokens[0].startswith("~") or tokens[-1].startswith("~"):
        raise PatternError(f"The pattern {pattern!r} must begin and end with a word.")
    gaps = [int(token[1:]) for token in tokens if token.startswith("~")]
    if any(a.startswith("~") and b.startswith("~") for a, b in zip(tokens, tokens[1:])) or any(
            gap > MAX_GAP for gap in gaps):
        raise PatternError(f"The pattern {pattern!r} has two gaps in a row or a gap over ~{MAX_GAP}.")
    parts = ["(?:" + "|".join(_words(alt) for alt in _alternatives(tokens[0])) + ")"]
    gap = ""
    for token in tokens[1:]:
        if token.startswith("~"):
            gap = f"(?:{GAP_WORD}{SEPARATOR}){{0,{int(token[1:])}}}?"  # lazy: the nearest completion
            continue
        parts.append(SEPARATOR + gap + "(?:" + "|".join(_words(alt) for alt in _alternatives(token)) + ")")
        gap = ""
    source = "".join(parts)
    re.compile(source)  # a malformed pattern fails here, when the taxonomy is read
    triggers = []
    for trigger in _triggers(tokens):
        triggers += [trigger, trigger.replace(" ", "-")] if " " in trigger else [trigger]
    return source, tuple(dict.fromkeys(triggers))


@dataclass(frozen=True)
class PhrasePattern:
    skill_index: int
    source: str  # regular expression
    triggers: tuple[str, ...]
    exceptions: re.Pattern | None  # the skill's pattern_exceptions, each at a word start

    def vetoed(self, lowered: str, start: int, end: int) -> bool:
        """Does the match at ``lowered[start:end]`` hold one of the exceptions? An exception
        counts at the start of a word: "data model" vetoes "data models", not "metadata"."""
        return self.exceptions is not None and self.exceptions.search(lowered, start, end) is not None


def _exceptions(phrases: tuple[str, ...]) -> re.Pattern | None:
    if not phrases:
        return None
    return re.compile(r"(?<!\w)(?:" + "|".join(re.escape(phrase) for phrase in phrases) + ")")


def compile_skill_patterns(skills) -> list[PhrasePattern]:
    compiled = []
    for index, skill in enumerate(skills):
        for pattern in skill.patterns:
            try:
                source, triggers = compile_pattern(pattern)
            except (PatternError, re.error) as exc:
                raise PatternError(f"Skill {skill.name!r}: bad pattern {pattern!r}: {exc}") from None
            compiled.append(PhrasePattern(index, source, triggers, _exceptions(skill.pattern_exceptions)))
    return compiled


class TriggeredPatterns:
    """Every pattern one trigger opens, tried in one regex call: each pattern sits in an
    optional look-ahead with its own group, so one match at the trigger reports every
    pattern that matches there."""

    def __init__(self, patterns: list[PhrasePattern]):
        self.patterns = patterns
        self.regex = re.compile("".join(f"(?:(?=({p.source})))?" for p in patterns))

    def spans_at(self, lowered: str, start: int) -> list[tuple[PhrasePattern, int, int]]:
        found = self.regex.match(lowered, start)
        if found.lastindex is None:  # the usual case: no pattern matches here
            return []
        spans = []
        for pattern, (lo, hi) in zip(self.patterns, found.regs[1:]):
            if lo >= 0 and not pattern.vetoed(lowered, lo, hi):
                spans.append((pattern, lo, hi))
        return spans
