"""UserError: a mistake or a condition the user can fix, told in one sentence, no traceback.

Every package raises a subclass for such cases; the CLI prints the message and exits 1.
"""


class UserError(Exception):
    pass


def first_line(exc: BaseException) -> str:
    """The first line of an exception's message: DuckDB's errors go on with context lines."""
    lines = str(exc).strip().splitlines()
    return lines[0] if lines else exc.__class__.__name__


def sql_string(value) -> str:
    """``value`` (a path) as a SQL string literal, for the few statements that take no
    parameter there (ATTACH, COPY ... TO)."""
    return "'" + str(value).replace("'", "''") + "'"


def sql_identifier(name: str) -> str:
    """``name`` (a table or column) as a quoted SQL identifier, for names read from a catalog
    or a result, which no parameter can stand for."""
    return '"' + name.replace('"', '""') + '"'
