"""Benchmark `skilltrends extract`: postings/s and peak memory over generated postings.

    python -m benchmarks.extract [--postings 100000]

Measures, single process, on texts from the offline mirror's generator (converted to
text as the ETL does):
- the bare floor: one pyahocorasick automaton of all aliases scanned over each text;
- skills + families (candidate matching, boundaries, negative contexts, disambiguation);
- the same plus the is_ml classifier (`extract --no-responsibilities`);
- skills + families + is_ml + responsibilities (everything `extract` does), one batch at a
  time (`PostingExtractor.extract`);
- the same streamed as `extract` and the ETL run it with `--workers 1`: one batch's models in
  a thread while the next batch is read (`PostingExtractor.extract_stream`);
- the same in one worker process per core (`extract --workers N`, `etl --workers N`).
Writes the figures into docs/benchmarks.md (its "extract" section).
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import statistics
import time
import tracemalloc
from pathlib import Path

import ahocorasick
import polars as pl

from benchmarks.report import write_section
from etl.extraction import PostingExtractor
from etl.html_text import html_to_text
from etl.taxonomy import load_taxonomy
from etl.workers import ExtractionWorkers
from skilltrends.mirror import HiringThreadGenerator, scale_for_total

BATCH = 2000
STREAMED_BATCHES = 4  # the stream's memory is traced over this many batches (two are in flight at once)


def generated_texts(total: int) -> list[str]:
    generator = HiringThreadGenerator(scale=scale_for_total(total))
    html = [comment["text"] for _, comment in generator.iter_postings()][:total]
    return pl.DataFrame({"html": html}).select(html_to_text("html")).to_series().to_list()


def bare_scan(texts: list[str]) -> float:
    automaton = ahocorasick.Automaton()
    for skill in load_taxonomy().skills:
        for alias in (*skill.aliases, *(a.lower() for a in skill.exact_aliases)):
            automaton.add_word(alias, alias)
    automaton.make_automaton()
    started = time.perf_counter()
    hits = 0
    for text in texts:
        for _ in automaton.iter(text.lower()):
            hits += 1
    return len(texts) / (time.perf_counter() - started)


def timed(run, texts: list[str]) -> float:
    """Postings per second of ``run`` over ``texts`` in batches (no tracing: it slows Python)."""
    started = time.perf_counter()
    for lo in range(0, len(texts), BATCH):
        run(texts[lo:lo + BATCH])
    return len(texts) / (time.perf_counter() - started)


def timed_stream(extractor: PostingExtractor, texts: list[str]) -> float:
    """Postings per second of ``extract_stream`` over ``texts`` in batches."""
    started = time.perf_counter()
    stream_batches(extractor, texts)
    return len(texts) / (time.perf_counter() - started)


def timed_in_workers(workers: ExtractionWorkers, texts: list[str]) -> float:
    """Postings per second of the whole extraction spread over ``workers`` (already started)."""
    started = time.perf_counter()
    for _ in workers.map((None, texts[lo:lo + BATCH], None) for lo in range(0, len(texts), BATCH)):
        pass
    return len(texts) / (time.perf_counter() - started)


def peak_memory(work) -> float:
    """Peak memory Python allocates while ``work()`` runs, in MiB (traced separately)."""
    tracemalloc.start()
    work()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak / 2**20


def stream_batches(extractor: PostingExtractor, texts: list[str]) -> None:
    """Stream ``texts`` through ``extract_stream`` in batches, keeping no result."""
    for _ in extractor.extract_stream((texts[lo:lo + BATCH], None) for lo in range(0, len(texts), BATCH)):
        pass


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postings", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=3,
                        help="runs of each measurement; the median is reported (this machine's speed varies)")
    args = parser.parse_args()
    texts = generated_texts(args.postings)
    extractor = PostingExtractor()
    extractor.extract(texts[:200])  # load models, warm caches
    runs = {
        "skills": lambda batch: [{m.family for m in found} for found in extractor.skill_mentions(batch)],
        "posting": lambda batch: extractor.extract(batch, with_responsibilities=False),
        "full": extractor.extract,
    }
    cores = os.cpu_count() or 1
    measured: dict[str, list[float]] = {"floor": [], **{name: [] for name in runs}, "stream": [], "workers": []}
    with ExtractionWorkers(cores) as workers:
        list(workers.map((None, texts[:50], None) for _ in range(cores)))  # start the workers
        for _ in range(max(1, args.repeats)):  # interleaved, so a slow spell hits every row alike
            measured["floor"].append(bare_scan(texts))
            for name, run in runs.items():
                measured[name].append(timed(run, texts))
            measured["stream"].append(timed_stream(extractor, texts))
            measured["workers"].append(timed_in_workers(workers, texts))
    rates = {name: statistics.median(values) for name, values in measured.items()}
    spread = {name: f"{min(values):,.0f}–{max(values):,.0f}" for name, values in measured.items()}
    # Each run's rate over the floor measured just before it: this machine's speed drifts by
    # a third within minutes, and a ratio of two medians would mix fast and slow spells.
    shares = {name: statistics.median(rate / floor for rate, floor in zip(measured[name], measured["floor"]))
              for name in (*runs, "stream")}
    floor = rates["floor"]
    peaks = {name: peak_memory(lambda run=run: run(texts[:BATCH])) for name, run in runs.items()}
    stream_peak = peak_memory(lambda: stream_batches(extractor, texts[:STREAMED_BATCHES * BATCH]))
    skills_rate, posting_rate, full_rate = rates["skills"], rates["posting"], rates["full"]
    skills_peak, posting_peak, full_peak = peaks["skills"], peaks["posting"], peaks["full"]
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    chars = sum(map(len, texts)) / len(texts)
    rows = [
        f"| what | postings/s (median) | range over runs | share of bare scan (median of runs) | target | peak memory per batch of {BATCH} |",
        "|---|---|---|---|---|---|",
        f"| bare pyahocorasick scan of all aliases (floor) | {floor:,.0f} | {spread['floor']} | 100% | — | — |",
        f"| skills + families | {skills_rate:,.0f} | {spread['skills']} | {shares['skills']:.1%} | ≥ 5,000/s and ≥ 25% of bare | {skills_peak:,.0f} MiB |",
        f"| skills + families + is_ml | {posting_rate:,.0f} | {spread['posting']} | {shares['posting']:.1%} | — | {posting_peak:,.0f} MiB |",
        f"| skills + families + is_ml + responsibilities, batch by batch | {full_rate:,.0f} | {spread['full']} | {shares['full']:.1%} | ≥ 2,000/s | {full_peak:,.0f} MiB |",
        f"| the same streamed, as `extract` and `etl` run it (one process, models in a second thread) | {rates['stream']:,.0f} | {spread['stream']} | {shares['stream']:.1%} | ≥ 2,000/s | {stream_peak:,.0f} MiB over {STREAMED_BATCHES} batches |",
        f"| the same in {cores} worker processes (`--workers {cores}`) | {rates['workers']:,.0f} | {spread['workers']} | — (not one process) | ≥ 2,000/s, if more than one process may count | each worker as the row above |",
    ]
    verdict = ", ".join(f"{name} {'met' if ok else 'NOT met'}" for name, ok in (
        ("skills + families ≥ 5,000/s", skills_rate >= 5000),
        ("≥ 25% of the bare scan", shares["skills"] >= 0.25),
        ("everything ≥ 2,000/s in one process, batch by batch", full_rate >= 2000),
        ("streamed in one process", rates["stream"] >= 2000),
        (f"in {cores} worker processes (already started)", rates["workers"] >= 2000)))
    body = "\n".join([
        f"`python -m benchmarks.extract --postings {len(texts)} --repeats {args.repeats}`: {len(texts):,} "
        f"generated postings (mean {chars:,.0f} characters), each measurement run {args.repeats} times "
        f"(median reported), one process except the last row, batches of {BATCH}, on {platform.machine()} "
        f"with {cores} cores, Python {platform.python_version()}; process peak RSS {rss:,.0f} MiB "
        "(the workers' own memory not included).",
        "",
        *rows,
        "",
        f"Targets in this run (medians, unrounded): {verdict}. Each share is the median over runs of "
        "the rate divided by the bare scan's rate in the same round of runs.",
    ])
    write_section(Path(__file__).resolve().parents[1] / "docs" / "benchmarks.md", "extract", body)
    print(body)


if __name__ == "__main__":
    main()
