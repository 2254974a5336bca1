"""The project's label files: well-formed, consistent with the taxonomy, eval never in training."""

from __future__ import annotations

import difflib
import re

import pytest

from etl.classify import mentions
from etl.extraction import SkillTagger
from etl.labelled import (
    LABELS_DIR, RESPONSIBILITIES, SENTENCE_KINDS, load_reference_texts, load_thread_texts, read_aside_postings,
    read_authored_boards, read_authored_postings, read_ids,
    read_jsonl, read_posting_labels, sentence_sha,
)
from etl.sentences import split_sentences
from etl.taxonomy import load_taxonomy
from tests.helpers import reference_data

EVAL = set(read_ids("eval_ids.txt"))
TRAIN_SENTENCES = set(read_ids("train_sentence_ids.txt")) | set(read_ids("train_sentence_ids_2.txt"))
NEAR_COPY = 0.7  # difflib similarity of two texts, lower-cased with punctuation dropped


def test_evaluation_set_is_large_and_disjoint_from_training():
    postings = read_jsonl("postings.*.jsonl")
    assert len(EVAL) >= 300 and {row["source_id"] for row in postings} == EVAL
    trained_on = ({row["source_id"] for row in read_jsonl("postings_train.*.jsonl")}
                  | {row["source_id"] for row in read_jsonl("mentions.*.jsonl")} | TRAIN_SENTENCES)
    assert not trained_on & EVAL


def test_posting_labels_name_taxonomy_skills():
    names = {skill.name for skill in load_taxonomy().skills}
    for row in read_jsonl("postings.*.jsonl"):
        assert isinstance(row["is_ml"], bool)
        assert set(row["skills"]) <= names, (row["source_id"], set(row["skills"]) - names)


def test_april_2011_labels_name_taxonomy_skills_and_each_posting_once():
    names = {skill.name for skill in load_taxonomy().skills}
    rows = read_jsonl("postings_2011.*.jsonl")
    assert len(rows) >= 200 and len({row["source_id"] for row in rows}) == len(rows)
    for row in rows:
        assert isinstance(row["is_ml"], bool)
        assert set(row["skills"]) <= names, (row["source_id"], set(row["skills"]) - names)
        assert {item["skill"] for item in row["unaliased"]} <= names, row["source_id"]


@pytest.mark.reference_data
def test_every_posting_of_the_april_2011_thread_is_labelled():
    texts = load_thread_texts(reference_data("hn-algolia"))
    rows = read_jsonl("postings_2011.*.jsonl")
    assert sorted(row["source_id"] for row in rows) == sorted(texts)
    for row in rows:
        for item in row["unaliased"]:
            assert item["phrase"] in texts[row["source_id"]], (row["source_id"], item)


def assert_allowed_sentence_labels(rows: list[dict]) -> None:
    for row in rows:
        assert row["kind"] in SENTENCE_KINDS, row
        assert set(row["responsibilities"]) <= set(RESPONSIBILITIES), row
        assert not row["responsibilities"] or row["kind"] == "responsibility", row


def test_sentence_labels_use_the_allowed_values():
    assert_allowed_sentence_labels(read_jsonl("sentences.*.jsonl"))


@pytest.mark.reference_data
def test_sentence_labels_match_the_texts_they_label():
    reference_data("hn-2023h1")
    texts = load_reference_texts()
    by_posting: dict[str, set] = {}
    for row in read_jsonl("sentences.*.jsonl"):
        text = texts[row["source_id"]]
        assert sentence_sha(text[row["start"]:row["end"]]) == row["sha"], row
        by_posting.setdefault(row["source_id"], set()).add((row["start"], row["end"]))
    for source_id, spans in by_posting.items():
        assert spans == set(split_sentences(texts[source_id])), source_id


@pytest.mark.reference_data
def test_mention_labels_point_at_their_alias():
    reference_data("hn-2023h1")
    texts = load_reference_texts()
    for row in read_jsonl("mentions.*.jsonl"):
        assert texts[row["source_id"]][row["start"]:row["end"]] == row["alias"], row


