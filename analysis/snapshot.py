"""Open the current published snapshot, read-only.

The ETL publishes a new snapshot file and switches ``<home>/snapshot.duckdb`` to it by a
rename, so callers connect per use and close promptly (``with open_snapshot(home) as
conn:``); a connection held open keeps reading the file it opened, which stays valid.
"""

from __future__ import annotations

import os

import duckdb

from skilltrends.errors import UserError
from skilltrends.home import Home


class SnapshotMissing(UserError):
    """There is no published snapshot under the home yet."""


def open_snapshot(home: str | os.PathLike | Home | None = None) -> duckdb.DuckDBPyConnection:
    """Connect read-only to the snapshot the pointer names now.

    :param home: the data directory (``--home``); None means ``$SKILLTRENDS_HOME`` or
        ``./data``, as :meth:`skilltrends.home.Home.resolve` decides.
    :raises SnapshotMissing: before the first ETL run (no pointer, or a dangling one).
    """
    resolved = home if isinstance(home, Home) else Home.resolve(home)
    path = resolved.current_snapshot()
    if path is None:
        raise SnapshotMissing(
            f"No published snapshot in {resolved.root}: run `skilltrends etl` "
            "(or `skilltrends demo` for generated data) first."
        )
    return duckdb.connect(str(path), read_only=True)
