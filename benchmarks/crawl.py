"""Benchmark `skilltrends crawl`: postings/s and peak memory on a local Greenhouse mirror.

    python -m benchmarks.crawl [--boards 1000] [--postings-per-board 100] [--keep DIR]

Generates a mirror of BOARDS Greenhouse boards (the real Job Board API format, each job with
an HTML description of about 1.5 kB) as files, serves it with `python -m http.server` in a
process of its own (it sends Last-Modified and answers If-Modified-Since with 304, as a real
API with conditional GET does), and crawls it with the real CLI, politeness off
(no delay, no AutoThrottle, 16 concurrent requests; robots.txt still asked). Three crawls:

1. **first crawl** — every posting new: fetched, parsed, hashed and stored;
2. **re-crawl, nothing changed** — every board answers 304: nothing fetched or stored,
   every posting recorded as seen;
3. **re-crawl, full bodies** — conditional requests off: every board fetched and parsed,
   every posting found unchanged and not stored again.

Postings/s = postings handled / the crawl's own duration (Scrapy's elapsed time, from the
engine start to the landing file closed); wall time includes the process start. Peak memory
is the crawl process's maximum RSS. Writes the figures into docs/benchmarks.md ("crawl").
"""

from __future__ import annotations

import argparse
import html
import json
import os
import platform
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb

from benchmarks.report import write_section

PROJECT = Path(__file__).resolve().parent.parent
DOCS = PROJECT / "docs" / "benchmarks.md"
TARGET = 1_000  # postings/s
POLITENESS_OFF = ["DOWNLOAD_DELAY=0", "AUTOTHROTTLE_ENABLED=False", "CONCURRENT_REQUESTS=16",
                  "CONCURRENT_REQUESTS_PER_DOMAIN=16", "LOG_LEVEL=ERROR"]
WORDS = ("model training evaluation pipeline feature store inference latency retrieval embeddings "
         "PyTorch scikit-learn XGBoost MLflow Kubeflow Airflow Spark SQL Python Kubernetes RAG LangChain "
         "vLLM monitoring drift experimentation statistics forecasting ranking recommendation").split()
ROLES = ("Machine Learning Engineer", "Data Scientist", "MLOps Engineer", "Applied Scientist", "Backend Engineer")


def job(token: str, board: int, number: int, rng: random.Random) -> dict:
    paragraphs = "".join(f"<p>{' '.join(rng.choices(WORDS, k=40))}.</p>" for _ in range(4))
    identifier = 5_000_000_000 + board * 10_000 + number  # unique, like Greenhouse's
    return {
        "absolute_url": f"https://job-boards.greenhouse.io/{token}/jobs/{identifier}",
        "internal_job_id": identifier - 1, "id": identifier, "requisition_id": f"R-{number}",
        "location": {"name": rng.choice(("San Francisco, CA", "London, UK", "Remote - US", "Berlin"))},
        "metadata": None, "updated_at": "2024-05-02T13:41:07-04:00", "first_published": "2024-03-18T09:15:00-04:00",
        "title": rng.choice(ROLES), "company_name": token, "language": "en",
        "content": html.escape(f"<h2>About the role</h2>{paragraphs}<ul><li>{rng.choice(WORDS)}</li></ul>"),
        "departments": [{"id": 1, "name": "Engineering", "child_ids": [], "parent_id": None}],
        "offices": [{"id": 2, "name": "HQ", "location": None, "child_ids": [], "parent_id": None}],
    }


