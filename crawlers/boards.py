"""The registry of job boards the ATS spiders crawl when no ``--board`` is given.

``crawlers/boards.toml`` (or the file ``$SKILLTRENDS_BOARDS_FILE`` names) holds one array of
tables per ATS kind, each entry ``{token, company, why}``::

    [[greenhouse]]
    token = "anthropic"        # the board's name in the API path
    company = "Anthropic"      # stored as the postings' company
    why = "frontier AI lab"    # why the board is on the list
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from skilltrends.errors import UserError

BOARDS_FILE = Path(__file__).with_name("boards.toml")
BOARDS_FILE_ENV = "SKILLTRENDS_BOARDS_FILE"
# Board tokens are path segments: letters, digits, and . _ - (no slashes, no query).
TOKEN_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")


class BoardsFileError(UserError):
    """The registry file is missing or malformed; the message names the file and the entry."""


@dataclass(frozen=True)
class Board:
    token: str
    company: str
    why: str = ""


def boards_file() -> Path:
    return Path(os.environ.get(BOARDS_FILE_ENV) or BOARDS_FILE)


def load_boards(kind: str, path: Path | None = None) -> list[Board]:
    """The ``kind`` boards of the registry, in file order, each token once."""
    path = path or boards_file()
    try:
        with path.open("rb") as handle:
            data = tomllib.load(handle)
    except FileNotFoundError:
        raise BoardsFileError(f"The board registry {path} does not exist.") from None
    except tomllib.TOMLDecodeError as exc:
        raise BoardsFileError(f"The board registry {path} is not valid TOML: {exc}.") from None
    entries = data.get(kind, [])
    if not isinstance(entries, list):
        raise BoardsFileError(f"{path}: [{kind}] must be a list of [[{kind}]] entries.")
    boards: dict[str, Board] = {}
    for number, entry in enumerate(entries, 1):
        token = entry.get("token") if isinstance(entry, dict) else None
        if not isinstance(token, str) or not TOKEN_PATTERN.match(token):
            raise BoardsFileError(f"{path}: {kind} entry {number} has no usable token (got {token!r}).")
        company = entry.get("company") or token
        boards.setdefault(token, Board(token, str(company), str(entry.get("why", ""))))
    return list(boards.values())
