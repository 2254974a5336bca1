"""``PostingExtractor.extract_stream``: batch after batch, the models of one batch in a thread
while the next is read; the same results as ``extract`` batch by batch, in order."""

from __future__ import annotations

import gc
import sys
import threading

import pytest

from etl.extraction import PostingExtractor
from etl.held_settings import SWITCH_INTERVAL_SECONDS

TEXTS = [
    "Acme | ML Engineer | Remote\nWhat you'll do:\n- Train and deploy PyTorch models with MLflow on Kubernetes\n"
    "- Build RAG pipelines with LangChain\nBenefits: health insurance.",
    "Beta | Frontend Developer | NYC\nWe use React and TypeScript. Go-to-market experience is a plus.",
    "Gamma | Data Scientist | Berlin\n- Build forecasting models in R and Python\n- Present results to stakeholders",
    "Join our team to build the future of AI-powered logistics. Apply now.",
]
TITLES = [None, "Frontend Developer", None, "Machine Learning Engineer"]


def tags(results) -> list:
    return [(r.is_ml, [(m.skill, m.start, m.end, m.evidence) for m in r.skills],
             [(d.label, d.sentence, d.start, d.end) for d in r.responsibilities]) for r in results]


def batches() -> list[tuple[list[str], list[str | None] | None]]:
    """Batches with and without titles, with repeats, an empty one and a one-posting one."""
    return [(TEXTS, TITLES), (TEXTS[::-1] + TEXTS[:2], None), ([], None), (TEXTS[3:], ["Office Manager"]),
            (TEXTS * 3, TITLES * 3)]


@pytest.fixture(scope="module")
def extractor() -> PostingExtractor:
    return PostingExtractor()


@pytest.fixture(autouse=True)
def default_interval():
    """The switch interval before each test (the default), put back after it."""
    interval = sys.getswitchinterval()
    assert interval > SWITCH_INTERVAL_SECONDS
    yield interval
    sys.setswitchinterval(interval)


@pytest.mark.parametrize("with_responsibilities", [True, False])
def test_streamed_batches_are_tagged_as_each_batch_alone(extractor, with_responsibilities):
    alone = [tags(extractor.extract(texts, with_responsibilities, titles)) for texts, titles in batches()]
    streamed = [tags(results) for results in extractor.extract_stream(batches(), with_responsibilities)]
    assert streamed == alone
    assert any(duties for _, _, duties in alone[0]) == with_responsibilities


def test_a_batch_is_read_while_the_one_before_is_classified(extractor, monkeypatch):
    next_batch_read = threading.Event()
    overlapped = []
    read, classified = extractor._read, extractor._classified

    def reading(texts, *args):
        found = read(texts, *args)
        if texts == TEXTS[:2]:
            next_batch_read.set()
        return found

    def classifying(batch):
        if batch.texts == TEXTS:  # the first batch waits until the second has been read
            overlapped.append(next_batch_read.wait(10))
        return classified(batch)

    monkeypatch.setattr(extractor, "_read", reading)
    monkeypatch.setattr(extractor, "_classified", classifying)
    assert [len(results) for results in extractor.extract_stream([(TEXTS, None), (TEXTS[:2], None)])] == [4, 2]
    assert overlapped == [True]


def test_the_models_run_in_one_other_thread_while_this_one_reads(extractor, monkeypatch):
    threads: dict[str, set[str]] = {"read": set(), "classified": set()}
    read, classified = extractor._read, extractor._classified

    def recorded(stage, run):
        def call(*args):
            threads[stage].add(threading.current_thread().name)
            return run(*args)
        return call

    monkeypatch.setattr(extractor, "_read", recorded("read", read))
    monkeypatch.setattr(extractor, "_classified", recorded("classified", classified))
    list(extractor.extract_stream(batches()))
    assert threads["read"] == {threading.current_thread().name}
    assert len(threads["classified"]) == 1 and threads["classified"] != threads["read"]


def test_a_model_error_reaches_the_caller_after_the_batches_before_it(extractor, monkeypatch, default_interval):
    calls = []
    predict = extractor.is_ml_model.predict_proba

    def fails_on_the_second_batch(rows):
        calls.append(len(rows))
        if len(calls) == 2:
            raise RuntimeError("the is_ml model broke")
        return predict(rows)

    monkeypatch.setattr(extractor.is_ml_model, "predict_proba", fails_on_the_second_batch)
    stream = extractor.extract_stream([(TEXTS, None), (TEXTS[:2], None), (TEXTS[2:], None)])
    assert len(next(stream)) == len(TEXTS)
    with pytest.raises(RuntimeError, match="the is_ml model broke"):
        next(stream)
    assert gc.isenabled(), "the garbage collector should be back on after a failed stream"
    assert sys.getswitchinterval() == pytest.approx(default_interval, rel=0.05), "the switch interval should be restored after a failed stream"


def test_the_threads_switch_quickly_while_a_stream_runs(extractor, monkeypatch):
    seen = []
    classify = extractor._classified
    monkeypatch.setattr(extractor, "_classified", lambda read: seen.append(sys.getswitchinterval()) or classify(read))
    list(extractor.extract_stream(batches()))
    assert seen and all(interval <= SWITCH_INTERVAL_SECONDS for interval in seen)


def test_the_collector_and_switch_interval_are_restored_after_a_stream_ends_or_is_left(extractor, default_interval):
    assert gc.isenabled()
    list(extractor.extract_stream(batches()))
    assert gc.isenabled() and sys.getswitchinterval() == pytest.approx(default_interval, rel=0.05)
    stream = extractor.extract_stream(batches())
    next(stream)
    assert sys.getswitchinterval() <= SWITCH_INTERVAL_SECONDS
    stream.close()  # the caller stops reading after the first batch
    assert gc.isenabled() and sys.getswitchinterval() == pytest.approx(default_interval, rel=0.05)