def test_authored_descriptions_are_labelled_sentence_by_sentence():
    postings, boards = read_authored_postings(), read_authored_boards()
    assert postings and boards, "the authored job descriptions are missing"
    authored = postings + boards
    assert len({posting["id"] for posting in authored}) == len(authored)
    for posting in authored:
        assert isinstance(posting["is_ml"], bool)
        spans = [(row["start"], row["end"]) for row in posting["sentences"]]
        assert spans == split_sentences(posting["text"]), posting["id"]
        for row in posting["sentences"]:
            assert row["kind"] in SENTENCE_KINDS
            assert set(row["responsibilities"]) <= set(RESPONSIBILITIES)
            assert not row["responsibilities"] or row["kind"] == "responsibility"


def _assert_a_whole_token_of_its_skill(text: str, row: dict, taxonomy) -> None:
    start, end = row["start"], row["end"]
    assert text[start:end] == row["alias"], row
    assert start == 0 or not text[start - 1].isalnum(), row
    assert end == len(text) or not text[end].isalnum(), row
    skill = taxonomy[row["skill"]]
    assert row["alias"] in skill.exact_aliases or row["alias"].lower() in {a.lower() for a in skill.aliases}, row


def test_authored_contexts_point_at_a_whole_token_of_their_skill():
    taxonomy = load_taxonomy().by_name()
    rows = read_jsonl("contexts.*.jsonl")
    assert {row["is_skill"] for row in rows} == {True, False}
    for row in rows:
        _assert_a_whole_token_of_its_skill(row["text"], row, taxonomy)


def test_the_judged_check_list_labels_judged_occurrences_and_copies_no_training_context():
    taxonomy = load_taxonomy()
    by_name = taxonomy.by_name()
    tagger = SkillTagger(taxonomy)
    rows = read_jsonl("judged_check.*.jsonl")
    assert len(rows) >= 100 and {row["is_skill"] for row in rows} == {True, False}
    trained = {}
    for row in read_jsonl("contexts.*.jsonl"):
        trained.setdefault(row["skill"], []).append(_plain(row["text"]))
    for row in rows:
        _assert_a_whole_token_of_its_skill(row["text"], row, by_name)
        assert _is_judged_candidate(tagger, row["text"], row), row
        # A check line that is a near-copy of a training context measures nothing new.
        text = _plain(row["text"])
        for context in trained.get(row["skill"], []):
            match = difflib.SequenceMatcher(None, text, context)
            assert match.real_quick_ratio() < NEAR_COPY or match.quick_ratio() < NEAR_COPY \
                or match.ratio() < NEAR_COPY, (row["text"], context)


def _plain(text: str) -> str:
    return re.sub(r"\W+", " ", text.lower()).strip()


def test_every_alias_judged_for_another_meaning_has_labelled_occurrences_of_both_meanings():
    """A word added to other_meanings.toml without examples would be judged on generic cues
    alone; the classifier needs to have seen the skill and the other meaning."""
    seen: dict[str, set[bool]] = {}
    for row in read_jsonl("contexts.*.jsonl") + read_jsonl("mentions.*.jsonl"):
        seen.setdefault(row["alias"].lower(), set()).add(bool(row["is_skill"]))
    judged_words = set(mentions.OTHER_MEANINGS) | mentions.JUDGED_GENERAL_ACRONYMS
    assert {alias for alias in judged_words if seen.get(alias) != {True, False}} == set()


def test_development_tricky_lists_name_taxonomy_skills_and_their_tricky_alias():
    taxonomy = load_taxonomy()
    names = set(taxonomy.by_name())
    aliases = {alias.lower() for skill in taxonomy.skills for alias in (*skill.aliases, *skill.exact_aliases)}
    paths = sorted(LABELS_DIR.glob("tricky_dev.*.jsonl"))
    assert len(paths) >= 4
    for path in paths:
        cases = read_jsonl(path.name)
        assert len(cases) == 160, path.name
        for case in cases:
            assert case["alias"] in case["text"] and case["alias"].lower() in aliases, case
            assert set(case["skills"]) <= names, case


