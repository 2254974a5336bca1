"""PidLock: an exclusive, non-blocking ``flock`` on a file holding the owner's pid.

The kernel releases it when the process ends, even by SIGKILL, so a crash never leaves
a stale lock. Whoever asks while it is held gets ``busy(holder_pid)`` raised. The file is
emptied when the lock is let go; a process killed outright leaves its pid in it, which
means something only while the lock is held.
"""

from __future__ import annotations

import errno
import fcntl
import os
from pathlib import Path
from typing import Callable

from skilltrends.errors import UserError


class PidLock:
    def __init__(self, path: Path, busy: Callable[[str], Exception]):
        self.path = path
        self.busy = busy
        self.fd: int | None = None

    def __enter__(self):
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            # Never through a symbolic link: taking the lock empties the file.
            self.fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o644)
        except OSError as exc:
            if exc.errno != errno.ELOOP:
                raise
            raise UserError(f"The lock file {self.path} is a symbolic link; remove it (it is never followed).") from None
        try:
            fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(self.fd, 32, 0).decode(errors="replace").strip() or "?"
            os.close(self.fd)
            self.fd = None
            raise self.busy(holder) from None
        os.ftruncate(self.fd, 0)
        os.write(self.fd, str(os.getpid()).encode())
        return self

    def __exit__(self, *exc) -> None:
        if self.fd is not None:
            os.ftruncate(self.fd, 0)  # no pid that may be another process's by now
            fcntl.flock(self.fd, fcntl.LOCK_UN)
            os.close(self.fd)
            self.fd = None
