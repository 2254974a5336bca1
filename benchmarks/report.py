"""Write one benchmark's section of docs/benchmarks.md, leaving the other sections as they are."""

from __future__ import annotations

import re
from datetime import datetime, timezone
from pathlib import Path

HEADER = "# Benchmarks\n\nEach section is written by its benchmark script (`python -m benchmarks.NAME`); do not edit by hand.\n"


def write_section(path: Path, name: str, body: str) -> None:
    text = path.read_text() if path.exists() else HEADER
    stamp = f"{datetime.now(timezone.utc):%Y-%m-%d %H:%M UTC}"
    section = f"<!-- {name} -->\n## {name}\n\nMeasured {stamp}.\n\n{body.rstrip()}\n<!-- /{name} -->\n"
    pattern = re.compile(rf"<!-- {re.escape(name)} -->.*?<!-- /{re.escape(name)} -->\n", re.S)
    text = pattern.sub(lambda _: section, text) if pattern.search(text) else text.rstrip("\n") + "\n\n" + section
    path.write_text(text)
