"""Publish the warehouse as a read-only snapshot and switch the pointer atomically.

The copy gets a new name under ``<home>/published/``; ``<home>/snapshot.duckdb`` is a
relative symlink replaced by ``rename``, so a reader sees either the old or the new
snapshot, never a half-written one, and a reader holding the old file open keeps it.
A superseded snapshot is deleted once its successor is ``keep_superseded`` old. Snapshot files
are made read-only (mode 0444).
"""

from __future__ import annotations

import os
import shutil
import time
from datetime import datetime, timezone
from pathlib import Path

from skilltrends.home import Home

KEEP_SUPERSEDED_SECONDS = 600


def publish_snapshot(home: Home, keep_superseded: float = KEEP_SUPERSEDED_SECONDS) -> Path:
    """Copy the warehouse to a new snapshot and point ``<home>/snapshot.duckdb`` at it. Runs
    under the ETL lock, so what a killed publish left half-done (a ``.partial`` copy, a
    pointer not yet renamed) is nobody's work in progress and is removed first."""
    home.published_dir.mkdir(parents=True, exist_ok=True)
    for leftover in [*home.published_dir.glob("*.partial"), *home.root.glob(".snapshot.*.tmp")]:
        leftover.unlink(missing_ok=True)
    name = f"warehouse-{datetime.now(timezone.utc):%Y%m%dT%H%M%S%fZ}.duckdb"
    target = home.published_dir / name
    partial = target.with_suffix(".partial")
    shutil.copyfile(home.warehouse, partial)
    # Read-only on disk too: a reader who forgets read_only=True gets an error at once instead
    # of a write lock that would shut the dashboard and every other reader out.
    os.chmod(partial, 0o444)
    os.replace(partial, target)
    pointer_tmp = home.root / f".snapshot.{os.getpid()}.tmp"
    pointer_tmp.unlink(missing_ok=True)
    os.symlink(Path(home.published_dir.name) / name, pointer_tmp)
    os.replace(pointer_tmp, home.snapshot)
    remove_superseded(home, keep_superseded)
    return target


def remove_superseded(home: Home, keep_superseded: float) -> list[Path]:
    current = home.current_snapshot()
    snapshots = sorted(home.published_dir.glob("warehouse-*.duckdb"))
    removed = []
    now = time.time()
    for older, successor in zip(snapshots, snapshots[1:]):
        if older == current:
            continue
        if now - successor.stat().st_mtime >= keep_superseded:
            older.unlink(missing_ok=True)
            removed.append(older)
    return removed
