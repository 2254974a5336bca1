"""Where skilltrends keeps its state: one data directory, ``<home>``.

Layout (see ARCHITECTURE.md, "Storage")::

    <home>/landing/<source>/<run_id>.duckdb   one file per crawl run, written by that crawl
    <home>/warehouse.duckdb                   written only by the ETL (under <home>/etl.lock)
    <home>/published/<name>.duckdb            read-only snapshots, one per ETL run
    <home>/snapshot.duckdb                    symlink to the current snapshot (switched by rename)

This module only computes paths; it imports nothing heavy, so every package may use it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

HOME_ENV = "SKILLTRENDS_HOME"
DEFAULT_HOME = "data"


@dataclass(frozen=True)
class Home:
    root: Path

    @classmethod
    def resolve(cls, home: str | os.PathLike | None = None) -> "Home":
        """``--home`` wins, then ``$SKILLTRENDS_HOME``, then ``./data``."""
        chosen = home or os.environ.get(HOME_ENV) or DEFAULT_HOME
        return cls(Path(chosen).expanduser().absolute())

    @property
    def landing_dir(self) -> Path:
        return self.root / "landing"

    def landing_file(self, source: str, run_id: str) -> Path:
        return self.landing_dir / source / f"{run_id}.duckdb"

    @property
    def warehouse(self) -> Path:
        return self.root / "warehouse.duckdb"

    @property
    def etl_lock(self) -> Path:
        return self.root / "etl.lock"

    @property
    def published_dir(self) -> Path:
        return self.root / "published"

    @property
    def snapshot(self) -> Path:
        """The stable name researchers open; a symlink to the current published file."""
        return self.root / "snapshot.duckdb"

    def current_snapshot(self) -> Path | None:
        """The file the pointer names now, or None before the first ETL run."""
        try:
            return self.snapshot.resolve(strict=True)
        except (FileNotFoundError, RuntimeError):
            return None
