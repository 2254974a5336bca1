"""UserError: a mistake or a condition the user can fix, told in one sentence, no traceback.

Every package raises a subclass for such cases; the CLI prints the message and exits 1.
"""

import sys


class UserError(Exception):
    pass


def first_line(exc: BaseException) -> str:
    """The first line of an exception's message: DuckDB's errors go on with context lines."""
    lines = str(exc).strip().splitlines()
    return lines[0] if lines else exc.__class__.__name__


# DuckDB's errors about a file rather than a statement: a damaged or truncated file, one it
# may not read or write, a full disk. Its other errors (Binder, Catalog, Parser...) come from
# SQL, and are bugs unless the user wrote that SQL.
DUCKDB_FILE_ERRORS = ("IOException", "FatalException", "PermissionException")
DAMAGE_WORDS = ("corrupt", "checksum", "not a valid duckdb", "unexpected end of file", "failed to read",
                "could not read enough bytes")


def is_duckdb_file_error(exc: BaseException) -> bool:
    """A DuckDB error about a file: of a file kind, or one whose words say the file is damaged
    (DuckDB raises a checksum failure found by a query as its base ``Error``)."""
    duckdb = sys.modules.get("duckdb")  # not imported: nothing raised a DuckDB error
    if duckdb is None or not isinstance(exc, duckdb.Error):
        return False
    return isinstance(exc, tuple(getattr(duckdb, name) for name in DUCKDB_FILE_ERRORS)) or looks_damaged(exc)


def looks_damaged(exc: BaseException) -> bool:
    return any(word in first_line(exc).lower() for word in DAMAGE_WORDS)


def is_lock_error(exc: BaseException) -> bool:
    """DuckDB's refusal of a file another process holds ("Could not set lock on file ...:
    Conflicting lock is held"); not any message with "lock" in it ("block" is one)."""
    text = str(exc).lower()
    return "could not set lock" in text or "conflicting lock" in text


def duckdb_file_error_sentence(exc: BaseException, what: str = "A DuckDB file") -> str:
    """``what`` could not be used, and why, in one sentence; with how to rebuild when the
    file looks damaged."""
    detail = first_line(exc).rstrip(".")
    sentence = f"{what} could not be used: {detail}."
    if looks_damaged(exc):
        sentence += (" If the file is damaged: move a damaged warehouse.duckdb away and run `skilltrends etl "
                     "--full` (the landing files rebuild it); a damaged crawl_state file may be deleted.")
    return sentence


def sql_string(value) -> str:
    """``value`` (a path) as a SQL string literal, for the few statements that take no
    parameter there (ATTACH, COPY ... TO)."""
    return "'" + str(value).replace("'", "''") + "'"


def sql_identifier(name: str) -> str:
    """``name`` (a table or column) as a quoted SQL identifier, for names read from a catalog
    or a result, which no parameter can stand for."""
    return '"' + name.replace('"', '""') + '"'
