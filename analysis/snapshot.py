"""Open the current published snapshot, read-only.

The ETL publishes a new snapshot file and switches ``<home>/snapshot.duckdb`` to it by a
rename, so callers connect per use and close promptly (``with open_snapshot(home) as
conn:``); a connection held open keeps reading the file it opened, which stays valid.
The connection sees the snapshot and nothing else: DuckDB's file system access is turned
off and locked (unless the caller asks otherwise), so no statement run on it can write a
file (``COPY ... TO`` over the warehouse) or read one.
"""

from __future__ import annotations

import os

import duckdb

from skilltrends.errors import UserError, first_line
from skilltrends.home import Home


class SnapshotUnavailable(UserError):
    """No snapshot can be read now; the message says why and what to do."""


class SnapshotMissing(SnapshotUnavailable):
    """There is no published snapshot under the home yet."""


class SnapshotUnreadable(SnapshotUnavailable):
    """The snapshot exists but DuckDB cannot open it (locked by a writer, damaged)."""


# Settings of every snapshot connection; lock_configuration keeps a statement from undoing them.
SEALED = {"enable_external_access": False, "lock_configuration": True}


def open_snapshot(home: str | os.PathLike | Home | None = None, sealed: bool = True) -> duckdb.DuckDBPyConnection:
    """Connect read-only to the snapshot the pointer names now.

    :param home: the data directory (``--home``); None means ``$SKILLTRENDS_HOME`` or
        ``./data``, as :meth:`skilltrends.home.Home.resolve` decides.
    :param sealed: turn off file system access (the default); only a caller that runs its
        own statements, never a user's, may pass False.
    :raises SnapshotMissing: before the first ETL run (no pointer, or a dangling one).
    :raises SnapshotUnreadable: when DuckDB refuses the file, e.g. while some other process
        holds it open for writing, or this process holds it open with other settings.
    """
    resolved = home if isinstance(home, Home) else Home.resolve(home)
    path = resolved.current_snapshot()
    if path is None:
        raise SnapshotMissing(
            f"No published snapshot in {resolved.root}: run `skilltrends etl` "
            "(or `skilltrends demo` for generated data) first."
        )
    try:
        return duckdb.connect(str(path), read_only=True, config=SEALED if sealed else {})
    except duckdb.Error as exc:
        why = first_line(exc)
        if isinstance(exc, duckdb.ConnectionException) and "different configuration" in why:
            # DuckDB shares one database instance per file within a process, with one configuration.
            why = ("this process already holds it open with other settings (a duckdb.connect(path) of its own, "
                   "read-only or not): close that connection, or open the snapshot with "
                   "analysis.snapshot.open_snapshot there too.")
        raise SnapshotUnreadable(f"The published snapshot {path} cannot be opened: {why}") from None
