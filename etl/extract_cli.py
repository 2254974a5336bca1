"""``skilltrends extract``: JSON lines in, one JSON line out per input line, in batches.

Input: ``{"id": ..., "text": ...}`` (``html`` instead of ``text`` is accepted and converted
as the ETL does; ``title`` is optional and, as in the ETL, read beside the text: by the
is_ml classifier, and for skills only the title names, reported with ``start``/``end`` null
and the title as evidence; offsets index the text). Output (ARCHITECTURE.md):
``{"id", "is_ml", "families", "skills": [{name, family, category, start, end, where, evidence}],
"responsibilities": [{label, sentence}]}``. A line that cannot be read gives
``{"id" or "line", "error": "..."}`` and the run goes on (an empty line too, so output line
N answers input line N). A line without an id is answered with ``"id": null`` and its
``"line"`` number. A lone UTF-16 surrogate, which
JSON can spell (``"\\ud800"``) but no text encoding can carry, is read as U+FFFD, one
character for one, so offsets still index the text as sent. So do they where runs of
white space, tabs or no-break spaces are read as one space, as the ETL reads them.
"""

from __future__ import annotations

import json
import math
import re
from typing import IO

import polars as pl

from etl.extraction import require_models
from etl.html_text import html_to_text
from etl.mapped_copy import MappedCopy
from etl.workers import ExtractionWorkers

BATCH = 1000
LONE_SURROGATE = re.compile("[\ud800-\udfff]")
# White space the ETL's HTML-to-text step turns into one space, but a text sent as it is
# may hold: runs of spaces, tabs, no-break and other Unicode spaces ("machine\u00a0learning").
ODD_SPACE = re.compile(r"[^\S\n]{2,}|[^\S \n]")


def _readable(value):
    """``value`` with lone surrogates replaced, if it is a string."""
    return LONE_SURROGATE.sub("\ufffd", value) if isinstance(value, str) else value


def _finite(text: str) -> float:
    number = float(text)
    if math.isinf(number):  # 1e999: a valid JSON number no double holds
        raise ValueError(text)
    return number


def _refuse_constant(name: str):
    raise ValueError(name)  # NaN, Infinity, -Infinity: Python's JSON extension, not JSON


def _parse_error(number: int, line: str, exc: json.JSONDecodeError) -> str:
    if "\x00" in line:  # a raw NUL is never valid JSON; UTF-16 read as UTF-8 is full of them
        return f"line {number} is not UTF-8 text (it holds NUL characters: UTF-16?)."
    place = "column" if exc.msg.endswith(" at") else "at column"  # "Unterminated string starting at"
    return f"line {number} is not valid JSON: {exc.msg} {place} {exc.colno}."


def parse_line(number: int, line: str) -> tuple[dict, str, str | None] | dict:
    """``(id fields, text, title)`` for a good line, or the error object for a bad one. The
    id fields open the output line: ``{"id": ...}``, or for a line without an id
    ``{"id": null, "line": number}``."""
    line = line.rstrip("\r\n")
    if not line.strip():
        return {"line": number, "error": f"line {number} is empty."}
    try:
        record = json.loads(line, parse_constant=_refuse_constant, parse_float=_finite)
    except json.JSONDecodeError as exc:
        return {"line": number, "error": _parse_error(number, line, exc)}
    except ValueError:
        return {"line": number, "error": f"line {number} holds a number JSON cannot carry (NaN, Infinity or "
                                         "beyond ±1.8e308)."}
    if not isinstance(record, dict):
        return {"line": number, "error": f"line {number} is not a JSON object."}
    # A line without an id is named by its number beside a null id.
    key = {"id": _readable(record["id"])} if "id" in record else {"id": None, "line": number}
    text, markup = _readable(record.get("text")), _readable(record.get("html"))
    if not isinstance(text, str) and not isinstance(markup, str):
        return {**key, "error": f"line {number} has no \"text\" or \"html\" string."}
    if not isinstance(text, str):
        text = pl.DataFrame({"html": [markup]}).select(html_to_text("html")).item() or ""
    title = _readable(record.get("title"))
    return key, text, title if isinstance(title, str) and title.strip() else None


def single_spaced(text: str) -> MappedCopy | None:
    """The copy of ``text`` the extractor reads, every run of white space within a line one
    plain space, or None when ``text`` has none to change."""
    edits = [(match.start(), match.end(), " ") for match in ODD_SPACE.finditer(text)]
    return MappedCopy(text, edits) if edits else None


def render(key: dict, extraction, copy: MappedCopy | None = None) -> dict:
    """The output line, opening with the id fields ``key`` (``parse_line``); ``copy``: the single-spaced copy that was read, whose offsets are
    mapped back to the text as sent."""
    mapped = copy.original if copy else (lambda offset: offset)

    def at(offset):
        return None if offset is None else mapped(offset)  # None: found in the title
    return {
        **key,
        "is_ml": extraction.is_ml,
        "families": extraction.families,
        "skills": [{"name": m.skill, "family": m.family, "category": m.category, "start": at(m.start),
                    "end": at(m.end), "where": "text" if m.start is not None else "title",
                    "evidence": m.evidence} for m in extraction.skills],
        "responsibilities": [{"label": r.label, "sentence": r.sentence} for r in extraction.responsibilities],
    }


def extract_lines(source: IO[str], sink: IO[str], responsibilities: bool = True, workers: int = 1) -> int:
    """Tag every line of ``source`` into ``sink`` (in ``workers`` processes: ``etl.workers``);
    return the number of lines handled."""
    require_models()  # a missing model is a clear error even before the first line
    handled = 0
    with ExtractionWorkers(workers, with_responsibilities=responsibilities) as extraction:
        for (pending, copies), results in extraction.map(_batches(source)):
            found = iter(zip(results, copies))
            for item in pending:
                out = item if isinstance(item, dict) else render(item[0], *next(found))
                sink.write(json.dumps(out, ensure_ascii=False, allow_nan=False) + "\n")
            handled += len(pending)
    return handled


def _batches(source: IO[str]):
    """``((parsed lines, single-spaced copies), texts to read, their titles)`` for each
    ``BATCH`` lines of ``source``."""
    pending: list[tuple[object, str, str | None] | dict] = []
    for number, line in enumerate(source, 1):
        pending.append(parse_line(number, line))
        if len(pending) >= BATCH:
            yield _batch(pending)
            pending = []
    if pending:
        yield _batch(pending)


def _batch(pending: list[tuple[object, str, str | None] | dict]):
    good = [item for item in pending if isinstance(item, tuple)]
    copies = [single_spaced(text) for _, text, _ in good]
    texts = [copy.text if copy else text for (_, text, _), copy in zip(good, copies)]
    return (pending, copies), texts, [title for _, _, title in good]