def generate_mirror(root: Path, boards: int, per_board: int) -> tuple[Path, int]:
    """Board files at the API paths (the query string is ignored by http.server) and a registry."""
    rng = random.Random(7)
    tokens = [f"bench{number:04d}" for number in range(boards)]
    for board, token in enumerate(tokens):
        folder = root / "v1" / "boards" / token
        folder.mkdir(parents=True)
        jobs = [job(token, board, number, rng) for number in range(1, per_board + 1)]
        (folder / "jobs").write_text(json.dumps({"jobs": jobs, "meta": {"total": len(jobs)}}))
    registry = root.parent / "boards.toml"
    registry.write_text("".join(f'[[greenhouse]]\ntoken = "{t}"\ncompany = "{t}"\nwhy = "benchmark"\n\n' for t in tokens))
    return registry, boards * per_board


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def crawl(home: Path, url: str, registry: Path, *settings: str) -> dict:
    """One crawl in its own process; its stats, wall time and peak RSS (MiB, from wait4)."""
    command = [sys.executable, "-m", "skilltrends", "crawl", "greenhouse", "--home", str(home), "--no-progress"]
    for setting in (*POLITENESS_OFF, *settings):
        command += ["--set", setting]
    env = {**os.environ, "SKILLTRENDS_GREENHOUSE_URL": url, "SKILLTRENDS_BOARDS_FILE": str(registry)}
    with tempfile.TemporaryFile("w+") as stderr:
        started = time.perf_counter()
        process = subprocess.Popen(command, cwd=PROJECT, env=env, stdout=subprocess.DEVNULL, stderr=stderr)
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        if process.returncode != 0:
            stderr.seek(0)
            raise SystemExit(f"The crawl failed:\n{stderr.read()}")
    landing = sorted((home / "landing" / "greenhouse").glob("*.duckdb"))[-1]
    conn = duckdb.connect(str(landing), read_only=True)
    try:
        stats = json.loads(conn.execute("SELECT stats FROM crawl_run").fetchone()[0])
    finally:
        conn.close()
    return {"stats": stats, "wall": wall, "peak_mib": usage.ru_maxrss / 1024}


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--boards", type=int, default=1000)
    parser.add_argument("--postings-per-board", type=int, default=100)
    parser.add_argument("--keep", type=Path, help="Generate the mirror here and keep it (default: a temp dir).")
    parser.add_argument("--no-write", action="store_true", help="Print the figures only.")
    args = parser.parse_args(argv)
    work = Path(args.keep or tempfile.mkdtemp(prefix="skilltrends-crawl-bench-"))
    mirror, home = work / "mirror", work / "home"
    shutil.rmtree(mirror, ignore_errors=True)
    shutil.rmtree(home, ignore_errors=True)
    mirror.mkdir(parents=True)
    generated = time.perf_counter()
    registry, postings = generate_mirror(mirror, args.boards, args.postings_per_board)
    size = sum(path.stat().st_size for path in mirror.rglob("jobs"))
    print(f"Mirror: {args.boards:,} boards, {postings:,} postings, {size / 2**20:,.0f} MiB "
          f"(generated in {time.perf_counter() - generated:.0f}s)", file=sys.stderr)
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1",
                               "--directory", str(mirror)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        time.sleep(1.0)
        url = f"http://127.0.0.1:{port}"
        runs = {
            "first crawl (all new, stored)": crawl(home, url, registry),
            "re-crawl, nothing changed (304s)": crawl(home, url, registry),
            "re-crawl, full bodies, nothing changed": crawl(home, url, registry, "CONDITIONAL_REQUESTS_ENABLED=False"),
        }
    finally:
        server.terminate()
        server.wait()
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    rows = []
    for name, run in runs.items():
        stats = run["stats"]
        handled = sum(stats.get(f"skilltrends/postings/{change}", 0) for change in ("new", "changed", "unchanged"))
        seconds = stats["skilltrends/duration_seconds"]
        rows.append((name, handled, stats.get("skilltrends/postings_stored", 0), stats.get("skilltrends/responses/200", 0),
                     stats.get("skilltrends/responses/304", 0), seconds, run["wall"], handled / seconds, run["peak_mib"]))
        print(f"{name}: {handled:,} postings in {seconds:.1f}s = {handled / seconds:,.0f}/s; "
              f"wall {run['wall']:.1f}s; peak RSS {run['peak_mib']:,.0f} MiB", file=sys.stderr)
    body = [
        f"`python -m benchmarks.crawl --boards {args.boards} --postings-per-board {args.postings_per_board}`: "
        f"a local mirror of {args.boards:,} Greenhouse boards, {postings:,} postings ({size / 2**20:,.0f} MiB of "
        f"JSON) served by `python -m http.server` in its own process; `skilltrends crawl greenhouse` with "
        f"politeness off ({', '.join(s for s in POLITENESS_OFF if not s.startswith('LOG'))}), on "
        f"{platform.machine()} with {os.cpu_count()} cores, Python {platform.python_version()}. "
        f"Target: ≥ {TARGET:,} postings/s.",
        "",
        "| crawl | postings | stored | 200s | 304s | crawl s | wall s | postings/s | peak RSS |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for name, handled, stored, ok, not_modified, seconds, wall, rate, peak in rows:
        body.append(f"| {name} | {handled:,} | {stored:,} | {ok:,} | {not_modified:,} | {seconds:.1f} | {wall:.1f} | "
                    f"{rate:,.0f} | {peak:,.0f} MiB |")
    text = "\n".join(body)
    print(text)
    if not args.no_write:
        write_section(DOCS, "crawl", text)
        print(f"Written to {DOCS}.", file=sys.stderr)


if __name__ == "__main__":
    main()
