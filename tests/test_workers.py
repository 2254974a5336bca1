"""Tagging in worker processes (etl/workers.py): the same tags as one process, in order."""

from __future__ import annotations

import io
import json
import os
import signal
import time

import duckdb
import pytest

from etl import extract_cli, tagging
from etl.pipeline import run_etl
from etl.workers import ExtractionWorkers, WorkerDied
from skilltrends.errors import UserError
from skilltrends.home import Home
from tests.helpers import run_cli
from tests.landing_factory import hn_item, write_landing

TEXTS = [
    "Acme | ML Engineer | Remote\nYou will train and deploy PyTorch models with MLflow on Kubernetes.",
    "Beta | Frontend Developer | NYC\nWe use React and TypeScript. Go-to-market experience is a plus.",
    "Gamma | Data Scientist | Berlin\n- Build forecasting models in R and Python\n- Present results to stakeholders",
    "Delta | LLM Engineer\nBuild RAG pipelines with LangChain and pgvector; evaluate prompts.",
    "Epsilon | Backend Engineer (Go)\nOur stack: Go, Postgres, Kafka. Ray is our CTO.",
]


def tags(results) -> list:
    return [(r.is_ml, [(m.skill, m.start, m.end, m.evidence) for m in r.skills],
             [(d.label, d.start, d.end) for d in r.responsibilities]) for r in results]


def batches(count: int):
    """``count`` numbered batches of unequal sizes (so that they finish out of order), cycling
    through ``TEXTS``."""
    return [(n, [TEXTS[(n + k) % len(TEXTS)] for k in range(1 + 3 * (n % 3))] * (1 + 20 * (n % 2)), None)
            for n in range(count)]


def test_two_workers_give_one_process_tags_in_batch_order():
    with ExtractionWorkers(1) as one:
        expected = [(n, tags(results)) for n, results in one.map(batches(7))]
    with ExtractionWorkers(2) as two:  # 7 batches: more than the 4 kept in flight
        assert [(n, tags(results)) for n, results in two.map(batches(7))] == expected
    assert [n for n, _ in expected] == list(range(7))


def test_a_worker_that_dies_stops_the_run_with_one_sentence():
    with ExtractionWorkers(2) as workers:
        list(workers.map(batches(2)))  # the workers are running now
        for process in list(workers._pool._processes.values()):
            os.kill(process.pid, signal.SIGKILL)
        deadline = time.monotonic() + 30
        while not workers._pool._broken and time.monotonic() < deadline:  # until the pool has noticed
            time.sleep(0.05)
        with pytest.raises(WorkerDied, match="stopped before finishing its batch"):
            list(workers.map(batches(2)))


def test_nothing_is_loaded_or_started_without_batches():
    with ExtractionWorkers(2) as workers:
        assert list(workers.map([])) == []
        assert workers._pool is None and workers._extractor is None


def test_workers_must_be_one_or_more():
    with pytest.raises(UserError, match="1 or more"):
        ExtractionWorkers(0)


def test_more_workers_than_cores_are_as_many_as_the_cores(monkeypatch, caplog):
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    assert ExtractionWorkers(100).workers == 2  # each would hold the models: 100 would need ~20 GB
    assert "--workers 100 is more than this machine's 2 cores" in caplog.text


def input_lines() -> list[str]:
    lines = [json.dumps({"id": n, "text": text}) for n, text in enumerate(TEXTS * 3)]
    return lines[:4] + ["not json", "", "[1, 2]"] + lines[4:]


def test_extract_with_two_workers_writes_what_one_process_writes(tmp_path):
    source = tmp_path / "in.jsonl"
    source.write_text("\n".join(input_lines()) + "\n")
    outputs = []
    for workers in ("1", "2"):
        result = run_cli("extract", "--workers", workers, "--in", str(source))
        assert result.returncode == 0, result.stderr
        outputs.append(result.stdout)
    assert outputs[0] == outputs[1] and outputs[0].count("\n") == len(TEXTS) * 3 + 3  # the empty line too


def test_extract_over_many_batches_keeps_one_line_per_input_line_in_order(monkeypatch):
    monkeypatch.setattr(extract_cli, "BATCH", 2)  # 9 batches, one of them only errors (an empty line is one)
    written = []
    for workers in (1, 3):
        sink = io.StringIO()
        assert extract_cli.extract_lines(io.StringIO("\n".join(input_lines())), sink, workers=workers) == 18
        written.append(sink.getvalue().splitlines())
    assert written[0] == written[1]
    assert [json.loads(line).get("id", json.loads(line).get("line")) for line in written[0]] == \
           [0, 1, 2, 3, 5, 6, 7, *range(4, 15)]


def test_the_etl_with_two_workers_stores_the_tags_of_one(tmp_path, monkeypatch):
    monkeypatch.setattr(tagging, "BATCH", 4)  # several batches per run
    items = [hn_item(100 + n, text.replace("\n", "<p>"), "2024-03") for n, text in enumerate(TEXTS * 3)]
    stored = []
    for workers in (1, 2):
        home = Home.resolve(tmp_path / f"home{workers}")
        write_landing(home.root, items)
        run_etl(home, workers=workers)
        conn = duckdb.connect(str(home.warehouse), read_only=True)
        try:
            stored.append((
                conn.execute("SELECT source_id, is_ml, families FROM postings ORDER BY source_id").fetchall(),
                conn.execute("SELECT p.source_id, s.skill, s.start, s.evidence FROM posting_skills s "
                             "JOIN postings p USING (posting_id) ORDER BY ALL").fetchall(),
                conn.execute("SELECT p.source_id, r.responsibility, r.sentence FROM posting_responsibilities r "
                             "JOIN postings p USING (posting_id) ORDER BY ALL").fetchall(),
            ))
        finally:
            conn.close()
    assert stored[0] == stored[1]
    assert stored[0][1] and stored[0][2]  # skills and responsibilities were found at all