def test_occurrences_in_postings_kept_aside_point_at_a_whole_token_of_their_skill():
    taxonomy = load_taxonomy().by_name()
    postings = read_aside_postings()
    rows = read_jsonl("judged_postings.*.jsonl")
    assert {row["is_skill"] for row in rows} == {True, False}
    assert len({(row["id"], row["start"], row["end"]) for row in rows}) == len(rows)  # each occurrence once
    for row in rows:
        _assert_a_whole_token_of_its_skill(postings[row["id"]]["text"], row, taxonomy)


def test_postings_kept_aside_are_not_training_texts():
    aside = read_jsonl("aside_postings.*.jsonl")
    assert len({row["id"] for row in aside}) == len(aside)
    assert {row["style"] for row in aside} == {"job_board", "hn"}
    trained_on = ({row["text"] for row in read_jsonl("contexts.*.jsonl")}
                  | {row["text"] for row in read_authored_postings() + read_authored_boards()})
    assert not {row["text"] for row in aside} & trained_on


def test_postings_kept_aside_are_labelled_once_with_taxonomy_skills():
    names = {skill.name for skill in load_taxonomy().skills}
    rows = read_jsonl("aside_labels.*.jsonl")
    assert sorted(row["source_id"] for row in rows) == sorted(read_aside_postings())
    for row in rows:
        assert isinstance(row["is_ml"], bool) and set(row["skills"]) <= names, row["source_id"]


def test_every_sentence_of_the_postings_kept_aside_is_labelled():
    postings = read_aside_postings()
    rows = read_jsonl("aside_sentences.*.jsonl")
    labelled = {row["source_id"] for row in rows}
    assert labelled == set(postings)
    for key in labelled:
        text = postings[key]["text"]
        mine = sorted((row["start"], row["end"], row["sha"]) for row in rows if row["source_id"] == key)
        assert [(start, end) for start, end, _ in mine] == split_sentences(text), key
        assert all(sentence_sha(text[start:end]) == sha for start, end, sha in mine), key
    assert_allowed_sentence_labels(rows)


def spans_by_posting(rows: list[dict]) -> dict[str, set]:
    """The (start, end, sha) of each labelled sentence, by posting."""
    spans: dict[str, set] = {}
    for row in rows:
        spans.setdefault(row["source_id"], set()).add((row["start"], row["end"], row["sha"]))
    return spans


def test_second_sentence_labels_are_on_held_out_postings_with_allowed_values():
    rows = read_jsonl("held_out_second_sentences.*.jsonl")
    assert rows and {row["source_id"] for row in rows} <= EVAL, "second sentence labels are for held-out postings"
    assert len({(row["source_id"], row["start"]) for row in rows}) == len(rows)
    assert_allowed_sentence_labels(rows)
    assert {row["labeller"] for row in rows}.isdisjoint(row["labeller"] for row in read_jsonl("sentences.*.jsonl"))


@pytest.mark.reference_data
def test_second_sentence_labels_cover_every_labelled_sentence_of_their_postings():
    reference_data("hn-2023h1")
    texts = load_reference_texts()
    first = spans_by_posting(read_jsonl("sentences.*.jsonl"))
    second_rows = read_jsonl("held_out_second_sentences.*.jsonl")
    for row in second_rows:
        assert sentence_sha(texts[row["source_id"]][row["start"]:row["end"]]) == row["sha"], row
    second = spans_by_posting(second_rows)
    for key, spans in second.items():
        assert spans == first[key], f"posting {key}: the second labels cut other sentences than the first"
    with_responsibilities = {row["source_id"] for row in read_jsonl("sentences.*.jsonl")
                             if row["source_id"] in EVAL and row["responsibilities"]}
    assert set(second) == with_responsibilities


def test_second_labels_of_training_sentences_cut_the_same_sentences_as_the_first():
    second = read_jsonl("train_second_sentences.*.jsonl")
    assert second and {row["source_id"] for row in second} <= set(read_ids("train_ids_6.txt"))
    assert_allowed_sentence_labels(second)
    first_rows = read_jsonl("sentences.*.jsonl")
    assert {row["labeller"] for row in second}.isdisjoint(row["labeller"] for row in first_rows)
    first = spans_by_posting(first_rows)
    for key, spans in spans_by_posting(second).items():
        assert spans == first[key], f"posting {key}: the second labels cut other sentences than the first"


