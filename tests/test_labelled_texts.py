"""etl.labelled.load_thread_texts: the postings of recorded Algolia thread trees, as the ETL cleans them."""

from __future__ import annotations

import json

import pytest

from etl import labelled
from etl.labelled import (
    LabelsUnreadable, ReferenceMissing, ReferenceUnreadable, load_thread_texts, recorded_records_by_file,
)


def _comment(comment_id: int, text: str | None, children: list | None = None) -> dict:
    return {"id": comment_id, "type": "comment", "author": "someone", "text": text, "parent_id": 1,
            "created_at": "2011-04-01T13:35:50.000Z", "children": children or []}


def test_only_top_level_comments_with_text_are_postings(tmp_path):
    story = {"id": 1, "type": "story", "title": "Ask HN: Who is Hiring? (April 2011)", "text": None, "children": [
        _comment(10, "<p>Boston - ML engineer</p><p>We use <i>Python</i> &amp; R.</p>",
                 children=[_comment(11, "<p>Is this remote?</p>")]),
        _comment(12, None),  # a deleted comment
        _comment(13, "SF - Rails developer"),
    ]}
    (tmp_path / "items_1.json").write_text(json.dumps(story))
    texts = load_thread_texts(tmp_path)
    assert sorted(texts) == ["10", "13"]
    assert texts["10"] == "Boston - ML engineer\n\nWe use Python & R."


def test_a_folder_without_recorded_threads_says_what_is_missing(tmp_path):
    with pytest.raises(ReferenceMissing, match="No recorded Hacker News thread"):
        load_thread_texts(tmp_path)


@pytest.mark.parametrize("bad_line, words", [
    ('{"hn_id": 2, "hn_text": "cut off', ["Line 2", "2023_01.jsonl", "not valid JSON"]),
    ('{"hn_text": "no id"}', ["2023_01.jsonl", "hn_id"]),
])
def test_a_damaged_recording_is_one_clear_error_not_a_missing_one(tmp_path, bad_line, words):
    # Damaged recorded texts must fail training and evaluation, not be skipped as absent.
    (tmp_path / "2023_01.jsonl").write_text('{"hn_id": 1, "hn_text": "ok"}\n' + bad_line + "\n", encoding="utf-8")
    with pytest.raises(ReferenceUnreadable) as raised:
        recorded_records_by_file(tmp_path)
    assert not isinstance(raised.value, ReferenceMissing)
    assert all(word in str(raised.value) for word in words), str(raised.value)


def test_a_damaged_label_file_names_its_line(tmp_path, monkeypatch):
    monkeypatch.setattr(labelled, "LABELS_DIR", tmp_path)
    (tmp_path / "postings.L0.jsonl").write_text('{"source": "hn"}\n\n{"source": \n', encoding="utf-8")
    with pytest.raises(LabelsUnreadable, match=r"Line 3 of .*postings\.L0\.jsonl is not valid JSON"):
        labelled.read_jsonl("postings.*.jsonl")


def test_a_label_file_that_is_not_utf8_names_its_line(tmp_path, monkeypatch):
    monkeypatch.setattr(labelled, "LABELS_DIR", tmp_path)
    (tmp_path / "postings.L0.jsonl").write_bytes(b'{"source": "hn"}\n' * 2000 + b'{"source": "\xff"}\n')
    with pytest.raises(LabelsUnreadable, match="Line 2001 of .* is not UTF-8"):
        labelled.read_jsonl("postings.*.jsonl")
