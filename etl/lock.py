"""The ETL's inter-process lock: one ETL at a time may write the warehouse."""

from __future__ import annotations

from pathlib import Path

from skilltrends.errors import UserError
from skilltrends.pidlock import PidLock


class EtlAlreadyRunning(UserError):
    pass


class EtlLock(PidLock):
    """An exclusive lock on ``<home>/etl.lock``, released when the process ends, even by SIGKILL."""

    def __init__(self, path: Path):
        super().__init__(path, lambda holder: EtlAlreadyRunning(
            f"Another `skilltrends etl` is writing the warehouse (lock {path}); wait for it to finish."
        ))
