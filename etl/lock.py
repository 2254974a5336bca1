"""The ETL's inter-process lock: one ETL at a time may write the warehouse."""

from __future__ import annotations

import fcntl
import os
from pathlib import Path

from skilltrends.errors import UserError


class EtlAlreadyRunning(UserError):
    pass


class EtlLock:
    """An exclusive ``flock`` on ``<home>/etl.lock``, released when the process ends, even by SIGKILL."""

    def __init__(self, path: Path):
        self.path = path
        self.fd: int | None = None

    def __enter__(self) -> "EtlLock":
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(self.fd)
            self.fd = None
            raise EtlAlreadyRunning(
                f"Another `skilltrends etl` is writing the warehouse (lock {self.path}); wait for it to finish."
            ) from None
        os.ftruncate(self.fd, 0)
        os.write(self.fd, str(os.getpid()).encode())
        return self

    def __exit__(self, *exc) -> None:
        if self.fd is not None:
            fcntl.flock(self.fd, fcntl.LOCK_UN)
            os.close(self.fd)
            self.fd = None
