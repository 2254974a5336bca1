"""The skill taxonomy: ``skills.toml`` beside this file (format documented at its top)."""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from etl.phrases import PatternError, PhrasePattern, compile_skill_patterns
from skilltrends.errors import UserError

TAXONOMY_FILE = Path(__file__).with_name("skills.toml")
FAMILIES = ("classic_ml", "mlops", "llm", "other")


class TaxonomyError(UserError):
    pass


@dataclass(frozen=True)
class Skill:
    name: str
    family: str
    category: str
    aliases: tuple[str, ...] = ()
    exact_aliases: tuple[str, ...] = ()
    negative_contexts: tuple[str, ...] = ()
    patterns: tuple[str, ...] = ()  # phrase patterns, see etl.phrases
    pattern_exceptions: tuple[str, ...] = ()


@dataclass(frozen=True)
class Taxonomy:
    version: str
    skills: tuple[Skill, ...] = field(default_factory=tuple)
    # The skills' phrase patterns, compiled (and so checked) once when the taxonomy is read.
    phrase_patterns: tuple[PhrasePattern, ...] = field(default=(), compare=False)

    def by_name(self) -> dict[str, Skill]:
        return {skill.name: skill for skill in self.skills}


def parse_taxonomy(document: dict, origin: str = "taxonomy") -> Taxonomy:
    try:
        skills = tuple(
            Skill(
                name=entry["name"],
                family=entry["family"],
                category=entry.get("category", "tool"),
                aliases=tuple(alias.lower() for alias in entry.get("aliases", ())),
                exact_aliases=tuple(entry.get("exact_aliases", ())),
                negative_contexts=tuple(phrase.lower() for phrase in entry.get("negative_contexts", ())),
                patterns=tuple(entry.get("patterns", ())),
                pattern_exceptions=tuple(phrase.lower() for phrase in entry.get("pattern_exceptions", ())),
            )
            for entry in document.get("skill", [])
        )
    except KeyError as exc:
        raise TaxonomyError(f"A skill in {origin} lacks the required key {exc.args[0]!r}.") from None
    bad = [skill.name for skill in skills if skill.family not in FAMILIES]
    if bad:
        raise TaxonomyError(f"Skills in {origin} with a family not in {FAMILIES}: {', '.join(bad)}.")
    # Case-sensitive aliases are matched in the lower-cased text, and a capital sigma lower-cases
    # to σ or ς depending on the letters after it.
    sigma = [alias for skill in skills for alias in skill.exact_aliases if "Σ" in alias]
    if sigma:
        raise TaxonomyError(f"Case-sensitive aliases in {origin} with a capital sigma, which cannot be matched "
                            f"reliably: {', '.join(sigma)}; list them under aliases instead.")
    try:
        phrase_patterns = tuple(compile_skill_patterns(skills))
    except PatternError as exc:
        raise TaxonomyError(f"In {origin}: {exc}") from None
    return Taxonomy(version=str(document.get("version", "unversioned")), skills=skills,
                    phrase_patterns=phrase_patterns)


TAXONOMY_ENV = "SKILLTRENDS_TAXONOMY"


def load_taxonomy(path: Path | str | None = None) -> Taxonomy:
    """The taxonomy at ``path``, else ``$SKILLTRENDS_TAXONOMY``, else the bundled ``skills.toml``."""
    return _load(Path(path or os.environ.get(TAXONOMY_ENV) or TAXONOMY_FILE))


@lru_cache(maxsize=4)
def _load(path: Path) -> Taxonomy:
    try:
        with open(path, "rb") as handle:
            return parse_taxonomy(tomllib.load(handle), str(path))
    except FileNotFoundError:
        raise TaxonomyError(f"The taxonomy file {path} does not exist.") from None
    except tomllib.TOMLDecodeError as exc:
        raise TaxonomyError(f"The taxonomy file {path} is not valid TOML: {exc}.") from None