def test_second_responsibilities_of_training_duties_point_at_first_labelled_duties():
    second = read_jsonl("train_second_duties.*.jsonl")
    first_rows = read_jsonl("sentences.*.jsonl")
    duties = {(row["source_id"], row["start"], row["end"], row["sha"]) for row in first_rows
              if row["kind"] == "responsibility" and row["source_id"] not in EVAL}
    assert second and {(row["source_id"], row["start"], row["end"], row["sha"]) for row in second} <= duties
    assert len({(row["source_id"], row["start"]) for row in second}) == len(second)
    assert all(set(row["responsibilities"]) <= set(RESPONSIBILITIES) for row in second)
    assert {row["labeller"] for row in second}.isdisjoint(row["labeller"] for row in first_rows)


def test_agreement_labels_are_a_second_opinion_on_training_postings():
    second = read_jsonl("agreement.*.jsonl")
    first = {row["source_id"] for row in read_jsonl("postings_train.*.jsonl")}
    assert second and {row["source_id"] for row in second} <= first
    assert not {row["source_id"] for row in second} & EVAL
    assert all(row["confidence"] in ("clear", "borderline") for row in second)


def test_adjudicated_labels_settle_training_postings_once_by_a_third_labeller():
    settled = read_jsonl("adjudicated.*.jsonl")
    first = {row["source_id"]: row["labeller"] for row in read_jsonl("postings_train.*.jsonl")}
    ids = [row["source_id"] for row in settled]
    assert settled and len(ids) == len(set(ids)) and set(ids) <= set(first)
    assert not set(ids) & EVAL
    second = {row["labeller"] for row in read_jsonl("agreement.*.jsonl")}
    assert {row["labeller"] for row in settled}.isdisjoint(set(first.values()) | second)
    assert all(isinstance(row["is_ml"], bool) and row["confidence"] in ("clear", "borderline") for row in settled)


def test_training_uses_the_adjudicated_is_ml_label():
    from etl.training import gold_is_ml

    gold = gold_is_ml()
    assert all(gold[row["source_id"]] == row["is_ml"] for row in read_jsonl("adjudicated.*.jsonl"))
    settled = {row["source_id"] for row in read_jsonl("adjudicated.*.jsonl")}
    assert all(gold[row["source_id"]] == row["is_ml"]
               for row in read_jsonl("postings_train.*.jsonl") if row["source_id"] not in settled)


def test_training_skill_labels_name_taxonomy_skills_of_training_postings():
    names = {skill.name for skill in load_taxonomy().skills}
    rows = read_jsonl("skills_train.*.jsonl")
    assert rows and not {row["source_id"] for row in rows} & EVAL
    for row in rows:
        assert set(row["skills"]) <= names, (row["source_id"], set(row["skills"]) - names)
        assert {item["skill"] for item in row["unaliased"]} <= names


def test_authored_skill_labels_quote_their_postings_and_name_mlops_or_llm_skills():
    family = {skill.name: skill.family for skill in load_taxonomy().skills}
    texts = {row["id"]: row["text"] for row in read_authored_postings()}
    rows = read_jsonl("skills_authored.*.jsonl")
    assert sorted(row["id"] for row in rows) == sorted(texts)  # every authored posting, once
    assert {row["split"] for row in rows} == {"tune", "check"}
    for row in rows:
        assert {family.get(name) for name in row["skills"]} <= {"mlops", "llm"}, row["id"]
        assert {quote["skill"] for quote in row["phrases"]} == set(row["skills"]), row["id"]
        for quote in row["phrases"]:
            assert quote["phrase"] in texts[row["id"]], (row["id"], quote)


def test_written_duties_are_labelled_with_known_responsibilities():
    duties = read_jsonl("duties.*.jsonl")
    assert len(duties) >= 1000, "the written duty sentences are missing"
    assert len({row["text"] for row in duties}) == len(duties), "a duty sentence is written twice"
    for row in duties:
        assert set(row) == {"text", "responsibilities", "style", "labeller"}, row
        assert row["text"].strip() and row["style"] in {"hn", "board"}
        assert set(row["responsibilities"]) <= set(RESPONSIBILITIES), row
        assert len(set(row["responsibilities"])) == len(row["responsibilities"]), row


