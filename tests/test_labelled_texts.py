"""etl.labelled.load_thread_texts: the postings of recorded Algolia thread trees, as the ETL cleans them."""

from __future__ import annotations

import json

import pytest

from etl.labelled import ReferenceMissing, load_thread_texts


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
