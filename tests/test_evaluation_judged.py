"""How `skilltrends evaluate` scores the postings kept out of training (etl/labels/aside_*)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from etl.evaluation import (
    AS_BOARD_HTML, FLATTENINGS, TITLE_APART, Report, Score, _render_judged_check, as_board_html, converted,
    evaluate_aside, evaluate_aside_sentences, evaluate_flattened, evaluate_judged_check, flatten, judged_scores,
    title_apart,
)
from etl.extraction import PostingExtractor
from etl.labelled import read_aside_postings, read_jsonl, read_posting_labels
from etl.skills import Candidate


@pytest.fixture(scope="module")
def extractor() -> PostingExtractor:
    return PostingExtractor()


class StubExtractor:
    """Judged candidates as given: ``judged`` maps a text to (start, end, skill, accepted)."""

    def __init__(self, judged: dict[str, list[tuple[int, int, str, bool]]]):
        names = sorted({skill for found in judged.values() for _, _, skill, _ in found})
        number = {name: n for n, name in enumerate(names)}
        self.judged = {text: [(Candidate(start, end, number[skill], True), accepted)
                              for start, end, skill, accepted in found] for text, found in judged.items()}
        self.skills = SimpleNamespace(skills=[SimpleNamespace(name=name) for name in names],
                                      candidates=lambda text: [c for c, _ in self.judged.get(text, [])])
        self.tagger = SimpleNamespace(accepted_candidates=lambda texts: [
            [c for c, accepted in self.judged.get(text, []) if accepted] for text in texts])


def occurrence(key: str, text: str, alias: str, skill: str, is_skill: bool, nth: int = 0) -> dict:
    start = -1
    for _ in range(nth + 1):
        start = text.index(alias, start + 1)
    return {"id": key, "start": start, "end": start + len(alias), "alias": alias, "skill": skill,
            "is_skill": is_skill, "labeller": "T"}


STACK = "We write Go services; Go ahead and apply."
BOARD = "Analyze sales in Excel. Excel at customer care."
POSTINGS = {"T-1": {"id": "T-1", "style": "hn", "text": STACK},
            "T-2": {"id": "T-2", "style": "job_board", "text": BOARD}}


def test_each_labelled_occurrence_counts_once_in_its_posting_style_and_each_disagreement_is_an_error():
    stub = StubExtractor({STACK: [(9, 11, "Go", True), (22, 24, "Go", True)],
                          BOARD: [(17, 22, "Excel", True), (24, 29, "Excel", False)]})
    rows = [occurrence("T-1", STACK, "Go", "Go", True), occurrence("T-1", STACK, "Go", "Go", False, nth=1),
            occurrence("T-2", BOARD, "Excel", "Excel", True), occurrence("T-2", BOARD, "Excel", "Excel", True, nth=1)]
    result = judged_scores(stub, POSTINGS, rows)
    assert (result.by_style["hn"].tp, result.by_style["hn"].fp, result.by_style["hn"].fn) == (1, 1, 0)
    assert (result.by_style["job_board"].tp, result.by_style["job_board"].fp, result.by_style["job_board"].fn) == (1, 0, 1)
    assert result.errors == ["T-1: accepted Go: …We write Go services; [Go] ahead and apply.…",
                             "T-2: rejected Excel: …Analyze sales in Excel. [Excel] at customer care.…"]
    assert result.unlabelled == 0


def test_an_accepted_occurrence_of_another_skill_at_the_same_place_does_not_count():
    stub = StubExtractor({STACK: [(9, 11, "Golang", True)]})
    result = judged_scores(stub, POSTINGS, [occurrence("T-1", STACK, "Go", "Go", True)])
    assert (result.by_style["hn"].tp, result.by_style["hn"].fn) == (0, 1)
    assert result.unlabelled == 1  # the Golang occurrence has no row


def test_judged_occurrences_without_a_row_are_counted_in_every_posting():
    stub = StubExtractor({STACK: [(9, 11, "Go", True)], BOARD: [(17, 22, "Excel", False), (24, 29, "Excel", False)]})
    result = judged_scores(stub, POSTINGS, [occurrence("T-1", STACK, "Go", "Go", True)])
    assert result.unlabelled == 2


def test_an_occurrence_a_negative_context_vetoes_counts_as_rejected(extractor):
    text = "Our Go-to-market team is hiring."
    row = occurrence("T-3", text, "Go", "Go", True)
    assert [c for c in extractor.skills.candidates(text) if c.start == row["start"]] == []  # "go-to-market"
    result = judged_scores(extractor, {"T-3": {"id": "T-3", "style": "hn", "text": text}}, [row])
    assert (result.by_style["hn"].tp, result.by_style["hn"].fn) == (0, 1)
    assert result.errors == ["T-3: rejected Go: …Our [Go]-to-market team is hiring.…"]


def test_postings_kept_aside_are_scored_posting_by_posting_in_their_style(extractor):
    postings, labels = read_aside_postings(), read_posting_labels("aside_labels.*.jsonl")
    report = Report()
    evaluate_aside(report, extractor, postings)
    for style in ("job_board", "hn"):
        rows = [row for row in labels if postings[row["source_id"]]["style"] == style]
        expected = Score()
        for row in rows:  # one posting at a time, so a batch mixing postings up would show
            found = extractor.extract([postings[row["source_id"]]["text"]], with_responsibilities=False)[0]
            expected.add({(row["source_id"], s) for s in row["skills"]}, {(row["source_id"], m.skill) for m in found.skills})
        scores = report.aside[style]
        assert scores.postings == len(rows) and scores.ml_postings == sum(row["is_ml"] for row in rows)
        assert (scores.skills.tp, scores.skills.fp, scores.skills.fn) == (expected.tp, expected.fp, expected.fn)


def test_every_labelled_sentence_kept_aside_is_scored_once_in_its_posting_style(extractor):
    postings, rows = read_aside_postings(), read_jsonl("aside_sentences.*.jsonl")
    report = Report()
    evaluate_aside_sentences(report, extractor, postings)
    for style, scores in report.aside_sentences.items():
        mine = [row for row in rows if postings[row["source_id"]]["style"] == style]
        assert scores.sentences == len(mine) and scores.postings == len({row["source_id"] for row in mine})
        assert sum(score.support for score in scores.kinds.values()) == len(mine)
        assert sum(score.support for score in scores.responsibilities.values()) == \
            sum(len(row["responsibilities"]) for row in mine)
    assert sum(scores.sentences for scores in report.aside_sentences.values()) == len(rows)


def test_a_flattened_posting_is_one_line_with_its_list_marks_replaced():
    text = "Senior ML Engineer\n\nWhat you'll do\n- Train models\n  * Ship them\n2) Monitor drift\nPay: $150k - $200k"
    assert flatten(text, "•") == "Senior ML Engineer What you'll do • Train models • Ship them • Monitor drift Pay: $150k - $200k"
    assert flatten(text, "-") == "Senior ML Engineer What you'll do - Train models - Ship them - Monitor drift Pay: $150k - $200k"


def test_a_job_title_apart_is_the_first_line_and_the_description_the_rest():
    assert title_apart("  ML Engineer – Search \nAcme · Remote\n\nAbout us\n") == (
        "ML Engineer – Search", "Acme · Remote\n\nAbout us")
    assert title_apart("Data Scientist") == ("Data Scientist", "")


def test_a_description_as_a_job_board_serves_it_converts_back_to_its_text():
    text = "Acme · Remote\n\nWhat you'll do\n• Ship R&D models\n- Own <evals>\nWe offer\n1. Equity"
    markup = as_board_html(text)
    assert markup.startswith("<p>Acme · Remote</p>\n<p>What you&#x27;ll do</p>\n<ul>\n<li><p>Ship R&amp;D models</p></li>")
    assert markup.endswith("<ul>\n<li><p>Equity</p></li>\n</ul>") and "&lt;evals&gt;" in markup
    assert converted({"a": markup}) == {"a": "Acme · Remote\n\nWhat you'll do\n\n• Ship R&D models\n"
                                             "• Own <evals>\n\nWe offer\n\n• Equity"}


def test_the_postings_kept_aside_are_read_in_every_form_against_the_same_labels(extractor):
    postings = read_aside_postings()
    report = Report()
    evaluate_aside(report, extractor, postings)
    evaluate_flattened(report, extractor, postings)
    duties = {}
    for row in read_jsonl("aside_sentences.*.jsonl"):
        duties.setdefault(row["source_id"], set()).update(row["responsibilities"])
    for style, aside in report.aside.items():
        as_written = report.flattened[(style, "as written")]
        assert (as_written.skills.tp, as_written.skills.fp, as_written.skills.fn) == \
            (aside.skills.tp, aside.skills.fp, aside.skills.fn)
        assert (as_written.is_ml.tp, as_written.is_ml.fp, as_written.is_ml.fn) == \
            (aside.is_ml.tp, aside.is_ml.fp, aside.is_ml.fn)
        gold_pairs = sum(len(duties[key]) for key, posting in postings.items() if posting["style"] == style)
        forms = [*FLATTENINGS, *([TITLE_APART, AS_BOARD_HTML] if style == "job_board" else [])]
        assert {form for kept, form in report.flattened if kept == style} == set(forms)
        for form in forms:
            scores = report.flattened[(style, form)]
            assert scores.postings == aside.postings
            assert sum(score.support for score in scores.responsibilities.values()) == gold_pairs


def test_the_check_list_scores_each_line_as_its_own_text_numbered_per_labeller(monkeypatch):
    # Twelve lines of two labellers, the last two texts the same: each line is its own case.
    texts = [f"Team {n}: we train neural networks here." for n in range(10)] + ["Neural networks of the brain."] * 2
    rows = [{"text": text, "start": text.lower().index("neural networks"), "alias": "neural networks",
             "skill": "neural networks", "is_skill": n < 10, "labeller": "A" if n < 6 else "B"}
            for n, text in enumerate(texts)]
    for row in rows:
        row["end"] = row["start"] + len("neural networks")
    monkeypatch.setattr("etl.evaluation.read_jsonl", lambda pattern: rows if pattern == "judged_check.*.jsonl" else [])
    # The classifier accepts the first three team lines and the brain lines; each brain line
    # also holds an unlabelled judged word, counted once per line.
    judged = {text: [(row["start"], row["end"], "neural networks", n < 3 or n >= 10)]
              for n, (text, row) in enumerate(zip(texts, rows))}
    judged["Neural networks of the brain."].append((19, 24, "Brain", True))
    report = Report()
    evaluate_judged_check(report, StubExtractor(judged))
    score = report.judged_check.by_style["check"]
    assert (score.tp, score.fp, score.fn) == (3, 2, 7) and report.judged_check_cases == 12
    assert [error.split(":")[0] for error in report.judged_check.errors] == [
        "A-4", "A-5", "A-6", "B-1", "B-2", "B-3", "B-4", "B-5", "B-6"]
    assert report.judged_check.unlabelled == 2
    text = "\n".join(_render_judged_check(report))
    assert "## Judged words in single sentences (check list, 12 lines)" in text
    assert score.row("labelled occurrences") in text and "2 other occurrences" in text


def test_no_check_list_no_section(monkeypatch):
    monkeypatch.setattr("etl.evaluation.read_jsonl", lambda pattern: [])
    report = Report()
    evaluate_judged_check(report, StubExtractor({}))
    assert report.judged_check is None and _render_judged_check(report) == []