@pytest.mark.reference_data
def test_written_duties_are_not_copied_from_real_postings():
    reference_data("hn-2023h1")
    real = "\n".join(load_reference_texts().values())
    copied = [row["text"] for row in read_jsonl("duties.*.jsonl") if row["text"] in real]
    assert not copied, copied[:3]


def test_skills_added_since_labelling_name_new_skills_of_measured_postings():
    """``skills_added.*``: a labeller's decision, per measured posting and skill added to the
    taxonomy after the posting was labelled, on whether the posting mentions it."""
    names = {skill.name for skill in load_taxonomy().skills}
    gold = {pattern: read_jsonl(pattern)
            for pattern in ("postings.*.jsonl", "postings_2011.*.jsonl", "aside_labels.*.jsonl")}
    original = {(row["source"], row["source_id"]): set(row["skills"]) for rows in gold.values() for row in rows}
    original |= {("authored", row["id"]): set(row["skills"]) for row in read_jsonl("skills_authored.*.jsonl")}
    hn_2023, hn_2011 = ({row["source_id"] for row in gold[pattern]}
                        for pattern in ("postings.*.jsonl", "postings_2011.*.jsonl"))
    assert not hn_2023 & hn_2011, "the two HN sets share the key (hn, id): they must not overlap"
    rows = read_jsonl("skills_added.*.jsonl")
    assert rows
    pairs = [(row["source"], row["source_id"], row["skill"]) for row in rows]
    assert len(set(pairs)) == len(pairs), "one decision per posting and skill"
    for row in rows:
        key = (row["source"], row["source_id"])
        assert key in original and row["skill"] in names and isinstance(row["is_skill"], bool), row
        assert row["skill"] not in original[key], f"{row['skill']} was already labelled in {key}"
        assert row["taxonomy_version"] and row["labeller"], row


def test_added_skills_join_the_gold_skills_of_their_posting_only():
    added = [row for row in read_jsonl("skills_added.*.jsonl") if row["is_skill"] and row["source"] == "aside"]
    assert added
    merged = {row["source_id"]: row["skills"] for row in read_posting_labels("aside_labels.*.jsonl")}
    plain = {row["source_id"]: row["skills"] for row in read_jsonl("aside_labels.*.jsonl")}
    for row in added:
        assert row["skill"] in merged[row["source_id"]] and row["skill"] not in plain[row["source_id"]]
    gained = sum(len(merged[key]) - len(plain[key]) for key in plain)
    assert gained == len(added)


# Since taxonomy 2026.11.26 each new file of contexts or mentions is checked against the
# matcher: a line whose word is read as part of a longer skill ("responsible AI") or vetoed
# by a negative context teaches the classifier about an occurrence it is never asked about.
# (Earlier files hold such lines for aliases judged no longer or matched differently since.)
JUDGED_SINCE_2026_11_26 = ("contexts.L92.jsonl", "contexts.L93.jsonl", "mentions.L94.jsonl", "mentions.L95.jsonl")


def _is_judged_candidate(tagger: SkillTagger, text: str, row: dict) -> bool:
    """Does the matcher find a candidate of ``row``'s skill at its offsets that the classifier judges?"""
    return any(c.start == row["start"] and c.end == row["end"] and c.judge
               and tagger.skills.skills[c.index].name == row["skill"] for c in tagger.skills.candidates(text))


def test_new_contexts_label_occurrences_the_classifier_judges():
    tagger = SkillTagger(load_taxonomy())
    for name in JUDGED_SINCE_2026_11_26[:2]:
        rows = read_jsonl(name)
        assert rows, name
        assert [row["text"] for row in rows if not _is_judged_candidate(tagger, row["text"], row)] == [], name


@pytest.mark.reference_data
def test_new_mentions_label_occurrences_the_classifier_judges():
    reference_data("hn-2023h1")
    texts = load_reference_texts()
    tagger = SkillTagger(load_taxonomy())
    for name in JUDGED_SINCE_2026_11_26[2:]:
        rows = read_jsonl(name)
        assert rows, name
        assert [row for row in rows if not _is_judged_candidate(tagger, texts[row["source_id"]], row)] == [], name
