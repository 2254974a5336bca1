"""Labelled data: the project's own labels joined to posting texts loaded at run time.

The project commits labels, never posting texts. Labels name a posting by source and
source id (the HN comment id) and a sentence by character offsets into the clean text
the ETL makes (``etl.html_text``), with the first 8 hex digits of the sentence's SHA-1
so a change in text conversion is caught instead of silently mislabelled.

Texts come from ``../shared/data/hn-2023h1`` (same comment ids) or, when that is absent,
from a crawl of the same threads (``skilltrends crawl hn --since 2023-01 --until 2023-06``:
the landing files in the data home; no ``etl`` run is needed).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from pathlib import Path

import polars as pl

from etl.html_text import hn_line_breaks, html_to_text
from etl.landing import UnreadableLandingFile, landing_files, read_landing_file
from skilltrends.errors import UserError
from skilltrends.home import HOME_ENV, Home

logger = logging.getLogger(__name__)

LABELS_DIR = Path(__file__).with_name("labels")
REFERENCE_ENV = "SKILLTRENDS_HN2023H1"
DEFAULT_REFERENCE = Path(__file__).resolve().parents[2] / "shared" / "data" / "hn-2023h1"
THREADS_ENV = "SKILLTRENDS_HN_ALGOLIA"
DEFAULT_THREADS = DEFAULT_REFERENCE.with_name("hn-algolia")
SENTENCE_KINDS = ("responsibility", "requirement", "nice_to_have", "boilerplate", "other")
RESPONSIBILITIES = (
    "train_models",
    "data_pipelines_features",
    "deploy_serve_models",
    "monitor_maintain_models",
    "experiment_ab_test",
    "build_llm_applications",
    "evaluate_ai_systems",
    "research_prototype",
    "ml_platform_infrastructure",
    "stakeholders_product",
    "analyse_data_report",
    "safety_privacy_compliance",
)


def sentence_sha(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:8]


def reference_folder() -> Path:
    return Path(os.environ.get(REFERENCE_ENV) or DEFAULT_REFERENCE)


def clean_texts(html_by_id: dict[str, str]) -> dict[str, str]:
    frame = pl.DataFrame({"source_id": list(html_by_id), "html": list(html_by_id.values())},
                         schema={"source_id": pl.String, "html": pl.String})
    cleaned = frame.select("source_id", html_to_text(hn_line_breaks(pl.col("html"))).alias("text"))
    return dict(cleaned.iter_rows())


class ReferenceMissing(UserError):
    pass


class ReferenceUnreadable(UserError):
    """The recorded texts are there but damaged: an error, never a reason to skip."""


def reference_records_by_file(folder: Path | None = None, home: Home | None = None) -> dict[str, dict[str, dict]]:
    """``{file name without .jsonl: {hn comment id: record}}`` from the hn-2023h1 files (one
    file a month: ``2023_01``...), each id once, in the first file that has it. Without
    those files, the same from a crawl of the threads in the data home (``crawled_records_by_month``)."""
    folder = folder or reference_folder()
    recorded = recorded_records_by_file(folder)
    if recorded:
        return recorded
    crawled = crawled_records_by_month(home)
    if crawled:
        logger.warning("No hn-2023h1 recording in %s: the labelled texts come from the crawl in %s (is_ml then "
                       "trains without the recording's silver job titles).", folder, (home or Home.resolve()).root)
    return crawled


def recorded_records_by_file(folder: Path) -> dict[str, dict[str, dict]]:
    """``reference_records_by_file`` from the hn-2023h1 files alone."""
    seen: set[str] = set()
    by_file: dict[str, dict[str, dict]] = {}
    for path in sorted(folder.glob("*.jsonl")):
        records = by_file.setdefault(path.stem, {})
        for record in json_lines(path, ReferenceUnreadable):
            if not isinstance(record, dict) or "hn_id" not in record:
                raise ReferenceUnreadable(f"{path} holds a line that is not an hn-2023h1 record (no hn_id).")
            key = str(record["hn_id"])
            if key not in seen:
                seen.add(key)
                records[key] = record
    return by_file


LABELLED_MONTHS = ("2023_01", "2023_02", "2023_03", "2023_04", "2023_05", "2023_06")  # hn-2023h1's


def crawled_records_by_month(home: Home | None = None) -> dict[str, dict[str, dict]]:
    """``{YYYY_MM: {hn comment id: {"hn_id", "hn_text"}}}`` (keyed like hn-2023h1's files): the
    HN comments of the months the labels come from (``LABELLED_MONTHS``) that crawls of the
    hiring threads (``skilltrends crawl hn --since 2023-01 --until 2023-06``) left in the data
    home's landing files, under the month of their thread, the newest crawl's copy of each;
    other months crawled into the same home are left out. A crawl carries no silver
    ``model_output`` (hn-2023h1 does). A landing file a crawl still writes, or one that cannot
    be read, is skipped with a warning: the other runs still count."""
    home = home or Home.resolve()
    newest: dict[str, tuple[str, dict]] = {}
    for path in landing_files(home):
        if path.parent.name != "hn":
            continue
        try:
            run = read_landing_file(path)
        except UnreadableLandingFile as exc:
            logger.warning("Skipped a landing file that cannot be read: %s", exc)
            continue
        if run is None or run.postings.is_empty():
            continue
        for key, html, month, posted_at in run.postings.select(
                "source_id", "html", "month", "posted_at").iter_rows():
            when = month or posted_at
            if html and when and f"{when:%Y_%m}" in LABELLED_MONTHS:
                newest[str(key)] = (f"{when:%Y_%m}", {"hn_id": str(key), "hn_text": html})
    by_month: dict[str, dict[str, dict]] = {}
    for key, (month, record) in sorted(newest.items(), key=lambda item: (item[1][0], item[0])):
        by_month.setdefault(month, {})[key] = record
    return by_month


def load_reference_records(folder: Path | None = None, home: Home | None = None) -> dict[str, dict]:
    """``{hn comment id: record}`` from the hn-2023h1 files (first copy of each id), or else
    from a crawl of the same threads (``crawled_records_by_month``)."""
    folder = folder or reference_folder()
    records = {key: record for in_file in reference_records_by_file(folder, home).values()
               for key, record in in_file.items()}
    if not records:
        raise ReferenceMissing(
            f"No labelled-posting texts: neither hn-2023h1 files in {folder} (set ${REFERENCE_ENV} to "
            f"another folder) nor HN comments crawled into {(home or Home.resolve()).landing_dir / 'hn'} "
            f"(crawl the same threads with `skilltrends crawl hn --since 2023-01 --until 2023-06`; "
            f"${HOME_ENV} or ./data is the data home)."
        )
    return records


LABELLED_HN_FILES = ("postings.*.jsonl", "postings_train.*.jsonl", "mentions.*.jsonl", "sentences.*.jsonl")


def check_labelled_texts(texts: dict[str, str]) -> None:
    """Raise ``ReferenceMissing`` unless every HN posting the label files name is among
    ``texts``, every labelled mention still reads as its alias there and every labelled
    sentence still has its hash: labels joined to a crawl whose texts differ from the ones
    labelled (a comment edited since) would otherwise train and measure on the wrong words."""
    missing = sorted({row["source_id"] for pattern in LABELLED_HN_FILES for row in read_jsonl(pattern)} - set(texts))
    if missing:
        raise ReferenceMissing(
            f"{len(missing)} labelled HN postings are not among the {len(texts)} loaded texts (for example "
            f"{', '.join(missing[:3])}): the crawl or recording does not cover them (the labels are of "
            "January-June 2023 comments; a comment deleted since cannot be crawled again)."
        )
    moved = [row for row in read_jsonl("mentions.*.jsonl")
             if texts[row["source_id"]][row["start"]:row["end"]] != row["alias"]]
    if moved:
        row = moved[0]
        raise ReferenceMissing(
            f"{len(moved)} labelled mentions no longer read as their alias in the loaded texts (posting "
            f"{row['source_id']} has {texts[row['source_id']][row['start']:row['end']]!r} where {row['alias']!r} "
            "was labelled): these texts differ from the ones labelled."
        )
    changed = [row for row in read_jsonl("sentences.*.jsonl")
               if sentence_sha(texts[row["source_id"]][row["start"]:row["end"]]) != row["sha"]]
    if changed:
        row = changed[0]
        raise ReferenceMissing(
            f"{len(changed)} labelled sentences no longer match the loaded texts (the first in posting "
            f"{row['source_id']} at {row['start']}-{row['end']}): these texts differ from the ones labelled."
        )


def load_reference_texts(folder: Path | None = None, home: Home | None = None) -> dict[str, str]:
    """``{hn comment id: clean text}`` from the hn-2023h1 files (first copy of each id) or a crawl."""
    return clean_texts({key: record["hn_text"] for key, record in load_reference_records(folder, home).items()})


def load_thread_texts(folder: Path | None = None) -> dict[str, str]:
    """``{hn comment id: clean text}`` of the top-level comments (the postings) in recorded
    Hacker News Algolia item trees (``load_thread_html``)."""
    return clean_texts(load_thread_html(folder))


def load_thread_html(folder: Path | None = None) -> dict[str, str]:
    """``{hn comment id: HTML as HN serves it}`` of the top-level comments (the postings) in
    recorded Hacker News Algolia item trees (``items_<story id>.json``, as ``GET
    /api/v1/items/<id>`` returns them): ``../shared/data/hn-algolia`` holds the April 2011 thread."""
    folder = folder or Path(os.environ.get(THREADS_ENV) or DEFAULT_THREADS)
    html: dict[str, str] = {}
    for path in sorted(folder.glob("items_*.json")):
        story = json.loads(path.read_text(encoding="utf-8"))
        html.update((str(comment["id"]), comment["text"]) for comment in story.get("children") or []
                    if comment.get("text"))
    if not html:
        raise ReferenceMissing(
            f"No recorded Hacker News thread (items_*.json) in {folder}: put hn-algolia there "
            f"(or set ${THREADS_ENV})."
        )
    return html


APRIL_2011_LABELS = "postings_2011.*.jsonl"


def april_2011_postings() -> tuple[dict[str, str], list[dict]]:
    """The recorded April 2011 thread's comments as HTML (``load_thread_html``) and their
    labels (``postings_2011.*.jsonl``, with ``read_posting_labels``). Raises ReferenceMissing
    when the recording is absent or lacks a labelled comment."""
    labels = read_posting_labels(APRIL_2011_LABELS)
    html = load_thread_html()
    unknown = [row["source_id"] for row in labels if row["source_id"] not in html]
    if unknown:
        raise ReferenceMissing(f"{len(unknown)} labelled postings (e.g. hn {unknown[0]}) are not in the recorded "
                               "thread: the labels and the recording do not match.")
    return html, labels


def read_jsonl(pattern: str) -> list[dict]:
    rows = []
    for path in sorted(LABELS_DIR.glob(pattern)):
        rows += json_lines(path, LabelsUnreadable)
    return rows


class LabelsUnreadable(UserError):
    pass


def json_lines(path: Path, error: type[UserError]) -> list:
    """Every non-blank line of ``path`` read as JSON; a line that is not is ``error``, naming it."""
    data = path.read_bytes()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise error(f"Line {line} of {path} is not UTF-8 text ({exc.reason}).") from None
    records = []
    for number, line in enumerate(text.split("\n"), start=1):  # not splitlines: U+2028 may stand in a string
        if line.strip():
            try:
                records.append(json.loads(line))
            except json.JSONDecodeError as exc:
                raise error(f"Line {number} of {path} is not valid JSON ({exc.msg}).") from None
    return records


def read_posting_labels(pattern: str, key=lambda row: (row["source"], row["source_id"])) -> list[dict]:
    """Posting-level labels (``postings.*``, ``postings_2011.*``, ``aside_labels.*``, or with
    ``key`` giving each row's (source, id), ``skills_authored.*``) with the skills added to
    the taxonomy since they were written. When the taxonomy grows, every measured posting
    that names a new skill (any of its aliases as a whole word, case-insensitively) is read
    again for it, and the skills a labeller found mentioned (``skills_added.*.jsonl``) join
    the posting's gold skills, so the figures measure the taxonomy as it is."""
    added: dict[tuple[str, str], set[str]] = {}
    for row in read_jsonl("skills_added.*.jsonl"):
        if row["is_skill"]:
            added.setdefault((row["source"], row["source_id"]), set()).add(row["skill"])
    rows = read_jsonl(pattern)
    return [{**row, "skills": [*row["skills"], *sorted(added.get(key(row), set()) - set(row["skills"]))]}
            for row in rows]


def read_authored_postings() -> list[dict]:
    """Job descriptions the project wrote itself, in job-board style (``authored_postings.*.jsonl``).

    Real postings here are HN comments; these give the classifiers the long, sectioned
    descriptions of Greenhouse, Lever, LinkedIn or Indeed. The texts are the project's own,
    so they are stored with their labels. Training only: never evaluation.
    """
    return read_jsonl("authored_postings.*.jsonl")


def read_authored_boards() -> list[dict]:
    """More job-board descriptions the project wrote (``authored_boards.*.jsonl``), in the
    format of ``read_authored_postings``, most of them roles that are not ML, many next to ML
    work (analytics engineers, product managers of AI features, recruiters of ML teams).
    They train ``is_ml`` only: the sentence models are trained without them (cross-validation
    on the real HN sentences said they cost responsibilities macro-F1; docs/extraction.md).
    Training only: never evaluation."""
    return read_jsonl("authored_boards.*.jsonl")


def read_aside_postings() -> dict[str, dict]:
    """Postings the project wrote and kept out of training (``aside_postings.*.jsonl``: job-board
    descriptions and HN comments of 2013-2026), by id: measured, never trained on."""
    return {row["id"]: row for row in read_jsonl("aside_postings.*.jsonl")}


def read_ids(name: str) -> list[str]:
    return [line.strip() for line in (LABELS_DIR / name).read_text().splitlines() if line.strip()]
