"""Labelled texts from a crawl of the HN threads, when the hn-2023h1 recording is absent
(etl.labelled: the labels name comment ids, which a crawl carries as well)."""

from __future__ import annotations

import json

import pytest

from etl.labelled import (
    REFERENCE_ENV, ReferenceMissing, check_labelled_texts, clean_texts, crawled_records_by_month,
    load_reference_records, load_reference_texts, read_jsonl, recorded_records_by_file, reference_records_by_file,
)
from etl.classify import artifacts
from etl.extraction import PostingExtractor
from skilltrends.home import HOME_ENV, Home
from tests.helpers import reference_data, run_cli
from tests.landing_factory import hn_item, write_landing


@pytest.fixture
def no_recording(tmp_path, monkeypatch):
    empty = tmp_path / "no-recording"
    empty.mkdir()
    monkeypatch.setenv(REFERENCE_ENV, str(empty))
    home = tmp_path / "home"
    monkeypatch.setenv(HOME_ENV, str(home))
    return home


def test_texts_come_from_the_crawl_when_there_is_no_recording(no_recording):
    write_landing(no_recording, [hn_item(101, "<p>Boston | ML Engineer</p><p>PyTorch &amp; Python</p>", "2023-01"),
                                 hn_item(102, "Remote | Rails developer", "2023-02")])
    assert load_reference_texts() == {"101": "Boston | ML Engineer\n\nPyTorch & Python",
                                      "102": "Remote | Rails developer"}
    by_month = reference_records_by_file()
    assert {month: sorted(records) for month, records in by_month.items()} == {"2023_01": ["101"], "2023_02": ["102"]}
    assert "model_output" not in by_month["2023_01"]["101"]  # a crawl has no silver labels


def test_only_the_labelled_months_are_read_from_a_crawl(no_recording):
    write_landing(no_recording, [hn_item(101, "April 2011 comment", "2011-04"),
                                 hn_item(102, "January 2023 comment", "2023-01")])
    assert load_reference_texts() == {"102": "January 2023 comment"}


def test_the_newest_crawl_of_a_comment_wins(no_recording):
    write_landing(no_recording, [hn_item(101, "first version", "2023-01")])
    write_landing(no_recording, [hn_item(101, "edited version", "2023-01")])
    assert load_reference_texts() == {"101": "edited version"}


def test_an_unreadable_landing_file_is_skipped_and_the_others_read(no_recording, caplog):
    write_landing(no_recording, [hn_item(101, "kept", "2023-01")])
    broken = Home.resolve(no_recording).landing_file("hn", "20230101T000000.000000Z-1-dead")
    broken.write_bytes(b"not a database")
    assert load_reference_texts() == {"101": "kept"}
    assert "cannot be read" in caplog.text


def test_the_recording_wins_over_a_crawl(tmp_path, monkeypatch):
    recording = tmp_path / "hn-2023h1"
    recording.mkdir()
    (recording / "2023_01.jsonl").write_text(json.dumps({"hn_id": 7, "hn_text": "recorded", "model_output": {}}) + "\n")
    home = tmp_path / "home"
    write_landing(home, [hn_item(8, "crawled", "2023-01")])
    assert load_reference_texts(recording, Home.resolve(home)) == {"7": "recorded"}
    assert crawled_records_by_month(Home.resolve(home))["2023_01"]["8"]["hn_text"] == "crawled"


def test_neither_recording_nor_crawl_says_how_to_get_the_texts(no_recording):
    with pytest.raises(ReferenceMissing, match=r"skilltrends crawl hn --since 2023-01 --until 2023-06"):
        load_reference_records()


def test_labels_refuse_texts_that_lack_labelled_postings():
    with pytest.raises(ReferenceMissing, match=r"labelled HN postings are not among the 1 loaded texts"):
        check_labelled_texts({"1": "some other posting"})


def crawl_of_the_recording(no_recording) -> dict[str, dict[str, dict]]:
    """The recorded comments written into a crawl's landing file as the HN spider would."""
    recorded = recorded_records_by_file(reference_data("hn-2023h1"))
    write_landing(no_recording, [hn_item(int(key), record["hn_text"], stem.replace("_", "-"))
                                 for stem, records in recorded.items() for key, record in records.items()])
    return recorded


@pytest.mark.reference_data
def test_a_crawl_of_the_same_comments_gives_the_labelled_texts(no_recording):
    """Read back with no recording present: the same clean texts, and the labels check."""
    recorded = crawl_of_the_recording(no_recording)
    crawled = load_reference_texts()
    expected = clean_texts({key: record["hn_text"] for records in recorded.values() for key, record in records.items()})
    assert crawled == expected
    check_labelled_texts(crawled)


@pytest.mark.reference_data
def test_labels_refuse_texts_whose_mentions_moved():
    texts = load_reference_texts(reference_data("hn-2023h1"))
    check_labelled_texts(texts)
    row = read_jsonl("mentions.*.jsonl")[0]
    moved = dict(texts, **{row["source_id"]: " " + texts[row["source_id"]]})
    with pytest.raises(ReferenceMissing, match="no longer read as their alias"):
        check_labelled_texts(moved)


@pytest.mark.reference_data
def test_labels_refuse_texts_whose_sentences_changed():
    texts = load_reference_texts(reference_data("hn-2023h1"))
    with_mentions = {row["source_id"] for row in read_jsonl("mentions.*.jsonl")}
    row = next(row for row in read_jsonl("sentences.*.jsonl") if row["source_id"] not in with_mentions)
    text = texts[row["source_id"]]
    edited = text[:row["start"]] + text[row["start"]:row["end"]].swapcase() + text[row["end"]:]
    with pytest.raises(ReferenceMissing, match=r"labelled sentences no longer match the loaded texts"):
        check_labelled_texts(dict(texts, **{row["source_id"]: edited}))


@pytest.mark.reference_data
def test_training_from_a_crawl(no_recording, tmp_path, monkeypatch):
    """`skilltrends train` from crawled texts: the disambiguation and sentence models are the
    shipped ones (they learn from the labels alone); is_ml lacks the recording's silver job
    titles, so it trains on the project's labels only."""
    crawl_of_the_recording(no_recording)
    models = tmp_path / "models"
    result = run_cli("train", env={artifacts.MODELS_ENV: str(models)}, timeout=600)
    assert result.returncode == 0, result.stderr
    report = json.loads((models / "training.json").read_text())
    shipped = json.loads((artifacts.SHIPPED_MODELS / "training.json").read_text())
    assert report["is_ml"]["postings"] == report["is_ml"]["gold_labels"] + report["is_ml"]["authored"]
    assert report["is_ml"]["postings"] < shipped["is_ml"]["postings"]
    sample = [text for key, text in sorted(load_reference_texts().items())][:300]
    shipped_tags = tags_of(PostingExtractor().extract(sample))
    monkeypatch.setenv(artifacts.MODELS_ENV, str(models))
    artifacts.forget_loaded()
    try:
        assert tags_of(PostingExtractor().extract(sample)) == shipped_tags
    finally:
        artifacts.forget_loaded()


def tags_of(results) -> list:
    """Skills with offsets and responsibilities with sentences: what the disambiguation and
    sentence models decide (not is_ml)."""
    return [([(m.skill, m.start) for m in r.skills], [(d.label, d.start) for d in r.responsibilities])
            for r in results]
